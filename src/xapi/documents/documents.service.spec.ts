import {
  BadRequestException,
  ConflictException,
  PayloadTooLargeException,
  PreconditionFailedException,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { Store } from '../../access/store.entity';
import { stateAddress } from './document-addresses';
import { DocumentRecord } from './document-record';
import { decodeContent, DocumentsService, encodeContent, isJsonType } from './documents.service';
import { State } from './state.entity';

describe('DocumentsService (no database)', () => {
  const service = new DocumentsService({} as DataSource);
  const doc = { etag: 'abc123' } as DocumentRecord;

  it('keeps UTF-8 as text and anything else as base64, byte for byte', () => {
    const text = Buffer.from('h\u00e9llo {"a": 1}', 'utf8');
    expect(encodeContent(text)).toEqual({ utf8: 'h\u00e9llo {"a": 1}' });
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    expect(encodeContent(binary)).toEqual({ base64: '//4AQQ==' });
    expect(decodeContent(encodeContent(binary)).equals(binary)).toBe(true);
    expect(decodeContent(encodeContent(text)).equals(text)).toBe(true);
  });

  it('tells JSON media types', () => {
    expect(isJsonType('application/json')).toBe(true);
    expect(isJsonType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonType('application/ld+json')).toBe(true);
    expect(isJsonType('text/plain')).toBe(false);
    expect(isJsonType(undefined)).toBe(false);
  });

  it('applies If-Match: a matching tag (quoted, weak or *) passes, others are 412', () => {
    expect(() => service.checkPreconditions(doc, { ifMatch: '"abc123"' })).not.toThrow();
    expect(() => service.checkPreconditions(doc, { ifMatch: 'W/"ABC123"' })).not.toThrow();
    expect(() => service.checkPreconditions(doc, { ifMatch: '"x", "abc123"' })).not.toThrow();
    expect(() => service.checkPreconditions(doc, { ifMatch: '*' })).not.toThrow();
    expect(() => service.checkPreconditions(doc, { ifMatch: '"other"' })).toThrow(
      PreconditionFailedException,
    );
    expect(() => service.checkPreconditions(null, { ifMatch: '*' })).toThrow(
      PreconditionFailedException,
    );
  });

  it('applies If-None-Match: * or a matching tag on an existing document is 412', () => {
    expect(() => service.checkPreconditions(null, { ifNoneMatch: '*' })).not.toThrow();
    expect(() => service.checkPreconditions(doc, { ifNoneMatch: '"other"' })).not.toThrow();
    expect(() => service.checkPreconditions(doc, { ifNoneMatch: '*' })).toThrow(
      PreconditionFailedException,
    );
    expect(() => service.checkPreconditions(doc, { ifNoneMatch: '"abc123"' })).toThrow(
      PreconditionFailedException,
    );
  });

  it('applies the rule for a PUT without either header', () => {
    expect(() => service.checkPreconditions(doc, {})).not.toThrow();
    expect(() => service.checkPreconditions(doc, { putWithoutHeader: 'conflict' })).toThrow(
      ConflictException,
    );
    expect(() => service.checkPreconditions(null, { putWithoutHeader: 'conflict' })).not.toThrow();
    expect(() => service.checkPreconditions(doc, { putWithoutHeader: 'required' })).toThrow(
      ConflictException,
    );
    expect(() => service.checkPreconditions(null, { putWithoutHeader: 'required' })).toThrow(
      BadRequestException,
    );
    expect(() =>
      service.checkPreconditions(doc, { putWithoutHeader: 'required', ifMatch: '"abc123"' }),
    ).not.toThrow();
  });
});

describe('DocumentsService.putMany (database)', () => {
  let t: TestApp;
  let service: DocumentsService;
  const agent = { objectType: 'Agent', mbox: 'mailto:put-many@example.org' };
  const json = (v: unknown) => ({
    bytes: Buffer.from(JSON.stringify(v), 'utf8'),
    contentType: 'application/json',
  });

  beforeAll(async () => {
    t = await createTestApp();
    service = t.app.get(DocumentsService);
  });
  afterAll(async () => t.close());

  it('inserts the new documents, rewrites changed ones and leaves identical ones alone', async () => {
    const store = await t.dataSource.getRepository(Store).findOneByOrFail({ slug: 'default' });
    const address = (stateId: string) =>
      stateAddress(store.id, { activityId: 'https://x.example/a', agent, stateId });
    expect(
      await service.putMany(State, [
        { address: address('one'), incoming: json({ n: 1 }) },
        { address: address('two'), incoming: json({ n: 2 }) },
      ]),
    ).toBe(2);
    const before = await service.findOne(State, store.id, address('one').docKey);
    expect(
      await service.putMany(State, [
        { address: address('one'), incoming: json({ n: 1 }) },
        { address: address('two'), incoming: json({ n: 20 }) },
        { address: address('three'), incoming: json({ n: 3 }) },
      ]),
    ).toBe(2);
    const rows = await t.dataSource
      .getRepository(State)
      .find({ where: { storeId: store.id }, order: { stateId: 'ASC' } });
    expect(rows.map((r) => [r.stateId, decodeContent(r.content).toString()])).toEqual([
      ['one', '{"n":1}'],
      ['three', '{"n":3}'],
      ['two', '{"n":20}'],
    ]);
    expect(rows[0].updated).toEqual(before!.updated);
  });

  it('refuses a document over max_allowed_packet with a 413 and writes none of the batch', async () => {
    if (t.dataSource.options.type === 'better-sqlite3') return; // no packet limit
    const store = await t.dataSource.getRepository(Store).findOneByOrFail({ slug: 'default' });
    const address = (stateId: string) =>
      stateAddress(store.id, { activityId: 'https://x.example/packet', agent, stateId });
    expect(await service.putMany(State, [{ address: address('a'), incoming: json(1) }])).toBe(1);
    const [{ p }] = await t.dataSource.query('SELECT @@max_allowed_packet AS p');
    const huge = { bytes: Buffer.alloc(Number(p), 0x61), contentType: 'text/plain' };
    const put = service.putMany(State, [
      { address: address('b'), incoming: json(2) },
      { address: address('a'), incoming: huge },
    ]);
    await expect(put).rejects.toBeInstanceOf(PayloadTooLargeException);
    const rows = await t.dataSource.getRepository(State).find({
      where: { storeId: store.id, activityId: 'https://x.example/packet' },
    });
    expect(rows.map((r) => [r.stateId, decodeContent(r.content).toString()])).toEqual([['a', '1']]);
  });
});

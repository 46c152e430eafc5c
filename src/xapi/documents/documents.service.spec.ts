import {
  BadRequestException,
  ConflictException,
  PreconditionFailedException,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DocumentRecord } from './document-record';
import { decodeContent, DocumentsService, encodeContent, isJsonType } from './documents.service';

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

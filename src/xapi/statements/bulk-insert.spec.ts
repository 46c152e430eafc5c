import { Logger } from '@nestjs/common';
import mysql from 'mysql2';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { Store } from '../../access/store.entity';
import { isPacketTooLarge, isUniqueViolation } from '../../common/db-errors';
import { VocabEntry } from './entities/vocab.entity';
import {
  bulkInsert,
  chunksBySize,
  INSERT_CHUNK,
  INSERT_CHUNK_CHARS,
  JsonText,
  mysqlLiteral,
} from './bulk-insert';

describe('bulk-insert helpers', () => {
  it('chunksBySize cuts at INSERT_CHUNK rows and at about INSERT_CHUNK_CHARS', () => {
    const small = Array.from({ length: INSERT_CHUNK * 2 + 1 }, () => 10);
    expect(chunksBySize(small, (b) => b).map((c) => c.length)).toEqual([
      INSERT_CHUNK,
      INSERT_CHUNK,
      1,
    ]);
    const third = Math.floor(INSERT_CHUNK_CHARS / 3);
    const big = [third, third, third, third, 10];
    expect(chunksBySize(big, (b) => b).map((c) => c.length)).toEqual([3, 2]);
    // A row larger than the limit still goes, alone.
    expect(chunksBySize([INSERT_CHUNK_CHARS * 2, 1], (b) => b).map((c) => c.length)).toEqual([
      1, 1,
    ]);
  });

  it('mysqlLiteral quotes strings escaping only NUL, the quote and the backslash', () => {
    expect(mysqlLiteral('plain "json" ?')).toBe(`'plain "json" ?'`);
    expect(mysqlLiteral("it's")).toBe(`'it''s'`);
    expect(mysqlLiteral('a\\b')).toBe(`'a\\\\b'`);
    expect(mysqlLiteral('nul\0end')).toBe(`'nul\\0end'`);
    expect(mysqlLiteral("\\'")).toBe(`'\\\\'''`);
    expect(mysqlLiteral('line\nbreak\r\x1a')).toBe(`'line\nbreak\r\x1a'`);
  });

  it('mysqlLiteral writes NULL, numbers, booleans and bytes, and refuses anything else', () => {
    expect(mysqlLiteral(null)).toBe('NULL');
    expect(mysqlLiteral(undefined)).toBe('NULL');
    expect(mysqlLiteral(42)).toBe('42');
    expect(mysqlLiteral(-1.5)).toBe('-1.5');
    expect(mysqlLiteral(BigInt('9007199254740993'))).toBe('9007199254740993');
    expect(mysqlLiteral(true)).toBe('1');
    expect(mysqlLiteral(Buffer.from([0, 39, 255]))).toBe(`X'0027ff'`);
    expect(() => mysqlLiteral(NaN)).toThrow(TypeError);
    expect(() => mysqlLiteral(Infinity)).toThrow(TypeError);
    expect(() => mysqlLiteral({ a: 1 })).toThrow(TypeError);
  });
});

describe('bulkInsert (database)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  // As text (literals) and as a prepared statement (bound values; on SQLite both bind).
  it.each([
    ['as SQL text', false],
    ['as a prepared statement in a transaction', true],
  ])('stores every character as sent, read back through TypeORM (%s)', async (label, prepared) => {
    const now = new Date();
    const store = await t.dataSource
      .getRepository(Store)
      .save({ slug: `bulk-insert-spec-${prepared}`, name: 'bulk', createdAt: now, updatedAt: now });
    const hostile = [
      "it's",
      'back\\slash\\',
      '"double" and `back`',
      'nul\0byte',
      'marks ? ?? :name $1',
      "'); DELETE FROM vocab; --",
      '\\\'\\"',
      'line\nbreak\r\ttab\x1a\b',
      'émoji 😀 中文',
    ];
    const rows = hostile.map((text, i) => ({
      storeId: store.id,
      kind: 'verb',
      iri: `http://example.com/${i}/${text}`,
      display: i % 2 ? { 'en-US': text } : new JsonText(JSON.stringify({ und: text })),
      stored: now,
      updated: now,
    }));
    // The query reaches the data source's subscribers either way (the query log, the bench).
    const seen: string[] = [];
    const listener = { afterQuery: (e: { query: string; success: boolean }) => seen.push(e.query) };
    t.dataSource.subscribers.push(listener as never);
    try {
      if (prepared) {
        await t.dataSource.transaction((em) => bulkInsert(em, VocabEntry, rows, { prepared }));
      } else {
        await bulkInsert(t.dataSource.manager, VocabEntry, rows);
      }
    } finally {
      t.dataSource.subscribers.splice(t.dataSource.subscribers.indexOf(listener as never), 1);
    }
    expect(seen.filter((q) => /^INSERT INTO\b/.test(q))).toHaveLength(1);
    const back = await t.dataSource
      .getRepository(VocabEntry)
      .find({ where: { storeId: store.id }, order: { id: 'ASC' } });
    expect([label, back.map((r) => r.iri)]).toEqual([label, rows.map((r) => r.iri)]);
    expect(back.map((r) => Object.values(r.display ?? {})[0])).toEqual(hostile);
    expect(back.every((r) => r.stored.getTime() === now.getTime())).toBe(true);
  });

  it('a prepared INSERT that meets a unique index fails as a text one does', async () => {
    const now = new Date();
    const store = await t.dataSource
      .getRepository(Store)
      .save({ slug: 'bulk-insert-spec-unique', name: 'bulk', createdAt: now, updatedAt: now });
    const row = { storeId: store.id, kind: 'verb', iri: 'http://example.com/x', display: null };
    const insert = (prepared: boolean) =>
      t.dataSource.transaction((em) =>
        bulkInsert(em, VocabEntry, [{ ...row, stored: now, updated: now }], {
          prepared,
          duplicatesExpected: true, // the query log leaves these out
        }),
      );
    await insert(true);
    const failures = await Promise.all(
      [true, false].map((prepared) =>
        insert(prepared).then(
          () => null,
          (e: unknown) => e,
        ),
      ),
    );
    for (const e of failures) expect(isUniqueViolation(e)).toBe(true);
    expect(await t.dataSource.getRepository(VocabEntry).countBy({ storeId: store.id })).toBe(1);
  });

  it('sends a prepared INSERT as text while the server refuses prepared statements', async () => {
    const now = new Date();
    const store = await t.dataSource
      .getRepository(Store)
      .save({ slug: 'bulk-insert-spec-refused', name: 'bulk', createdAt: now, updatedAt: now });
    const row = (n: number) => ({
      storeId: store.id,
      kind: 'verb',
      iri: `http://example.com/refused/${n}`,
      display: { und: `it's ${n}` },
      stored: now,
      updated: now,
    });
    // The server's answer when max_prepared_stmt_count is used up (by every client together).
    const refusal = Object.assign(
      new Error("Can't create more than max_prepared_stmt_count statements (current value: 0)"),
      { errno: 1461, code: 'ER_MAX_PREPARED_STMT_COUNT_REACHED' },
    );
    const execute = jest
      .spyOn(mysql.Connection.prototype, 'execute')
      .mockImplementation((...args: unknown[]) => {
        const done = args[args.length - 1] as (e: Error) => void;
        process.nextTick(() => done(refusal));
        return undefined as never;
      });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    let executed: number;
    let warnings: unknown[][];
    try {
      for (const n of [1, 2]) {
        await t.dataSource.transaction((em) =>
          bulkInsert(em, VocabEntry, [row(n)], { prepared: true }),
        );
      }
    } finally {
      // Read before mockRestore, which clears them.
      executed = execute.mock.calls.length;
      warnings = [...warn.mock.calls];
      execute.mockRestore();
      warn.mockRestore();
    }
    const back = await t.dataSource
      .getRepository(VocabEntry)
      .find({ where: { storeId: store.id }, order: { id: 'ASC' } });
    expect(back.map((r) => r.display)).toEqual([{ und: "it's 1" }, { und: "it's 2" }]);
    if (t.dataSource.options.type === 'better-sqlite3') {
      // SQLite binds values in process: no server to refuse anything.
      expect([executed, warnings]).toEqual([0, []]);
      return;
    }
    // The first INSERT was refused and went as text, with one warning; the second went
    // as text at once (PREPARED_REFUSED_MS).
    expect(executed).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0][0])).toMatch(/max_prepared_stmt_count/);
  });

  it('refuses a row over max_allowed_packet before sending it, and splits rows that only together are', async () => {
    const now = new Date();
    const store = await t.dataSource
      .getRepository(Store)
      .save({ slug: 'bulk-insert-spec-packet', name: 'bulk', createdAt: now, updatedAt: now });
    const mysql = t.dataSource.options.type !== 'better-sqlite3';
    const [{ p }] = mysql
      ? await t.dataSource.query('SELECT @@max_allowed_packet AS p')
      : [{ p: 0 }];
    const packet = mysql ? Number(p) : 16 * 1024 * 1024;
    const row = (n: number, bytes: number) => ({
      storeId: store.id,
      kind: 'verb',
      iri: `http://example.com/packet/${n}`,
      display: new JsonText(JSON.stringify({ und: 'x'.repeat(bytes) })),
      stored: now,
      updated: now,
    });
    const count = () => t.dataSource.getRepository(VocabEntry).countBy({ storeId: store.id });
    // A row whose literal is over the packet only by its escapes (a backslash is two).
    const escaped = {
      ...row(7, 0),
      display: new JsonText(JSON.stringify({ und: '\\'.repeat(packet * 0.3) })),
    };
    if (mysql) {
      const e = await t.dataSource
        .transaction((em) => bulkInsert(em, VocabEntry, [escaped]))
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(isPacketTooLarge(e)).toBe(true);
    }
    // Two rows of 60 % of a packet each: one INSERT would be over it.
    for (const prepared of [false, true]) {
      await t.dataSource.transaction((em) =>
        bulkInsert(
          em,
          VocabEntry,
          [row(prepared ? 3 : 1, packet * 0.6), row(prepared ? 4 : 2, packet * 0.6)],
          { prepared },
        ),
      );
    }
    expect(await count()).toBe(4);
    const big = t.dataSource.transaction((em) =>
      bulkInsert(em, VocabEntry, [row(5, 10), row(6, packet + 10)]),
    );
    if (mysql) {
      const e = await big.then(
        () => null,
        (err: unknown) => err,
      );
      expect(isPacketTooLarge(e)).toBe(true);
      expect(await count()).toBe(4); // nothing of that batch, and the connection still serves
    } else {
      await big; // SQLite has no packet limit
      expect(await count()).toBe(6);
    }
  });
});

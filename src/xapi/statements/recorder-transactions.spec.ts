import { AfterQueryEvent } from 'typeorm';
import { createTestApp, isSqlite, TestApp } from '../../../test/support/test-app';
import { Store } from '../../access/store.entity';
import { VocabEntry } from './entities/vocab.entity';
import { RecorderTransactions } from './recorder-transactions';

describe('RecorderTransactions (database)', () => {
  let t: TestApp;
  let tx: RecorderTransactions;
  let storeId: number;
  let seen: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    tx = t.app.get(RecorderTransactions);
    t.dataSource.subscribers.push({
      afterQuery: (e: AfterQueryEvent) => {
        seen.push(e.query);
      },
    });
    const now = new Date();
    storeId = (
      await t.dataSource
        .getRepository(Store)
        .save({ slug: 'recorder-tx', name: 'tx', createdAt: now, updatedAt: now })
    ).id;
  });
  afterAll(async () => t.close());

  const row = (iri: string) => ({
    storeId,
    kind: 'verb' as const,
    iri,
    display: null,
    stored: new Date(),
    updated: new Date(),
  });
  const iris = async () =>
    (
      await t.dataSource
        .getRepository(VocabEntry)
        .find({ where: { storeId }, order: { iri: 'ASC' } })
    ).map((r) => r.iri);

  it('commits what the work wrote, and rolls all of it back when the work throws', async () => {
    seen = [];
    await tx.run(async (em) => {
      await em.getRepository(VocabEntry).insert(row('http://a/1'));
      // A locking read (MySQL/MariaDB) needs a transaction TypeORM knows of.
      if (!isSqlite()) {
        await em
          .getRepository(VocabEntry)
          .find({ where: { storeId }, lock: { mode: 'pessimistic_write' } });
      }
    });
    expect(await iris()).toEqual(['http://a/1']);
    if (!isSqlite()) {
      // Autocommit is off in the recorder's sessions: no START TRANSACTION, one COMMIT.
      expect(seen.filter((q) => /^START TRANSACTION/i.test(q))).toEqual([]);
      expect(seen.filter((q) => /^COMMIT/i.test(q))).toHaveLength(1);
    }
    await expect(
      tx.run(async (em) => {
        await em.getRepository(VocabEntry).insert(row('http://a/2'));
        // A nested transaction is a savepoint of the batch's, not a transaction of its own.
        await em.transaction((inner) => inner.getRepository(VocabEntry).insert(row('http://a/3')));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await iris()).toEqual(['http://a/1']);
  });

  // MySQL/MariaDB only: on SQLite the recorder uses dataSource.transaction().
  (isSqlite() ? it.skip : it)('serves again after the server killed its connections', async () => {
    const ids = await Promise.all(
      Array.from({ length: 3 }, () =>
        tx.run(async (em) => Number((await em.query('SELECT CONNECTION_ID() AS id'))[0].id)),
      ),
    );
    for (const id of new Set(ids)) await t.dataSource.query(`KILL ${id}`);
    await new Promise((r) => setTimeout(r, 200));
    await tx.run((em) => em.getRepository(VocabEntry).insert(row('http://a/killed')));
    expect(await iris()).toContain('http://a/killed');
    await t.dataSource.getRepository(VocabEntry).delete({ storeId, iri: 'http://a/killed' });
  });

  it('leaves no transaction open: the next run sees what committed in between', async () => {
    const count = (em: { query: (sql: string, p: unknown[]) => Promise<{ n: unknown }[]> }) =>
      em
        .query('SELECT COUNT(*) AS n FROM vocab WHERE store_id = ?', [storeId])
        .then((r) => Number(r[0].n));
    // Every connection of the pool reads once, so that each has had a snapshot.
    const before = await Promise.all(Array.from({ length: 12 }, () => tx.run(count)));
    await t.dataSource.getRepository(VocabEntry).insert(row('http://a/4'));
    const after = await Promise.all(Array.from({ length: 12 }, () => tx.run(count)));
    expect(after.map((n, i) => n - before[i])).toEqual(Array(12).fill(1));
  });
});

import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { serializeSqliteTransactions } from './sqlite-transactions';

describe('serializeSqliteTransactions', () => {
  let ds: DataSource;
  const pause = () => new Promise((r) => setTimeout(r, 5));

  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrs-tx-'));
    ds = await new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'db.sqlite'),
    }).initialize();
    await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)');
  });
  afterEach(async () => ds.destroy());

  /** Two transactions overlapping across awaits; the second one fails and rolls back. */
  const overlap = () =>
    Promise.allSettled([
      ds.transaction(async (em) => {
        await em.query("INSERT INTO t (who) VALUES ('a1')");
        await pause();
        await em.query("INSERT INTO t (who) VALUES ('a2')");
      }),
      ds.transaction(async (em) => {
        await em.query("INSERT INTO t (who) VALUES ('b1')");
        await pause();
        throw new Error('b fails');
      }),
    ]);

  it('runs overlapping transactions one at a time: a rollback takes only its own rows', async () => {
    serializeSqliteTransactions(ds);
    const [a, b] = await overlap();
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    expect((await ds.query('SELECT who FROM t ORDER BY id')).map((r: any) => r.who)).toEqual([
      'a1',
      'a2',
    ]);
  });

  it('without it, the same overlap mixes the two transactions up', async () => {
    const [a, b] = await overlap();
    const rows = (await ds.query('SELECT who FROM t ORDER BY id')).map((r: any) => r.who);
    expect(a.status === 'fulfilled' && b.status === 'rejected' && rows.join() === 'a1,a2').toBe(
      false,
    );
  });

  it('lets a transaction started inside another one join it instead of waiting for it', async () => {
    serializeSqliteTransactions(ds);
    await ds.transaction(async (em) => {
      await em.query("INSERT INTO t (who) VALUES ('outer')");
      await ds.transaction((inner) => inner.query("INSERT INTO t (who) VALUES ('inner')"));
    });
    expect(await ds.query('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 2 }]);
  });
});

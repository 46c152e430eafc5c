import { DataSource } from 'typeorm';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';
import { AgentDeletionHandler } from '../src/job-types/agent-deletion/agent-deletion.handler';
import { PseudoHandler } from '../src/job-types/pseudo/pseudo.handler';
import { TransferSettings } from '../src/job-types/transfer/transfer-settings';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';
import { makeStatement } from './support/xapi-fixtures';

/**
 * Every long walk of the jobs (validation, pseudo, push, clearing, agent-deletion,
 * stores-deletion) fetches each batch by a range on an index from its cursor, so a batch
 * deep in the walk costs what the first one does (issue 15). Each keyset fetch is measured
 * as the job runs it, on its own connection, while its rows are there: the handler read
 * counters before and after it (MariaDB/MySQL), or its EXPLAIN QUERY PLAN (SQLite).
 */
const TOTAL = 4000;
const ANNA = { objectType: 'Agent', mbox: 'mailto:anna-walk@example.com' };
/** The store-scoped tables the walks read (jobs and their runs are not walked). */
const WALKED =
  /\bFROM [`"]?(statements|statement_agents|statement_activities|attachments|agents|activities|vocab|states|activity_profiles|agent_profiles)[`"]?/;

interface Fetch {
  sql: string;
  limit: number;
  /** MariaDB/MySQL: rows the handler read. */
  reads?: number;
  /** SQLite: the plan's lines. */
  plan?: string[];
}

/** Measures every keyset fetch of a walked table that `dataSource` runs, until `stop()`. */
function measureFetches(dataSource: DataSource) {
  const fetches: Fetch[] = [];
  const spies = [BetterSqlite3QueryRunner.prototype, MysqlQueryRunner.prototype].map((proto) => {
    const original = proto.query;
    return jest.spyOn(proto, 'query').mockImplementation(async function (
      this: { connection: DataSource },
      ...args: Parameters<typeof original>
    ) {
      const [sql, params] = args;
      const limit = /^\s*SELECT\b[\s\S]*\bORDER BY\b[\s\S]*\bLIMIT (\d+)\s*$/i.exec(sql)?.[1];
      if (this.connection !== dataSource || !limit || !WALKED.test(sql)) {
        return original.apply(this, args);
      }
      const fetch: Fetch = { sql: sql.replace(/\s+/g, ' '), limit: Number(limit) };
      fetches.push(fetch);
      if (this instanceof BetterSqlite3QueryRunner) {
        const plan: { detail: string }[] = await original.call(
          this,
          `EXPLAIN QUERY PLAN ${sql}`,
          params,
        );
        fetch.plan = plan.map((p) => p.detail);
        return original.apply(this, args);
      }
      // The same connection (this runner's) before and after: SHOW STATUS reads no rows.
      const status = 'SHOW SESSION STATUS LIKE "Handler_read%"';
      const sum = (rows: { Variable_name: string; Value: string }[]) =>
        rows
          .filter((r) => r.Variable_name !== 'Handler_read_rnd')
          .reduce((n, r) => n + Number(r.Value), 0);
      const before = sum(await original.call(this, status));
      const result = await original.apply(this, args);
      fetch.reads = sum(await original.call(this, status)) - before;
      return result;
    });
  });
  return { fetches, stop: () => spies.forEach((s) => s.mockRestore()) };
}

describe('job walk plans (e2e)', () => {
  let t: TestApp;
  let storeId: number;
  const asAdmin = <R extends { set: (k: string, v: string) => R }>(r: R) =>
    r.set('Authorization', t.adminAuth);

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    const store = await asAdmin(t.http().post(`${t.base}/stores`))
      .send({ slug: 'walked', name: 'walked' })
      .expect(201);
    storeId = store.body.data.id;
    await asAdmin(t.http().post(`${t.base}/stores`))
      .send({ slug: 'target', name: 'target' })
      .expect(201);
    await asAdmin(t.http().post(`${t.base}/clients`))
      .send({
        slug: 'target-remote',
        name: 'target as a remote LRS',
        username: 'target-user',
        password: 'target-password-123',
        store: 'target',
        permissions: ['xapi/statements/write', 'xapi/statements/read'],
      })
      .expect(201);
    // The walked store's rows interleave with the default store's, Anna in every 3rd.
    const recorder = t.app.get(StatementRecorder);
    const options = { version: '1.0.3' as const, validate_statements: false };
    for (let i = 0; i < TOTAL; i += 500) {
      const batch = Array.from({ length: 500 }, (_, k) =>
        (i + k) % 3 === 0 ? makeStatement({ actor: ANNA }) : makeStatement(),
      );
      await recorder.record({ id: storeId }, null, batch, options);
      await recorder.record({ id: 1 }, null, [makeStatement(), makeStatement()], options);
    }
    const tables = ['statements', 'statement_agents', 'statement_activities'];
    if (t.dataSource.options.type === 'better-sqlite3') await t.dataSource.query('ANALYZE');
    else for (const table of tables) await t.dataSource.query(`ANALYZE TABLE ${table}`);
    // Batches small enough for a walk of many of them.
    t.app.get(TransferSettings).pushBatch = 250;
    t.app.get(PseudoHandler).batchSize = 250;
    t.app.get(AgentDeletionHandler).batchSize = 250;
  }, 300_000);
  afterAll(async () => t.close());

  /** POSTs a `now` job, waits for its run, and returns the keyset fetches it made. */
  async function walk(type: string, body: object): Promise<Fetch[]> {
    const measured = measureFetches(t.dataSource);
    try {
      const res = await asAdmin(t.http().post(`${t.base}/jobs/${type}`))
        .send({ repeat: 'now', ...body })
        .expect(201);
      const id = res.body.data.id;
      const job = await waitFor(
        async () => {
          const j = (await asAdmin(t.http().get(`${t.base}/jobs/${type}/${id}`))).body.data;
          return j && j.ran === 1 && !j.running ? j : null;
        },
        240_000,
        `${type} job ${id}`,
      );
      expect(job.success).toBe(true);
    } finally {
      measured.stop();
    }
    return measured.fetches;
  }

  /**
   * Each walk (the fetches of one query) reads about its batch at every depth: at most
   * twice its limit (MariaDB/MySQL), or no table scanned nor sorted whole (SQLite).
   */
  function expectBoundedWalks(fetches: Fetch[], minBatches: number) {
    const walks = new Map<string, Fetch[]>();
    // One walk: one SQL text but for its values (inlined on SQLite) and cursor.
    const walkOf = (f: Fetch) => f.sql.replace(/\d+/g, '#');
    for (const f of fetches) walks.set(walkOf(f), [...(walks.get(walkOf(f)) ?? []), f]);
    const long = [...walks.values()].filter((w) => w.length >= minBatches);
    expect(long.length).toBeGreaterThan(0);
    for (const f of long.flat()) {
      const cost = f.plan
        ? f.plan.filter((d) => /^SCAN\b|USE TEMP B-TREE/.test(d))
        : f.reads! > 2 * (f.limit + 1) + 100
          ? [`${f.reads} rows read for a batch of ${f.limit}`]
          : [];
      expect({ sql: f.sql, cost }).toEqual({ sql: f.sql, cost: [] });
    }
  }

  it('validation', async () => {
    expectBoundedWalks(await walk('validation', { store: 'walked', clear: false }), 6);
  });

  it('agent-deletion (dry run)', async () => {
    const body = { store: 'walked', agent: JSON.stringify(ANNA), person: false, dry_run: true };
    expectBoundedWalks(await walk('agent-deletion', body), 4);
  });

  it('clearing (dry run)', async () => {
    const body = { store: 'walked', service: 'all', until: 'now', dry_run: true };
    expectBoundedWalks(await walk('clearing', body), 3);
  });

  it('clearing until a date inside the store (dry run): the span on the primary key, not the stored index sorted per batch', async () => {
    const [row] = await t.dataSource.query(
      `SELECT s.stored FROM statements s JOIN stores st ON st.id = s.store_id
        WHERE st.slug = 'walked' ORDER BY s.id LIMIT 1 OFFSET ${(TOTAL * 3) / 4}`,
    );
    const stored =
      row.stored instanceof Date
        ? row.stored.toISOString()
        : `${String(row.stored).replace(' ', 'T')}Z`;
    const body = {
      store: 'walked',
      service: 'statements',
      until: 'date',
      until_date: stored,
      dry_run: true,
    };
    expectBoundedWalks(await walk('clearing', body), 3);
  });

  it('push', async () => {
    const connection = await asAdmin(t.http().post(`${t.base}/connections`))
      .send({
        name: 'target',
        type: 'lrs',
        endpoint: `${t.origin}/api/target-remote/xapi/`,
        username: 'target-user',
        password: 'target-password-123',
        version: '1.0.3',
      })
      .expect(201);
    const body = { service: 'statements', until: 'now', connection: connection.body.data.id };
    expectBoundedWalks(await walk('push', { ...body, store: 'walked' }), 6);
  });

  it('pseudo', async () => {
    expectBoundedWalks(await walk('pseudo', { store: 'walked', until: 'now' }), 6);
  });

  it('stores-deletion', async () => {
    expectBoundedWalks(await walk('stores-deletion', { store_id: storeId }), 3);
    const [{ n }] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM statements WHERE store_id = ?',
      [storeId],
    );
    expect(Number(n)).toBe(0);
  });
});

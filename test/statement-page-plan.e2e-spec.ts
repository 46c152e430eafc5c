import { randomUUID } from 'crypto';
import { QueryRunner } from 'typeorm';
import { agentVid } from '../src/xapi/agents/agent-identifier';
import {
  StatementFilters,
  StatementQueryService,
} from '../src/xapi/statements/statement-query.service';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Keyset pages cost their own rows at any depth (issue 15): every page query, at a deep
 * cursor, reads at most a small multiple of `limit` rows (MariaDB/MySQL handler read
 * counters) or is a range search on an index (SQLite's EXPLAIN QUERY PLAN). The store is
 * large enough, and its statistics fresh, for a planner to prefer a bad plan if it could.
 */
const TOTAL = 6000;
const LIMIT = 50;
const V = { 'X-Experience-API-Version': '1.0.3' };
const VERBS = ['completed', 'attempted', 'answered'].map(
  (v) => `http://adlnet.gov/expapi/verbs/${v}`,
);
const learner = (n: number) => ({ objectType: 'Agent', mbox: `mailto:plan-${n}@example.com` });
const REGISTRATION = randomUUID();

function statement(i: number) {
  // Learner 0 is in every 3rd statement as actor, and also a member of the team in some
  // of them (two rows of one agent for one statement in the index).
  const actor = learner(i % 3 === 0 ? 0 : (i % 40) + 1);
  return {
    id: randomUUID(),
    actor,
    verb: { id: VERBS[i % 3] },
    object: { objectType: 'Activity', id: `http://example.com/plan/course-${i % 5}` },
    context: {
      registration: i % 7 === 0 ? REGISTRATION : randomUUID(),
      team: i % 6 === 0 ? { objectType: 'Group', member: [learner(0)] } : undefined,
      contextActivities: { parent: [{ id: `http://example.com/plan/program-${i % 2}` }] },
    },
  };
}

describe('statement page plans (e2e)', () => {
  let t: TestApp;
  let query: StatementQueryService;
  let mysql: boolean;
  let low: number;
  let high: number;

  beforeAll(async () => {
    t = await createTestApp();
    query = t.app.get(StatementQueryService);
    mysql = t.dataSource.options.type === 'mysql' || t.dataSource.options.type === 'mariadb';
    for (let i = 0; i < TOTAL; i += 500) {
      const batch = Array.from({ length: 500 }, (_, k) => statement(i + k));
      await t
        .http()
        .post('/api/admin/xapi/statements')
        .set(V)
        .set('Authorization', t.adminAuth)
        .send(batch)
        .expect(200);
    }
    const tables = ['statements', 'statement_agents', 'statement_activities'];
    if (mysql) for (const table of tables) await t.dataSource.query(`ANALYZE TABLE ${table}`);
    else await t.dataSource.query('ANALYZE');
    const [row] = await t.dataSource.query('SELECT MIN(id) AS lo, MAX(id) AS hi FROM statements');
    low = Number(row.lo);
    high = Number(row.hi);
  }, 300_000);
  afterAll(async () => t.close());

  /** Rows the handler read for one query on MySQL/MariaDB, on a connection of its own. */
  async function rowsRead(runner: QueryRunner, sql: string, params: unknown[]): Promise<number> {
    await runner.query('FLUSH STATUS');
    await runner.query(sql, params);
    const status: { Variable_name: string; Value: string }[] = await runner.query(
      "SHOW SESSION STATUS LIKE 'Handler_read%'",
    );
    return status
      .filter((s) => s.Variable_name !== 'Handler_read_rnd')
      .reduce((sum, s) => sum + Number(s.Value), 0);
  }

  const filters: [string, StatementFilters][] = [
    ['unfiltered', {}],
    ['verb', { verb: VERBS[1] }],
    ['activity', { activity: 'http://example.com/plan/course-2' }],
    ['registration', { registration: REGISTRATION }],
    ['agent', { agentVid: agentVid(learner(0))! }],
    ['agent, related_agents', { agentVid: agentVid(learner(0))!, relatedAgents: true }],
    [
      'activity, related_activities',
      { activity: 'http://example.com/plan/program-1', relatedActivities: true },
    ],
    ['since/until', { since: new Date(0), until: new Date(Date.now() + 3_600_000) }],
    ['restricted actor (cmi5)', { actorVid: agentVid(learner(0))! }],
  ];

  for (const [name, f] of filters) {
    for (const [ascending, depth] of [
      [false, 0.5],
      [false, 0.8],
      [true, 0.5],
      [true, 0.8],
    ] as const) {
      const order = ascending ? ', ascending' : '';
      it(`${name}${order}: a page at ${depth * 100}% of the walk reads about its own rows`, async () => {
        const filter = { ...f, ascending };
        const walked = Math.floor((high - low) * depth);
        const cursor = { after: ascending ? low + walked : high - walked, bound: high };
        const page = await query.page(1, filter, LIMIT, cursor);
        expect(page.rows.length).toBeGreaterThan(0);
        for (const [sql, params] of query.pageSql(1, filter, LIMIT, cursor)) {
          if (mysql) {
            const runner = t.dataSource.createQueryRunner();
            try {
              expect(await rowsRead(runner, sql, params)).toBeLessThanOrEqual(8 * (LIMIT + 1) + 50);
            } finally {
              await runner.release();
            }
          } else {
            const plan: { detail: string }[] = await t.dataSource.query(
              `EXPLAIN QUERY PLAN ${sql}`,
              params,
            );
            const details = plan.map((p) => p.detail);
            // The driving table is searched by a range on an index, never scanned.
            expect(details.filter((d) => /^SCAN (s|d)\b/.test(d))).toEqual([]);
            expect(details.some((d) => /^SEARCH (s|d) USING .*INDEX/.test(d))).toBe(true);
          }
        }
      });
    }
  }

  it('a walk through every page returns each statement once, in order', async () => {
    const seen: number[] = [];
    let cursor: { after: number | null; bound: number } | null = { after: null, bound: high };
    while (cursor) {
      const page = await query.page(
        1,
        { agentVid: agentVid(learner(0))!, relatedAgents: true },
        LIMIT,
        cursor,
      );
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.next;
    }
    const [{ n }] = await t.dataSource.query(
      `SELECT COUNT(DISTINCT statement_row_id) AS n FROM statement_agents WHERE vid = ?`,
      [agentVid(learner(0))],
    );
    expect(seen.length).toBe(Number(n));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });
});

import { randomUUID } from 'crypto';
import { agentVid } from '../src/xapi/agents/agent-identifier';
import {
  StatementFilters,
  StatementQueryService,
} from '../src/xapi/statements/statement-query.service';
import { STORED_ORDER_MARGIN_MS } from '../src/xapi/statements/statement-recorder.service';
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
const IDS = Array.from({ length: TOTAL }, () => randomUUID());

/**
 * Statement i targets (by StatementRef) statement refTarget(i), or null: every 10th is a
 * StatementRef to an earlier statement, every 50th to an earlier StatementRef (two levels).
 */
const refTarget = (i: number) => (i % 10 !== 9 ? null : i % 50 === 49 ? i - 10 : i - 4);
/**
 * `stored` of row `id` once beforeAll spreads the rows over time: one second per row, each
 * moved by up to 25 s either way, so that ids and `stored` disagree in order by up to 50 s,
 * within STORED_ORDER_MARGIN_MS as the recorder keeps them.
 */
const BASE = Date.UTC(2020, 0, 1);
const jitter = (id: number) => ((id * 7919) % 51) - 25;
const storedOf = (id: number) => BASE + (id + jitter(id)) * 1000;

/** Learner 0 is named (any role) by statement i itself. */
const namesLearner0 = (i: number) => refTarget(i) === null && i % 3 === 0;

function statement(i: number) {
  // Learner 0 is in every 3rd statement as actor, and also a member of the team in some
  // of them (two rows of one agent for one statement in the index); never in a StatementRef.
  const target = refTarget(i);
  const actor = learner(namesLearner0(i) ? 0 : (i % 40) + 1);
  return {
    id: IDS[i],
    actor,
    verb: { id: VERBS[i % 3] },
    object:
      target === null
        ? { objectType: 'Activity', id: `http://example.com/plan/course-${i % 5}` }
        : { objectType: 'StatementRef', id: IDS[target] },
    context: {
      registration: i % 7 === 0 ? REGISTRATION : randomUUID(),
      team:
        namesLearner0(i) && i % 6 === 0 ? { objectType: 'Group', member: [learner(0)] } : undefined,
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
    const seconds = `(id + ((id * 7919) % 51) - 25)`;
    await t.dataSource.query(
      mysql
        ? `UPDATE statements SET stored = TIMESTAMPADD(SECOND, ${seconds}, '2020-01-01')`
        : `UPDATE statements SET stored = strftime('%Y-%m-%d %H:%M:%f', '2020-01-01', ${seconds} || ' seconds')`,
    );
    const tables = ['statements', 'statement_agents', 'statement_activities'];
    if (mysql) for (const table of tables) await t.dataSource.query(`ANALYZE TABLE ${table}`);
    else await t.dataSource.query('ANALYZE');
    const [row] = await t.dataSource.query('SELECT MIN(id) AS lo, MAX(id) AS hi FROM statements');
    low = Number(row.lo);
    high = Number(row.hi);
  }, 300_000);
  afterAll(async () => t.close());

  /** Rows the handler read for one query on MySQL/MariaDB, on a connection of its own. */
  async function rowsRead(sql: string, params: unknown[]): Promise<number> {
    const runner = t.dataSource.createQueryRunner();
    try {
      await runner.query('FLUSH STATUS');
      await runner.query(sql, params);
      const status: { Variable_name: string; Value: string }[] = await runner.query(
        "SHOW SESSION STATUS LIKE 'Handler_read%'",
      );
      return status
        .filter((s) => s.Variable_name !== 'Handler_read_rnd')
        .reduce((sum, s) => sum + Number(s.Value), 0);
    } finally {
      await runner.release();
    }
  }

  /** SQLite's EXPLAIN QUERY PLAN of one query: the detail of each step. */
  async function planOf(sql: string, params: unknown[]): Promise<string[]> {
    const plan: { detail: string }[] = await t.dataSource.query(
      `EXPLAIN QUERY PLAN ${sql}`,
      params,
    );
    return plan.map((p) => p.detail);
  }

  // [name, filters, rows of the driving index per match] (the agent's statements, half of
  // which are in program 0, for the last but one).
  const filters: [string, StatementFilters, number?][] = [
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
    [
      'agent and related activity',
      {
        agentVid: agentVid(learner(0))!,
        activity: 'http://example.com/plan/program-0',
        relatedActivities: true,
      },
      2,
    ],
    ['since/until', { since: new Date(0), until: new Date(Date.now() + 3_600_000) }],
    ['restricted actor (cmi5)', { actorVid: agentVid(learner(0))! }],
  ];

  for (const [name, f, spread = 1] of filters) {
    for (const [ascending, depth] of [
      [false, 0.5],
      [false, 0.8],
      [true, 0.5],
      [true, 0.8],
      // Near the end the filters' own query runs out: StatementRefs to the end of the keyset.
      [false, 0.99],
      [true, 0.99],
    ] as const) {
      const order = ascending ? ', ascending' : '';
      it(`${name}${order}: a page at ${depth * 100}% of the walk reads about its own rows`, async () => {
        const filter = { ...f, ascending };
        const walked = Math.floor((high - low) * depth);
        const cursor = { after: ascending ? low + walked : high - walked, bound: high };
        const page = await query.page(1, filter, LIMIT, cursor);
        expect(page.rows.length).toBeGreaterThan(0);
        const queries = await query.pageSql(1, filter, LIMIT, cursor);
        // The filters StatementRefs follow add the query of those.
        const follows = !!(f.agentVid || f.verb || f.activity || f.registration);
        expect(queries.length).toBe(follows ? 2 : 1);
        for (const [sql, params] of queries) {
          if (mysql) {
            expect(await rowsRead(sql, params)).toBeLessThanOrEqual(
              spread * (8 * (LIMIT + 1) + 50),
            );
          } else {
            const details = await planOf(sql, params);
            // The driving table is searched by a range on an index, never scanned, and
            // every other table is a lookup per row, never a list built from the filter.
            expect(details.filter((d) => /^SCAN\b|LIST SUBQUERY|USE TEMP B-TREE/.test(d))).toEqual(
              [],
            );
            expect(
              details.some((d) => /^SEARCH (s|d) USING .*(INDEX|INTEGER PRIMARY KEY)/.test(d)),
            ).toBe(true);
          }
        }
      });
    }
  }

  /** Every page of a walk with these filters: its cursor and its row ids. */
  async function walk(f: StatementFilters) {
    const pages: { cursor: { after: number | null; bound: number }; ids: number[] }[] = [];
    let cursor: { after: number | null; bound: number } | null = { after: null, bound: high };
    while (cursor) {
      const page = await query.page(1, f, LIMIT, cursor);
      pages.push({ cursor, ids: page.rows.map((r) => r.id) });
      cursor = page.next;
    }
    return pages;
  }

  // since/until windows (fractions of the rows by id): pages bound their keyset by
  // `stored`, and give exactly the rows whose `stored` is in the window, in id order.
  const windows: [number, number][] = [
    [0.25, 0.75],
    [0.5, 0.52],
    [0, 0.1],
    [0.9, 1],
  ];
  for (const [from, to] of windows) {
    for (const ascending of [false, true]) {
      const order = ascending ? ', ascending' : '';
      it(`since/until ${from}-${to}${order}: the rows stored in the window, in order, each page reading about its own rows`, async () => {
        const since = new Date(storedOf(low + Math.floor((high - low) * from)));
        const until = new Date(storedOf(low + Math.floor((high - low) * to)));
        const f: StatementFilters = { since, until, ascending };
        const pages = await walk(f);
        const seen = pages.flatMap((p) => p.ids);
        const expected: number[] = [];
        for (let id = low; id <= high; id++) {
          const at = storedOf(id);
          if (at > since.getTime() && at <= until.getTime()) expected.push(id);
        }
        if (!ascending) expected.reverse();
        expect(seen.length).toBeGreaterThan(0);
        expect(seen).toEqual(expected);
        // The keyset range ends within the margin (and the rows' disorder) of the window.
        const ids = await query.storedWindowIds(1, f);
        const slack = STORED_ORDER_MARGIN_MS / 1000 + 2 * 26;
        if (from > 0)
          expect(ids.low).toBeGreaterThanOrEqual(expected.at(ascending ? 0 : -1)! - slack - 1);
        if (to < 1) expect(ids.high).toBeLessThanOrEqual(expected.at(ascending ? -1 : 0)! + slack);
        // The first and last pages, at the window's edges, read about their own rows.
        for (const { cursor } of [pages[0], pages[pages.length - 1]]) {
          for (const [sql, params] of await query.pageSql(1, f, LIMIT, cursor)) {
            if (mysql) {
              expect(await rowsRead(sql, params)).toBeLessThanOrEqual(
                8 * (LIMIT + 1) + 50 + 2 * slack,
              );
            } else {
              expect(await planOf(sql, params)).toEqual([
                expect.stringMatching(/^SEARCH s USING INDEX \S+ \(store_id=\? AND id[<>]/),
              ]);
            }
          }
        }
      });
    }
  }

  it('a walk through every page returns each statement once, in order, StatementRefs included', async () => {
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
    // Learner 0's statements, the StatementRefs to them, and the StatementRefs to those.
    const matches = (i: number, depth: number): boolean =>
      namesLearner0(i) || (depth > 0 && refTarget(i) !== null && matches(refTarget(i)!, depth - 1));
    const expected = IDS.filter((_, i) => matches(i, 2));
    expect(IDS.filter((_, i) => refTarget(i) !== null && matches(i, 2)).length).toBeGreaterThan(
      100,
    );
    const rows: { statement_id: string }[] = await t.dataSource.query(
      `SELECT statement_id FROM statements WHERE id IN (${seen.join(', ')})`,
    );
    expect(rows.map((r) => r.statement_id).sort()).toEqual(expected.sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });
});

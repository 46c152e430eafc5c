/**
 * Read benchmark (issue 15): walks every statement of a store through GET statements and
 * its `more` links over HTTP (the read path that pull, push and exports take), then, in
 * the same run, the plain keyset SELECT + JSON.parse of the same rows with mysql2. The
 * ratio of the two rates is the figure that counts; the times of the first, middle and last
 * pages show whether a page costs the same at any depth. Also one `verb` walk and one
 * `since`/`until` walk.
 *
 *   npm run bench:read -- [--total 1000000] [--recorded 100000] [--limit 500] [--seed 42]
 *                         [--db-url mysql://...]
 *                         [--reuse]      (keep a store an earlier run filled with --total rows)
 *                         [--fill-only]  (fill the store and stop, for --reuse runs)
 *                         [--stored-rate N] (the recorded rows' `stored` respaced to N
 *                                            a second, a real store's ingest rate)
 *
 * The store is filled in-process through the StatementRecorder (the pipeline of POST
 * statements) with the bench statement generator: `--recorded` statements, the rest SQL
 * copies of those rows (as bench/jobs-bench.ts does) under new row and statement ids, with
 * their index rows and `stored` shifted past the previous copy, so that ids still follow
 * `stored`. A JSON summary goes to bench/out/.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { loadavg } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { createConnection, createPool, Pool } from 'mysql2/promise';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { createTestApp, TestApp } from '../test/support/test-app';
import { buildPopulation, Json, makeBatch } from './statement-generator';

interface Options {
  total: number;
  limit: number;
  seed: number;
  dbUrl: string;
  reuse: boolean;
  fillOnly: boolean;
  /** Statements recorded through the pipeline; the rest of `total` are SQL copies. */
  recorded: number;
  /** Statements a second of `stored` once filled (null: as the fill ran). */
  storedRate: number | null;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    total: 1_000_000,
    limit: 500,
    seed: 42,
    dbUrl: process.env.DB_URL || 'mysql://root@127.0.0.1:3306/lrs_read_bench',
    reuse: false,
    fillOnly: false,
    recorded: 100_000,
    storedRate: null,
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--reuse' || argv[i] === '--fill-only') {
      if (argv[i] === '--reuse') opts.reuse = true;
      else opts.fillOnly = true;
      continue;
    }
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (flag === '--total') opts.total = Number(value);
    else if (flag === '--limit') opts.limit = Number(value);
    else if (flag === '--seed') opts.seed = Number(value);
    else if (flag === '--recorded') opts.recorded = Number(value);
    else if (flag === '--stored-rate') opts.storedRate = Number(value);
    else if (flag === '--db-url') opts.dbUrl = value;
    else throw new Error(`Unknown option ${flag}`);
  }
  return opts;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function dropDatabase(dbUrl: string) {
  const url = new URL(dbUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unexpected database name "${name}"`);
  url.pathname = '/';
  const conn = await createConnection(url.toString());
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.end();
}

/** Records `total` generated statements in store 1 through the recorder, two batches at once. */
async function record(t: TestApp, opts: Options, total: number) {
  const recorder = t.app.get(StatementRecorder);
  const pop = buildPopulation(opts.seed);
  const size = 500;
  const batches = Math.ceil(total / size);
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const n = next++;
      if (n >= batches) return;
      const batch = makeBatch(opts.seed, pop, n, Math.min(size, total - n * size));
      await recorder.record({ id: 1 }, null, batch, { version: '1.0.3' });
      if ((n + 1) % 200 === 0) {
        const s = (performance.now() - t0) / 1000;
        console.log(`  fill: ${fmt((n + 1) * size)} statements, ${fmt(s, 1)} s`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
}

async function scalar(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  const [rows] = await pool.query(sql, params);
  return Number(Object.values((rows as Json[])[0])[0]);
}

/**
 * Spaces the `stored` of store 1's rows (column and statement) to `rate` a second in id
 * order from the first: the fill records far faster than a store is written to in use,
 * and the rows a since/until page passes over are those stored within a time margin.
 */
async function respace(pool: Pool, rate: number) {
  const [rows] = await pool.query(
    "SELECT id, DATE_FORMAT(stored, '%Y-%m-%d %H:%i:%s.%f') AS at FROM statements WHERE store_id = 1 ORDER BY id LIMIT 1",
  );
  const { id: first, at } = (rows as Json[])[0] as { id: number; at: string };
  await pool.query(
    `UPDATE statements SET stored = ? + INTERVAL ROUND((id - ?) * 1000000 / ?) MICROSECOND
      WHERE store_id = 1`,
    [at, first, rate],
  );
  const iso = `CONCAT(DATE_FORMAT(stored, '%Y-%m-%dT%H:%i:%s.'), LPAD(MICROSECOND(stored) DIV 1000, 3, '0'), 'Z')`;
  await pool.query(
    `UPDATE statements SET updated = stored, data = JSON_REPLACE(data, '$.stored', ${iso}) WHERE store_id = 1`,
  );
}

/**
 * Brings store 1 from its `recorded` rows to `total` with copies of them: copy k shifts
 * row ids by k * (max id) and `stored` by k * (the recorded rows' time span + 1 ms), and
 * its statement ids end in the new row id (unique); index rows follow their statement.
 * StatementRefs of a copy still target the recorded statements.
 */
async function replicate(pool: Pool, recorded: number, total: number) {
  const span = await scalar(pool, 'SELECT MAX(id) FROM statements WHERE store_id = 1');
  const first = await scalar(pool, 'SELECT MIN(id) FROM statements WHERE store_id = 1');
  const spanMs = await scalar(
    pool,
    'SELECT TIMESTAMPDIFF(MICROSECOND, MIN(stored), MAX(stored)) DIV 1000 + 1 FROM statements WHERE store_id = 1',
  );
  const [cols] = await pool.query(
    `SELECT column_name AS c FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = 'statements' ORDER BY ordinal_position`,
  );
  const columns = (cols as Json[]).map((r) => String(r.c));
  const chunk = 20_000;
  for (let k = 1, have = recorded; have < total; k++) {
    const count = Math.min(recorded, total - have);
    const shift = String(k * span);
    const uuid = `CONCAT(LEFT(statement_id, 24), LPAD(LOWER(HEX(id + ${shift})), 12, '0'))`;
    const stored = `stored + INTERVAL ${k * spanMs} * 1000 MICROSECOND`;
    const iso = `CONCAT(DATE_FORMAT(${stored}, '%Y-%m-%dT%H:%i:%s.'), LPAD(MICROSECOND(${stored}) DIV 1000, 3, '0'), 'Z')`;
    const expr: Record<string, string> = {
      id: `id + ${shift}`,
      statement_id: uuid,
      stored,
      updated: stored,
      data: `JSON_REPLACE(data, '$.id', ${uuid}, '$.stored', ${iso})`,
    };
    for (let from = first; from < first + count; from += chunk) {
      const to = Math.min(from + chunk, first + count);
      await pool.query(
        `INSERT INTO statements (${columns.map((c) => `\`${c}\``).join(', ')})
         SELECT ${columns.map((c) => expr[c] ?? `\`${c}\``).join(', ')} FROM statements
          WHERE store_id = 1 AND id >= ? AND id < ?`,
        [from, to],
      );
      for (const table of ['statement_agents', 'statement_activities']) {
        const other = table === 'statement_agents' ? 'vid' : 'activity_id';
        await pool.query(
          `INSERT INTO ${table} (store_id, statement_row_id, ${other}, role)
           SELECT store_id, statement_row_id + ${shift}, ${other}, role FROM ${table}
            WHERE store_id = 1 AND statement_row_id >= ? AND statement_row_id < ?`,
          [from, to],
        );
      }
    }
    have += count;
    console.log(`  copies: ${fmt(have)} statements in the store, load ${load()}`);
  }
}

/** Fills store 1 with `total` statements: `recorded` through the recorder, the rest copied. */
async function fill(t: TestApp, pool: Pool, opts: Options) {
  const recorded = Math.min(opts.recorded, opts.total);
  const f0 = performance.now();
  await record(t, opts, recorded);
  if (opts.storedRate) await respace(pool, opts.storedRate);
  const f1 = performance.now();
  await replicate(pool, recorded, opts.total);
  console.log(
    `fill: ${fmt(recorded)} statements through the recorder in ${fmt((f1 - f0) / 1000, 1)} s, ` +
      `copied to ${fmt(opts.total)} in ${fmt((performance.now() - f1) / 1000, 1)} s; load ${load()}`,
  );
}

interface Walk {
  statements: number;
  pages: number;
  seconds: number;
  rate: number;
  firstMs: number;
  middleMs: number;
  lastMs: number;
}

function summarize(pageMs: number[], statements: number, ms: number): Walk {
  return {
    statements,
    pages: pageMs.length,
    seconds: ms / 1000,
    rate: (statements * 1000) / ms,
    firstMs: pageMs[0] ?? 0,
    middleMs: pageMs[Math.floor(pageMs.length / 2)] ?? 0,
    lastMs: pageMs[pageMs.length - 1] ?? 0,
  };
}

/** GET statements with `query`, then every `more` link, as a client would. */
async function walkHttp(t: TestApp, query: Record<string, string>): Promise<Walk> {
  const headers = { 'X-Experience-API-Version': '1.0.3', Authorization: t.adminAuth };
  let url: string | null =
    `${t.origin}/api/admin/xapi/statements?${new URLSearchParams(query).toString()}`;
  const pageMs: number[] = [];
  let statements = 0;
  const t0 = performance.now();
  while (url) {
    const p0 = performance.now();
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { statements: Json[]; more?: string };
    pageMs.push(performance.now() - p0);
    statements += body.statements.length;
    url = body.more ? new URL(body.more, t.origin).toString() : null;
  }
  return summarize(pageMs, statements, performance.now() - t0);
}

/**
 * The statements index whose columns are exactly these (store_id first, id last): the one
 * a keyset walk of that filter reads its range on, named to the plain query as the page
 * queries name it, so that MariaDB does not read it from the far end down to the cursor.
 */
async function keysetIndex(pool: Pool, columns: string[]): Promise<string> {
  const [rows] = await pool.query(
    `SELECT index_name AS name FROM information_schema.statistics
      WHERE table_schema = DATABASE() AND table_name = 'statements'
      GROUP BY index_name HAVING GROUP_CONCAT(column_name ORDER BY seq_in_index) = ?`,
    [columns.join(',')],
  );
  const name = (rows as Json[])[0]?.name;
  if (!name) throw new Error(`No index on statements (${columns.join(', ')})`);
  return String(name);
}

/** The same rows by plain keyset SELECT on `index` (newest first, `limit` a page) and JSON.parse. */
async function walkPlain(
  pool: Pool,
  index: string,
  where: string,
  params: unknown[],
  limit: number,
) {
  const pageMs: number[] = [];
  let statements = 0;
  let after = Number.MAX_SAFE_INTEGER;
  const t0 = performance.now();
  for (;;) {
    const p0 = performance.now();
    const [rows] = await pool.query(
      `SELECT id, data FROM statements FORCE INDEX (\`${index}\`) WHERE store_id = 1 AND voided = 0 AND id < ? ${where}
        ORDER BY id DESC LIMIT ?`,
      [after, ...params, limit],
    );
    const list = rows as { id: number; data: string | Json }[];
    for (const r of list) if (typeof r.data === 'string') JSON.parse(r.data);
    pageMs.push(performance.now() - p0);
    statements += list.length;
    if (list.length < limit) break;
    after = Number(list[list.length - 1].id);
  }
  return summarize(pageMs, statements, performance.now() - t0);
}

function line(name: string, http: Walk, plain: Walk) {
  // A filtered walk also returns the StatementRefs to matching statements (xAPI 2.1.3),
  // which the plain SELECT of the filter's rows does not read.
  const refs = http.statements - plain.statements;
  console.log(
    `${name}: HTTP ${fmt(http.statements)} statements${refs ? ` (${fmt(refs)} of them StatementRefs to matching ones)` : ''} ` +
      `in ${fmt(http.pages)} pages, ${fmt(http.seconds, 1)} s = ` +
      `${fmt(http.rate)} stmt/s (pages: first ${fmt(http.firstMs)} ms, middle ${fmt(http.middleMs)} ms, ` +
      `last ${fmt(http.lastMs)} ms); plain ${fmt(plain.rate)} stmt/s (first ${fmt(plain.firstMs)} ms, ` +
      `middle ${fmt(plain.middleMs)} ms, last ${fmt(plain.lastMs)} ms); ratio ${(http.rate / plain.rate).toFixed(2)}; load ${load()}`,
  );
  if (refs < 0) {
    throw new Error(`${name}: HTTP walked ${http.statements}, plain ${plain.statements}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  console.log(
    `read-bench ${startedAt.toISOString()}: total ${fmt(opts.total)}, limit ${opts.limit}, load ${load()}`,
  );
  if (!opts.reuse) await dropDatabase(opts.dbUrl);
  const t = await createTestApp({ listen: true, dbUrl: opts.dbUrl });
  const pool = createPool({ uri: opts.dbUrl, connectionLimit: 2, supportBigNumbers: true });
  try {
    const [[{ n }]] = (await pool.query('SELECT COUNT(*) AS n FROM statements')) as any;
    if (Number(n) < opts.total) {
      if (Number(n) > 0)
        throw new Error(`The store holds ${n} statements: drop it or pass --total ${n}`);
      await fill(t, pool, opts);
    }
    await pool.query('ANALYZE TABLE statements, statement_agents, statement_activities');
    if (opts.fillOnly) return;
    const limit = String(opts.limit);
    // One request first, untimed: the first page is then a page, not the app's first
    // request (credential check, compilation of the code paths).
    const warm = await fetch(`${t.origin}/api/admin/xapi/statements?limit=1`, {
      headers: { 'X-Experience-API-Version': '1.0.3', Authorization: t.adminAuth },
    });
    if (warm.status !== 200) throw new Error(`GET statements: ${warm.status}`);
    const results: Record<string, { http: Walk; plain: Walk }> = {};

    const byId = await keysetIndex(pool, ['store_id', 'id']);
    const all = {
      http: await walkHttp(t, { limit }),
      plain: await walkPlain(pool, byId, '', [], opts.limit),
    };
    line('every statement', all.http, all.plain);
    results.all = all;

    const [[{ verb }]] = (await pool.query(
      'SELECT verb_id AS verb FROM statements WHERE store_id = 1 GROUP BY verb_id ORDER BY COUNT(*) DESC LIMIT 1',
    )) as any;
    const verbWalk = {
      http: await walkHttp(t, { limit, verb }),
      plain: await walkPlain(
        pool,
        await keysetIndex(pool, ['store_id', 'verb_id', 'id']),
        'AND verb_id = ?',
        [verb],
        opts.limit,
      ),
    };
    line(`verb ${verb}`, verbWalk.http, verbWalk.plain);
    results.verb = verbWalk;

    // since/until: the middle half of the store by `stored`.
    const [[{ lo, hi }]] = (await pool.query(
      'SELECT MIN(id) AS lo, MAX(id) AS hi FROM statements WHERE store_id = 1',
    )) as any;
    const storedAt = async (id: number) => {
      const [[row]] = (await pool.query(
        'SELECT stored FROM statements WHERE store_id = 1 AND id >= ? ORDER BY id LIMIT 1',
        [id],
      )) as any;
      return new Date(row.stored);
    };
    const since = await storedAt(Number(lo) + Math.floor((Number(hi) - Number(lo)) / 4));
    const until = await storedAt(Number(lo) + Math.floor(((Number(hi) - Number(lo)) * 3) / 4));
    const window = {
      http: await walkHttp(t, { limit, since: since.toISOString(), until: until.toISOString() }),
      plain: await walkPlain(
        pool,
        byId,
        'AND stored > ? AND stored <= ?',
        [since, until],
        opts.limit,
      ),
    };
    line(`since ${since.toISOString()} until ${until.toISOString()}`, window.http, window.plain);
    results.sinceUntil = window;

    const rssMb = process.memoryUsage().rss / 2 ** 20;
    console.log(`rss ${fmt(rssMb)} MB`);
    const outDir = join(__dirname, 'out');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `read-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify({ opts: { ...opts }, results, rssMb, load: load() }, null, 2),
    );
    console.log(`summary: ${file}`);
  } finally {
    await pool.end();
    await t.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

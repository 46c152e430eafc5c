/**
 * Push and pull between two running instances (issue 11), against plain INSERTs.
 *
 *   npm run bench:push-pull -- [--total 100000] [--db-url mysql://root@127.0.0.1:3306/lrs_bench_pp]
 *       [--seed 7] [--batch 500]
 *
 * Two applications listen in this process, each on its own MariaDB database
 * (`<db>_a`, `<db>_b`, dropped and recreated). Instance A's store is filled with
 * deterministic statements (bench/statement-generator.ts, not timed); then a push job
 * on A sends them to B over HTTP, and a pull job on A takes them back from B into a
 * second store. Each job's rate is statements over the job's wall time (POST of the job
 * to its end). The same statement rows (with their index rows) are then written by plain
 * multi-row INSERTs into `*_plain` tables of A in batches of the same size, one
 * transaction each, only the INSERTs timed. Prints both ratios and the peak RSS of the
 * process (both instances).
 */
import { cpus, loadavg, totalmem } from 'os';
import { createConnection, createPool, Pool } from 'mysql2/promise';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { createTestApp, TestApp } from '../test/support/test-app';
import { buildPopulation, makeBatch } from './statement-generator';

interface Options {
  total: number;
  dbUrl: string;
  seed: number;
  batch: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    total: 100_000,
    dbUrl: 'mysql://root@127.0.0.1:3306/lrs_bench_pp',
    seed: 7,
    batch: 500,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--total') opts.total = Number(v);
    else if (k === '--db-url') opts.dbUrl = v;
    else if (k === '--seed') opts.seed = Number(v);
    else if (k === '--batch') opts.batch = Number(v);
    else throw new Error(`Unknown option ${k}`);
  }
  if (!Number.isInteger(opts.total) || opts.total < 1)
    throw new Error('--total: a positive integer');
  return opts;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function withDb(url: string, suffix: string): string {
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  u.pathname = `${u.pathname}_${suffix}`;
  return u.toString();
}

async function dropDatabase(url: string) {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unexpected database name "${name}"`);
  u.pathname = '/';
  const conn = await createConnection(u.toString());
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

async function api(t: TestApp, method: 'get' | 'post' | 'put', path: string, body?: object) {
  const res = await t
    .http()
    [method](`${t.base}${path}`)
    .set('Authorization', t.adminAuth)
    .send(body);
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** Creates a `now` job and waits for its run to end; returns its wall time in seconds. */
async function runJob(
  t: TestApp,
  type: string,
  body: object,
): Promise<{ seconds: number; job: any }> {
  const t0 = performance.now();
  const created = await api(t, 'post', `/jobs/${type}`, { repeat: 'now', ...body });
  let last = '';
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const job = await api(t, 'get', `/jobs/${type}/${created.id}`);
    const line = job.progress ? `${job.progress.done}/${job.progress.total ?? '?'}` : '';
    if (line && line !== last && job.progress.done % 20_000 < 500)
      console.log(`  ${type}: ${line}`);
    last = line;
    if (job.ran >= 1 && !job.running) {
      if (!job.success) throw new Error(`${type} failed: ${job.feedback}`);
      return { seconds: (performance.now() - t0) / 1000, job };
    }
  }
}

const COPIED = [
  { table: 'statements', key: 'id' },
  { table: 'statement_agents', key: 'statement_row_id' },
  { table: 'statement_activities', key: 'statement_row_id' },
] as const;

function columnValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Date) return v;
  return JSON.stringify(v);
}

/** The store's statement and index rows, by plain multi-row INSERTs (only the INSERTs timed). */
async function insertPlain(pool: Pool, storeId: number, batch: number) {
  const columns: Record<string, string[]> = {};
  for (const { table } of COPIED) {
    await pool.query(`DROP TABLE IF EXISTS \`${table}_plain\``);
    await pool.query(`CREATE TABLE \`${table}_plain\` LIKE \`${table}\``);
    const [cols] = await pool.query(
      `SELECT column_name AS c FROM information_schema.columns
        WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`,
      [table],
    );
    columns[table] = (cols as any[]).map((r) => r.c as string);
  }
  let lastId = 0;
  let insertMs = 0;
  let statements = 0;
  for (;;) {
    const [page] = await pool.query(
      'SELECT * FROM statements WHERE store_id = ? AND id > ? ORDER BY id LIMIT ?',
      [storeId, lastId, batch],
    );
    const rows = page as any[];
    if (!rows.length) break;
    const first = Number(rows[0].id);
    lastId = Number(rows[rows.length - 1].id);
    const values: Record<string, unknown[][]> = {
      statements: rows.map((r) => columns.statements.map((c) => columnValue(r[c]))),
    };
    for (const { table, key } of COPIED.slice(1)) {
      const [list] = await pool.query(
        `SELECT * FROM \`${table}\` WHERE \`${key}\` BETWEEN ? AND ?`,
        [first, lastId],
      );
      values[table] = (list as any[]).map((r) => columns[table].map((c) => columnValue(r[c])));
    }
    const conn = await pool.getConnection();
    const t0 = performance.now();
    try {
      await conn.beginTransaction();
      for (const { table } of COPIED) {
        if (!values[table].length) continue;
        await conn.query(
          `INSERT INTO \`${table}_plain\` (${columns[table].map((c) => `\`${c}\``).join(', ')}) VALUES ?`,
          [values[table]],
        );
      }
      await conn.commit();
    } finally {
      conn.release();
    }
    insertMs += performance.now() - t0;
    statements += rows.length;
  }
  return { statements, seconds: insertMs / 1000, rate: (statements * 1000) / insertMs };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  console.log(`push-pull-bench ${new Date().toISOString()}`);
  console.log(
    `  machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GB, ` +
      `node ${process.version}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(`  settings: total ${fmt(opts.total)}, batch ${opts.batch}, seed ${opts.seed}`);
  const [urlA, urlB] = [withDb(opts.dbUrl, 'a'), withDb(opts.dbUrl, 'b')];
  await dropDatabase(urlA);
  await dropDatabase(urlB);
  const a = await createTestApp({ listen: true, dbUrl: urlA });
  const b = await createTestApp({ listen: true, dbUrl: urlB });
  const pool = createPool({
    uri: urlA,
    connectionLimit: 2,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    const recorder = a.app.get(StatementRecorder);
    const [{ id: storeId }] = await a.dataSource.query(
      "SELECT id FROM stores WHERE slug = 'default'",
    );
    const pop = buildPopulation(opts.seed);
    const f0 = performance.now();
    for (let n = 0, done = 0; done < opts.total; n++) {
      const size = Math.min(opts.batch, opts.total - done);
      await recorder.record({ id: Number(storeId) }, null, makeBatch(opts.seed, pop, n, size), {
        version: '1.0.3',
      });
      done += size;
    }
    console.log(
      `fill: ${fmt(opts.total)} statements in A in ${fmt((performance.now() - f0) / 1000, 1)} s (not timed)`,
    );

    const connection = await api(a, 'post', '/connections', {
      name: 'instance B',
      type: 'lrs',
      endpoint: `${b.origin}/api/admin/xapi/`,
      username: 'admin',
      password: 'admin-secret',
      version: '1.0.3',
    });
    await api(a, 'post', '/stores', { slug: 'back', name: 'Pulled back from B' });
    const base = { service: 'statements', until: 'now', connection: connection.id };
    console.log(`push: A -> B over HTTP (${b.origin})`);
    const push = await runJob(a, 'push', { ...base, store: 'default' });
    const pushRate = opts.total / push.seconds;
    console.log(`push: ${push.job.feedback}; ${fmt(push.seconds, 1)} s = ${fmt(pushRate)} stmt/s`);
    console.log(`pull: B -> A (store back)`);
    const pull = await runJob(a, 'pull', { ...base, store: 'back' });
    const pullRate = opts.total / pull.seconds;
    console.log(`pull: ${pull.job.feedback}; ${fmt(pull.seconds, 1)} s = ${fmt(pullRate)} stmt/s`);
    const [[{ n: inB }], [{ n: back }]] = [
      await b.dataSource.query('SELECT COUNT(*) AS n FROM statements'),
      await a.dataSource.query(
        "SELECT COUNT(*) AS n FROM statements s JOIN stores t ON t.id = s.store_id WHERE t.slug = 'back'",
      ),
    ];
    if (Number(inB) !== opts.total || Number(back) !== opts.total) {
      throw new Error(`Expected ${opts.total} in B and in A/back, found ${inB} and ${back}`);
    }
    await b.close();
    const plain = await insertPlain(pool, Number(storeId), opts.batch);
    console.log(
      `plain: ${fmt(plain.statements)} statements (with their index rows) by multi-row INSERT in ` +
        `${fmt(plain.seconds, 1)} s = ${fmt(plain.rate)} stmt/s`,
    );
    const rss = process.resourceUsage().maxRSS / 1024;
    console.log(
      `RESULT: push ${fmt(pushRate)} stmt/s (ratio ${fmt(pushRate / plain.rate, 3)}), ` +
        `pull ${fmt(pullRate)} stmt/s (ratio ${fmt(pullRate / plain.rate, 3)}), ` +
        `plain INSERT ${fmt(plain.rate)} stmt/s; peak RSS ${fmt(rss)} MB (both instances); ` +
        `load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
  } finally {
    await pool.end();
    await a.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

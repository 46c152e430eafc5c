/**
 * Store data jobs benchmark (issue 9): fills a store with `--total` realistic statements
 * (the ingest bench's generator, recorded through the pipeline without validation, 1 %
 * of them invalid, one agent in about `--agent-statements` of them) and a second store
 * with `--small` statements holding the same agent as often; copies the rows into
 * `*_plain` tables; then runs, through the Jobs API of the application in this process,
 * validation (clear), agent-deletion (on both stores), pseudo and clearing, and after
 * each the plain SQL equivalent of the same work on the `*_plain` copies (the same rows
 * in the same state). Prints each rate, the ratio job / plain and the RSS of the process
 * during each job run.
 *
 *   npm run bench:jobs -- [--total 1000000] [--small 100000] [--agent-statements 1000]
 *                         [--recorded 100000] [--concurrency 4] [--seed 7] [--db-url mysql://...]
 *                         [--phases validation,agent-deletion,pseudo,clearing] [--reuse]
 *                         [--clearing-percent 20]   (clearing deletes the oldest 20 %)
 *
 * `--phases` runs only some of the phases (in this order); `--reuse` keeps the database
 * and goes on with the stores and copies that a previous run left (no fill), so that
 * a long run can be split: `--phases validation,agent-deletion`, then
 * `--reuse --phases pseudo,clearing` with the same other flags.
 *
 * Filling: `--recorded` statements of the big store go through the pipeline (as a client
 * would send them); the big store is then brought to `--total` with SQL copies of those
 * rows and their index rows under new statement ids (INSERT ... SELECT), which is many
 * times faster than the pipeline on a loaded 2-core machine. The small store is recorded
 * through the pipeline in full.
 *
 * DB_URL (or --db-url, default mysql://root@127.0.0.1:3306/lrs_bench_jobs) names the
 * database; it is dropped and recreated. A JSON summary goes to bench/out/.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { cpus, loadavg, totalmem } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { createConnection, createPool, Pool, PoolConnection } from 'mysql2/promise';
import { Store } from '../src/access/store.entity';
import { pseudonymizeStatement } from '../src/xapi/pseudonymization/pseudonymizer';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { StatementValidator } from '../src/xapi/validation/statement-validator';
import { statementVersion } from '../src/job-types/validation/validation.handler';
import { createTestApp, TestApp } from '../test/support/test-app';
import { fmt, heapLimitMb, parseFlags } from './bench-flags';
import { buildPopulation, Json, makeBatch } from './statement-generator';

interface Options {
  total: number;
  small: number;
  agentStatements: number;
  /** Statements of the big store recorded through the pipeline; the rest are SQL copies of them. */
  recorded: number;
  concurrency: number;
  seed: number;
  dbUrl: string;
  /** Comma-separated phases to run (validation, agent-deletion, pseudo, clearing). */
  phases: string;
  /** Go on with the stores (and *_plain copies) a previous run of the same flags left. */
  reuse: boolean;
  /**
   * Percent of the big store's statements the clearing phase deletes (the oldest by
   * `stored`, through `until: date`); 100: every statement (`until: now`).
   */
  clearingPercent: number;
}

const PHASES = ['validation', 'agent-deletion', 'pseudo', 'clearing'];

function parseArgs(argv: string[]): Options {
  const opts = parseFlags<Options>(argv, {
    total: 1_000_000,
    small: 100_000,
    agentStatements: 1000,
    recorded: 100_000,
    concurrency: 4,
    seed: 7,
    dbUrl: process.env.DB_URL || 'mysql://root@127.0.0.1:3306/lrs_bench_jobs',
    phases: PHASES.join(','),
    reuse: false,
    clearingPercent: 100,
  });
  if (opts.clearingPercent > 100) throw new Error('--clearing-percent is at most 100');
  const unknown = opts.phases.split(',').filter((p) => !PHASES.includes(p));
  if (unknown.length)
    throw new Error(`Unknown phase(s) ${unknown.join(', ')}: ${PHASES.join(', ')}`);
  if (!/^(mysql|mariadb):\/\//.test(opts.dbUrl))
    throw new Error('The bench needs a MySQL/MariaDB DB_URL');
  return opts;
}

const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The agent whose statements agent-deletion removes. */
const TARGET = {
  objectType: 'Agent',
  name: 'Bench Target',
  mbox: 'mailto:bench.target@example.org',
};
const TARGET_VID = `mbox::${TARGET.mbox}`;
const BATCH = 500;

/**
 * Batch `n` of a store's statements: the generator's, with every 100th statement made
 * invalid (two identifiers) and the target agent planted in every `step`th one, as
 * actor (7 in 10), instructor (2 in 10) or member of the actor group (1 in 10).
 */
function storeBatch(
  seed: number,
  pop: ReturnType<typeof buildPopulation>,
  n: number,
  size: number,
  step: number,
): Json[] {
  return makeBatch(seed, pop, n, size).map((s, j) => {
    const i = n * BATCH + j;
    if (i % 100 === 37) return { ...s, actor: { ...s.actor, openid: 'https://id.example.org/x' } };
    if (i % step !== 11) return s;
    const role = Math.floor(i / step) % 10;
    if (role < 7) return { ...s, actor: TARGET };
    if (role < 9) return { ...s, context: { ...(s.context ?? {}), instructor: TARGET } };
    return { ...s, actor: { objectType: 'Group', name: 'Pair', member: [TARGET, s.actor] } };
  });
}

async function fill(
  t: TestApp,
  store: Store,
  total: number,
  opts: Options,
  seed: number,
  agentStatements: number,
): Promise<number> {
  const recorder = t.app.get(StatementRecorder);
  const pop = buildPopulation(seed);
  const batches = Math.ceil(total / BATCH);
  const step = Math.max(1, Math.floor(total / agentStatements));
  let next = 0;
  let done = 0;
  let report = 100_000;
  const start = performance.now();
  const worker = async () => {
    for (;;) {
      const n = next++;
      if (n >= batches) return;
      const size = Math.min(BATCH, total - n * BATCH);
      await recorder.record(store, null, storeBatch(seed, pop, n, size, step), {
        version: '1.0.3',
        validate_statements: false,
      });
      done += size;
      if (done >= report) {
        console.log(
          `  ${store.slug}: ${fmt(done)} recorded, ${fmt((done * 1000) / (performance.now() - start))} stmt/s`,
        );
        report += 100_000;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return (performance.now() - start) / 1000;
}

/**
 * Brings the store to `total` statements with copies of its `recorded` first rows: each
 * copy k gets row ids shifted by k * span and statement ids whose last 12 hex digits are
 * the new row id (unique), in `data` too; index rows follow their statement.
 */
async function replicate(pool: Pool, storeId: number, recorded: number, total: number) {
  const span = await scalar(pool, 'SELECT MAX(id) FROM statements WHERE store_id = ?', [storeId]);
  const first = await scalar(pool, 'SELECT MIN(id) FROM statements WHERE store_id = ?', [storeId]);
  const [cols] = await pool.query(
    `SELECT column_name AS c FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = 'statements' ORDER BY ordinal_position`,
  );
  const columns = (cols as Json[]).map((r) => String(r.c));
  const newUuid = (shift: string) =>
    `CONCAT(LEFT(statement_id, 24), LPAD(LOWER(HEX(id + ${shift})), 12, '0'))`;
  const expr = (c: string, shift: string) =>
    c === 'id'
      ? `id + ${shift}`
      : c === 'statement_id'
        ? newUuid(shift)
        : c === 'data'
          ? `JSON_REPLACE(data, '$.id', ${newUuid(shift)})`
          : `\`${c}\``;
  const chunk = 20_000;
  for (let k = 1, have = recorded; have < total; k++) {
    const count = Math.min(recorded, total - have);
    const shift = String(k * span);
    for (let from = first; from < first + count; from += chunk) {
      const to = Math.min(from + chunk, first + count);
      await pool.query(
        `INSERT INTO statements (${columns.map((c) => `\`${c}\``).join(', ')})
         SELECT ${columns.map((c) => expr(c, shift)).join(', ')} FROM statements
          WHERE store_id = ? AND id >= ? AND id < ?`,
        [storeId, from, to],
      );
      for (const table of ['statement_agents', 'statement_activities']) {
        const other = table === 'statement_agents' ? 'vid' : 'activity_id';
        await pool.query(
          `INSERT INTO ${table} (store_id, statement_row_id, ${other}, role)
           SELECT store_id, statement_row_id + ${shift}, ${other}, role FROM ${table}
            WHERE store_id = ? AND statement_row_id >= ? AND statement_row_id < ?`,
          [storeId, from, to],
        );
      }
    }
    have += count;
    console.log(`  copies: ${fmt(have)} statements in the store`);
  }
}

/** The tables the plain path works on, copied with their rows. */
const COPIED = ['statements', 'statement_agents', 'statement_activities', 'attachments', 'agents'];
const CHILDREN = ['statement_agents', 'statement_activities', 'attachments'];

async function copyTables(pool: Pool) {
  for (const table of COPIED) {
    await pool.query(`DROP TABLE IF EXISTS \`${table}_plain\``);
    await pool.query(`CREATE TABLE \`${table}_plain\` LIKE \`${table}\``);
    await pool.query(`INSERT INTO \`${table}_plain\` SELECT * FROM \`${table}\``);
  }
}

async function scalar(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  const [rows] = await pool.query(sql, params);
  return Number(Object.values((rows as Json[])[0])[0]);
}

/** Deletes statements of the plain copy with their index rows and attachments, in one transaction. */
async function deletePlain(conn: PoolConnection, ids: number[]): Promise<number> {
  if (!ids.length) return 0;
  await conn.beginTransaction();
  for (const table of CHILDREN) {
    await conn.query(`DELETE FROM \`${table}_plain\` WHERE statement_row_id IN (?)`, [ids]);
  }
  const [res] = await conn.query('DELETE FROM statements_plain WHERE id IN (?)', [ids]);
  await conn.commit();
  return (res as { affectedRows: number }).affectedRows;
}

/** Runs `work` with one pooled connection. */
async function withConnection<T>(pool: Pool, work: (c: PoolConnection) => Promise<T>) {
  const conn = await pool.getConnection();
  try {
    return await work(conn);
  } finally {
    conn.release();
  }
}

interface PlainResult {
  rows: number;
  seconds: number;
}

async function timed(work: () => Promise<number>): Promise<PlainResult> {
  const t0 = performance.now();
  const rows = await work();
  return { rows, seconds: (performance.now() - t0) / 1000 };
}

/** Validation, plain: keyset SELECT of the data, the same validator, UPDATE of the flags, DELETE of the invalid. */
function plainValidation(pool: Pool, storeId: number) {
  const validator = new StatementValidator();
  return withConnection(pool, async (conn) => {
    let after = 0;
    let checked = 0;
    for (;;) {
      const [rows] = await conn.query(
        'SELECT id, data FROM statements_plain WHERE store_id = ? AND valid = 0 AND id > ? ORDER BY id LIMIT ?',
        [storeId, after, BATCH],
      );
      const list = rows as { id: number; data: string }[];
      if (!list.length) break;
      const valid: number[] = [];
      const invalid: number[] = [];
      for (const r of list) {
        const data = typeof r.data === 'string' ? JSON.parse(r.data) : r.data;
        (validator.validate(data, statementVersion(data)).length ? invalid : valid).push(
          Number(r.id),
        );
      }
      if (valid.length) {
        await conn.query('UPDATE statements_plain SET validated = 1, valid = 1 WHERE id IN (?)', [
          valid,
        ]);
      }
      await deletePlain(conn, invalid);
      checked += list.length;
      after = Number(list[list.length - 1].id);
    }
    return checked;
  });
}

/** Agent deletion, plain: the agent's statements through the agent index, an indexed DELETE. */
function plainAgentDeletion(pool: Pool, storeId: number) {
  return withConnection(pool, async (conn) => {
    const [rows] = await conn.query(
      'SELECT DISTINCT statement_row_id AS id FROM statement_agents_plain WHERE store_id = ? AND vid = ? ORDER BY id',
      [storeId, TARGET_VID],
    );
    const ids = (rows as { id: number }[]).map((r) => Number(r.id));
    let deleted = 0;
    for (let i = 0; i < ids.length; i += BATCH) {
      deleted += await deletePlain(conn, ids.slice(i, i + BATCH));
    }
    await conn.query('DELETE FROM agents_plain WHERE store_id = ? AND vid = ?', [
      storeId,
      TARGET_VID,
    ]);
    return deleted;
  });
}

/** Pseudonymization, plain: keyset SELECT, the same pseudonymizer, one UPDATE ... CASE of the JSON per batch. */
function plainPseudo(pool: Pool, storeId: number, settings: { hashKey: string; homePage: string }) {
  return withConnection(pool, async (conn) => {
    let after = 0;
    let done = 0;
    for (;;) {
      const [rows] = await conn.query(
        'SELECT id, data FROM statements_plain WHERE store_id = ? AND pseudonymized = 0 AND id > ? ORDER BY id LIMIT ?',
        [storeId, after, BATCH],
      );
      const list = rows as { id: number; data: string }[];
      if (!list.length) break;
      const params: unknown[] = [];
      for (const r of list) {
        const data = typeof r.data === 'string' ? JSON.parse(r.data) : r.data;
        params.push(Number(r.id), JSON.stringify(pseudonymizeStatement(data, settings)));
      }
      const ids = list.map((r) => Number(r.id));
      const [res] = await conn.query(
        `UPDATE statements_plain SET data = CASE id ${list.map(() => 'WHEN ? THEN ?').join(' ')} END, ` +
          'pseudonymized = 1 WHERE id IN (?)',
        [...params, ids],
      );
      done += (res as { affectedRows: number }).affectedRows;
      after = ids[ids.length - 1];
    }
    return done;
  });
}

/**
 * Clearing, plain: keyset SELECT of the ids stored until the cutoff, batched DELETE,
 * from `after` on (the job side's first id: with --reuse after an interrupted clearing,
 * the copies' rows the job side no longer has are left out).
 */
function plainClearing(pool: Pool, storeId: number, cutoff: string, from: number) {
  return withConnection(pool, async (conn) => {
    let after = from;
    let deleted = 0;
    for (;;) {
      const [rows] = await conn.query(
        'SELECT id FROM statements_plain WHERE store_id = ? AND stored <= ? AND id > ? ORDER BY id LIMIT 1000',
        [storeId, cutoff, after],
      );
      const ids = (rows as { id: number }[]).map((r) => Number(r.id));
      if (!ids.length) break;
      deleted += await deletePlain(conn, ids);
      after = ids[ids.length - 1];
    }
    return deleted;
  });
}

interface JobResult {
  id: number;
  feedback: string;
  seconds: number;
  data: Json;
  rssBefore: number;
  rssPeak: number;
}

/** POSTs a `now` job over HTTP, waits for its run to end, samples this process's RSS meanwhile. */
async function runJob(t: TestApp, type: string, params: Json): Promise<JobResult> {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 50);
  try {
    const res = await t
      .http()
      .post(`${t.base}/jobs/${type}`)
      .set('Authorization', t.adminAuth)
      .send({ repeat: 'now', ...params });
    if (res.status !== 201) throw new Error(`POST ${type}: ${res.status} ${res.text}`);
    const id = res.body.data.id;
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const job = (
        await t.http().get(`${t.base}/jobs/${type}/${id}`).set('Authorization', t.adminAuth)
      ).body.data;
      if (job.ran >= 1 && !job.running) {
        if (!job.success) throw new Error(`${type} failed: ${job.feedback}`);
        const logs = (
          await t.http().get(`${t.base}/jobs/${type}/${id}/logs`).set('Authorization', t.adminAuth)
        ).body.data;
        const passed = logs.find((e: Json) => e.event === 'passed');
        return {
          id,
          feedback: job.feedback,
          seconds: (Date.parse(job.completed_at) - Date.parse(job.started_at)) / 1000,
          data: passed?.data ?? {},
          rssBefore,
          rssPeak,
        };
      }
    }
  } finally {
    clearInterval(sampler);
  }
}

interface Phase {
  name: string;
  job: JobResult;
  jobRows: number;
  plain: PlainResult;
  jobRate: number;
  plainRate: number;
  ratio: number;
}

function report(name: string, job: JobResult, jobRows: number, plain: PlainResult): Phase {
  const jobRate = jobRows / job.seconds;
  const plainRate = plain.rows / plain.seconds;
  const ratio = jobRate / plainRate;
  console.log(`${name}: job "${job.feedback}"`);
  console.log(
    `${name}: job ${fmt(jobRows)} in ${fmt(job.seconds, 1)} s = ${fmt(jobRate)} /s; ` +
      `plain ${fmt(plain.rows)} in ${fmt(plain.seconds, 1)} s = ${fmt(plainRate)} /s; ` +
      `ratio ${fmt(ratio, 2)}; RSS ${mb(job.rssBefore)} -> peak ${mb(job.rssPeak)} ` +
      `(+${mb(job.rssPeak - job.rssBefore)}); load ${load()}`,
  );
  if (jobRows !== plain.rows) {
    console.log(`${name}: WARNING job and plain counts differ (${jobRows} vs ${plain.rows})`);
  }
  return { name, job, jobRows, plain, jobRate, plainRate, ratio };
}

async function prepareServer(dbUrl: string, reuse: boolean): Promise<string> {
  const url = new URL(dbUrl.replace(/^mariadb:/, 'mysql:'));
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unexpected database name "${name}"`);
  url.pathname = '/';
  const conn = await createConnection(url.toString());
  try {
    if (!reuse) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    const [rows] = await conn.query('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp');
    const r = (rows as Json[])[0];
    return `${r.v}, buffer pool ${mb(Number(r.bp))}`;
  } finally {
    await conn.end();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  console.log(`jobs-bench ${startedAt.toISOString()}`);
  console.log(
    `  machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GB, ` +
      `node ${process.version} (V8 heap limit ${fmt(heapLimitMb())} MB), load ${load()}`,
  );
  console.log(`  database: ${await prepareServer(opts.dbUrl, opts.reuse)}`);
  console.log(
    `  settings: total ${fmt(opts.total)}, small store ${fmt(opts.small)}, ` +
      `target agent in ~${fmt(opts.agentStatements)} statements of each, concurrency ${opts.concurrency}`,
  );

  const t = await createTestApp({ dbUrl: opts.dbUrl, env: { JOBS_POLL_MS: '200' } });
  const pool = createPool({
    uri: opts.dbUrl.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: 2,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  const stores = t.dataSource.getRepository(Store);
  const now = new Date();
  const store = async (slug: string, name: string) =>
    opts.reuse
      ? stores.findOneByOrFail({ slug })
      : stores.save({ slug, name, createdAt: now, updatedAt: now });
  const big = await store('bench-big', 'Big');
  const small = await store('bench-small', 'Small');
  const phases: Phase[] = [];
  try {
    if (opts.reuse) {
      console.log(
        `reuse: big store ${fmt(await scalar(pool, 'SELECT COUNT(*) FROM statements WHERE store_id = ?', [big.id]))} ` +
          `statements, small store ${fmt(await scalar(pool, 'SELECT COUNT(*) FROM statements WHERE store_id = ?', [small.id]))}`,
      );
    } else {
      console.log(`fill: recording through the pipeline (validate_statements off)`);
      const recorded = Math.min(opts.recorded, opts.total);
      const copies = Math.ceil(opts.total / recorded);
      // The target agent in about agentStatements of the whole big store, copies included.
      const fillBig = await fill(
        t,
        big,
        recorded,
        opts,
        opts.seed,
        Math.max(1, Math.round(opts.agentStatements / copies)),
      );
      const r0 = performance.now();
      await replicate(pool, big.id, recorded, opts.total);
      const replicated = (performance.now() - r0) / 1000;
      const fillSmall = await fill(t, small, opts.small, opts, opts.seed + 1, opts.agentStatements);
      console.log(
        `fill: big store ${fmt(recorded)} recorded in ${fmt(fillBig, 1)} s ` +
          `(${fmt(recorded / fillBig)} stmt/s through the pipeline), copied to ${fmt(opts.total)} in ` +
          `${fmt(replicated, 1)} s; small store ${fmt(opts.small)} recorded in ${fmt(fillSmall, 1)} s; ` +
          `statement_agents ${fmt(await scalar(pool, 'SELECT COUNT(*) FROM statement_agents'))}, ` +
          `statement_activities ${fmt(await scalar(pool, 'SELECT COUNT(*) FROM statement_activities'))}`,
      );
      const c0 = performance.now();
      await copyTables(pool);
      console.log(
        `copy: *_plain tables in ${fmt((performance.now() - c0) / 1000, 1)} s (not timed)`,
      );
    }

    const runs = (phase: string) => opts.phases.split(',').includes(phase);
    if (runs('validation')) {
      const validation = await runJob(t, 'validation', { store: big.slug, clear: true });
      phases.push(
        report(
          'validation (clear)',
          validation,
          validation.data.checked,
          await timed(() => plainValidation(pool, big.id)),
        ),
      );
    }

    for (const store of runs('agent-deletion') ? [big, small] : []) {
      const job = await runJob(t, 'agent-deletion', {
        store: store.slug,
        agent: JSON.stringify({ mbox: TARGET.mbox }),
        person: false,
      });
      const deleted = Number(job.data.statements ?? job.data.deleted ?? 0);
      phases.push(
        report(
          `agent-deletion (${fmt(deleted)} statements of ${fmt(store === big ? opts.total : opts.small)})`,
          job,
          deleted,
          await timed(() => plainAgentDeletion(pool, store.id)),
        ),
      );
    }

    if (runs('pseudo')) {
      const pseudo = await runJob(t, 'pseudo', { store: big.slug, until: 'now' });
      phases.push(
        report(
          'pseudo',
          pseudo,
          Number(pseudo.data.pseudonymized),
          await timed(() =>
            plainPseudo(pool, big.id, {
              hashKey: t.config.pseudoHashKey,
              homePage: t.config.pseudoHomepage,
            }),
          ),
        ),
      );
    }

    if (runs('clearing')) {
      const first = await scalar(pool, 'SELECT MIN(id) FROM statements WHERE store_id = ?', [
        big.id,
      ]);
      let until: Json = { until: 'now' };
      if (opts.clearingPercent < 100) {
        const n = await scalar(pool, 'SELECT COUNT(*) FROM statements WHERE store_id = ?', [
          big.id,
        ]);
        const [rows] = await pool.query(
          `SELECT stored FROM statements WHERE store_id = ? ORDER BY stored LIMIT 1 OFFSET ${Math.floor((opts.clearingPercent * n) / 100)}`,
          [big.id],
        );
        const stored = String((rows as { stored: string }[])[0].stored);
        until = { until: 'date', until_date: `${stored.replace(' ', 'T')}Z` };
        console.log(`clearing: the oldest ${opts.clearingPercent} % of ${fmt(n)}, until ${stored}`);
      }
      const clearing = await runJob(t, 'clearing', {
        store: big.slug,
        service: 'statements',
        ...until,
      });
      const cleared = Number(clearing.data.tables?.statements?.deleted ?? 0);
      const cutoff = String(clearing.data.cutoff).replace('T', ' ').replace('Z', '');
      phases.push(
        report(
          'clearing (statements)',
          clearing,
          cleared,
          await timed(() => plainClearing(pool, big.id, cutoff, Number(first) - 1)),
        ),
      );
    }

    const left = await scalar(pool, 'SELECT COUNT(*) FROM statements WHERE store_id = ?', [big.id]);
    const leftPlain = await scalar(
      pool,
      'SELECT COUNT(*) FROM statements_plain WHERE store_id = ?',
      [big.id],
    );
    console.log(
      `check: statements left in the big store: job side ${left}, plain side ${leftPlain}`,
    );
    const peak = Math.max(...phases.map((p) => p.job.rssPeak));
    const growth = Math.max(...phases.map((p) => p.job.rssPeak - p.job.rssBefore));
    console.log('RESULT:');
    for (const p of phases) {
      console.log(
        `  ${p.name.padEnd(44)} job ${fmt(p.jobRate).padStart(7)} /s  plain ${fmt(p.plainRate).padStart(7)} /s  ratio ${fmt(p.ratio, 2)}`,
      );
    }
    console.log(
      `  peak RSS of the process during the job runs ${mb(peak)}; largest growth during one run ` +
        `${mb(growth)} (peak minus RSS at its start); load ${load()}`,
    );
    const outDir = join(__dirname, 'out');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `jobs-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        { startedAt, options: { ...opts, dbUrl: undefined }, phases, load: load() },
        null,
        2,
      ),
    );
    console.log(`  summary: ${file}`);
  } finally {
    await pool.end();
    await t.close().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

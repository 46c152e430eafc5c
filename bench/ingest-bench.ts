/**
 * Ingest benchmark: batches of 100 realistic statements POSTed over HTTP with
 * several keep-alive connections into a MariaDB-backed server (the whole
 * pipeline: validation, conflicts, voiding, indexes, agents, activities, vocab),
 * then the same statement rows through a plain mysql2 multi-row INSERT, in the
 * same run, on the same database server. Prints both rates and their ratio.
 *
 *   npx ts-node --transpile-only bench/ingest-bench.ts [N]
 *
 * Env: BENCH_N [1000000], BENCH_CONCURRENCY [4], BENCH_BATCH [100],
 *      BENCH_DB_URL [mysql://root@127.0.0.1:3306/lrs_bench] (dropped and recreated),
 *      BENCH_NODE_ARGS (extra node flags for the server, e.g. --cpu-prof).
 */
import { spawn, spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import { Agent, request } from 'http';
import { createPool } from 'mysql2/promise';
import { AddressInfo, createServer } from 'net';
import { join } from 'path';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 1_000_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const DB_URL = process.env.BENCH_DB_URL ?? 'mysql://root@127.0.0.1:3306/lrs_bench';
const ROOT = join(__dirname, '..');
const PASSWORD = 'bench-secret';

const VERBS = ['completed', 'passed', 'failed', 'attempted', 'experienced', 'answered'];

/** A realistic statement (about 1 KB): agent, verb, activity with definition, result, context. */
function statement(i: number): Record<string, any> {
  const verb = VERBS[i % VERBS.length];
  const course = i % 200;
  return {
    id: randomUUID(),
    actor: {
      objectType: 'Agent',
      name: `Learner ${i % 5000}`,
      mbox: `mailto:learner${i % 5000}@example.com`,
    },
    verb: { id: `http://adlnet.gov/expapi/verbs/${verb}`, display: { 'en-US': verb } },
    object: {
      objectType: 'Activity',
      id: `http://example.com/courses/${course}/modules/${i % 7}`,
      definition: {
        name: { 'en-US': `Course ${course} module ${i % 7}` },
        description: { 'en-US': 'A module of an online course with video, reading and a quiz.' },
        type: 'http://adlnet.gov/expapi/activities/module',
      },
    },
    result: {
      score: { scaled: (i % 100) / 100, raw: i % 100, min: 0, max: 100 },
      success: i % 3 !== 0,
      completion: true,
      duration: `PT${(i % 50) + 1}M`,
    },
    context: {
      registration: randomUUID(),
      platform: 'Example LMS',
      language: 'en-US',
      contextActivities: {
        parent: [{ id: `http://example.com/courses/${course}`, objectType: 'Activity' }],
        grouping: [{ id: 'http://example.com/programs/data-literacy', objectType: 'Activity' }],
      },
      extensions: { 'http://example.com/ext/session': `s-${i % 10000}` },
    },
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function post(agent: Agent, port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/admin/xapi/statements',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'X-Experience-API-Version': '1.0.3',
          Authorization: 'Basic ' + Buffer.from(`admin:${PASSWORD}`).toString('base64'),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function waitHealthy(port: number) {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/health' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become healthy');
}

/** Runs `work(batchIndex)` for every batch with CONCURRENCY workers; returns seconds. */
async function runBatches(batches: number, work: (b: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  let reported = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let b = next++; b < batches; b = next++) {
        await work(b);
        if (Date.now() - reported > 10_000) {
          reported = Date.now();
          const s = Number(process.hrtime.bigint() - started) / 1e9;
          console.log(`  ${next * BATCH} statements, ${Math.round((next * BATCH) / s)}/s`);
        }
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main() {
  const url = new URL(DB_URL);
  const database = url.pathname.replace(/^\//, '');
  const adminUrl = new URL(DB_URL);
  adminUrl.pathname = '/';
  const admin = createPool({ uri: adminUrl.toString(), connectionLimit: 1 });
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin.end();

  console.log('building...');
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('build failed');
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const server = spawn('node', [...nodeArgs, join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      DB_URL,
      ADMIN_PASSWORD: PASSWORD,
      APP_KEY: 'bench-app-key',
      JOBS_API: 'false',
    },
  });
  try {
    await waitHealthy(port);
    const batches = Math.ceil(N / BATCH);
    const statementsOf = (b: number) =>
      Array.from({ length: Math.min(BATCH, N - b * BATCH) }, (_, k) => statement(b * BATCH + k));

    console.log(`HTTP: ${N} statements, batches of ${BATCH}, ${CONCURRENCY} connections`);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const httpSeconds = await runBatches(batches, async (b) => {
      const status = await post(agent, port, JSON.stringify(statementsOf(b)));
      if (status !== 200) throw new Error(`POST answered ${status}`);
    });
    agent.destroy();

    const pool = createPool({ uri: DB_URL, connectionLimit: CONCURRENCY, timezone: 'Z' });
    const [[{ c }]] = (await pool.query('SELECT COUNT(*) AS c FROM statements')) as any;
    if (Number(c) !== N) throw new Error(`expected ${N} stored statements, found ${c}`);
    await pool.query('CREATE TABLE bench_plain_statements LIKE statements');
    const [[store]] = (await pool.query('SELECT id FROM stores LIMIT 1')) as any;

    console.log(`plain mysql2 multi-row INSERT of the same ${N} rows (statements table only)`);
    const sqlSeconds = await runBatches(batches, async (b) => {
      const now = new Date();
      const rows = statementsOf(b).map((s) => {
        const data = {
          ...s,
          stored: now.toISOString(),
          authority: {
            objectType: 'Agent',
            account: { homePage: 'http://lrs-jobs.local/clients', name: 'admin' },
          },
          version: '1.0.0',
        };
        return [
          store.id,
          s.id,
          JSON.stringify(data),
          now,
          now,
          1,
          1,
          0,
          0,
          1,
          s.verb.id,
          s.object.id,
          s.context.registration,
        ];
      });
      await pool.query(
        'INSERT INTO bench_plain_statements (store_id, statement_id, data, stored, updated, validated, valid, voided, pseudonymized, client_id, verb_id, activity_id, registration) VALUES ?',
        [rows],
      );
    });
    await pool.end();

    const httpRate = N / httpSeconds;
    const sqlRate = N / sqlSeconds;
    console.log('');
    console.log(`statements:           ${N} (batches of ${BATCH}, ${CONCURRENCY} connections)`);
    console.log(
      `HTTP pipeline:        ${httpSeconds.toFixed(1)} s, ${Math.round(httpRate)} statements/s`,
    );
    console.log(
      `plain mysql2 INSERT:  ${sqlSeconds.toFixed(1)} s, ${Math.round(sqlRate)} statements/s`,
    );
    console.log(`ratio HTTP / plain:   ${(httpRate / sqlRate).toFixed(3)}`);
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * /health latency on the embedded SQLite database while long work runs (issue 13,
 * finding 4). Two stores of --statements realistic statements each (default 300,000) are
 * made: the first --recorded (20,000) through the pipeline with their index rows, the rest
 * SQL copies of those rows under new ids. Then, while a separate
 * process asks GET /health every --interval ms (default 20) over keep-alive, it measures
 *   - idle: nothing else running;
 *   - clearing: a clearing job of the first store (service statements, until now);
 *   - stores-deletion: a stores-deletion job of the second store;
 *   - post: POSTs of STATEMENTS_MAX_PER_REQUEST statements (the cap) one after another.
 * Prints p50/p99/max of /health for each phase with the load average at its end, and the
 * longest synchronous database calls of each phase (`--profile`: the 5 slowest statement
 * shapes); a JSON summary goes to bench/out/.
 *
 *   npx ts-node --transpile-only bench/health-during-deletion-bench.ts [--statements 300000]
 *       [--recorded 20000] [--interval 20] [--seed 7] [--posts 20] [--profile]
 *       [--jobs clearing,stores-deletion,post]
 */
import { spawn } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';
import { monitorEventLoopDelay, performance } from 'perf_hooks';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { Client } from '../src/access/client.entity';
import { Store } from '../src/access/store.entity';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { basic, createTestApp, TestApp } from '../test/support/test-app';
import { buildPopulation, makeBatch } from './statement-generator';

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const n = Number(String(process.argv[i + 1]).replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} needs a positive integer`);
  return n;
}

const PHASES = ['clearing', 'stores-deletion', 'post'] as const;
type Phase = (typeof PHASES)[number];

const STATEMENTS = flag('statements', 300_000);
const INTERVAL_MS = flag('interval', 20);
const SEED = flag('seed', 7);
const POSTS = flag('posts', 20);
const RECORDED = flag('recorded', 20_000);
const PROFILE = process.argv.includes('--profile');
const BATCH = 1000;
const JOBS: Phase[] = (() => {
  const i = process.argv.indexOf('--jobs');
  const list = (i < 0 ? PHASES.join(',') : String(process.argv[i + 1])).split(',');
  for (const j of list) {
    if (!(PHASES as readonly string[]).includes(j)) {
      throw new Error(`--jobs takes a list of ${PHASES.join(', ')}`);
    }
  }
  return list as Phase[];
})();

/** The probe, run in its own process so that its timers do not share our event loop. */
const PROBE = `
const http = require('http');
const [url, interval] = [process.argv[1], Number(process.argv[2])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let stop = false;
process.stdin.on('data', () => (stop = true));
process.stdin.on('end', () => (stop = true));
(async function loop() {
  while (!stop) {
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => {
      const req = http.get(url, { agent }, (res) => { res.resume(); res.on('end', resolve); });
      req.on('error', resolve);
      req.setTimeout(30000, () => { req.destroy(); resolve(); });
    });
    process.stdout.write(Number(process.hrtime.bigint() - t0) / 1e6 + '\\n');
    await new Promise((r) => setTimeout(r, interval));
  }
  process.exit(0);
})();
`;

function probe(url: string) {
  const child = spawn(process.execPath, ['-e', PROBE, url, String(INTERVAL_MS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return {
    stop: () =>
      new Promise<number[]>((resolve) => {
        child.on('exit', () =>
          resolve(
            out
              .split('\n')
              .filter(Boolean)
              .map(Number)
              .sort((a, b) => a - b),
          ),
        );
        child.stdin.end('stop\n');
      }),
  };
}

interface Summary {
  requests: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

function summary(sorted: number[]): Summary {
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return {
    requests: sorted.length,
    p50_ms: Number(at(50).toFixed(1)),
    p99_ms: Number(at(99).toFixed(1)),
    max_ms: Number(sorted[sorted.length - 1].toFixed(1)),
  };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

/**
 * --profile: times every database call of the driver (better-sqlite3 runs it
 * synchronously, so this is how long it blocks the event loop), grouped by SQL shape.
 */
const slow = new Map<string, { n: number; total: number; max: number }>();
if (PROFILE) {
  const proto = BetterSqlite3QueryRunner.prototype;
  const original = proto.query;
  proto.query = async function (this: BetterSqlite3QueryRunner, ...args: any[]) {
    const t0 = performance.now();
    try {
      return await (original as any).apply(this, args);
    } finally {
      const ms = performance.now() - t0;
      const shape = String(args[0])
        .replace(/\?(, ?\?)+/g, '?...')
        .slice(0, 160);
      const s = slow.get(shape) ?? { n: 0, total: 0, max: 0 };
      s.n += 1;
      s.total += ms;
      s.max = Math.max(s.max, ms);
      slow.set(shape, s);
    }
  } as any;
}

/** The application's own event-loop delay (its longest blocked stretch) per phase. */
let loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

function takeLoopDelay() {
  loopDelay.disable();
  const out = {
    p99_ms: Number((loopDelay.percentile(99) / 1e6).toFixed(1)),
    max_ms: Number((loopDelay.max / 1e6).toFixed(1)),
  };
  loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  return out;
}

function takeProfile() {
  const top = [...slow.entries()]
    .sort((a, b) => b[1].max - a[1].max)
    .slice(0, 5)
    .map(([sql, s]) => ({
      sql,
      calls: s.n,
      max_ms: Number(s.max.toFixed(1)),
      mean_ms: Number((s.total / s.n).toFixed(2)),
    }));
  slow.clear();
  return top;
}

async function makeStore(t: TestApp, slug: string) {
  await t
    .http()
    .post('/api/admin/stores')
    .set('Authorization', t.adminAuth)
    .send({ slug, name: slug })
    .expect(201);
  await t
    .http()
    .post('/api/admin/clients')
    .set('Authorization', t.adminAuth)
    .send({
      slug,
      name: slug,
      username: slug,
      password: 'bench-password',
      store: slug,
      permissions: ['xapi/all'],
    })
    .expect(201);
  const store = (await t.dataSource.getRepository(Store).findOneBy({ slug }))!;
  const client = (await t.dataSource.getRepository(Client).findOneBy({ slug }))!;
  return { store, client };
}

/**
 * Brings the store to STATEMENTS statements with copies of its `recorded` rows: copy k
 * gets row ids shifted past every row of the table and statement ids whose last 12 hex
 * digits are the new row id (unique), in `data` too; index rows follow their statement.
 */
async function replicate(t: TestApp, storeId: number, recorded: number) {
  const one = async (sql: string, params: unknown[] = []) =>
    Number(Object.values((await t.dataSource.query(sql, params))[0])[0]);
  const first = await one('SELECT MIN(id) FROM statements WHERE store_id = ?', [storeId]);
  const columns = (await t.dataSource.query(`SELECT name FROM pragma_table_info('statements')`))
    .map((r: { name: string }) => r.name)
    .filter((c: string) => c !== 'id');
  const uuid = (shift: number) => `substr(statement_id, 1, 24) || printf('%012x', id + ${shift})`;
  const expr = (c: string, shift: number) =>
    c === 'statement_id'
      ? uuid(shift)
      : c === 'data'
        ? `json_set(data, '$.id', ${uuid(shift)})`
        : `"${c}"`;
  for (let have = recorded; have < STATEMENTS;) {
    const count = Math.min(recorded, STATEMENTS - have);
    const shift = (await one('SELECT MAX(id) FROM statements')) - first + 1;
    await t.dataSource.transaction(async (em) => {
      await em.query(
        `INSERT INTO statements (id, ${columns.map((c: string) => `"${c}"`).join(', ')})
         SELECT id + ${shift}, ${columns.map((c: string) => expr(c, shift)).join(', ')}
           FROM statements WHERE store_id = ? AND id >= ? AND id < ?`,
        [storeId, first, first + count],
      );
      for (const [table, other] of [
        ['statement_agents', 'vid'],
        ['statement_activities', 'activity_id'],
      ]) {
        await em.query(
          `INSERT INTO ${table} (store_id, statement_row_id, ${other}, role)
           SELECT store_id, statement_row_id + ${shift}, ${other}, role FROM ${table}
            WHERE store_id = ? AND statement_row_id >= ? AND statement_row_id < ?`,
          [storeId, first, first + count],
        );
      }
    });
    have += count;
  }
}

async function seed(t: TestApp, slug: string) {
  const { store, client } = await makeStore(t, slug);
  const recorder = t.app.get(StatementRecorder);
  const pop = buildPopulation(SEED);
  const started = performance.now();
  const recorded = Math.min(RECORDED, STATEMENTS);
  for (let n = 0; n < recorded; n += BATCH) {
    const statements = makeBatch(SEED, pop, n, Math.min(BATCH, recorded - n));
    await recorder.record(store, client, statements, { version: '1.0.3' }, []);
    if ((n + BATCH) % 10_000 === 0) console.log(`${slug}: recorded ${n + BATCH} statements`);
  }
  await replicate(t, store.id, recorded);
  const [{ n: rows }] = await t.dataSource.query(
    `SELECT COUNT(*) AS n FROM statements WHERE store_id = ?`,
    [store.id],
  );
  console.log(
    `${slug}: seeded ${rows} statements in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return store;
}

/** Runs a job through the Jobs API and waits until its run ends. */
async function runJob(t: TestApp, type: string, body: Record<string, unknown>) {
  const created = await t
    .http()
    .post(`/api/admin/jobs/${type}`)
    .set('Authorization', t.adminAuth)
    .send({ repeat: 'now', ...body })
    .expect(201);
  const id = created.body.data.id;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const job = (
      await t.http().get(`/api/admin/jobs/${type}/${id}`).set('Authorization', t.adminAuth)
    ).body.data;
    if (Number(job.ran) >= 1 && !job.running) {
      if (!job.success) throw new Error(`${type} failed: ${job.feedback}`);
      return String(job.feedback);
    }
  }
}

/** POSTs of the most statements one request may carry, one after another. */
async function postAtCap(t: TestApp) {
  await makeStore(t, 'bench-post');
  const cap = t.config.maxStatementsPerRequest;
  const pop = buildPopulation(SEED + 1);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < POSTS; i++) {
    const body = JSON.stringify(makeBatch(SEED + 1, pop, i * cap, cap));
    bytes = body.length;
    const t0 = performance.now();
    await t
      .http()
      .post('/api/bench-post/xapi/statements')
      .set('Authorization', basic('bench-post', 'bench-password'))
      .set('X-Experience-API-Version', '1.0.3')
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(200);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return `${POSTS} POSTs of ${cap} statements (${(bytes / 1e6).toFixed(1)} MB each), request p50 ${times[
    Math.floor(times.length / 2)
  ].toFixed(0)} ms`;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'lrs-health-bench-'));
  const t = await createTestApp({ dbUrl: `sqlite:${join(dir, 'lrs.sqlite')}`, listen: true });
  try {
    const stores: Partial<Record<Phase, Store>> = {};
    for (const job of JOBS) {
      if (job !== 'post') stores[job] = await seed(t, `bench-${job}`);
    }
    if (PROFILE) console.log('slowest database calls, seeding:', takeProfile());
    takeLoopDelay();
    const url = `${t.origin}/health`;
    const results: Record<string, unknown> = {};
    const lines: string[] = [];

    const idleProbe = probe(url);
    await new Promise((r) => setTimeout(r, 10_000));
    const idle = summary(await idleProbe.stop());
    const idleLoop = takeLoopDelay();
    results.idle = { health: idle, loop_delay: idleLoop, loadavg: load(), profile: takeProfile() };
    lines.push(
      `idle: /health p50 ${idle.p50_ms} ms p99 ${idle.p99_ms} ms max ${idle.max_ms} ms over ${idle.requests} requests ` +
        `(event-loop delay p99 ${idleLoop.p99_ms} ms max ${idleLoop.max_ms} ms); load average ${load()}`,
    );

    for (const job of JOBS) {
      const during = probe(url);
      const started = performance.now();
      let what: string;
      if (job === 'clearing') {
        what = await runJob(t, 'clearing', {
          service: 'statements',
          until: 'now',
          store: stores.clearing!.slug,
        });
      } else if (job === 'stores-deletion') {
        what = await runJob(t, 'stores-deletion', { store_id: stores['stores-deletion']!.id });
      } else {
        what = await postAtCap(t);
      }
      const seconds = (performance.now() - started) / 1000;
      const busy = summary(await during.stop());
      const loop = takeLoopDelay();
      results[job] = {
        seconds: Number(seconds.toFixed(1)),
        feedback: what,
        health: busy,
        loop_delay: loop,
        loadavg: load(),
        profile: takeProfile(),
      };
      lines.push(
        `${job} (${seconds.toFixed(1)} s: ${what.slice(0, 120)}): /health p50 ${busy.p50_ms} ms ` +
          `p99 ${busy.p99_ms} ms max ${busy.max_ms} ms over ${busy.requests} requests ` +
          `(event-loop delay p99 ${loop.p99_ms} ms max ${loop.max_ms} ms); load average ${load()}`,
      );
    }
    console.log(`SQLite, ${STATEMENTS} statements per store, /health every ${INTERVAL_MS} ms:`);
    for (const line of lines) console.log(`  ${line}`);
    if (PROFILE) {
      for (const [phase, r] of Object.entries(results)) {
        console.log(`slowest database calls, ${phase}:`);
        for (const p of (r as { profile: ReturnType<typeof takeProfile> }).profile) {
          console.log(`  max ${p.max_ms} ms, mean ${p.mean_ms} ms, ${p.calls} calls: ${p.sql}`);
        }
      }
    }
    mkdirSync(join(__dirname, 'out'), { recursive: true });
    writeFileSync(
      join(__dirname, 'out', `health-during-deletion-${Date.now()}.json`),
      JSON.stringify(
        { statements: STATEMENTS, probe_interval_ms: INTERVAL_MS, ...results },
        null,
        2,
      ),
    );
  } finally {
    await t.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * /health latency on the embedded SQLite database while a long job runs (issue 13,
 * finding 4): a store of --statements realistic statements (default 300,000, recorded
 * through the pipeline with their index rows) is deleted by a stores-deletion job while
 * a separate process asks GET /health every --interval ms (default 20) over keep-alive.
 * Prints p50/p99/max of /health idle and during the deletion, the deletion time and
 * the load average; a JSON summary goes to bench/out/.
 *
 *   npx ts-node --transpile-only bench/health-during-deletion-bench.ts [--statements 300000]
 *       [--interval 20] [--seed 7]
 */
import { spawn } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { Client } from '../src/access/client.entity';
import { Store } from '../src/access/store.entity';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { createTestApp } from '../test/support/test-app';
import { buildPopulation, makeBatch } from './statement-generator';

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const n = Number(String(process.argv[i + 1]).replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} needs a positive integer`);
  return n;
}

const STATEMENTS = flag('statements', 300_000);
const INTERVAL_MS = flag('interval', 20);
const SEED = flag('seed', 7);
const BATCH = 1000;

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

function summary(sorted: number[]) {
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return {
    requests: sorted.length,
    p50_ms: Number(at(50).toFixed(1)),
    p99_ms: Number(at(99).toFixed(1)),
    max_ms: Number(sorted[sorted.length - 1].toFixed(1)),
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'lrs-health-bench-'));
  const t = await createTestApp({ dbUrl: `sqlite:${join(dir, 'lrs.sqlite')}`, listen: true });
  const http = t.http;
  try {
    await http()
      .post('/api/admin/stores')
      .set('Authorization', t.adminAuth)
      .send({ slug: 'bench', name: 'Bench' })
      .expect(201);
    await http()
      .post('/api/admin/clients')
      .set('Authorization', t.adminAuth)
      .send({
        slug: 'bench',
        name: 'bench',
        username: 'bench',
        password: 'bench-password',
        store: 'bench',
        permissions: ['xapi/all'],
      })
      .expect(201);
    const store = (await t.dataSource.getRepository(Store).findOneBy({ slug: 'bench' }))!;
    const client = (await t.dataSource.getRepository(Client).findOneBy({ slug: 'bench' }))!;
    const recorder = t.app.get(StatementRecorder);
    const pop = buildPopulation(SEED);
    const seedStart = performance.now();
    for (let n = 0; n < STATEMENTS; n += BATCH) {
      const statements = makeBatch(SEED, pop, n, Math.min(BATCH, STATEMENTS - n));
      await recorder.record(store, client, statements, { version: '1.0.3' }, []);
      if ((n + BATCH) % 50_000 === 0) console.log(`recorded ${n + BATCH} statements`);
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const [{ n: rows }] = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM statements WHERE store_id = ?`,
      [store.id],
    );
    console.log(`seeded ${rows} statements in ${seedSeconds.toFixed(1)} s`);

    const url = `${t.origin}/health`;
    const idleProbe = probe(url);
    await new Promise((r) => setTimeout(r, 5000));
    const idle = summary(await idleProbe.stop());

    const during = probe(url);
    const started = performance.now();
    const created = await http()
      .post('/api/admin/jobs/stores-deletion')
      .set('Authorization', t.adminAuth)
      .send({ repeat: 'now', store_id: store.id })
      .expect(201);
    const id = created.body.data.id;
    let job: Record<string, unknown> = {};
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      job = (
        await http().get(`/api/admin/jobs/stores-deletion/${id}`).set('Authorization', t.adminAuth)
      ).body.data;
      if (Number(job.ran) >= 1 && !job.running) break;
    }
    const deletionSeconds = (performance.now() - started) / 1000;
    const busy = summary(await during.stop());
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(', ');
    const result = {
      statements: Number(rows),
      seed_seconds: Number(seedSeconds.toFixed(1)),
      deletion_seconds: Number(deletionSeconds.toFixed(1)),
      deletion_success: job.success,
      deletion_feedback: job.feedback,
      health_idle: idle,
      health_during_deletion: busy,
      probe_interval_ms: INTERVAL_MS,
      loadavg: load,
    };
    console.log(
      `SQLite, ${result.statements} statements: stores-deletion ${result.deletion_seconds} s (${job.success ? 'passed' : 'FAILED'}); ` +
        `/health idle p50 ${idle.p50_ms} ms p99 ${idle.p99_ms} ms; during the deletion p50 ${busy.p50_ms} ms ` +
        `p99 ${busy.p99_ms} ms max ${busy.max_ms} ms over ${busy.requests} requests; load average ${load}`,
    );
    mkdirSync(join(__dirname, 'out'), { recursive: true });
    writeFileSync(
      join(__dirname, 'out', `health-during-deletion-${Date.now()}.json`),
      JSON.stringify(result, null, 2),
    );
  } finally {
    await t.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

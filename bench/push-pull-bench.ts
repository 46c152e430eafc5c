/**
 * Push and pull between two running instances (issue 11), against plain INSERTs.
 *
 *   npm run bench:push-pull -- [--total 100000] [--db-url mysql://root@127.0.0.1:3306/lrs_bench_pp]
 *       [--seed 7] [--batch <TransferSettings.pushBatch>] [--profile]
 *
 * Two applications listen in this process, each on its own MariaDB database
 * (`<db>_a`, `<db>_b`, dropped and recreated). Instance A's store is filled with
 * deterministic statements (bench/statement-generator.ts, not timed); then a push job
 * on A sends them to B over HTTP, and a pull job on A takes them back from B into a
 * second store. Each job's rate is statements over the job's wall time (POST of the job
 * to its end). The rows the push wrote into B (statements with their index rows) are then
 * written again by plain multi-row INSERTs into `*_plain` tables of B (bench/plain-insert.ts)
 * in batches of the jobs' size, one transaction each, only the INSERTs timed. Prints both
 * ratios and the peak RSS of the process (both instances). `--batch` sets the push batch
 * and the pull page limit; `--profile` writes a CPU profile of each job to bench/out/.
 */
import { mkdirSync } from 'fs';
import { cpus, loadavg, totalmem } from 'os';
import { join } from 'path';
import { createConnection, createPool } from 'mysql2/promise';
import { TransferSettings } from '../src/job-types/transfer/transfer-settings';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { createTestApp, TestApp } from '../test/support/test-app';
import { fmt, parseFlags } from './bench-flags';
import { startProfile } from './cpu-profile';
import { insertPlain, plainLine, verifyCopy } from './plain-insert';
import { buildPopulation, makeBatch } from './statement-generator';

const DEFAULTS = new TransferSettings();

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
    await new Promise((r) => setTimeout(r, 500));
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

async function main() {
  const opts = parseFlags(process.argv.slice(2), {
    total: 100_000,
    dbUrl: 'mysql://root@127.0.0.1:3306/lrs_bench_pp',
    seed: 7,
    batch: DEFAULTS.pushBatch,
    profile: false,
  });
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const stamp = new Date().toISOString();
  console.log(`push-pull-bench ${stamp}`);
  console.log(
    `  machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GB, ` +
      `node ${process.version}, load ${load()}`,
  );
  console.log(
    `  settings: total ${fmt(opts.total)}, push batch and pull limit ${opts.batch}, seed ${opts.seed}`,
  );
  const [urlA, urlB] = [withDb(opts.dbUrl, 'a'), withDb(opts.dbUrl, 'b')];
  await dropDatabase(urlA);
  await dropDatabase(urlB);
  // The scheduler polls at its production interval (the test apps poll every 100 ms).
  const env = { JOBS_POLL_MS: '1000' };
  const a = await createTestApp({ listen: true, dbUrl: urlA, env });
  const b = await createTestApp({ listen: true, dbUrl: urlB, env });
  const settings = a.app.get(TransferSettings);
  settings.pushBatch = opts.batch;
  settings.pullLimit = opts.batch;
  const outDir = join(__dirname, 'out');
  mkdirSync(outDir, { recursive: true });
  const profiled = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const stop = opts.profile ? startProfile() : null;
    const result = await work();
    if (stop) {
      const file = join(outDir, `push-pull-${name}-${stamp.replace(/[:.]/g, '-')}.cpuprofile`);
      await stop(file);
      console.log(`  ${name}: CPU profile ${file}`);
    }
    return result;
  };
  const poolB = createPool({
    uri: urlB,
    connectionLimit: 2,
    dateStrings: true,
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
      const size = Math.min(1000, opts.total - done);
      await recorder.record({ id: Number(storeId) }, null, makeBatch(opts.seed, pop, n, size), {
        version: '1.0.3',
      });
      done += size;
    }
    // A push sends the store's non-voided statements (the voiding ones among them).
    const [{ n: sent }] = await a.dataSource.query(
      'SELECT COUNT(*) AS n FROM statements WHERE store_id = ? AND voided = ?',
      [Number(storeId), false],
    );
    const moved = Number(sent);
    console.log(
      `fill: ${fmt(opts.total)} statements in A in ${fmt((performance.now() - f0) / 1000, 1)} s ` +
        `(not timed), of which ${fmt(moved)} not voided`,
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
    console.log(`push: A -> B over HTTP (${b.origin}); load ${load()}`);
    const push = await profiled('push', () => runJob(a, 'push', { ...base, store: 'default' }));
    const pushRate = moved / push.seconds;
    console.log(`push: ${push.job.feedback}; ${fmt(push.seconds, 1)} s = ${fmt(pushRate)} stmt/s`);
    console.log(`pull: B -> A (store back); load ${load()}`);
    const pull = await profiled('pull', () => runJob(a, 'pull', { ...base, store: 'back' }));
    const pullRate = moved / pull.seconds;
    console.log(`pull: ${pull.job.feedback}; ${fmt(pull.seconds, 1)} s = ${fmt(pullRate)} stmt/s`);
    const [[{ n: inB }], [{ n: back }]] = [
      await b.dataSource.query('SELECT COUNT(*) AS n FROM statements'),
      await a.dataSource.query(
        "SELECT COUNT(*) AS n FROM statements s JOIN stores t ON t.id = s.store_id WHERE t.slug = 'back'",
      ),
    ];
    if (Number(inB) !== moved || Number(back) !== moved) {
      throw new Error(`Expected ${moved} in B and in A/back, found ${inB} and ${back}`);
    }
    await b.close();
    // The rows the push wrote into B, again by plain INSERTs of the jobs' batch size.
    const plain = await insertPlain({ batch: opts.batch, concurrency: 1, progress: 50_000 }, poolB);
    await verifyCopy(poolB);
    console.log(plainLine(plain));
    const rss = process.resourceUsage().maxRSS / 1024;
    console.log(
      `RESULT: push ${fmt(pushRate)} stmt/s (ratio ${fmt(pushRate / plain.rate, 3)}), ` +
        `pull ${fmt(pullRate)} stmt/s (ratio ${fmt(pullRate / plain.rate, 3)}), ` +
        `plain INSERT ${fmt(plain.rate)} stmt/s; peak RSS ${fmt(rss)} MB (both instances); ` +
        `load ${load()}`,
    );
  } finally {
    await poolB.end();
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

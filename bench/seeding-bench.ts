/**
 * Seeding benchmark (issue 10): the seeding job's handler fills a fresh MariaDB store with
 * `--total` statements of the shipped `million` config (through the StatementRecorder,
 * as a job run does), then the same rows (statements and their index rows) are copied
 * with plain mysql2 multi-row INSERTs in the same run, one transaction of the job's batch
 * size at a time, as the job writes. It prints both rates, their ratio, and the peak RSS of
 * this process over the seeding (sampled every 100 ms) against the RSS before it.
 *
 *   npm run bench:seeding -- [--total 1000000] [--config million] [--db-url mysql://...]
 *
 * DB_URL (or --db-url) names the database; it is dropped and recreated.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg, tmpdir, totalmem } from 'os';
import { join, resolve } from 'path';
import { performance } from 'perf_hooks';
import { createConnection, createPool } from 'mysql2/promise';
import { Store } from '../src/access/store.entity';
import { SEEDING_STATEMENT_BATCH, SeedingHandler } from '../src/job-types/seeding/seeding.handler';
import { SeedingParams } from '../src/job-types/seeding/seeding.dto';
import { makeRunContext } from '../test/support/job-context';
import { createTestApp } from '../test/support/test-app';
import { heapLimitMb } from './bench-flags';
import { count, fmt, insertPlain, plainLine, verifyCopy } from './plain-insert';

interface Options {
  total: number;
  config: string;
  dbUrl: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    total: 1_000_000,
    config: 'million',
    dbUrl: process.env.DB_URL || 'mysql://root@127.0.0.1:3306/lrs_bench_seeding',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`Missing value for ${flag}`);
    if (flag === '--total') {
      opts.total = Number(value.replace(/_/g, ''));
      if (!Number.isInteger(opts.total) || opts.total <= 0)
        throw new Error('--total needs a positive integer');
    } else if (flag === '--config') opts.config = value;
    else if (flag === '--db-url') opts.dbUrl = value;
    else throw new Error(`Unknown flag ${flag} (see the header of this file)`);
  }
  if (!/^(mysql|mariadb):\/\//.test(opts.dbUrl))
    throw new Error('The bench needs a MySQL/MariaDB DB_URL');
  return opts;
}

async function dropDatabase(dbUrl: string) {
  const url = new URL(dbUrl.replace(/^mariadb:/, 'mysql:'));
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unexpected database name "${name}"`);
  url.pathname = '/';
  const conn = await createConnection(url.toString());
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    const [rows] = await conn.query('SELECT VERSION() AS v');
    return String((rows as { v: string }[])[0].v);
  } finally {
    await conn.end();
  }
}

const mb = (bytes: number) => bytes / 2 ** 20;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const version = await dropDatabase(opts.dbUrl);
  console.log(`seeding-bench ${startedAt.toISOString()}`);
  console.log(
    `  machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GB, ` +
      `node ${process.version} (V8 heap limit ${fmt(heapLimitMb())} MB), load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; database ${version}`,
  );

  // The shipped config, with its statement count set to --total.
  const shipped = JSON.parse(readFileSync(resolve('seeding', `${opts.config}.json`), 'utf8'));
  shipped.counts = { ...shipped.counts, statements: opts.total };
  const folder = mkdtempSync(join(tmpdir(), 'seeding-bench-'));
  writeFileSync(join(folder, 'bench.json'), JSON.stringify(shipped));
  console.log(
    `  config: seeding/${opts.config}.json with ${fmt(opts.total)} statements, ` +
      `${fmt(shipped.counts.states)} states, ${fmt(shipped.counts.activity_profiles)} activity profiles, ` +
      `${fmt(shipped.counts.agent_profiles)} agent profiles; batch ${SEEDING_STATEMENT_BATCH}`,
  );

  // The scheduler polls at its production interval (the test apps poll every 100 ms).
  const t = await createTestApp({
    dbUrl: opts.dbUrl,
    env: { SEEDING_PATH: folder, JOBS_POLL_MS: '1000' },
  });
  try {
    const handler = t.app.get(SeedingHandler);
    const store = await t.dataSource.getRepository(Store).findOneByOrFail({ slug: 'default' });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 100);

    const t0 = performance.now();
    let statementsDoneAt = 0;
    // Ten progress lines whatever the total, so that RSS and heap over time show whether
    // memory follows the total (a leak) or levels off (bounded caches).
    const reportEvery = Math.max(10_000, Math.ceil(opts.total / 10 / 10_000) * 10_000);
    let nextReport = reportEvery;
    const ctx = makeRunContext<SeedingParams>({ config: 'bench' }, { store });
    const progress = ctx.progress.bind(ctx);
    ctx.progress = async (done, total) => {
      if (!statementsDoneAt && done >= opts.total) statementsDoneAt = performance.now();
      if (done >= nextReport && done <= opts.total) {
        const s = (performance.now() - t0) / 1000;
        console.log(
          `  ${fmt(done).padStart(9)} statements  ${fmt(s, 1).padStart(7)} s  ${fmt(done / s).padStart(6)} stmt/s  ` +
            `RSS ${fmt(mb(process.memoryUsage().rss))} MB, heap ${fmt(mb(process.memoryUsage().heapUsed))} MB`,
        );
        while (nextReport <= done) nextReport += reportEvery;
      }
      return progress(done, total);
    };
    const result = await handler.run(ctx);
    const t1 = performance.now();
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const seedSeconds = (statementsDoneAt - t0) / 1000;
    const docSeconds = (t1 - statementsDoneAt) / 1000;
    const seedRate = opts.total / seedSeconds;
    console.log(`job: ${result.feedback}`);
    console.log(
      `seeding: ${fmt(opts.total)} statements in ${fmt(seedSeconds, 1)} s = ${fmt(seedRate)} stmt/s; ` +
        `documents ${fmt(docSeconds, 1)} s`,
    );
    console.log(
      `memory: RSS ${fmt(mb(rssBefore))} MB before, peak ${fmt(mb(rssPeak))} MB, growth ${fmt(mb(rssPeak - rssBefore))} MB`,
    );

    const pool = createPool({
      uri: opts.dbUrl.replace(/^mariadb:/, 'mysql:'),
      connectionLimit: 2,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    try {
      if ((await count(pool, 'statements')) !== opts.total)
        throw new Error('the store does not hold --total statements');
      const plain = await insertPlain(
        // As the job writes: one transaction of a batch at a time.
        { batch: SEEDING_STATEMENT_BATCH, concurrency: 1, progress: 250_000 },
        pool,
      );
      await verifyCopy(pool);
      console.log(plainLine(plain));
      const ratio = seedRate / plain.rate;
      const summary = {
        startedAt: startedAt.toISOString(),
        total: opts.total,
        seedSeconds,
        seedRate,
        documentSeconds: docSeconds,
        plainRate: plain.rate,
        ratio,
        rssBeforeMb: mb(rssBefore),
        rssPeakMb: mb(rssPeak),
        rssGrowthMb: mb(rssPeak - rssBefore),
        loadavgAtEnd: loadavg(),
        job: result.data,
      };
      const outDir = join(__dirname, 'out');
      mkdirSync(outDir, { recursive: true });
      writeFileSync(
        join(outDir, `seeding-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`),
        JSON.stringify(summary, null, 2),
      );
      console.log(
        `RESULT: seeding ${fmt(seedRate)} stmt/s, plain INSERT ${fmt(plain.rate)} stmt/s, ratio ${fmt(ratio, 3)} ` +
          `(target >= 0.5); RSS growth ${fmt(mb(rssPeak - rssBefore))} MB (target < 150 MB); load ${loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}`,
      );
    } finally {
      await pool.end();
    }
  } finally {
    await t.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * Ingest benchmark (issue 4): batches of realistic xAPI 1.0.3 statements POSTed over
 * HTTP into the application running in this process on MariaDB (by a load generator in a
 * process of its own, bench/ingest-client.ts), then the same rows
 * copied with plain mysql2 multi-row INSERTs in the same run. The ratio of the two
 * rates is the figure that counts.
 *
 *   npm run bench:ingest -- [--total 1000000] [--concurrency 8] [--batch 100]
 *                           [--seed 42] [--progress 50000] [--db-url mysql://...]
 *                           [--profile]   (CPU profile of the HTTP phase to bench/out/)
 *   npm run bench:ingest -- --plain-only [--http-rate 300]
 *       only the plain INSERT phase, on the statements an earlier run left in the database
 *   --plain-prepared: the plain path sends each INSERT as a prepared statement with bound
 *       values (as the application sends its statement rows) instead of mysql2's text
 *
 * DB_URL (or --db-url) names the database; it is dropped and recreated.
 * A JSON summary goes to bench/out/.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { cpus, loadavg, totalmem } from 'os';
import { join } from 'path';
import { format } from 'util';
import { createConnection, createPool } from 'mysql2/promise';
import { AfterQueryEvent, DataSource } from 'typeorm';
import { StatementValidator } from '../src/xapi/validation/statement-validator';
import { createTestApp } from '../test/support/test-app';
import { fmt, machineTicks, parseFlags, serverCpuSeconds, stealPercent } from './bench-flags';
import { startProfile } from './cpu-profile';
import { runClient } from './ingest-client';
import { count, insertPlain, plainLine, serverLine, stealLine, verifyCopy } from './plain-insert';
import { buildPopulation, Json, makeBatch, Population } from './statement-generator';

interface Options {
  total: number;
  concurrency: number;
  batch: number;
  seed: number;
  progress: number;
  dbUrl: string;
  profile: boolean;
  plainOnly: boolean;
  /** The plain path's INSERTs as prepared statements (PlainOptions.plainPrepared). */
  plainPrepared: boolean;
  /** With --plain-only: the HTTP rate of the earlier run, for the ratio. */
  httpRate: number;
}

function parseArgs(argv: string[]): Options {
  const opts = parseFlags<Options>(argv, {
    total: 1_000_000,
    concurrency: 8,
    batch: 100,
    seed: 42,
    progress: 50_000,
    dbUrl: process.env.DB_URL || 'mysql://root@127.0.0.1:3306/lrs_bench',
    profile: false,
    plainOnly: false,
    plainPrepared: false,
    httpRate: 0,
  });
  if (!/^(mysql|mariadb):\/\//.test(opts.dbUrl))
    throw new Error('The bench needs a MySQL/MariaDB DB_URL');
  return opts;
}

/** Drops the benchmark database (the application creates it); returns the server version and settings. */
async function prepareServer(dbUrl: string, drop: boolean): Promise<Record<string, string>> {
  const url = new URL(dbUrl.replace(/^mariadb:/, 'mysql:'));
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unexpected database name "${name}"`);
  url.pathname = '/';
  const conn = await createConnection(url.toString());
  try {
    if (drop) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    const [rows] = await conn.query(
      `SELECT VERSION() AS version, @@innodb_buffer_pool_size AS innodb_buffer_pool_size,
        @@innodb_flush_log_at_trx_commit AS innodb_flush_log_at_trx_commit,
        @@innodb_log_file_size AS innodb_log_file_size, @@log_bin AS log_bin`,
    );
    return Object.fromEntries(Object.entries((rows as Json[])[0]).map(([k, v]) => [k, String(v)]));
  } finally {
    await conn.end();
  }
}

/** Fails fast when the generator makes statements the validator rejects. */
function checkGenerator(seed: number, pop: Population) {
  const validator = new StatementValidator();
  for (let n = 0; n < 20; n++) {
    for (const s of makeBatch(seed, pop, n, 100)) {
      const violations = validator.validate(s, '1.0.3');
      if (violations.length) {
        throw new Error(`Generated statement is invalid: ${JSON.stringify({ s, violations })}`);
      }
    }
  }
}

/** What the application's queries cost during the HTTP phase, by statement kind and table. */
class QueryTally {
  readonly kinds = new Map<string, { count: number; ms: number }>();
  enabled = false;

  /** A TypeORM subscriber: afterQuery gets each query with its time (issue to result). */
  attach(dataSource: DataSource) {
    dataSource.subscribers.push({
      afterQuery: (e: AfterQueryEvent) => {
        if (!this.enabled) return;
        const kind = QueryTally.kindOf(e.query);
        const k = this.kinds.get(kind) ?? { count: 0, ms: 0 };
        k.count++;
        k.ms += e.executionTime ?? 0;
        this.kinds.set(kind, k);
      },
    });
  }

  static kindOf(sql: string): string {
    const verb =
      /^\s*(START TRANSACTION|COMMIT|ROLLBACK|SELECT|INSERT\s+IGNORE|INSERT|UPDATE|DELETE)/i
        .exec(sql)?.[1]
        ?.replace(/\s+/g, ' ')
        .toUpperCase();
    if (!verb) return sql.slice(0, 30);
    const table = /(?:FROM|INTO|UPDATE)\s+`?(\w+)`?/i.exec(sql)?.[1];
    return table ? `${verb} ${table}` : verb;
  }

  report(batches: number, requestMs: number): string[] {
    const total = [...this.kinds.values()].reduce((s, k) => s + k.ms, 0);
    const count = [...this.kinds.values()].reduce((s, k) => s + k.count, 0);
    return [
      `${fmt(count / batches, 1)} queries per request; their time (issue to result) adds up to ` +
        `${fmt(total / 1000, 1)} s = ${fmt((100 * total) / requestMs)} % of the summed request latencies`,
      ...[...this.kinds]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(
          ([kind, k]) =>
            `${fmt(k.count / batches, 2).padStart(7)}/request ${fmt(k.ms / 1000, 1).padStart(7)} s ` +
            `${fmt(k.ms / k.count, 1).padStart(6)} ms avg  ${kind}`,
        ),
    ];
  }
}

/** The application logs a failed query with all its parameters (~100 KB); cut such lines. */
function cutLongLogLines(max = 800) {
  for (const name of ['log', 'error', 'warn'] as const) {
    const original = console[name].bind(console);
    console[name] = (...args: unknown[]) => {
      const text = format(...args);
      original(text.length > max ? `${text.slice(0, max)} ...[${fmt(text.length)} chars]` : text);
    };
  }
}

/** What the RESULT line calls the plain path. */
function plainName(opts: Options): string {
  return opts.plainPrepared ? 'plain prepared INSERT' : 'plain INSERT';
}

/** --plain-only: the plain INSERT phase alone, on what an earlier run stored. */
async function plainOnly(opts: Options) {
  const pool = createPool({
    uri: opts.dbUrl.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: opts.concurrency + 1,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    console.log(`plain: ${fmt(await count(pool, 'statements'))} statements in the database`);
    const plain = await insertPlain(opts, pool);
    await verifyCopy(pool);
    console.log(plainLine(plain));
    if (opts.httpRate) {
      const ratio = opts.httpRate / plain.rate;
      console.log(
        `RESULT: HTTP ${fmt(opts.httpRate)} stmt/s (given), ${plainName(opts)} ${fmt(plain.rate)} stmt/s, ` +
          `ratio HTTP / ${plainName(opts)} = ${fmt(ratio, 3)} (${fmt(ratio * 100, 1)} %)`,
      );
    }
    console.log(
      `  load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await pool.end();
  }
}

async function main() {
  cutLongLogLines();
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const server = await prepareServer(opts.dbUrl, !opts.plainOnly);
  const machine = {
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadavgAtStart: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
  console.log(`ingest-bench ${startedAt.toISOString()}`);
  console.log(
    `  machine: ${machine.cpu}, ${machine.memoryGb} GB, node ${machine.node}, load ${machine.loadavgAtStart}`,
  );
  console.log(
    `  database: ${server.version}, buffer pool ${fmt(Number(server.innodb_buffer_pool_size) / 2 ** 20)} MB, ` +
      `flush_log_at_trx_commit=${server.innodb_flush_log_at_trx_commit}, log_bin=${server.log_bin}`,
  );
  console.log(
    `  settings: ${opts.plainOnly ? 'plain INSERT phase only' : `total ${fmt(opts.total)}`}, batch ${opts.batch}, concurrency ${opts.concurrency}, seed ${opts.seed}`,
  );

  if (opts.plainOnly) return plainOnly(opts);
  checkGenerator(opts.seed, buildPopulation(opts.seed));
  const t = await createTestApp({ listen: true, dbUrl: opts.dbUrl });
  const pool = createPool({
    uri: opts.dbUrl.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: opts.concurrency + 1,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    console.log(
      `HTTP: POST ${opts.batch} statements per request to ${t.origin}/api/admin/xapi/statements`,
    );
    const outDir = join(__dirname, 'out');
    mkdirSync(outDir, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const stopProfile = opts.profile ? startProfile() : null;
    const tally = new QueryTally();
    tally.attach(t.dataSource);
    tally.enabled = true;
    const cpu0 = process.cpuUsage();
    const server0 = serverCpuSeconds();
    const ticks0 = machineTicks();
    const http = await runClient(opts, t.origin!, t.adminAuth);
    const appCpu = process.cpuUsage(cpu0);
    const server1 = serverCpuSeconds();
    const steal = stealPercent(ticks0, machineTicks());
    const serverCpu = server0 !== null && server1 !== null ? server1 - server0 : null;
    const appCpuSeconds = (appCpu.user + appCpu.system) / 1e6;
    tally.enabled = false;
    if (stopProfile) {
      const file = join(outDir, `ingest-http-${stamp}.cpuprofile`);
      await stopProfile(file);
      console.log(
        `HTTP: CPU profile of the HTTP phase: ${file} (npx ts-node bench/cpuprofile-top.ts <file>)`,
      );
    }
    const inDb = await count(pool, 'statements');
    console.log(
      `HTTP: ${fmt(http.stored)} statements in ${fmt(http.seconds, 1)} s = ${fmt(http.rate)} stmt/s ` +
        `(latency per request p50 ${fmt(http.latencyMs.p50)} ms, p95 ${fmt(http.latencyMs.p95)} ms, ` +
        `p99 ${fmt(http.latencyMs.p99)} ms; ${fmt(http.bytesSent / http.stored)} bytes per statement)`,
    );
    console.log(
      `HTTP: the application's process used ${fmt(appCpuSeconds, 1)} s of CPU in ${fmt(http.seconds, 1)} s ` +
        `(${fmt((100 * appCpuSeconds) / http.seconds)} % of one core; user ${fmt(appCpu.user / 1e6, 1)} s, ` +
        `system ${fmt(appCpu.system / 1e6, 1)} s; ${fmt((1e6 * appCpuSeconds) / http.stored)} µs per statement); the load generator, a process ` +
        `of its own, ${fmt(http.clientCpuSeconds, 1)} s (reading the bodies ${fmt(http.clientMs / 1000, 1)} s)` +
        serverLine(serverCpu, http.seconds, http.stored) +
        stealLine(steal),
    );
    const queries = tally.report(http.requests, http.latencyMs.sum);
    console.log(`HTTP: database queries of the application: ${queries[0]}`);
    for (const line of queries.slice(1)) console.log(`    ${line}`);
    // The query logger leaves lock conflicts out of the log (the recorder retries them);
    // each retried or failed attempt rolled its transaction back.
    console.log(
      `HTTP: transactions rolled back (lock conflicts retried, refused batches): ${tally.kinds.get('ROLLBACK')?.count ?? 0}`,
    );
    console.log(
      `HTTP: ${http.resends} requests resent; failed requests by status: ${JSON.stringify(http.failures)}` +
        (http.failureSample ? `; first: ${http.failureSample}` : ''),
    );
    console.log(`HTTP: statements in the database: ${fmt(inDb)}`);
    if (inDb !== opts.total)
      throw new Error(`Expected ${opts.total} statements in the database, found ${inDb}`);
    const indexRows = {
      statement_agents: await count(pool, 'statement_agents'),
      statement_activities: await count(pool, 'statement_activities'),
      agents: await count(pool, 'agents'),
      activities: await count(pool, 'activities'),
    };
    console.log(`HTTP: other rows: ${JSON.stringify(indexRows)}`);

    // The application is idle from here on; close it so that only the plain path runs.
    await t.close();
    console.log(`plain: multi-row ${plainName(opts)} of the same rows into *_plain tables`);
    const plain = await insertPlain(opts, pool);
    await verifyCopy(pool);
    console.log(plainLine(plain));
    const ratio = http.rate / plain.rate;
    console.log(
      `RESULT: HTTP ${fmt(http.rate)} stmt/s, ${plainName(opts)} ${fmt(plain.rate)} stmt/s, ` +
        `ratio HTTP / ${plainName(opts)} = ${fmt(ratio, 3)} (${fmt(ratio * 100, 1)} %)`,
    );
    const loadAtEnd = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(`  load average at the end: ${loadAtEnd}`);
    const file = join(outDir, `ingest-${stamp}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          startedAt,
          options: { ...opts, dbUrl: undefined },
          machine,
          server,
          http: { ...http, appCpuSeconds, serverCpuSeconds: serverCpu, stealPercent: steal },
          indexRows,
          plain,
          ratio,
          loadAtEnd,
        },
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

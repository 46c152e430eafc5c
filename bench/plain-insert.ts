import { fmt, machineTicks, MachineTicks, serverCpuSeconds, stealPercent } from './bench-flags';
/**
 * The plain path of the benchmarks: the rows the application stored, copied into
 * `<table>_plain` tables with plain mysql2 multi-row INSERTs, only the INSERTs timed.
 * The ingest and seeding benchmarks compare their rate against it.
 */
import { performance } from 'perf_hooks';
import { ExecuteValues, Pool, PoolConnection } from 'mysql2/promise';

type Json = Record<string, any>;

export interface PlainOptions {
  /** Statements per transaction (with their index rows). */
  batch: number;
  /** Connections inserting at once. */
  concurrency: number;
  /** Print a line every this many statements. */
  progress: number;
  /**
   * Each INSERT as a server-side prepared statement with bound values (mysql2's execute,
   * the binary protocol; the application sends its statement rows so) instead of
   * mysql2's `VALUES ?` text.
   */
  plainPrepared?: boolean;
}

export { fmt };

/** The tables a statement is written to that the plain path copies, with their row key. */
export const COPIED = [
  { table: 'statements', statementKey: 'id' },
  { table: 'statement_agents', statementKey: 'statement_row_id' },
  { table: 'statement_activities', statementKey: 'statement_row_id' },
] as const;

export interface PlainResult {
  statements: number;
  rows: Record<string, number>;
  seconds: number;
  rate: number;
  rowRate: number;
  readSeconds: number;
  processCpuSeconds: number;
  /** CPU seconds of the local database server during the INSERTs (null: not visible). */
  serverCpuSeconds: number | null;
  /** The host's steal over the INSERTs' time (bench-flags stealPercent), null if unknown. */
  stealPercent: number | null;
}

/** A value as it goes back into the same column (JSON columns may come back parsed). */
function columnValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Date) return v;
  return JSON.stringify(v);
}

/**
 * The same rows through plain multi-row INSERTs: `<table>_plain` LIKE each table, the
 * stored rows read by keyset pages, then only the INSERTs timed (batches of `batch`
 * statements with their index rows, one transaction per batch as the application does,
 * `concurrency` connections).
 */
export async function insertPlain(opts: PlainOptions, pool: Pool): Promise<PlainResult> {
  const columns: Record<string, string[]> = {};
  for (const { table } of COPIED) {
    await pool.query(`DROP TABLE IF EXISTS \`${table}_plain\``);
    await pool.query(`CREATE TABLE \`${table}_plain\` LIKE \`${table}\``);
    const [cols] = await pool.query(
      `SELECT column_name AS c FROM information_schema.columns
        WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`,
      [table],
    );
    columns[table] = (cols as Json[]).map((r) => r.c as string);
  }
  const sqlOf = (table: string) =>
    `INSERT INTO \`${table}_plain\` (${columns[table].map((c) => `\`${c}\``).join(', ')}) VALUES ?`;
  const preparedSqlOf = (table: string, rows: number) => {
    const row = `(${columns[table].map(() => '?').join(', ')})`;
    return sqlOf(table).replace(/\?$/, Array.from({ length: rows }, () => row).join(', '));
  };
  const valuesOf = (table: string, rows: Json[]) =>
    rows.map((r) => columns[table].map((c) => columnValue(r[c])));

  type Job = Record<string, unknown[][]>;
  const rowCounts: Record<string, number> = Object.fromEntries(COPIED.map((c) => [c.table, 0]));
  const chunkStatements = opts.batch * opts.concurrency * 10;
  let lastId = 0;
  let insertMs = 0;
  let readMs = 0;
  let statements = 0;
  let cpuMicros = 0;
  let serverCpu: number | null = 0;
  const insertTicks: MachineTicks = { total: 0, steal: 0 };
  let nextReport = opts.progress;
  for (;;) {
    // Read a chunk (keyset pages of 1000) and cut it into jobs of `batch` statements.
    const r0 = performance.now();
    const rows: Json[] = [];
    while (rows.length < chunkStatements) {
      const [page] = await pool.query(
        'SELECT * FROM statements WHERE id > ? ORDER BY id LIMIT 1000',
        [lastId],
      );
      const list = page as Json[];
      if (!list.length) break;
      rows.push(...list);
      lastId = Number(list[list.length - 1].id);
    }
    if (!rows.length) break;
    // The index rows of the whole chunk in one query per table, then split by job.
    const index: Record<string, Json[]> = {};
    for (const { table, statementKey } of COPIED.slice(1)) {
      const [list] = await pool.query(
        `SELECT * FROM \`${table}\` WHERE \`${statementKey}\` BETWEEN ? AND ? ORDER BY \`${statementKey}\`, id`,
        [Number(rows[0].id), lastId],
      );
      index[table] = list as Json[];
    }
    const cursor: Record<string, number> = Object.fromEntries(COPIED.map((c) => [c.table, 0]));
    const jobs: Job[] = [];
    for (let i = 0; i < rows.length; i += opts.batch) {
      const part = rows.slice(i, i + opts.batch);
      const last = Number(part[part.length - 1].id);
      const job: Job = { statements: valuesOf('statements', part) };
      for (const { table, statementKey } of COPIED.slice(1)) {
        const list = index[table];
        const from = cursor[table];
        let to = from;
        while (to < list.length && Number(list[to][statementKey]) <= last) to++;
        cursor[table] = to;
        job[table] = valuesOf(table, list.slice(from, to));
      }
      jobs.push(job);
    }
    readMs += performance.now() - r0;

    // Read before the clock starts: it is not part of the INSERTs' time.
    const server0 = serverCpuSeconds();
    const ticks0 = machineTicks();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let next = 0;
    const worker = async () => {
      let conn: PoolConnection | undefined;
      try {
        conn = await pool.getConnection();
        for (;;) {
          const job = jobs[next++];
          if (!job) return;
          await conn.beginTransaction();
          for (const { table } of COPIED) {
            const rows = job[table];
            if (!rows.length) continue;
            if (opts.plainPrepared)
              await conn.execute(preparedSqlOf(table, rows.length), rows.flat() as ExecuteValues[]);
            else await conn.query(sqlOf(table), [rows]);
          }
          await conn.commit();
        }
      } finally {
        conn?.release();
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    insertMs += performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    cpuMicros += cpu.user + cpu.system;
    const server1 = serverCpuSeconds();
    const ticks1 = machineTicks();
    if (ticks0 && ticks1) {
      insertTicks.total += ticks1.total - ticks0.total;
      insertTicks.steal += ticks1.steal - ticks0.steal;
    }
    serverCpu =
      serverCpu !== null && server0 !== null && server1 !== null
        ? serverCpu + server1 - server0
        : null;
    statements += rows.length;
    for (const job of jobs) for (const { table } of COPIED) rowCounts[table] += job[table].length;
    if (statements >= nextReport) {
      console.log(
        `  ${fmt(statements).padStart(9)} copied  ${fmt(insertMs / 1000, 1).padStart(7)} s of INSERTs  ` +
          `${fmt((statements * 1000) / insertMs).padStart(6)} stmt/s overall`,
      );
      while (nextReport <= statements) nextReport += opts.progress;
    }
  }
  const seconds = insertMs / 1000;
  const allRows = Object.values(rowCounts).reduce((a, b) => a + b, 0);
  return {
    statements,
    rows: rowCounts,
    seconds,
    rate: statements / seconds,
    rowRate: allRows / seconds,
    readSeconds: readMs / 1000,
    processCpuSeconds: cpuMicros / 1e6,
    serverCpuSeconds: serverCpu,
    stealPercent: stealPercent({ total: 0, steal: 0 }, insertTicks),
  };
}

export async function count(pool: Pool, table: string): Promise<number> {
  const [rows] = await pool.query(`SELECT COUNT(*) AS n FROM \`${table}\``);
  return Number((rows as Json[])[0].n);
}

/** Checks that every *_plain table holds as many rows as its original. */
export async function verifyCopy(pool: Pool) {
  for (const { table } of COPIED) {
    const [copied, original] = [await count(pool, `${table}_plain`), await count(pool, table)];
    if (copied !== original)
      throw new Error(`${table}_plain has ${copied} rows, ${table} ${original}`);
  }
}

export function plainLine(plain: PlainResult): string {
  return (
    `plain: ${fmt(plain.statements)} statements (${Object.entries(plain.rows)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', ')}) in ${fmt(plain.seconds, 1)} s of INSERTs = ${fmt(plain.rate)} stmt/s, ` +
    `${fmt(plain.rowRate)} rows/s (reading them took ${fmt(plain.readSeconds, 1)} s, not counted; ` +
    `this process used ${fmt((100 * plain.processCpuSeconds) / plain.seconds)} % of one core while inserting` +
    serverLine(plain.serverCpuSeconds, plain.seconds, plain.statements) +
    stealLine(plain.stealPercent) +
    ')'
  );
}

/** `; the host's steal S % of the machine's CPU time`, when known (bench-flags stealPercent). */
export function stealLine(steal: number | null): string {
  return steal === null ? '' : `; CPU time stolen by the host ${fmt(steal, 1)} %`;
}

/** `; the database server N s of CPU (P % of a core, U µs per statement)`, when known. */
export function serverLine(cpuSeconds: number | null, seconds: number, statements: number): string {
  if (cpuSeconds === null) return '';
  return (
    `; the database server ${fmt(cpuSeconds, 1)} s of CPU (${fmt((100 * cpuSeconds) / seconds)} % ` +
    `of one core, ${fmt((cpuSeconds * 1e6) / statements)} µs per statement)`
  );
}

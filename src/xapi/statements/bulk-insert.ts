import { DataSource, EntityManager, EntityTarget } from 'typeorm';
import { RowTooLarge } from '../../common/db-errors';
import { executePreparedOrText } from '../../database/prepared-query';
import { DUPLICATES_EXPECTED } from '../../database/query-logger';
import { placeholders, utcDatetime } from '../../database/sql-text';

/** Both drivers accept at most 32,766 bound parameters (SQLite) per statement. */
const MAX_PARAMS = 30_000;

/**
 * A JSON column's value already serialised (the recorder sizes its chunks by this text):
 * bulkInsert sends it as it is instead of serialising the value again.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** The characters a MySQL string literal cannot hold as they are (mysqlLiteral). */
const LITERAL_SPECIALS = /[\0'\\]/g;
const LITERAL_ESCAPES: Record<string, string> = { '\0': '\\0', "'": "''", '\\': '\\\\' };

/**
 * A value as a MySQL/MariaDB literal, for SQL built as text (bulkInsert): NULL, a number,
 * a hex literal for bytes, else a quoted string in which only NUL, the quote (doubled:
 * a quote under every sql_mode) and the backslash are escaped. mysql2's escaping also
 * escapes `"` and the control characters, which a single-quoted literal holds as they
 * are: every statement's JSON is full of `"`, and that escaping was a tenth of the
 * recorder's CPU. Anything else (an object, a non-finite number) is a programming error.
 */
export function mysqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  switch (typeof v) {
    case 'string':
      // Three indexOf scans: a tenth of the time of one test() of the character class.
      return v.indexOf("'") < 0 && v.indexOf('\\') < 0 && v.indexOf('\0') < 0
        ? `'${v}'`
        : `'${v.replace(LITERAL_SPECIALS, (c) => LITERAL_ESCAPES[c])}'`;
    case 'number':
      if (Number.isFinite(v)) return String(v);
      break;
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? '1' : '0';
    default:
      if (Buffer.isBuffer(v)) return `X'${v.toString('hex')}'`;
  }
  throw new TypeError(`No SQL literal for ${typeof v} ${String(v).slice(0, 40)}`);
}

const returningSupport = new WeakMap<DataSource, boolean>();

/**
 * Whether INSERT ... RETURNING works: SQLite 3.35+ (better-sqlite3 bundles a newer one)
 * and MariaDB 10.5+; MySQL has none. Asked once per data source.
 */
export async function insertReturns(em: EntityManager): Promise<boolean> {
  const known = returningSupport.get(em.connection);
  if (known !== undefined) return known;
  let supported = em.connection.driver.options.type === 'better-sqlite3';
  if (!supported) {
    const [row] = await em.query('SELECT VERSION() AS v');
    const m = /^(\d+)\.(\d+).*mariadb/i.exec(String(row?.v ?? ''));
    supported = !!m && (Number(m[1]) > 10 || (Number(m[1]) === 10 && Number(m[2]) >= 5));
  }
  returningSupport.set(em.connection, supported);
  return supported;
}

const packetLimits = new WeakMap<DataSource, number>();

/** Bytes of a query's SQL text and framing kept free of rows under max_allowed_packet. */
const PACKET_MARGIN = 64 * 1024;

/**
 * The most bytes of row values one INSERT or UPDATE may carry: MySQL/MariaDB's
 * `max_allowed_packet` less PACKET_MARGIN (asked once per data source); no limit on SQLite.
 */
export async function rowBytesLimit(em: EntityManager): Promise<number> {
  if (em.connection.driver.options.type === 'better-sqlite3') return Infinity;
  let limit = packetLimits.get(em.connection);
  if (limit === undefined) {
    const [row] = await em.query('SELECT @@max_allowed_packet AS p');
    limit = Math.max(PACKET_MARGIN, Number(row?.p) - PACKET_MARGIN);
    packetLimits.set(em.connection, limit);
  }
  return limit;
}

/** At most the bytes of a value in a query (UTF-8: 3 per UTF-16 unit at most). */
function boundBytes(v: unknown): number {
  if (typeof v === 'string') return 3 * v.length + 3;
  if (Buffer.isBuffer(v)) return 2 * v.length + 3;
  return 24;
}

/**
 * The bytes of a string value as a literal (mysqlLiteral: UTF-8, each NUL, quote and
 * backslash one byte more; as a bound value it is a little less), else its bound.
 */
function exactBytes(v: unknown): number {
  if (typeof v !== 'string') return boundBytes(v);
  return Buffer.byteLength(v, 'utf8') + (v.match(LITERAL_SPECIALS)?.length ?? 0) + 3;
}

/**
 * Multi-row INSERT of plain rows (property names as keys) for an entity, with
 * one statement per chunk of rows: much faster than the query builder for
 * batches of hundreds of rows. `ignore` skips rows that hit a unique index;
 * `duplicatesExpected`: the caller handles a unique violation (the log leaves it out);
 * `returning` (where insertReturns()) answers these properties of the inserted rows;
 * `prepared`: on MySQL/MariaDB the chunk goes as a server-side prepared statement with
 * bound values, for a caller whose chunks repeat their row count (the recorder's statement
 * rows: a client's batch size), as text while the server refuses (executePreparedOrText);
 * else as SQL text with the values as literals. Values are converted as TypeORM stores
 * them: JSON text, UTC datetime, 0/1.
 */
export async function bulkInsert<T>(
  em: EntityManager,
  entity: EntityTarget<T>,
  rows: Record<string, unknown>[],
  options: {
    ignore?: boolean;
    returning?: string[];
    duplicatesExpected?: boolean;
    prepared?: boolean;
  } = {},
): Promise<Record<string, unknown>[]> {
  if (!rows.length) return [];
  const meta = em.connection.getMetadata(entity);
  const driver = em.connection.driver;
  const columns = meta.columns.filter((c) => !c.isGenerated);
  const names = columns.map((c) => driver.escape(c.databaseName)).join(', ');
  const sqlite = driver.options.type === 'better-sqlite3';
  const verb = options.ignore ? (sqlite ? 'INSERT OR IGNORE' : 'INSERT IGNORE') : 'INSERT';
  const rowSql = `(${placeholders(columns.length)})`;
  const returning = options.returning?.length
    ? ' RETURNING ' +
      options.returning
        .map((p) => {
          const column = meta.findColumnWithPropertyName(p);
          if (!column) throw new Error(`${meta.name} has no property ${p}`);
          return `${driver.escape(column.databaseName)} AS ${driver.escape(p)}`;
        })
        .join(', ')
    : '';
  const head = `${verb} INTO ${driver.escape(meta.tableName)} (${names}) VALUES `;
  const value = (row: Record<string, unknown>, c: (typeof columns)[number]): unknown => {
    let v = row[c.propertyName];
    if (v === undefined) v = c.default !== undefined ? c.default : null;
    if (v === null) return null;
    if (v instanceof JsonText) return v.text;
    if (c.type === 'json') return JSON.stringify(v);
    if (v instanceof Date) return datetime(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    return v;
  };
  // A batch's rows share their datetimes (`stored`, `updated`): each formatted once.
  const datetimes = new Map<number, string>();
  const datetime = (d: Date) => {
    const t = d.getTime();
    let text = datetimes.get(t);
    if (text === undefined) datetimes.set(t, (text = utcDatetime(d)));
    return text;
  };
  const out: Record<string, unknown>[] = [];
  const tail = returning + (options.duplicatesExpected ? DUPLICATES_EXPECTED : '');
  // MySQL/MariaDB text: the rows as literals (mysql2 would format the parameters into the
  // same text, with a costlier escaping: mysqlLiteral).
  const literalSql = (chunk: unknown[][]) => {
    let sql = head;
    for (let r = 0; r < chunk.length; r++) {
      let row = r ? ', (' : '(';
      for (let j = 0; j < chunk[r].length; j++) row += (j ? ', ' : '') + mysqlLiteral(chunk[r][j]);
      sql += row + ')';
    }
    return sql + tail;
  };
  // Each row's values, converted once. Chunks by bound parameters and by max_allowed_packet:
  // a row the server cannot take is refused before anything is sent (RowTooLarge, a 413
  // for the recorder).
  const limit = await rowBytesLimit(em);
  const converted = rows.map((row) => {
    const values = columns.map((c) => value(row, c));
    let bytes = 0;
    if (limit !== Infinity) {
      for (const v of values) bytes += boundBytes(v);
      if (bytes > limit) {
        bytes = 0;
        for (const v of values) bytes += exactBytes(v);
        if (bytes > limit) throw new RowTooLarge(bytes, limit + PACKET_MARGIN);
      }
    }
    return { values, bytes };
  });
  const parts = chunksBySize(converted, (r) => r.bytes, {
    rows: Math.max(1, Math.floor(MAX_PARAMS / columns.length)),
    bytes: limit,
  }).map((part) => part.map((r) => r.values));
  for (const chunk of parts) {
    let result: unknown;
    if (sqlite || options.prepared) {
      const sql = head + chunk.map(() => rowSql).join(', ') + tail;
      const params = chunk.flat();
      result = sqlite
        ? await em.query(sql, params)
        : await executePreparedOrText(em, sql, params, () => literalSql(chunk));
    } else {
      result = await em.query(literalSql(chunk));
    }
    if (returning && Array.isArray(result)) out.push(...(result as Record<string, unknown>[]));
  }
  return out;
}

/** Rows per multi-row INSERT of the recorder. */
export const INSERT_CHUNK = 200;

export function chunks<T>(rows: T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Compares keys as strings, byte-wise (the order the unique indexes hold them in). */
export function byKey<T>(key: (row: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/** MySQL/MariaDB take row locks (FOR UPDATE); SQLite serialises whole write transactions. */
export function locksRows(em: EntityManager): boolean {
  return em.connection.driver.options.type !== 'better-sqlite3';
}

/**
 * Characters of JSON per multi-row INSERT of statements: about 4 MB, under MySQL's
 * max_allowed_packet. Chunks kept under V8's large-object size (128 KiB) were tried: the
 * INSERT texts then die young, but a request of 100 statements (about 150 KB) took two
 * INSERTs instead of one, and a seeding run's RSS growth moved by 4 MB of 175 (V8's heap
 * growth headroom decides it; see Memory in the README).
 */
export const INSERT_CHUNK_CHARS = 4_000_000;

/**
 * Chunks of at most `limits.rows` rows (INSERT_CHUNK) and `limits.bytes` (about
 * INSERT_CHUNK_CHARS of JSON); `bytesOf` gives a row's size (a row larger than that goes
 * alone).
 */
export function chunksBySize<T>(
  rows: T[],
  bytesOf: (row: T) => number,
  limits: { rows: number; bytes: number } = { rows: INSERT_CHUNK, bytes: INSERT_CHUNK_CHARS },
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const p of rows) {
    const bytes = bytesOf(p);
    if (current.length && (current.length >= limits.rows || size + bytes > limits.bytes)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(p);
    size += bytes;
  }
  if (current.length) out.push(current);
  return out;
}

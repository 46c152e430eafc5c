import { DataSource, EntityManager } from 'typeorm';

/**
 * The one classification of database errors (SQLite and MySQL/MariaDB). It reads the
 * driver's error: a TypeORM QueryFailedError's `driverError`, or the error itself when a
 * driver error reaches us unwrapped (a transaction callback, a raw pool query).
 */
interface DriverError {
  code?: string;
  errno?: number;
}

function driverErrorOf(err: unknown): DriverError | null {
  if (!err || typeof err !== 'object') return null;
  const wrapped = (err as { driverError?: unknown }).driverError;
  return (wrapped && typeof wrapped === 'object' ? wrapped : err) as DriverError;
}

/**
 * MySQL/MariaDB would not prepare a statement: the server's `max_prepared_stmt_count` is
 * reached (1461, counted over all its clients) or the statement cannot be prepared (1295).
 * The same statement still runs as SQL text.
 */
export function isPreparedStatementRefused(err: unknown): boolean {
  const errno = driverErrorOf(err)?.errno;
  return errno === 1461 || errno === 1295;
}

/** A unique index refused the row (SQLite or MySQL/MariaDB). */
export function isUniqueViolation(err: unknown): boolean {
  const driver = driverErrorOf(err);
  return (
    driver?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    driver?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    driver?.code === 'ER_DUP_ENTRY' ||
    driver?.errno === 1062
  );
}

/**
 * MySQL/MariaDB chose this transaction as a deadlock victim (1213) or a lock wait timed
 * out (1205), or SQLite stayed busy: the whole transaction is worth another attempt.
 */
export function isRetryableConflict(err: unknown): boolean {
  const driver = driverErrorOf(err);
  return (
    driver?.code === 'ER_LOCK_DEADLOCK' ||
    driver?.errno === 1213 ||
    driver?.code === 'ER_LOCK_WAIT_TIMEOUT' ||
    driver?.errno === 1205 ||
    (typeof driver?.code === 'string' && driver.code.startsWith('SQLITE_BUSY'))
  );
}

/** Driver codes of a database that cannot be reached or dropped the connection. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR', // too many connections
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'SQLITE_BUSY', // after every retry (busy_timeout)
]);

/**
 * The database is unreachable, shutting down, out of connections, or lost the connection
 * (a restart, a failover, a KILL): nothing wrong with the request, worth retrying later.
 * mysql2 gives a query on a connection it already closed no code, only its message.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const driver = driverErrorOf(err);
  if (driver?.code && UNAVAILABLE_CODES.has(driver.code)) return true;
  if (driver?.errno === 1040 || driver?.errno === 1053 || driver?.errno === 1927) return true;
  const message = (driver as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.includes('connection is in closed state');
}

/** The row or statement is larger than the server accepts (MySQL max_allowed_packet). */
export function isPacketTooLarge(err: unknown): boolean {
  const driver = driverErrorOf(err);
  return driver?.code === 'ER_NET_PACKET_TOO_LARGE' || driver?.errno === 1153;
}

/**
 * A row larger than the server's `max_allowed_packet`, found before it was sent (bulkInsert):
 * sent, the server would answer 1153 and close the connection, often before the client
 * reads that answer (ECONNRESET). Carries the code of 1153, so isPacketTooLarge() is true.
 */
export class RowTooLarge extends Error {
  readonly code = 'ER_NET_PACKET_TOO_LARGE';
  readonly errno = 1153;
  constructor(bytes: number, limit: number) {
    super(
      `A row of ${bytes} bytes is larger than the database accepts (max_allowed_packet ${limit}).`,
    );
  }
}

/** Rows a DELETE or UPDATE really changed (SQLite and MySQL/MariaDB both report them). */
export function affectedRows(result: { affected?: number | null }): number {
  return result.affected ?? 0;
}

/** Rows a raw UPDATE or DELETE changed, as the driver reports them. */
export async function changedRows(
  em: EntityManager,
  sql: string,
  params: unknown[],
): Promise<number> {
  const own = em.queryRunner ? null : em.connection.createQueryRunner();
  try {
    return affectedRows(await (em.queryRunner ?? own!).query(sql, params, true));
  } finally {
    await own?.release();
  }
}

/**
 * Runs `work` again when the database refused it as a lock conflict (deadlock victim,
 * Galera certification failure, SQLite busy): up to `attempts` times, with a short
 * random backoff. Other errors, and the last conflict, are thrown.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isRetryableConflict(err)) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt));
    }
  }
}

/**
 * Writes that go together (a job's row and its log entries): one transaction on
 * MySQL/MariaDB, lock conflicts retried. SQLite shares one connection, where concurrent
 * transactions would nest into each other's savepoints; there the statements run back to
 * back on the data source's manager (synchronous, no other request served in between).
 */
export function writeTogether<T>(
  dataSource: DataSource,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  if (dataSource.options.type === 'better-sqlite3') return work(dataSource.manager);
  return retryOnConflict(() => dataSource.transaction(work));
}

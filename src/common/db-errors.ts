import { QueryFailedError } from 'typeorm';

/** A unique index refused the row (SQLite or MySQL/MariaDB). */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driver = (err as QueryFailedError & { driverError?: { code?: string; errno?: number } })
    .driverError;
  return (
    driver?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    driver?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    driver?.code === 'ER_DUP_ENTRY' ||
    driver?.errno === 1062
  );
}

/** MySQL/MariaDB chose this transaction as a deadlock victim, or SQLite stayed busy: retry. */
export function isRetryableConflict(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driver = (err as QueryFailedError & { driverError?: { code?: string; errno?: number } })
    .driverError;
  return (
    driver?.code === 'ER_LOCK_DEADLOCK' ||
    driver?.errno === 1213 ||
    driver?.code === 'ER_LOCK_WAIT_TIMEOUT' ||
    driver?.code === 'SQLITE_BUSY'
  );
}

/** Rows a DELETE or UPDATE really changed (SQLite and MySQL/MariaDB both report them). */
export function affectedRows(result: { affected?: number | null }): number {
  return result.affected ?? 0;
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

import { AdvancedConsoleLogger, EntityManager, QueryRunner } from 'typeorm';
import { isRetryableConflict, isUniqueViolation } from '../common/db-errors';

const EXPECTS_UNIQUE_VIOLATION = 'expectsUniqueViolation';

/**
 * Runs `work` on the transaction of `em` with its unique violations not logged: for a
 * write whose caller handles a stored key itself (the recorder's insert-first attempt,
 * which then looks the batch up).
 */
export async function expectingUniqueViolation<T>(
  em: EntityManager,
  work: () => Promise<T>,
): Promise<T> {
  const data = em.queryRunner?.data as Record<string, unknown> | undefined;
  if (data) data[EXPECTS_UNIQUE_VIOLATION] = true;
  try {
    return await work();
  } finally {
    if (data) delete data[EXPECTS_UNIQUE_VIOLATION];
  }
}

/**
 * TypeORM's console logger for failed queries, except lock conflicts (a deadlock
 * victim, a Galera certification failure, SQLite busy): every caller retries those
 * (retryOnConflict, the recorder, the batch walker) and reports the one that survives
 * its retries itself, so that a busy cluster does not print a line per lost race; and
 * unique violations a caller said it expects (expectingUniqueViolation).
 */
export class QueryErrorLogger extends AdvancedConsoleLogger {
  constructor() {
    super(['error']);
  }

  override logQueryError(
    error: string | Error,
    query: string,
    parameters?: unknown[],
    queryRunner?: QueryRunner,
  ): void {
    if (isRetryableConflict(error)) return;
    if (isUniqueViolation(error) && queryRunner?.data?.[EXPECTS_UNIQUE_VIOLATION]) return;
    super.logQueryError(error as string, query, parameters, queryRunner);
  }
}

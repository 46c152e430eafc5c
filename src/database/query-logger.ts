import { AdvancedConsoleLogger, QueryRunner } from 'typeorm';
import { isRetryableConflict } from '../common/db-errors';

/**
 * TypeORM's console logger for failed queries, except lock conflicts (a deadlock
 * victim, a Galera certification failure, SQLite busy): every caller retries those
 * (retryOnConflict, the recorder, the batch walker) and reports the one that survives
 * its retries itself, so that a busy cluster does not print a line per lost race.
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
    super.logQueryError(error as string, query, parameters, queryRunner);
  }
}

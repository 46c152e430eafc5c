import { AdvancedConsoleLogger, QueryRunner } from 'typeorm';
import {
  isPreparedStatementRefused,
  isRetryableConflict,
  isUniqueViolation,
} from '../common/db-errors';

/**
 * The end of a query whose caller expects it may hit a unique index and handles that
 * (the recorder's statement rows, inserted before any look-up of their ids): the logger
 * leaves its unique violations out.
 */
export const DUPLICATES_EXPECTED = ' /* duplicates expected */';

/**
 * TypeORM's console logger for failed queries, except lock conflicts (a deadlock
 * victim, a Galera certification failure, SQLite busy): every caller retries those
 * (retryOnConflict, the recorder, the batch walker) and reports the one that survives
 * its retries itself, so that a busy cluster does not print a line per lost race; except
 * the unique violations of a query that ends with DUPLICATES_EXPECTED; and except a
 * prepared statement the server refused (executePreparedOrText sends it as text and warns).
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
    if (isRetryableConflict(error) || isPreparedStatementRefused(error)) return;
    if (isUniqueViolation(error) && query.endsWith(DUPLICATES_EXPECTED)) return;
    super.logQueryError(error as string, query, parameters, queryRunner);
  }
}

import { EntityManager, QueryFailedError, QueryRunner } from 'typeorm';
import { BroadcasterResult } from 'typeorm/subscriber/BroadcasterResult';

/**
 * Server-side prepared statements each connection of the recorder's pool keeps
 * (mysql2's `maxPreparedStatements`; the least recently used is closed). A store's clients
 * send a few batch sizes, and each size is one INSERT text; the bound keeps a fleet of
 * instances far under MySQL's max_prepared_stmt_count (16,382 by default, per server).
 */
export const PREPARED_PER_CONNECTION = 16;

/** The part of TypeORM's MySQL query runner that query() uses (not in its public types). */
interface MysqlRunner extends QueryRunner {
  connect(): Promise<{
    promise(): { execute(sql: string, params: unknown[]): Promise<[unknown, unknown]> };
  }>;
}

/**
 * Runs a query with bound parameters as a server-side prepared statement (MySQL/MariaDB
 * binary protocol, mysql2's `execute`, prepared once per connection and SQL text) in the
 * query runner of `em`, as TypeORM's `query()` runs a text query: the same log of failed
 * and slow queries, the same BeforeQuery/AfterQuery events (subscribers see it), the same
 * QueryFailedError. For a large multi-row INSERT it costs the client and the server less
 * than the same rows as SQL text: no text of the whole INSERT is built or parsed, no value
 * is escaped or unescaped (100 statement rows: about a quarter of the server's CPU and half
 * the client's; see Benchmarks in the README).
 * Without a query runner (the data source's own manager) it is `em.query()`.
 */
export async function executePrepared(
  em: EntityManager,
  sql: string,
  params: unknown[],
): Promise<unknown> {
  const runner = em.queryRunner as MysqlRunner | undefined;
  if (!runner) return em.query(sql, params);
  const connection = await runner.connect();
  const logger = em.connection.logger;
  logger.logQuery(sql, params, runner);
  await runner.broadcaster.broadcast('BeforeQuery', sql, params);
  const broadcast = new BroadcasterResult();
  const started = Date.now();
  const slow = em.connection.driver.options.maxQueryExecutionTime;
  const took = () => {
    const ms = Date.now() - started;
    if (slow && ms > slow) logger.logQuerySlow(ms, sql, params, runner);
    return ms;
  };
  try {
    const [raw] = await connection.promise().execute(sql, params);
    const ms = took();
    runner.broadcaster.broadcastAfterQueryEvent(broadcast, sql, params, true, ms, raw, undefined);
    return raw;
  } catch (err) {
    took();
    logger.logQueryError(err as Error, sql, params, runner);
    runner.broadcaster.broadcastAfterQueryEvent(
      broadcast,
      sql,
      params,
      false,
      undefined,
      undefined,
      err,
    );
    throw new QueryFailedError(sql, params, err as Error);
  } finally {
    await broadcast.wait();
  }
}

import { Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError, QueryRunner } from 'typeorm';
import { BroadcasterResult } from 'typeorm/subscriber/BroadcasterResult';
import { isPreparedStatementRefused } from '../common/db-errors';

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

/** After the server refused a prepared statement: how long queries go as text. */
export const PREPARED_REFUSED_MS = 60_000;

/** Per data source: until when the server's refusal sends queries as text. */
const refusedUntil = new WeakMap<DataSource, number>();

/**
 * executePrepared, or the same query as SQL text (`text()`, the values as literals) while
 * the server refuses prepared statements: its `max_prepared_stmt_count` reached by all its
 * clients together, or a proxy without them. A refusal sends this data source's queries
 * as text for PREPARED_REFUSED_MS, with one warning; nothing fails because of it.
 */
export async function executePreparedOrText(
  em: EntityManager,
  sql: string,
  params: unknown[],
  text: () => string,
): Promise<unknown> {
  if ((refusedUntil.get(em.connection) ?? 0) <= Date.now()) {
    try {
      return await executePrepared(em, sql, params);
    } catch (e) {
      if (!isPreparedStatementRefused(e)) throw e;
      refusedUntil.set(em.connection, Date.now() + PREPARED_REFUSED_MS);
      new Logger('Database').warn(
        `The database server refused a prepared statement (${(e as Error).message}); ` +
          `multi-row INSERTs go as SQL text for ${PREPARED_REFUSED_MS / 1000} s. ` +
          'Raise max_prepared_stmt_count if other clients use them up.',
      );
    }
  }
  return em.query(text());
}

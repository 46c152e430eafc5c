import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource, DataSourceOptions, EntityManager, QueryRunner } from 'typeorm';
import { PREPARED_PER_CONNECTION } from '../../database/prepared-query';

/** Connections of the recorder's own pool (MySQL/MariaDB), per instance. */
export const RECORDER_CONNECTIONS = 10;

/** What TypeORM's query runner keeps of the transaction it believes it is in. */
type TransactionState = { isTransactionActive: boolean; transactionDepth: number };

/**
 * The recorder's transactions: one per batch, committed when its work returns, rolled
 * back when it throws, as `dataSource.transaction()` does.
 *
 * On MySQL/MariaDB they run on a pool of the recorder's own (RECORDER_CONNECTIONS), whose
 * sessions have autocommit off: a transaction starts with the batch's first statement, so
 * the START TRANSACTION round trip of every batch is saved (a seventh of the queries of a
 * request). Nothing but run() uses that pool, and run() always ends the transaction
 * (COMMIT, else ROLLBACK, else the connection is destroyed), so no connection waits in it
 * with a transaction open. TypeORM is told its query runner is in a transaction (locking
 * reads need it; a nested transaction() becomes a savepoint instead of a START
 * TRANSACTION, which would commit the batch). Its queries reach the application's query
 * subscribers. On SQLite, `dataSource.transaction()` (serialised; sqlite-transactions).
 */
@Injectable()
export class RecorderTransactions implements OnModuleInit, OnApplicationShutdown {
  private own: DataSource | null = null;
  /** The pool's connections whose session has autocommit off. */
  private readonly ready = new WeakSet<object>();

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit() {
    const options = this.dataSource.options;
    if (options.type !== 'mysql' && options.type !== 'mariadb') return;
    const own = new DataSource({
      ...options,
      // The statement rows go as prepared statements (bulkInsert's `prepared`): bounded.
      extra: { ...options.extra, maxPreparedStatements: PREPARED_PER_CONNECTION },
      poolSize: RECORDER_CONNECTIONS,
      migrationsRun: false,
      synchronize: false,
    } as DataSourceOptions);
    await own.initialize();
    // The same array: subscribers added to the application's data source see these queries.
    (own as unknown as { subscribers: unknown[] }).subscribers = this.dataSource.subscribers;
    this.own = own;
  }

  /**
   * After beforeApplicationShutdown, where the scheduler lets the runs stop: a run still
   * recording (pull, seeding) must not find its connections gone and end failed rather
   * than interrupted. (onModuleDestroy comes before that hook.)
   */
  async onApplicationShutdown() {
    const own = this.own;
    this.own = null;
    if (own?.isInitialized) await own.destroy();
  }

  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.own) return this.dataSource.transaction(work);
    const runner = this.own.createQueryRunner();
    await runner.connect();
    const connection = (runner as unknown as { databaseConnection: { destroy(): void } })
      .databaseConnection;
    const state = runner as unknown as TransactionState;
    try {
      if (!this.ready.has(connection)) {
        await runner.query('SET SESSION autocommit = 0');
        this.ready.add(connection);
      }
      Object.assign(state, { isTransactionActive: true, transactionDepth: 1 });
      let result: T;
      try {
        result = await work(runner.manager);
        await runner.query('COMMIT');
      } catch (e) {
        await this.rollback(runner, connection);
        throw e;
      }
      return result;
    } finally {
      Object.assign(state, { isTransactionActive: false, transactionDepth: 0 });
      await runner.release();
    }
  }

  /** ROLLBACK; a connection that cannot is destroyed, so that it never serves again. */
  private async rollback(runner: QueryRunner, connection: { destroy(): void }) {
    try {
      await runner.query('ROLLBACK');
    } catch {
      this.ready.delete(connection);
      connection.destroy();
    }
  }
}

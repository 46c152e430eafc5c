import { AsyncLocalStorage } from 'async_hooks';
import { DataSource } from 'typeorm';

/**
 * better-sqlite3 gives TypeORM one connection and one query runner: two transactions
 * that overlap across awaits (two jobs, or a job and a request) would nest into each
 * other as savepoints and commit or roll back each other's work. On SQLite,
 * `dataSource.transaction()` therefore runs one transaction at a time (SQLite
 * serialises writers anyway); a transaction started inside one joins it as before.
 */
export function serializeSqliteTransactions(dataSource: DataSource): void {
  if (dataSource.driver.options.type !== 'better-sqlite3') return;
  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  const inside = new AsyncLocalStorage<true>();
  let tail: Promise<unknown> = Promise.resolve();
  manager.transaction = ((...args: unknown[]) => {
    if (inside.getStore()) return transaction(...args);
    const turn = tail.then(() => inside.run(true, () => transaction(...args)));
    tail = turn.catch(() => undefined);
    return turn;
  }) as typeof manager.transaction;
}

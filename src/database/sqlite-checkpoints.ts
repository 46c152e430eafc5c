import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Worker } from 'worker_threads';

/** How often the worker copies the write-ahead log into the database file. */
export const CHECKPOINT_EVERY_MS = 100;

/**
 * WAL pages after which the app's own connection still checkpoints (SQLite's default is
 * 1000): only when the worker is behind or gone, so that the log stays bounded.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/** The worker: a connection of its own, a PASSIVE checkpoint every `every` ms. */
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
setInterval(() => {
  // PASSIVE never waits for the app's connection: it copies what no reader still needs.
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next turn */ }
}, workerData.every);
`;

/**
 * On SQLite, checkpoints run in a worker thread instead of inside the app's commits.
 * better-sqlite3 is synchronous: an automatic checkpoint (every 1000 WAL pages) copies
 * the log into the file and syncs it inside a COMMIT, holding the event loop 100-400 ms
 * during a long deletion on a busy machine, once every few batches. The worker does that
 * work on its own connection; the app's connection checkpoints only past
 * FALLBACK_AUTOCHECKPOINT_PAGES (the worker stopped or fell behind). The worker ends when
 * the data source is destroyed. Nothing for an in-memory database or MySQL/MariaDB.
 */
export async function checkpointSqliteInBackground(dataSource: DataSource): Promise<void> {
  const options = dataSource.options;
  if (options.type !== 'better-sqlite3' || options.database === ':memory:') return;
  const path = options.database;
  await dataSource.query(`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: require.resolve('better-sqlite3'),
      path,
      every: CHECKPOINT_EVERY_MS,
    },
  });
  worker.unref();
  let stopping = false;
  worker.on('error', (err) => {
    new Logger('SqliteCheckpoints').warn(
      `the checkpoint worker stopped (${err.message}); the app's connection checkpoints again`,
    );
  });
  worker.on('exit', () => {
    if (!stopping && dataSource.isInitialized) {
      // SQLite's default again: the log stays short without the worker.
      dataSource.query('PRAGMA wal_autocheckpoint = 1000').catch(() => undefined);
    }
  });
  const destroy = dataSource.destroy.bind(dataSource);
  dataSource.destroy = async () => {
    stopping = true;
    await worker.terminate();
    return destroy();
  };
}

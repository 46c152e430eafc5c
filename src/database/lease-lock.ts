import { randomBytes } from 'crypto';
import { hostname } from 'os';
import { DataSource } from 'typeorm';
import { isRetryableConflict, isUniqueViolation } from '../common/db-errors';

/** The lock table: kept out of the entities, since it guards the migrations themselves. */
const TABLE = 'lrs_locks';
const LEASE_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A named lock held as a lease row, like a job claim: an INSERT takes a free name, a
 * conditional UPDATE takes one whose lease lapsed (its holder died), a heartbeat
 * extends it while the work goes on. Unlike GET_LOCK it is cluster-wide on a Galera
 * cluster (rows replicate, named locks are node-local); a conflict between nodes
 * (1213, certification failure) or a duplicate key just means "not yours, wait".
 * Times are the database's (NOW(3)).
 */
export async function withLeaseLock<T>(
  dataSource: DataSource,
  name: string,
  work: () => Promise<T>,
  options: { waitMs?: number } = {},
): Promise<T> {
  const owner = `${hostname().slice(0, 30)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  await dataSource.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (name varchar(100) NOT NULL PRIMARY KEY, ` +
      `owner varchar(64) NOT NULL, lease_until datetime(3) NOT NULL) ` +
      `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  );
  const until = `NOW(3) + INTERVAL ${LEASE_MS * 1000} MICROSECOND`;
  // INSERT IGNORE: a taken name is an answer (0 rows), not an error logged on every try.
  const attempt = async (): Promise<boolean> => {
    try {
      const inserted = await dataSource.query(
        `INSERT IGNORE INTO ${TABLE} (name, owner, lease_until) VALUES (?, ?, ${until})`,
        [name, owner],
      );
      if (Number(inserted?.affectedRows ?? 0) === 1) return true;
      const res = await dataSource.query(
        `UPDATE ${TABLE} SET owner = ?, lease_until = ${until} WHERE name = ? AND lease_until < NOW(3)`,
        [owner, name],
      );
      return Number(res?.affectedRows ?? 0) === 1;
    } catch (err) {
      // Another node took it at the same moment (Galera certification failure).
      if (isRetryableConflict(err) || isUniqueViolation(err)) return false;
      throw err;
    }
  };
  const deadline = Date.now() + (options.waitMs ?? 300_000);
  while (!(await attempt())) {
    if (Date.now() > deadline) throw new Error(`could not take the lock ${name} in time`);
    await sleep(100 + Math.random() * 200);
  }
  const heartbeat = setInterval(() => {
    dataSource
      .query(`UPDATE ${TABLE} SET lease_until = ${until} WHERE name = ? AND owner = ?`, [
        name,
        owner,
      ])
      .catch(() => undefined);
  }, LEASE_MS / 3);
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await dataSource.query(`DELETE FROM ${TABLE} WHERE name = ? AND owner = ?`, [name, owner]);
  }
}

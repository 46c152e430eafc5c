import { Logger } from '@nestjs/common';
import { DataSource, MigrationExecutor } from 'typeorm';
import { withLeaseLock } from './lease-lock';

const LOCK_NAME = 'lrs_jobs_migrations';

/**
 * Runs pending migrations. On MySQL/MariaDB (a Galera cluster included) a lease-row
 * lock makes instances that start together migrate one after the other (the second
 * finds nothing to do).
 */
export async function runMigrations(dataSource: DataSource, logger = new Logger('Migrations')) {
  if (dataSource.options.type !== 'mysql' && dataSource.options.type !== 'mariadb') {
    const done = await dataSource.runMigrations({ transaction: 'each' });
    done.forEach((m) => logger.log(`applied ${m.name}`));
    return done.length;
  }
  // A lease row, not GET_LOCK: named locks are node-local on a Galera cluster.
  return withLeaseLock(dataSource, LOCK_NAME, async () => {
    const done = await dataSource.runMigrations({ transaction: 'each' });
    done.forEach((m) => logger.log(`applied ${m.name}`));
    return done.length;
  });
}

/** Migrations of this version not applied to the database yet. */
export async function pendingMigrationCount(dataSource: DataSource): Promise<number> {
  const executor = new MigrationExecutor(dataSource);
  return (await executor.getPendingMigrations()).length;
}

/** SQL that would bring the schema in line with the entities; empty when nothing drifts. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}

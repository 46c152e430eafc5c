import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const LOCK_NAME = 'lrs_jobs_migrations';

/**
 * Runs pending migrations. On MySQL/MariaDB a named lock makes instances that
 * start together migrate one after the other (the second finds nothing to do).
 */
export async function runMigrations(dataSource: DataSource, logger = new Logger('Migrations')) {
  if (dataSource.options.type !== 'mysql' && dataSource.options.type !== 'mariadb') {
    const done = await dataSource.runMigrations({ transaction: 'each' });
    done.forEach((m) => logger.log(`applied ${m.name}`));
    return done.length;
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [row] = await runner.query('SELECT GET_LOCK(?, 300) AS got', [LOCK_NAME]);
    if (Number(row.got) !== 1) throw new Error('could not take the migration lock within 300 s');
    try {
      const done = await dataSource.runMigrations({ transaction: 'each' });
      done.forEach((m) => logger.log(`applied ${m.name}`));
      return done.length;
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await runner.release();
  }
}

/** SQL that would bring the schema in line with the entities; empty when nothing drifts. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}

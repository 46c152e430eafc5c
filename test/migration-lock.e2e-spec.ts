import { parseDbUrl } from '../src/config/app-config';
import { createDataSource, prepareDatabase } from '../src/database/data-source';
import { runMigrations } from '../src/database/migrate';
import { freshDatabaseUrl } from './support/test-app';

const onMysql = !!process.env.DB_URL && !process.env.DB_URL.startsWith('sqlite:');

// Several instances share one MySQL/MariaDB database; SQLite serves one instance.
(onMysql ? describe : describe.skip)('migrations on a shared MySQL/MariaDB database (e2e)', () => {
  it('run once when several instances start together (a database lock)', async () => {
    const db = await prepareDatabase(parseDbUrl(await freshDatabaseUrl()));
    const instances = await Promise.all([1, 2, 3].map(() => createDataSource({ db }).initialize()));
    try {
      const applied = await Promise.all(instances.map((ds) => runMigrations(ds)));
      const total = applied.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(0);
      // One instance applied them all, the others found nothing to do.
      expect(applied.filter((n) => n > 0)).toEqual([total]);
      const rows = await instances[0].query('SELECT name FROM migrations');
      expect(rows).toHaveLength(total);
    } finally {
      await Promise.all(instances.map((ds) => ds.destroy()));
    }
  });
});

import { parseDbUrl } from '../src/config/app-config';
import { createDataSource, prepareDatabase } from '../src/database/data-source';
import { runMigrations } from '../src/database/migrate';
import { createTestApp, freshDatabaseUrl } from './support/test-app';

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

  it('takes over the lock row of an instance that died holding it (its lease lapsed)', async () => {
    const db = await prepareDatabase(parseDbUrl(await freshDatabaseUrl()));
    const ds = await createDataSource({ db }).initialize();
    try {
      await ds.query(
        'CREATE TABLE lrs_locks (name varchar(100) NOT NULL PRIMARY KEY, owner varchar(64) NOT NULL, lease_until datetime(3) NOT NULL)',
      );
      await ds.query(
        "INSERT INTO lrs_locks VALUES ('lrs_jobs_migrations', 'dead:1:x', NOW(3) - INTERVAL 1 SECOND)",
      );
      expect(await runMigrations(ds)).toBeGreaterThan(0);
      expect(await ds.query('SELECT name FROM lrs_locks')).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('two instances started at the same moment both start; one admin client and one default store exist', async () => {
    for (let round = 0; round < 3; round++) {
      const dbUrl = await freshDatabaseUrl();
      const apps = await Promise.all([1, 2].map(() => createTestApp({ dbUrl })));
      try {
        const [{ n: clients }] = await apps[0].dataSource.query(
          'SELECT COUNT(*) AS n FROM clients',
        );
        const [{ n: stores }] = await apps[1].dataSource.query(
          "SELECT COUNT(*) AS n FROM stores WHERE slug = 'default'",
        );
        expect({ round, clients: Number(clients), stores: Number(stores) }).toEqual({
          round,
          clients: 1,
          stores: 1,
        });
        for (const t of apps) {
          await t.http().get(`${t.base}/stores`).set('Authorization', t.adminAuth).expect(200);
        }
      } finally {
        await Promise.all(apps.map((t) => t.close()));
      }
    }
  });
});

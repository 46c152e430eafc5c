import { parseDbUrl } from '../src/config/app-config';
import { createDataSource, prepareDatabase } from '../src/database/data-source';
import { pendingSchemaChanges, runMigrations } from '../src/database/migrate';
import { createTestApp, freshDatabaseUrl } from './support/test-app';

describe('migrations (e2e)', () => {
  it('bring a new database exactly to the entities (no drift)', async () => {
    const db = await prepareDatabase(parseDbUrl(await freshDatabaseUrl()));
    const ds = await createDataSource({ db }).initialize();
    try {
      expect(await runMigrations(ds)).toBeGreaterThan(0);
      expect(await pendingSchemaChanges(ds)).toEqual([]);
      // A second run finds nothing to do.
      expect(await runMigrations(ds)).toBe(0);
    } finally {
      await ds.destroy();
    }
  });

  it('with DB_MIGRATE=false, refuse a database whose schema is behind at once, and start on one that is not', async () => {
    const dbUrl = await freshDatabaseUrl();
    const t0 = Date.now();
    await expect(createTestApp({ dbUrl, env: { DB_MIGRATE: 'false' } })).rejects.toThrow(
      /DB_MIGRATE is false and the database schema is not up to date/,
    );
    // Not retried as if the server were down (nine tries, 3 s apart).
    expect(Date.now() - t0).toBeLessThan(2_500);
    const migrated = await createTestApp({ dbUrl });
    await migrated.close();
    const again = await createTestApp({ dbUrl, env: { DB_MIGRATE: 'false' } });
    await again.http().get('/health').expect(200);
    await again.close();
  });
});

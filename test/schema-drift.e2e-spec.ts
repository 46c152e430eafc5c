import { parseDbUrl } from '../src/config/app-config';
import { createDataSource, prepareDatabase } from '../src/database/data-source';
import { pendingSchemaChanges, runMigrations } from '../src/database/migrate';
import { freshDatabaseUrl } from './support/test-app';

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
});

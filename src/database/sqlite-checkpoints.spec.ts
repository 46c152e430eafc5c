import { statSync } from 'fs';
import { createTestApp, isSqlite, TestApp } from '../../test/support/test-app';
import { waitFor } from '../../test/support/wait';
import { FALLBACK_AUTOCHECKPOINT_PAGES } from './sqlite-checkpoints';

describe('checkpointSqliteInBackground', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  (isSqlite() ? it : it.skip)(
    "copies the write-ahead log into the file off the app's connection, which no longer checkpoints at 1000 pages",
    async () => {
      const [{ wal_autocheckpoint: pages }] = await t.dataSource.query('PRAGMA wal_autocheckpoint');
      expect(pages).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
      const file = (t.dataSource.options as { database: string }).database;
      await t.dataSource.query('CREATE TABLE filler (body TEXT)');
      const before = statSync(file).size;
      // About 3 MB in one transaction (750 pages: below the 1000 at which SQLite itself
      // would checkpoint): in the log only, until a checkpoint copies it into the file.
      await t.dataSource.query(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
         INSERT INTO filler SELECT randomblob(1000) FROM n`,
      );
      await waitFor(
        async () => statSync(file).size - before > 2_000_000 || null,
        5_000,
        'the checkpoint worker',
      );
    },
  );
});

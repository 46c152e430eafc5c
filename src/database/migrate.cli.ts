import { loadConfig, ConfigError } from '../config/app-config';
import { createDataSource, prepareDatabase } from './data-source';
import { runMigrations } from './migrate';

/** `npm run migration:run`: applies pending migrations for DB_URL, then exits. */
async function main() {
  const config = loadConfig();
  const ds = createDataSource({ db: await prepareDatabase(config.db) });
  await ds.initialize();
  try {
    const n = await runMigrations(ds);
    console.log(`${n} migration(s) applied`);
  } finally {
    await ds.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});

/**
 * Generates a migration per driver from the entities:
 *   npm run migration:generate -- <Name>          diff against the existing migrations
 *   npm run migration:generate -- <Name> --reset  drop existing migrations first (pre-release only)
 * MySQL side uses MIGRATION_DB_URL [mysql://root@127.0.0.1:3306/lrs_migration_gen], recreated each run.
 */
import { readdirSync, unlinkSync, writeFileSync } from 'fs';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { parseDbUrl, DatabaseConfig } from '../src/config/app-config';
import { dataSourceOptions, prepareDatabase } from '../src/database/data-source';

const name = process.argv[2];
const reset = process.argv.includes('--reset');
if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
  console.error('usage: npm run migration:generate -- <PascalCaseName> [--reset]');
  process.exit(1);
}
const root = join(__dirname, '..', 'src', 'database', 'migrations');

function writeIndex(driver: string) {
  const dir = join(root, driver);
  const files = readdirSync(dir)
    .filter((f) => /^\d+-\w+\.ts$/.test(f))
    .sort();
  const classes = files.map((f) => f.replace(/^(\d+)-(\w+)\.ts$/, '$2$1'));
  const body = [
    '// Generated list: npm run migration:generate updates it.',
    "import { MigrationInterface } from 'typeorm';",
    ...files.map((f, i) => `import { ${classes[i]} } from './${f.replace(/\.ts$/, '')}';`),
    '',
    `export const ${driver.toUpperCase()}_MIGRATIONS: (new () => MigrationInterface)[] = [${classes.join(', ')}];`,
    '',
  ];
  writeFileSync(join(dir, 'index.ts'), body.join('\n'));
}

async function generate(driver: 'sqlite' | 'mysql', target: DatabaseConfig, stamp: number) {
  let db = target;
  const dir = join(root, driver);
  if (reset) {
    for (const f of readdirSync(dir)) if (f !== 'index.ts') unlinkSync(join(dir, f));
    writeIndex(driver);
  }
  if (db.type === 'mysql') {
    const admin = new DataSource({ type: 'mysql', url: db.url.replace(/\/[^/]*$/, '/') });
    await admin.initialize();
    await admin.query(`DROP DATABASE IF EXISTS \`${db.database}\``);
    await admin.destroy();
    db = await prepareDatabase(db);
  }
  // Fresh import so that a --reset index is honoured.
  Object.keys(require.cache)
    .filter((k) => k.includes('migrations'))
    .forEach((k) => delete require.cache[k]);
  const ds = new DataSource({
    ...dataSourceOptions(db),
    migrations: readMigrations(driver),
  } as any);
  await ds.initialize();
  await ds.runMigrations();
  const log = await ds.driver.createSchemaBuilder().log();
  await ds.destroy();
  if (!log.upQueries.length) {
    console.log(`${driver}: no changes`);
    return;
  }
  const cls = `${name}${stamp}`;
  const q = (s: string) =>
    '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
  const up = log.upQueries.map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
  const down = log.downQueries
    .reverse()
    .map((x) => `    await queryRunner.query(${q(x.query)});`)
    .join('\n');
  const src = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${cls} implements MigrationInterface {
  name = '${cls}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down}
  }
}
`;
  writeFileSync(join(dir, `${stamp}-${name}.ts`), src);
  writeIndex(driver);
  console.log(`${driver}: wrote ${stamp}-${name}.ts (${log.upQueries.length} statements)`);
}

function readMigrations(driver: string): (new () => unknown)[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(join(root, driver, 'index.ts'));
  return mod[`${driver.toUpperCase()}_MIGRATIONS`];
}

async function main() {
  const stamp = Date.now();
  await generate('sqlite', { type: 'sqlite', path: ':memory:' }, stamp);
  await generate(
    'mysql',
    parseDbUrl(process.env.MIGRATION_DB_URL || 'mysql://root@127.0.0.1:3306/lrs_migration_gen'),
    stamp,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

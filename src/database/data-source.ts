import { chmodSync, closeSync, mkdirSync, openSync } from 'fs';
import { format } from 'mysql2';
import { dirname } from 'path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig, DatabaseConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { QueryErrorLogger } from './query-logger';
import { MYSQL_MIGRATIONS } from './migrations/mysql';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/**
 * mysql2's formatting of a query's parameters (as TypeORM sets it up: objects stringified),
 * except that a query without parameters goes as it is: mysql2 scans it for placeholders
 * even then (TypeORM passes an empty list), and the recorder's INSERTs are texts of
 * 150 KB and more (bulkInsert). Same result: no parameters, nothing replaced.
 */
export function formatQuery(sql: string, values: unknown, timezone?: string): string {
  if (values === undefined || values === null || (Array.isArray(values) && !values.length)) {
    return sql;
  }
  return format(sql, values as never, true, timezone as never);
}

export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    logging: ['error'] as ('error' | 'warn')[],
    logger: new QueryErrorLogger(),
  };
  if (db.type === 'sqlite') {
    if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      migrations: SQLITE_MIGRATIONS,
      enableWAL: true,
      // Several connections of one process (or a second process) wait instead of failing.
      prepareDatabase: (conn: any) => conn.pragma('busy_timeout = 10000'),
    };
  }
  return {
    ...common,
    // TypeORM reads MariaDB's information_schema differently: the flavour matters for drift.
    type: db.flavor === 'mariadb' ? 'mariadb' : 'mysql',
    url: db.url,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    migrations: MYSQL_MIGRATIONS,
    poolSize: 20,
    // trace: mysql2 captures a stack trace for every query by default (1.5 % of the
    // recorder's CPU); TypeORM's QueryFailedError carries the caller's stack already.
    extra: { decimalNumbers: true, trace: false, queryFormat: formatQuery },
  };
}

export function createDataSource(config: Pick<AppConfig, 'db'>): DataSource {
  return new DataSource(dataSourceOptions(config.db));
}

/**
 * The SQLite file holds every secret hash and statement: readable by its owner only,
 * like app.key (SQLite gives its -wal and -shm files the same mode).
 */
export function restrictSqliteFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

/**
 * Before the data source: creates the MySQL database named in DB_URL when it is
 * missing, and tells MySQL from MariaDB; creates the SQLite file owner-only.
 */
export async function prepareDatabase(db: DatabaseConfig): Promise<DatabaseConfig> {
  if (db.type === 'sqlite') {
    if (db.path !== ':memory:') restrictSqliteFile(db.path);
    return db;
  }
  const url = new URL(db.url);
  url.pathname = '/';
  const admin = new DataSource({ type: 'mysql', url: url.toString() });
  await admin.initialize();
  try {
    const [row] = await admin.query('SELECT VERSION() AS v');
    await admin.query(
      `CREATE DATABASE IF NOT EXISTS \`${db.database.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    return { ...db, flavor: /mariadb/i.test(String(row.v)) ? 'mariadb' : 'mysql' };
  } finally {
    await admin.destroy();
  }
}

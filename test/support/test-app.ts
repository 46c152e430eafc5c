import { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AppConfig, DatabaseConfig, loadConfig, parseDbUrl } from '../../src/config/app-config';

export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'admin-secret';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  dataSource: DataSource;
  /** The database this app uses; pass it to a second createTestApp to share it. */
  dbUrl: string;
  /** supertest on this app's HTTP server. */
  http: () => ReturnType<typeof request>;
  /** `Authorization` header value for the bootstrap admin client. */
  adminAuth: string;
  /** The admin base endpoint path, `/api/admin`. */
  base: string;
  /** Origin when started with `listen: true`, e.g. http://127.0.0.1:34567. */
  origin?: string;
  close: () => Promise<void>;
}

export function basic(username: string, password: string) {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

/** Whether the tests run on SQLite (DB_URL unset or sqlite:), not MySQL/MariaDB. */
export function isSqlite(): boolean {
  return !process.env.DB_URL || process.env.DB_URL.startsWith('sqlite:');
}

let counter = 0;

/**
 * A fresh database for one test app: a temporary SQLite file, or, when DB_URL
 * names MySQL/MariaDB, a database of its own beside it (dropped and recreated).
 */
export async function freshDatabaseUrl(): Promise<string> {
  const base = process.env.DB_URL;
  counter += 1;
  if (!base || base.startsWith('sqlite:')) {
    const dir = mkdtempSync(join(tmpdir(), 'lrs-test-'));
    return `sqlite:${join(dir, 'lrs.sqlite')}`;
  }
  const db = parseDbUrl(base) as Extract<DatabaseConfig, { type: 'mysql' }>;
  const name = `${db.database}_w${process.env.JEST_WORKER_ID ?? '0'}_${counter}`;
  const url = new URL(db.url);
  url.pathname = '/';
  const admin = new DataSource({ type: 'mysql', url: url.toString() });
  await admin.initialize();
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.destroy();
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The database of `dbUrl` reached through another server: DB_URL_2 (optional) names a
 * second node of a Galera cluster, and a second instance of a multi-instance test
 * then uses that node (host and port taken from DB_URL_2). Without it, `dbUrl` itself.
 */
export function secondNodeUrl(dbUrl: string): string {
  const other = process.env.DB_URL_2;
  if (!other || !/^(mysql|mariadb):/.test(dbUrl)) return dbUrl;
  const url = new URL(dbUrl);
  url.host = new URL(other).host;
  return url.toString();
}

export async function createTestApp(
  options: {
    env?: Record<string, string>;
    dbUrl?: string;
    listen?: boolean;
    /** Extra modules (e.g. a test-only job type). */
    imports?: ModuleMetadata['imports'];
  } = {},
): Promise<TestApp> {
  const dbUrl = options.dbUrl ?? (await freshDatabaseUrl());
  const dir = mkdtempSync(join(tmpdir(), 'lrs-files-'));
  const config = loadConfig({
    DB_URL: dbUrl,
    ADMIN_USERNAME: ADMIN_USER,
    ADMIN_PASSWORD,
    APP_KEY: 'test-app-key-0123456789abcdef',
    FILES_PATH: join(dir, 'files'),
    SEEDING_PATH: join(dir, 'seeding'),
    XAPI_PSEUDO_HASH_KEY: 'test-pseudo-key',
    XAPI_PSEUDO_HOMEPAGE: 'http://pseudo.example.com',
    JOBS_POLL_MS: '100',
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config), ...(options.imports ?? [])],
  }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error', 'warn'] });
  configureApp(app);
  let origin: string | undefined;
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    origin = `http://127.0.0.1:${address.port}`;
  } else {
    await app.init();
  }
  return {
    app,
    config,
    dataSource: app.get(DataSource),
    dbUrl,
    http: () => request(app.getHttpServer()),
    adminAuth: basic(ADMIN_USER, ADMIN_PASSWORD),
    base: '/api/admin',
    origin,
    close: () => app.close(),
  };
}

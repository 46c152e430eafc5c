/**
 * Galera start-up check: npx ts-node --transpile-only bench/galera-start.ts
 * Two instances on two nodes of the local cluster (scripts/galera.sh start), started at
 * the same moment on a fresh database, ROUNDS times (5): both must start, the migrations
 * be applied once, and one admin client and one default store exist.
 * GALERA_URLS [mysql://root@127.0.0.1:4401/lrs_galera,mysql://root@127.0.0.1:4402/lrs_galera]
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/app-config';

const urls = (
  process.env.GALERA_URLS ??
  'mysql://root@127.0.0.1:4401/lrs_galera,mysql://root@127.0.0.1:4402/lrs_galera'
).split(',');
const ROUNDS = Number(process.env.ROUNDS ?? 5);

async function start(url: string) {
  const config = loadConfig({
    DB_URL: url,
    ADMIN_PASSWORD: 'galera-secret',
    APP_KEY: 'galera-key',
  });
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  await app.init();
  return app;
}

async function main() {
  for (let round = 1; round <= ROUNDS; round++) {
    const admin = new DataSource({ type: 'mysql', url: urls[0].replace(/\/[^/]*$/, '/') });
    await admin.initialize();
    const name = new URL(urls[0]).pathname.slice(1);
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    const t0 = Date.now();
    const results = await Promise.allSettled(urls.map((u) => start(u)));
    const ms = Date.now() - t0;
    const [{ n: clients }] = await admin.query(`SELECT COUNT(*) AS n FROM \`${name}\`.clients`);
    const [{ n: stores }] = await admin.query(
      `SELECT COUNT(*) AS n FROM \`${name}\`.stores WHERE slug = 'default'`,
    );
    const migrations = await admin.query(`SELECT name FROM \`${name}\`.migrations`);
    const unique = new Set(migrations.map((m: { name: string }) => m.name)).size;
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    console.log(
      `round ${round}: ${results.length - failed.length}/${results.length} started in ${ms} ms, ` +
        `migrations ${migrations.length} rows (${unique} distinct), clients ${clients}, default stores ${stores}` +
        (failed.length
          ? `; failed: ${failed.map((f) => String(f.reason?.message ?? f.reason)).join(' | ')}`
          : ''),
    );
    for (const r of results) if (r.status === 'fulfilled') await r.value.close();
    await admin.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

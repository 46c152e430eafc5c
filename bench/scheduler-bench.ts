/**
 * Scheduler benchmark: npm run bench:scheduler
 *
 * Creates 10,000 scheduled jobs on a database (a fresh SQLite file by default;
 * DB_URL honoured, e.g. mysql://root@127.0.0.1:3306/lrs_bench, which is emptied),
 * then reports the scheduler's idle CPU (process.cpuUsage over BENCH_IDLE_S
 * seconds, 30 by default) and memory (RSS), and the delay from due time to start
 * (p50, p99) for BENCH_TIMED jobs (300) due at known times, BENCH_SPACING_MS (20) apart.
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsOptional, IsString } from 'class-validator';
import { mkdtempSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AppModule } from '../src/app.module';
import { loadConfig, parseDbUrl } from '../src/config/app-config';
import { Job } from '../src/jobs/job.entity';
import { JobHandler, JobRunContext, JobType, Repeat } from '../src/jobs/job-type';
import { plannedRunAt } from '../src/jobs/schedule-plan';

const TOTAL = Number(process.env.BENCH_JOBS ?? 10_000);
const TIMED = Number(process.env.BENCH_TIMED ?? 300);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
/** Due times of the timed jobs are this far apart (20 ms: 50 fires a second). */
const SPACING_MS = Number(process.env.BENCH_SPACING_MS ?? 20);

class BenchParams {
  @IsOptional()
  @IsString()
  tag?: string;
}

const starts = new Map<number, number>();

@JobType({ name: 'bench-noop', params: BenchParams, store: 'none' })
@Injectable()
class BenchNoopHandler implements JobHandler<BenchParams> {
  async run(ctx: JobRunContext<BenchParams>) {
    starts.set(ctx.jobId, Date.now());
    return { feedback: 'noop' };
  }
}

@Module({ providers: [BenchNoopHandler] })
class BenchJobModule {}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function emptyMysql(url: string) {
  const db = parseDbUrl(url);
  if (db.type !== 'mysql') return;
  const admin = new DataSource({ type: 'mysql', url: db.url.replace(/\/[^/]*$/, '/') });
  await admin.initialize();
  await admin.query(`DROP DATABASE IF EXISTS \`${db.database.replace(/`/g, '')}\``);
  await admin.destroy();
}

async function main() {
  const dbUrl =
    process.env.DB_URL ||
    `sqlite:${join(mkdtempSync(join(tmpdir(), 'lrs-bench-')), 'bench.sqlite')}`;
  await emptyMysql(dbUrl);
  const config = loadConfig({ ...process.env, DB_URL: dbUrl, ADMIN_PASSWORD: 'bench-secret' });
  @Module({ imports: [AppModule.forRoot(config), BenchJobModule] })
  class BenchAppModule {}
  const app = await NestFactory.create(BenchAppModule, { logger: ['error', 'warn'] });
  await app.init();
  const ds = app.get(DataSource);
  const repo = ds.getRepository(Job);
  const clock = { defaultTimezone: config.jobsTimezone, minuteMs: config.schedulerMinuteMs };
  console.log(`database: ${config.db.type} (${dbUrl.replace(/\/\/[^@]*@/, '//')})`);
  console.log(
    `poll every ${config.schedulerPollMs} ms, lease ${config.jobLeaseMs} ms, node ${process.version}`,
  );

  global.gc?.();
  console.log(`memory with the app started, before the jobs: RSS ${mb(process.memoryUsage().rss)}`);

  // 10,000 scheduled jobs, none due during the measures: hourly, daily, weekly, monthly.
  const t0 = Date.now();
  const now = new Date();
  const shapes: Partial<Job>[] = [
    { repeat: 'hourlyAt', minute: 0 },
    { repeat: 'dailyAt', time: '03:30' },
    { repeat: 'weeklyOn', time: '04:00', weekDay: 1 },
    { repeat: 'monthlyOn', time: '05:00', monthDay: 31 },
    { repeat: 'yearlyOn', time: '06:00', monthDay: 29, month: 2 },
  ];
  const base = {
    type: 'bench-noop',
    storeId: null,
    client: 'admin',
    replay: false,
    date: null,
    time: null,
    minute: null,
    weekDay: null,
    monthDay: null,
    month: null,
    timezone: 'Europe/Paris',
    params: { tag: 'scheduled' },
    state: null,
    running: false,
    ran: 0,
    createdAt: now,
    updatedAt: now,
  };
  for (let i = 0; i < TOTAL; i += 500) {
    const batch = [];
    for (let k = i; k < Math.min(TOTAL, i + 500); k++) {
      const job = { ...base, ...shapes[k % shapes.length] } as Job;
      // hourlyAt jobs at minute 0 could fall due during the run: push them past it.
      job.nextRunAt = plannedRunAt(job, new Date(now.getTime() + 3_600_000), clock);
      batch.push(job);
    }
    await repo.insert(batch as QueryDeepPartialEntity<Job>[]);
  }
  console.log(`created ${TOTAL} scheduled jobs in ${Date.now() - t0} ms`);

  // Idle: nothing due; the scheduler only polls.
  await sleep(2_000);
  global.gc?.();
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  await sleep(IDLE_S * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const mem = process.memoryUsage();
  console.log(
    `idle over ${(wallMs / 1000).toFixed(1)} s: CPU ${cpuMs.toFixed(0)} ms ` +
      `(${((cpuMs / wallMs) * 100).toFixed(2)} % of one core; user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms)`,
  );
  console.log(`memory: RSS ${mb(mem.rss)}, heap used ${mb(mem.heapUsed)}`);

  // Delay: TIMED one-shot jobs due at known instants, SPACING_MS apart, from 2 s from now.
  const dueAt = new Map<number, number>();
  const first = Date.now() + 2_000;
  const timed: Job[] = [];
  for (let k = 0; k < TIMED; k++) {
    const due = new Date(first + k * SPACING_MS);
    timed.push({
      ...base,
      repeat: 'on' as Repeat,
      date: due.toISOString(),
      params: { tag: 'timed' },
      nextRunAt: due,
    } as unknown as Job);
  }
  for (let i = 0; i < timed.length; i += 100) {
    const res = await repo.insert(timed.slice(i, i + 100) as QueryDeepPartialEntity<Job>[]);
    res.identifiers.forEach((id, j) => dueAt.set(Number(id.id), timed[i + j].nextRunAt!.getTime()));
  }
  // Inserted behind the scheduler's back, as another instance would: it learns at its next poll.
  const deadline = Date.now() + 2_000 + TIMED * SPACING_MS + 30_000;
  while (starts.size < TIMED && Date.now() < deadline) await sleep(100);
  const delays = [...dueAt]
    .filter(([id]) => starts.has(id))
    .map(([id, due]) => starts.get(id)! - due);
  delays.sort((a, b) => a - b);
  console.log(
    `delay due -> start over ${delays.length}/${TIMED} jobs due ${SPACING_MS} ms apart: p50 ${pct(delays, 50)} ms, ` +
      `p99 ${pct(delays, 99)} ms, max ${delays[delays.length - 1]} ms`,
  );
  const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM jobs WHERE ran = 1`);
  console.log(`jobs run: ${n}`);
  const load = loadavg().map((x) => x.toFixed(1));
  console.log(`machine: ${cpus().length} cores, load average ${load.join(' ')} (1, 5, 15 min)`);
  await app.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * One LRS instance as its own process, for tests that stop, skew or kill it the way
 * an operator's process would be (SIGSTOP, libfaketime, SIGKILL). Started by
 * test/support/instance-process.ts; configured by the environment (DB_URL, JOBS_*).
 * Prints `READY <port> <instanceId>` once listening, and a `RUN <json>` line whenever
 * a test-sleep run starts or ends.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/app-config';
import { JobScheduler } from '../../src/jobs/scheduler.service';
import { TestJobTypesModule, testSleepRuns } from './test-job-types';

async function main() {
  const config = loadConfig(process.env);
  @Module({ imports: [AppModule.forRoot(config), TestJobTypesModule] })
  class InstanceModule {}
  const app = await NestFactory.create(InstanceModule, {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address();
  const seen = new Map<object, string>();
  setInterval(() => {
    for (const run of testSleepRuns) {
      const line = JSON.stringify(run);
      if (seen.get(run) !== line) {
        seen.set(run, line);
        process.stdout.write(`RUN ${line}\n`);
      }
    }
  }, 10);
  process.stdout.write(`READY ${port} ${app.get(JobScheduler).instanceId}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

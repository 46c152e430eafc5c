import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import request from 'supertest';
import { ADMIN_PASSWORD, ADMIN_USER, basic } from './test-app';
import { TestSleepRun } from './test-job-types';

export interface InstanceProcess {
  child: ChildProcess;
  pid: number;
  origin: string;
  instanceId: string;
  /** The test-sleep runs of that process (key `jobId:startedAt`), as it last reported them. */
  runs: Map<string, TestSleepRun>;
  http: () => ReturnType<typeof request>;
  adminAuth: string;
  /** SIGTERM, then wait for the exit (SIGKILL after 15 s). */
  stop: () => Promise<void>;
}

/** libfaketime, as installed by `apt-get install faketime`. */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/**
 * Starts test/support/instance-main.ts as a process of its own on `dbUrl`. With
 * `clockOffset` (libfaketime syntax, e.g. "+25s") its wall clock is skewed; its
 * monotonic clock is not.
 */
export async function startInstance(options: {
  dbUrl: string;
  env?: Record<string, string>;
  clockOffset?: string;
}): Promise<InstanceProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DB_URL: options.dbUrl,
    ADMIN_USERNAME: ADMIN_USER,
    ADMIN_PASSWORD,
    APP_KEY: 'test-app-key-0123456789abcdef',
    XAPI_PSEUDO_HASH_KEY: 'test-pseudo-key',
    TS_NODE_TRANSPILE_ONLY: 'true',
    ...options.env,
  };
  if (options.clockOffset) {
    Object.assign(env, {
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME: options.clockOffset,
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      FAKETIME_NO_CACHE: '1',
    });
  }
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register', join(__dirname, 'instance-main.ts')],
    { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: join(__dirname, '..', '..') },
  );
  const runs = new Map<string, TestSleepRun>();
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const ready = new Promise<{ port: number; instanceId: string }>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d) => {
      buffer += String(d);
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('READY ')) {
          const [, port, instanceId] = line.split(' ');
          resolve({ port: Number(port), instanceId });
        } else if (line.startsWith('RUN ')) {
          const run = JSON.parse(line.slice(4)) as TestSleepRun;
          runs.set(`${run.jobId}:${run.startedAt}`, run);
        }
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`instance exited (${code}): ${stderr.slice(-2000)}`)),
    );
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`instance did not start: ${stderr.slice(-2000)}`)), 90_000),
  );
  const { port, instanceId } = await Promise.race([ready, timeout]);
  const origin = `http://127.0.0.1:${port}`;
  return {
    child,
    pid: child.pid!,
    origin,
    instanceId,
    runs,
    http: () => request(origin),
    adminAuth: basic(ADMIN_USER, ADMIN_PASSWORD),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

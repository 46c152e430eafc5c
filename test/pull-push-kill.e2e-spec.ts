import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { FakeLrs } from './support/fake-lrs';
import { basic, createTestApp, freshDatabaseUrl, TestApp } from './support/test-app';
import { waitFor } from './support/wait';
import { makeStatement } from './support/xapi-fixtures';

/**
 * A push of 10,000 statements whose instance is killed (SIGKILL, a real process) halfway:
 * another instance on the same database retries the run once the lease lapses, and the
 * remote ends holding each statement exactly once.
 */
jest.setTimeout(240_000);

const APP_KEY = 'test-app-key-0123456789abcdef';
const PASSWORD = 'admin-secret';
const TOTAL = 10_000;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('push killed halfway and retried by another instance (e2e)', () => {
  let fake: FakeLrs;
  let child: ChildProcess | null = null;
  let survivor: TestApp | null = null;

  afterAll(async () => {
    child?.kill('SIGKILL');
    await survivor?.close();
    await fake?.stop();
  });

  it('leaves the remote with each of the 10,000 statements exactly once', async () => {
    fake = await new FakeLrs().start();
    fake.postDelayMs = 250;
    const dbUrl = await freshDatabaseUrl();
    const port = await freePort();
    const env = {
      ...process.env,
      DB_URL: dbUrl,
      PORT: String(port),
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: PASSWORD,
      APP_KEY,
      FILES_PATH: join(mkdtempSync(join(tmpdir(), 'lrs-kill-')), 'files'),
      JOBS_LEASE_MS: '1500',
      JOBS_POLL_MS: '100',
    };
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: join(__dirname, '..'),
      env,
      stdio: 'ignore',
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${origin}/health`).catch(() => null))?.ok,
      120_000,
      'the first instance to start',
      200,
    );
    const auth = basic('admin', PASSWORD);
    const call = async (method: string, path: string, body: unknown, extra = {}) => {
      const res = await fetch(`${origin}${path}`, {
        method,
        headers: { Authorization: auth, 'Content-Type': 'application/json', ...extra },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (res.status === 204 ? null : await res.json()) as any;
    };
    const ids: string[] = [];
    for (let i = 0; i < TOTAL; i += 500) {
      const batch = Array.from({ length: 500 }, () => makeStatement());
      ids.push(...batch.map((s) => s.id));
      await call('POST', '/api/admin/xapi/statements', batch, {
        'X-Experience-API-Version': '1.0.3',
      });
    }
    const connection = (
      await call('POST', '/api/admin/connections', {
        name: 'slow remote',
        type: 'lrs',
        endpoint: fake.endpoint,
        username: 'u',
        password: 'remote-password',
        version: '1.0.3',
      })
    ).data.id;
    const job = (
      await call('POST', '/api/admin/jobs/push', {
        repeat: 'now',
        service: 'statements',
        until: 'now',
        connection,
        store: 'default',
      })
    ).data;

    // Halfway: the instance dies at once, without a word to the database.
    await waitFor(() => fake.stored.size >= TOTAL / 2, 120_000, 'half the statements pushed', 20);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    child = null;
    const atKill = fake.stored.size;
    expect(atKill).toBeLessThan(TOTAL);

    survivor = await createTestApp({ dbUrl, env: { JOBS_LEASE_MS: '1500', JOBS_POLL_MS: '100' } });
    const done = await waitFor(
      async () => {
        const res = await survivor!
          .http()
          .get(`${survivor!.base}/jobs/push/${job.id}`)
          .set('Authorization', survivor!.adminAuth);
        return res.body.data?.ran === 1 && !res.body.data.running ? res.body.data : null;
      },
      120_000,
      'the retried run to finish',
      100,
    );
    expect(done.success).toBe(true);
    // Each statement once at the remote, none missing.
    expect(fake.stored.size).toBe(TOTAL);
    expect(ids.every((id) => fake.stored.has(id))).toBe(true);
    // The retry resumed at the cursor: at most the batch in flight was sent again.
    const sent = fake.posts().reduce((n, p) => n + (p.statements?.length ?? 0), 0);
    expect(sent).toBeLessThanOrEqual(TOTAL + 2 * 500);
    // The run was started twice (first instance, then the retry) and passed once.
    const events = await survivor.dataSource.query(
      "SELECT event FROM logs WHERE job_id = ? AND event IN ('started', 'passed') ORDER BY id",
      [job.id],
    );
    expect(events.map((e: { event: string }) => e.event)).toEqual(['started', 'started', 'passed']);
  });
});

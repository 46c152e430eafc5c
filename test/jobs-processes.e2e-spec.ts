import { existsSync } from 'fs';
import { DataSource } from 'typeorm';
import { parseDbUrl } from '../src/config/app-config';
import { createDataSource, prepareDatabase } from '../src/database/data-source';
import { freshDatabaseUrl } from './support/test-app';
import { InstanceProcess, LIBFAKETIME, startInstance } from './support/instance-process';
import { sleep, waitFor } from './support/wait';

/**
 * Instances as processes of their own, faulted the way an operator's would be: a wall
 * clock 25 s ahead (libfaketime), a process stopped longer than its lease (SIGSTOP,
 * then SIGCONT). MySQL/MariaDB only: SQLite serves one instance, and its clock is the
 * process's own.
 */
jest.setTimeout(180_000);

const onMysql = /^(mysql|mariadb):/.test(process.env.DB_URL ?? '');
const run = onMysql && existsSync(LIBFAKETIME) ? describe : describe.skip;

interface Entry {
  event: string;
  data: Record<string, any>;
  stored: Date;
}

async function entries(ds: DataSource, jobId: number): Promise<Entry[]> {
  const rows: { event: string; data: unknown; stored: Date }[] = await ds.query(
    `SELECT event, data, stored FROM logs WHERE job_id = ? AND event <> 'progress' ORDER BY id`,
    [jobId],
  );
  return rows.map((r) => ({
    event: r.event,
    data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) ?? {},
    stored: new Date(r.stored),
  }));
}

function post(i: InstanceProcess, body: object) {
  return i
    .http()
    .post('/api/admin/jobs/test-sleep')
    .set('Authorization', i.adminAuth)
    .send({ store: 'default', ...body })
    .expect(201)
    .then((r) => r.body.data.id as number);
}

async function row(ds: DataSource, id: number) {
  const [r] = await ds.query(
    'SELECT running, ran, success, lease_owner, state FROM jobs WHERE id = ?',
    [id],
  );
  return r;
}

run('Instances as processes (e2e, MariaDB, libfaketime)', () => {
  let dbUrl: string;
  let db: DataSource;
  const started: InstanceProcess[] = [];
  const start = async (env: Record<string, string>, clockOffset?: string) => {
    const i = await startInstance({ dbUrl, env, clockOffset });
    started.push(i);
    return i;
  };

  beforeEach(async () => {
    dbUrl = await freshDatabaseUrl();
    db = await createDataSource({ db: await prepareDatabase(parseDbUrl(dbUrl)) }).initialize();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((i) => i.stop()));
    await db?.destroy();
  });

  it('an instance 25 s ahead runs no fire early and takes no live run', async () => {
    const env = { JOBS_LEASE_MS: '3000', JOBS_POLL_MS: '100' };
    const sane = await start(env);
    // A live run on the sane instance before the skewed one is up.
    const live = await post(sane, { repeat: 'now', ms: 12_000 });
    await waitFor(async () => (await row(db, live))?.lease_owner === sane.instanceId, 10_000);
    const ahead = await start(env, '+25s');
    // A fire due in 4 s, created through the skewed instance.
    const dueAt = Date.now() + 4_000;
    const on = await post(ahead, { repeat: 'on', date: new Date(dueAt).toISOString(), ms: 100 });
    // Seen from here (a sane clock): not running before it is due.
    await waitFor(
      async () => {
        const r = await row(db, on);
        return Number(r.running) === 1 || Number(r.ran) > 0;
      },
      20_000,
      'the on job',
      10,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(dueAt - 50);
    await waitFor(async () => Number((await row(db, on)).ran) === 1, 20_000, 'the on job');
    const [onStarted] = (await entries(db, on)).filter((e) => e.event === 'started');
    // Its entries carry the database's clock, not the skewed one.
    expect(Math.abs(onStarted.stored.getTime() - dueAt)).toBeLessThan(2_000);
    await waitFor(
      async () => (await entries(db, live)).some((e) => e.event === 'passed'),
      30_000,
      'the live run',
    );
    const liveLog = await entries(db, live);
    expect(liveLog.map((e) => e.event)).toEqual(['created', 'started', 'passed']);
    expect(liveLog[1].data.instance).toBe(sane.instanceId);
  });

  it('a stalled owner (SIGSTOP longer than the lease, then SIGCONT) neither writes passed nor overlaps the retry', async () => {
    const env = { JOBS_LEASE_MS: '1500', JOBS_POLL_MS: '100' };
    const [x, y] = [await start(env), await start(env)];
    const id = await post(x, { repeat: 'now', ms: 4_000 });
    const ownerId = await waitFor(async () => (await row(db, id))?.lease_owner, 10_000);
    const [owner, survivor] = ownerId === x.instanceId ? [x, y] : [y, x];
    await waitFor(() => [...owner.runs.values()].some((r) => r.jobId === id), 10_000);
    await sleep(300);
    owner.child.kill('SIGSTOP');
    // The survivor takes the run over once the lease (1.5 s) lapsed.
    await waitFor(
      async () => (await entries(db, id)).filter((e) => e.event === 'started').length === 2,
      15_000,
      'the retry',
    );
    await sleep(500);
    const resumedAt = Date.now();
    owner.child.kill('SIGCONT');
    await waitFor(async () => Number((await row(db, id)).ran) === 1, 20_000, 'the retried run');
    await sleep(1_000);
    const log = await entries(db, id);
    expect(log.map((e) => e.event)).toEqual([
      'created',
      'started',
      'interrupted',
      'started',
      'passed',
    ]);
    expect(log[1].data.instance).toBe(owner.instanceId);
    expect(log[3].data).toMatchObject({ instance: survivor.instanceId, retry: true });
    // The stale owner wrote nothing after it came back: no entry, no state.
    const after = log.filter((e) => e.stored.getTime() >= resumedAt);
    expect(after.every((e) => e.data.instance !== owner.instanceId)).toBe(true);
    const state = (await row(db, id)).state;
    expect(typeof state === 'string' ? JSON.parse(state) : state).toEqual({ runs: 1 });
    // Its handler stopped at its first look after SIGCONT, and never completed its work.
    const stale = [...owner.runs.values()].find((r) => r.jobId === id)!;
    await waitFor(
      () => [...owner.runs.values()].find((r) => r.jobId === id)?.endedAt,
      5_000,
      'the stale handler to stop',
    );
    const ended = [...owner.runs.values()].find((r) => r.jobId === id)!;
    expect(ended.aborted).toBe(true);
    expect(ended.endedAt! - resumedAt).toBeLessThan(1_000);
    expect(stale.startedAt).toBeLessThan(resumedAt);
  });
});

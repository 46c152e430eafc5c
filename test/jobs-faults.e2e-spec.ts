import { parseDbUrl } from '../src/config/app-config';
import { createDataSource } from '../src/database/data-source';
import { JobsService } from '../src/jobs/jobs.service';
import { JobLeaseStore } from '../src/jobs/lease-store';
import { JobScheduler } from '../src/jobs/scheduler.service';
import { countQueries } from './support/query-counter';
import { TestJobTypesModule, testSleepRuns } from './support/test-job-types';
import { createTestApp, TestApp } from './support/test-app';
import { sleep, waitFor } from './support/wait';

/**
 * The engine under faults (issue 8): lost leases, stalls, PUT races, stubborn
 * handlers, deletions, round trips. Two instances share one database where a test
 * needs another instance to take a run over.
 */
jest.setTimeout(90_000);

interface LogRow {
  id: number;
  event: string | null;
  data: string | Record<string, any> | null;
  stored: string | Date;
}

const parse = (d: LogRow['data']) => (typeof d === 'string' ? JSON.parse(d) : d) ?? {};

function api(t: TestApp) {
  const auth = (r: any) => r.set('Authorization', t.adminAuth);
  return {
    post: (body: object, type = 'test-sleep') =>
      auth(t.http().post(`${t.base}/jobs/${type}`)).send(body),
    put: (id: number, body: object) =>
      auth(t.http().put(`${t.base}/jobs/test-sleep/${id}`)).send(body),
    get: (path: string) => auth(t.http().get(`${t.base}/${path}`)),
    del: (path: string) => auth(t.http().delete(`${t.base}/jobs/${path}`)),
    /** Log entries of a job, oldest first, progress left out. */
    logs: async (id: number): Promise<LogRow[]> =>
      t.dataSource.query(
        `SELECT id, event, data, stored FROM logs WHERE job_id = ${Number(id)} AND event <> 'progress' ORDER BY id`,
      ),
    row: async (id: number) =>
      (
        await t.dataSource.query(
          `SELECT running, ran, success, next_run_at, lease_owner, version FROM jobs WHERE id = ${Number(id)}`,
        )
      )[0],
  };
}

const events = (rows: LogRow[]) => rows.map((r) => r.event);

/** The instance (of `apps`) whose scheduler holds the job's run. */
async function ownerOf(apps: TestApp[], id: number): Promise<TestApp> {
  const row = await waitFor(async () => {
    const [r] = await apps[0].dataSource.query(
      `SELECT lease_owner FROM jobs WHERE id = ${id} AND running = 1`,
    );
    return r?.lease_owner ? r : null;
  }, 10_000);
  return apps.find((x) => x.app.get(JobScheduler).instanceId === row.lease_owner)!;
}

const runsOf = (id: number) => testSleepRuns.filter((r) => r.jobId === id);

function expectNoOverlap(id: number) {
  const runs = runsOf(id);
  for (let i = 1; i < runs.length; i++) {
    expect(runs[i].startedAt).toBeGreaterThanOrEqual(runs[i - 1].endedAt ?? Infinity);
  }
}

describe('Lost leases (e2e)', () => {
  const env = { JOBS_LEASE_MS: '1500', JOBS_POLL_MS: '50' };
  let a: TestApp;
  let b: TestApp;

  beforeEach(async () => {
    testSleepRuns.length = 0;
    a = await createTestApp({ env, imports: [TestJobTypesModule] });
    b = await createTestApp({ dbUrl: a.dbUrl, env, imports: [TestJobTypesModule] });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await b?.close();
    await a?.close();
  });

  it('a run whose heartbeats fail stops before its lease lapses, ends interrupted, and the retry does not overlap it', async () => {
    const id = (await api(a).post({ repeat: 'now', ms: 3000, store: 'default' }).expect(201)).body
      .data.id;
    const owner = await ownerOf([a, b], id);
    const other = owner === a ? b : a;
    // The owner's link to the database fails for heartbeats and polls; the other instance is fine.
    const leases = owner.app.get(JobLeaseStore);
    jest.spyOn(leases, 'heartbeat').mockRejectedValue(new Error('database unreachable'));
    jest.spyOn(leases, 'due').mockResolvedValue([]);

    // The close comes first, then its entry: wait for the entry.
    await waitFor(
      async () => events(await api(a).logs(id)).includes('passed'),
      20_000,
      'the retry',
    );
    const logs = await api(a).logs(id);
    expect(events(logs)).toEqual(['created', 'started', 'interrupted', 'started', 'passed']);
    const started = logs.filter((l) => l.event === 'started').map((l) => parse(l.data).instance);
    const scheduler = (t: TestApp) => t.app.get(JobScheduler).instanceId;
    expect(started).toEqual([scheduler(owner), scheduler(other)]);
    const runs = runsOf(id);
    expect(runs).toHaveLength(2);
    expect(runs[0].aborted).toBe(true);
    expectNoOverlap(id);
    expect(Number((await api(a).row(id)).success)).toBe(1);
  });

  it('a stalled owner (event loop blocked longer than the lease) neither writes passed nor overlaps the retry', async () => {
    const id = (await api(a).post({ repeat: 'now', ms: 2500, store: 'default' }).expect(201)).body
      .data.id;
    await ownerOf([a, b], id);
    await waitFor(
      async () => runsOf(id).length === 1 && events(await api(a).logs(id)).includes('started'),
    );
    // Both instances live in this process: both stall, as in a VM pause.
    const stallEnd = Date.now() + 2_000;
    while (Date.now() < stallEnd) {
      // blocked
    }
    // The close comes first, then its entry: wait for the entry.
    await waitFor(
      async () => events(await api(a).logs(id)).includes('passed'),
      20_000,
      'the retry',
    );
    const logs = await api(a).logs(id);
    expect(events(logs)).toEqual(['created', 'started', 'interrupted', 'started', 'passed']);
    const [stalled, retry] = runsOf(id);
    expect(runsOf(id)).toHaveLength(2);
    expect(stalled.aborted).toBe(true);
    // Both instances stall together in this process, so whose overdue timers fire first
    // is the event loop's choice: the retry may start in the very millisecond the stalled
    // run stops (seen once: 1 ms before). What the lease guarantees here: the stalled run
    // stops at its first check after the stall, long before the retry's 2.5 s are done,
    // and writes nothing as its own (the log above: interrupted, not passed).
    expect(stalled.endedAt! - stallEnd).toBeLessThan(1_000);
    expect(stalled.endedAt!).toBeLessThan(retry.startedAt + 1_000);
    expect(retry.endedAt!).toBeGreaterThan(stalled.endedAt!);
  });
});

describe('PUT racing a run (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    testSleepRuns.length = 0;
    t = await createTestApp({ imports: [TestJobTypesModule], env: { JOBS_POLL_MS: '50' } });
  });
  afterAll(async () => t.close());
  afterEach(() => jest.restoreAllMocks());

  it('a PUT while a run closes is kept: the next fire follows the new definition', async () => {
    const a = api(t);
    const leases = t.app.get(JobLeaseStore);
    const close = leases.close.bind(leases);
    let id = 0;
    jest.spyOn(leases, 'close').mockImplementationOnce(async (...args) => {
      await a.put(id, { repeat: 'everyMinute', ms: 200 }).expect(200);
      return close(...args);
    });
    const res = await a.post({
      repeat: 'dailyAt',
      time: '03:00',
      replay: true,
      ms: 200,
      store: 'default',
    });
    id = res.body.data.id;
    await waitFor(async () => Number((await a.row(id)).ran) === 1, 10_000, 'the run');
    const job = (await a.get(`jobs/test-sleep/${id}`).expect(200)).body.data;
    expect(job.repeat).toBe('everyMinute');
    // The next minute boundary, not tomorrow 03:00.
    const next = new Date(job.next_run_at).getTime();
    expect(next - new Date(job.completed_at).getTime()).toBeLessThanOrEqual(60_000);
    expect(next % 60_000).toBe(0);
  });

  it('a PUT racing a claim never gives the running row a future next_run_at', async () => {
    const a = api(t);
    const service = t.app.get(JobsService) as any;
    const prepare = service.prepare.bind(service);
    const date = new Date(Date.now() + 1_500).toISOString();
    const id = (await a.post({ repeat: 'on', date, ms: 1500, store: 'default' }).expect(201)).body
      .data.id;
    // The PUT reads the job before its fire, then the claim comes before the PUT writes.
    jest.spyOn(service, 'prepare').mockImplementationOnce(async (...args: unknown[]) => {
      await waitFor(async () => Number((await a.row(id)).running) === 1, 10_000, 'the claim');
      return prepare(...args);
    });
    await a.put(id, { repeat: 'dailyAt', time: '03:00', ms: 1500 }).expect(200);
    const during = await a.row(id);
    expect(Number(during.running)).toBe(1);
    // Still the fire being run: were this instance to die now, the run would be retried.
    expect(new Date(during.next_run_at).getTime()).toBeLessThanOrEqual(Date.now());
    await waitFor(async () => Number((await a.row(id)).ran) === 1, 10_000, 'the run');
    const after = await a.row(id);
    expect(new Date(after.next_run_at).toISOString()).toMatch(/T03:00:00\.000Z$/);
    expect(new Date(after.next_run_at).getTime()).toBeGreaterThan(Date.now());
  });
});

describe('Cancel (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    testSleepRuns.length = 0;
    t = await createTestApp({ imports: [TestJobTypesModule] });
  });
  afterAll(async () => t.close());

  it('waits for a handler that ignores its signal (its slot stays taken); the log stays readable after the deletion', async () => {
    const a = api(t);
    const scheduler = t.app.get(JobScheduler);
    const id = (
      await a.post({ repeat: 'now', ms: 6500, ignore_signal: true, store: 'default' }).expect(201)
    ).body.data.id;
    await waitFor(async () => runsOf(id).length === 1, 5_000, 'the run');
    await a.del(`test-sleep/${id}`).expect(204);
    await sleep(5_500);
    expect(events(await a.logs(id))).toEqual(['created', 'started', 'deleted']);
    expect(scheduler.runningCount).toBe(1);
    const logs = await waitFor(async () => {
      const rows = await a.logs(id);
      return rows.some((r) => r.event === 'cancelled') ? rows : null;
    }, 10_000);
    const cancelledAt = new Date(logs.find((r) => r.event === 'cancelled')!.stored).getTime();
    expect(runsOf(id)[0].endedAt).toBeLessThanOrEqual(cancelledAt + 5);
    await waitFor(() => scheduler.runningCount === 0, 2_000, 'the slot freed');
    // Gone as a job, its log still readable (and only under its own type).
    await a.get(`jobs/test-sleep/${id}`).expect(404);
    const view = await a.get(`jobs/test-sleep/${id}/logs`).expect(200);
    expect(view.body.data.map((e: { event: string }) => e.event)).toEqual(
      expect.arrayContaining(['started', 'deleted', 'cancelled']),
    );
    await a.get(`jobs/test-note/${id}/logs`).expect(404);
  });

  it('stores-deletion cancels the running jobs of the store through the engine, and nothing is logged into the gone store', async () => {
    const a = api(t);
    await a.get('stores').expect(200);
    const created = await t
      .http()
      .post(`${t.base}/stores`)
      .set('Authorization', t.adminAuth)
      .send({ slug: 'doomed', name: 'Doomed' })
      .expect(201);
    const storeId = created.body.data.id;
    const id = (await a.post({ repeat: 'now', ms: 20_000, store: 'doomed' }).expect(201)).body.data
      .id;
    await waitFor(async () => runsOf(id).length === 1, 5_000, 'the run');
    const del = await a.post({ repeat: 'now', store_id: storeId }, 'stores-deletion').expect(201);
    const doneAt = await waitFor(
      async () => {
        const r = await a.row(del.body.data.id);
        return Number(r.ran) === 1 ? r : null;
      },
      20_000,
      'the deletion',
    );
    expect(Number(doneAt.success)).toBe(1);
    expect(runsOf(id)[0].aborted).toBe(true);
    await sleep(1_500);
    const [{ n }] = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM logs WHERE store_id = ${Number(storeId)}`,
    );
    expect(Number(n)).toBe(0);
    expect(await t.dataSource.query(`SELECT id FROM jobs WHERE id = ${Number(id)}`)).toEqual([]);
    expect(t.app.get(JobScheduler).runningCount).toBe(0);
  });
});

describe('Cancel across instances (e2e)', () => {
  it('reaches the owning instance within about a second (default lease of 30 s)', async () => {
    testSleepRuns.length = 0;
    const a = await createTestApp({ imports: [TestJobTypesModule] });
    const b = await createTestApp({ dbUrl: a.dbUrl, imports: [TestJobTypesModule] });
    try {
      const id = (await api(a).post({ repeat: 'now', ms: 20_000, store: 'default' })).body.data.id;
      const owner = await ownerOf([a, b], id);
      await waitFor(async () => runsOf(id).length === 1);
      const t0 = Date.now();
      await api(owner === a ? b : a)
        .del(`test-sleep/${id}`)
        .expect(204);
      await waitFor(async () => runsOf(id)[0].aborted, 10_000, 'the cancel');
      expect(Date.now() - t0).toBeLessThan(3_000); // a heartbeat a second apart; it was 10 s
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('Round trips (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    testSleepRuns.length = 0;
    // No poll during the measure: the run is started by its own next-fire timer.
    t = await createTestApp({ imports: [TestJobTypesModule], env: { JOBS_POLL_MS: '60000' } });
  });
  afterAll(async () => t.close());

  it('a short run costs at most 8 statements, poll, claim and close included', async () => {
    const watcher = await createDataSource({ db: parseDbUrl(t.dbUrl) }).initialize();
    try {
      const date = new Date(Date.now() + 1_500).toISOString();
      const id = (await api(t).post({ repeat: 'on', date, ms: 0, store: 'default' }).expect(201))
        .body.data.id;
      await sleep(300);
      const counter = countQueries(t.dataSource);
      await waitFor(
        async () => {
          const [r] = await watcher.query(`SELECT ran FROM jobs WHERE id = ${Number(id)}`);
          return Number(r.ran) === 1;
        },
        10_000,
        'the run',
      );
      await sleep(200);
      counter.stop();
      // Heartbeats (one a second for all runs, and their follow-up read) are not the run's.
      const heartbeat = /lease_token[`"]? IN|AS [`"]Job_lease_until[`"] FROM/;
      const run = counter.statements.filter((s) => !heartbeat.test(s));
      console.log(`statements of one short run (${run.length}):\n${run.join('\n')}`);
      expect(run.length).toBeLessThanOrEqual(8);
      // One transaction, around the close and its entry; no log insert wrapped alone.
      const wrappers = run.filter((s) => /^(START TRANSACTION|BEGIN|COMMIT)/i.test(s));
      expect(wrappers.length).toBeLessThanOrEqual(2);
    } finally {
      await watcher.destroy();
    }
  });

  it('heartbeats of several runs go in one statement', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await api(t).post({ repeat: 'now', ms: 3_500, store: 'default' }).expect(201)).body.data
          .id,
      );
    }
    await waitFor(async () => ids.every((id) => runsOf(id).length === 1), 10_000, 'three runs');
    const counter = countQueries(t.dataSource);
    await sleep(2_500);
    counter.stop();
    const beats = counter.statements.filter((s) => /SET [`"]?lease_until[`"]? =/.test(s));
    // One a second for the three runs (a tick or so of slack), not one per run.
    expect(beats.length).toBeGreaterThanOrEqual(1);
    expect(beats.length).toBeLessThanOrEqual(4);
    expect(beats.every((s) => /lease_token[`"]? IN/.test(s))).toBe(true);
    await waitFor(async () => t.app.get(JobScheduler).runningCount === 0, 10_000);
  });
});

import { parseDbUrl } from '../src/config/app-config';
import { createDataSource } from '../src/database/data-source';
import { JobScheduler } from '../src/jobs/scheduler.service';
import { crashInstance } from './support/crash';
import { TestJobTypesModule, testSleepRuns } from './support/test-job-types';
import { createTestApp, secondNodeUrl, TestApp } from './support/test-app';
import { sleep, waitFor } from './support/wait';

interface LogRow {
  id: number;
  event: string | null;
  success: boolean | number | null;
  message: string;
  data: string | Record<string, unknown> | null;
}

function api(t: TestApp) {
  return {
    post: (type: string, body: object) =>
      t.http().post(`${t.base}/jobs/${type}`).set('Authorization', t.adminAuth).send(body),
    put: (type: string, id: number, body: object) =>
      t.http().put(`${t.base}/jobs/${type}/${id}`).set('Authorization', t.adminAuth).send(body),
    get: (path: string) => t.http().get(`${t.base}/jobs/${path}`).set('Authorization', t.adminAuth),
    del: (path: string) =>
      t.http().delete(`${t.base}/jobs/${path}`).set('Authorization', t.adminAuth),
    /** The job's log entries, oldest first, straight from the database. */
    logs: async (jobId: number): Promise<LogRow[]> =>
      t.dataSource.query(
        `SELECT id, event, success, message, data FROM logs WHERE job_id = ${Number(jobId)} ORDER BY id`,
      ),
    job: async (type: string, id: number) =>
      (await t.http().get(`${t.base}/jobs/${type}/${id}`).set('Authorization', t.adminAuth)).body
        .data,
  };
}

const events = (rows: LogRow[]) => rows.map((r) => r.event);

describe('Job runs (e2e)', () => {
  let t: TestApp;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    testSleepRuns.length = 0; // job ids restart with each database
    t = await createTestApp({ imports: [TestJobTypesModule] });
    a = api(t);
  });
  afterAll(async () => t.close());

  it('runs a `now` job within 2 seconds; it stays listed with ran 1 and nothing more due', async () => {
    const res = await a.post('test-sleep', { repeat: 'now', ms: 50, store: 'default' }).expect(201);
    const id = res.body.data.id;
    const job = await waitFor(
      async () => {
        const j = await a.job('test-sleep', id);
        return j.ran === 1 ? j : null;
      },
      5000,
      'the now job to run',
    );
    // Started within 2 s of its creation, as the server recorded both.
    const delay = new Date(job.started_at).getTime() - new Date(job.created_at).getTime();
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(2000);
    expect(job).toMatchObject({
      running: false,
      ran: 1,
      success: true,
      feedback: 'slept 50 ms',
      next_run_at: null,
      progress: null,
    });
    expect(new Date(job.started_at).getTime()).toBeLessThanOrEqual(
      new Date(job.completed_at).getTime(),
    );
    const logs = await a.logs(id);
    // Its creation first (who, what), then the run.
    expect(events(logs)).toEqual(['created', 'started', 'passed']);
    expect(logs[2].message).toBe('slept 50 ms');
    expect(testSleepRuns.filter((r) => r.jobId === id)).toHaveLength(1);
    // The handler's state persisted.
    const [row] = await t.dataSource.query(`SELECT state FROM jobs WHERE id = ${id}`);
    const state = typeof row.state === 'string' ? JSON.parse(row.state) : row.state;
    expect(state).toEqual({ runs: 1 });
    // Listed until deleted; it does not run again by itself.
    await sleep(300);
    expect((await a.job('test-sleep', id)).ran).toBe(1);
    expect((await a.get('test-sleep').expect(200)).body.data.map((j: any) => j.id)).toContain(id);
  });

  it('records a failing run with its cause, and keeps serving', async () => {
    const res = await a.post('test-sleep', { repeat: 'now', ms: 1, fail: true, store: 'default' });
    const id = res.body.data.id;
    const job = await waitFor(async () => {
      const j = await a.job('test-sleep', id);
      return j.ran === 1 ? j : null;
    });
    expect(job).toMatchObject({ success: false, feedback: 'Failed: told to fail', running: false });
    const logs = await a.logs(id);
    expect(events(logs)).toEqual(['created', 'started', 'failed']);
    expect(logs[2].message).toContain('told to fail');
    expect(!!logs[2].success).toBe(false);
    await t.http().get('/health').expect(200);
  });

  it('runs an `on` job whose date is past at once, once', async () => {
    const res = await a.post('test-sleep', {
      repeat: 'on',
      date: '2020-01-01',
      ms: 1,
      store: 'default',
    });
    const id = res.body.data.id;
    await waitFor(async () => (await a.job('test-sleep', id)).ran === 1, 5000, 'the on job');
    await sleep(300);
    const job = await a.job('test-sleep', id);
    expect(job).toMatchObject({ ran: 1, next_run_at: null, success: true });
  });

  it('cancels a running run on DELETE', async () => {
    const res = await a.post('test-sleep', { repeat: 'now', ms: 20_000, store: 'default' });
    const id = res.body.data.id;
    await waitFor(async () => (await a.job('test-sleep', id)).running, 5000, 'the run to start');
    const t0 = Date.now();
    await a.del(`test-sleep/${id}`).expect(204);
    const logs = await waitFor(async () => {
      const rows = await a.logs(id);
      return rows.some((r) => r.event === 'cancelled') ? rows : null;
    }, 6000);
    expect(Date.now() - t0).toBeLessThan(8000); // the run would last 20 s
    // The deletion is logged (who, what) when asked; `cancelled` once the handler stopped.
    expect(events(logs).filter((e) => e !== 'progress')).toEqual([
      'created',
      'started',
      'deleted',
      'cancelled',
    ]);
    expect(testSleepRuns.find((r) => r.jobId === id)?.aborted).toBe(true);
    expect(await t.dataSource.query(`SELECT id FROM jobs WHERE id = ${id}`)).toEqual([]);
  });

  it('DELETE of all jobs cancels the running ones too', async () => {
    const res = await a.post('test-sleep', { repeat: 'now', ms: 20_000 }).expect(201);
    const ids: number[] = res.body.data.map((j: { id: number }) => j.id);
    await waitFor(
      async () =>
        (await Promise.all(ids.map((id) => a.job('test-sleep', id)))).every((j) => j.running),
      5000,
    );
    await a.del('test-sleep').expect(204);
    for (const id of ids) {
      await waitFor(async () => (await a.logs(id)).some((r) => r.event === 'cancelled'), 6000);
    }
  });

  it('replay: runs a scheduled job once at once; the flag reads true until that run starts', async () => {
    const res = await a
      .post('test-sleep', {
        repeat: 'dailyAt',
        time: '03:00',
        ms: 1000,
        store: 'default',
        replay: true,
      })
      .expect(201);
    const id = res.body.data.id;
    expect(res.body.data.replay).toBe(true);
    const running = await waitFor(async () => {
      const j = await a.job('test-sleep', id);
      return j.running ? j : null;
    }, 5000);
    expect(running.replay).toBe(false);
    const done = await waitFor(async () => {
      const j = await a.job('test-sleep', id);
      return j.ran === 1 && !j.running ? j : null;
    }, 6000);
    expect(new Date(done.next_run_at).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(done.next_run_at).toISOString()).toMatch(/T03:00:00\.000Z$/);
    // Asked again during a run: runs again after it; asked and withdrawn: does not.
    await a
      .put('test-sleep', id, { repeat: 'dailyAt', time: '03:00', ms: 1000, replay: true })
      .expect(200);
    await waitFor(async () => (await a.job('test-sleep', id)).running, 5000);
    const asked = await a
      .put('test-sleep', id, { repeat: 'dailyAt', time: '03:00', ms: 1000, replay: true })
      .expect(200);
    expect(asked.body.data.replay).toBe(true);
    await waitFor(async () => (await a.job('test-sleep', id)).ran === 3, 8000, 'the second replay');
    await a
      .put('test-sleep', id, { repeat: 'dailyAt', time: '03:00', ms: 1000, replay: true })
      .expect(200);
    await waitFor(async () => (await a.job('test-sleep', id)).running, 5000);
    await a
      .put('test-sleep', id, { repeat: 'dailyAt', time: '03:00', ms: 1000, replay: true })
      .expect(200);
    const withdrawn = await a
      .put('test-sleep', id, { repeat: 'dailyAt', time: '03:00', ms: 1000, replay: false })
      .expect(200);
    expect(withdrawn.body.data.replay).toBe(false);
    await waitFor(async () => (await a.job('test-sleep', id)).ran === 4, 6000);
    await sleep(500);
    const last = await a.job('test-sleep', id);
    expect(last).toMatchObject({ ran: 4, running: false, replay: false });
    expect(events(await a.logs(id)).filter((e) => e === 'started')).toHaveLength(4);
  });
});

describe('Job runs with a short minute (e2e)', () => {
  let t: TestApp;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    testSleepRuns.length = 0; // job ids restart with each database
    t = await createTestApp({
      imports: [TestJobTypesModule],
      env: { JOBS_MINUTE_MS: '500', JOBS_LEASE_MS: '1500' },
    });
    a = api(t);
  });
  afterAll(async () => t.close());

  it('skips the fires that come while a run is going, logging each one, and reports progress', async () => {
    const res = await a.post('test-sleep', { repeat: 'everyMinute', ms: 1300, store: 'default' });
    const id = res.body.data.id;
    const during = await waitFor(
      async () => {
        const j = await a.job('test-sleep', id);
        return j.running && j.progress ? j : null;
      },
      6000,
      'progress on the record',
    );
    expect(during.progress).toMatchObject({ total: 1300 });
    await waitFor(async () => (await a.job('test-sleep', id)).ran >= 1, 8000, 'the first run');
    await a.del(`test-sleep/${id}`).expect(204);
    const logs = await a.logs(id);
    expect(events(logs)[0]).toBe('created');
    const firstRun = events(logs).slice(1, events(logs).indexOf('passed') + 1);
    expect(firstRun[0]).toBe('started');
    expect(firstRun.filter((e) => e === 'progress').length).toBeGreaterThan(0);
    // One `skipped` entry per fire that came during the run (1.3 s of 0.5 s minutes).
    const skipped = logs
      .slice(1, events(logs).indexOf('passed'))
      .filter((r) => r.event === 'skipped')
      .map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data));
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    expect(new Set(skipped.map((d) => d.fire_at)).size).toBe(skipped.length);
    for (const d of skipped) {
      expect(d.count).toBe(skipped.length);
      expect(new Date(d.fire_at).getTime() % 500).toBe(0);
    }
    // A job never runs twice at once: the runs did not overlap.
    const runs = testSleepRuns.filter((r) => r.jobId === id);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i].startedAt).toBeGreaterThanOrEqual(runs[i - 1].endedAt ?? Infinity);
    }
  });

  it('logs the fires skipped during a run that ends cancelled', async () => {
    const res = await a.post('test-sleep', { repeat: 'everyMinute', ms: 20_000, store: 'default' });
    const id = res.body.data.id;
    const run = await waitFor(
      async () => {
        const j = await a.job('test-sleep', id);
        return j.running ? j : null;
      },
      6000,
      'the run to start',
    );
    // Two fire times (0.5 s minutes) come and go while the run is going.
    await waitFor(
      async () => Date.now() - new Date(run.started_at).getTime() > 1_200,
      5000,
      'two fires during the run',
    );
    await a.del(`test-sleep/${id}`).expect(204);
    const logs = await waitFor(
      async () => {
        const rows = await a.logs(id);
        return rows.some((r) => r.event === 'cancelled') ? rows : null;
      },
      6000,
      'the cancellation',
    );
    const runEvents = events(logs).filter((e) => e !== 'progress');
    expect(runEvents.slice(0, 2)).toEqual(['created', 'started']);
    expect(runEvents[runEvents.length - 1]).toBe('cancelled');
    const skipped = logs
      .filter((r) => r.event === 'skipped')
      .map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data));
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    for (const d of skipped) {
      expect(d.count).toBe(skipped.length);
      expect(new Date(d.fire_at).getTime()).toBeGreaterThan(new Date(run.started_at).getTime());
    }
  });

  it('cancels a run on another instance when the job is deleted (its heartbeat finds no row)', async () => {
    const other = await createTestApp({
      dbUrl: secondNodeUrl(t.dbUrl),
      imports: [TestJobTypesModule],
      env: { JOBS_MINUTE_MS: '500', JOBS_LEASE_MS: '1500' },
    });
    try {
      const res = await a.post('test-sleep', { repeat: 'now', ms: 20_000, store: 'default' });
      const id = res.body.data.id;
      await waitFor(
        async () => (await a.logs(id)).some((r) => r.event === 'started'),
        5000,
        'the started entry',
      );
      const [{ lease_owner: owner }] = await t.dataSource.query(
        `SELECT lease_owner FROM jobs WHERE id = ${id}`,
      );
      const remote = owner === t.app.get(JobScheduler).instanceId ? other : t;
      const t0 = Date.now();
      await api(remote).del(`test-sleep/${id}`).expect(204);
      await waitFor(
        async () => (await a.logs(id)).some((r) => r.event === 'cancelled'),
        6000,
        'the cancellation',
      );
      // Within a heartbeat (a third of the lease), not at the end of the 20 s run.
      expect(Date.now() - t0).toBeLessThan(8000); // the run would last 20 s
      expect(testSleepRuns.find((r) => r.jobId === id)?.aborted).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('retries the run of an instance that died, once its lease lapses', async () => {
    const other = await createTestApp({
      dbUrl: secondNodeUrl(t.dbUrl),
      imports: [TestJobTypesModule],
      env: { JOBS_MINUTE_MS: '500', JOBS_LEASE_MS: '1500' },
    });
    try {
      // Whichever instance took the run dies; the other one must retry it.
      const res = await api(other).post('test-sleep', {
        repeat: 'now',
        ms: 1500,
        store: 'default',
      });
      const id = res.body.data.id;
      // Mid-run: started, and its handler going.
      await waitFor(async () => testSleepRuns.some((r) => r.jobId === id), 5000, 'the run');
      await waitFor(
        async () => (await a.logs(id)).some((r) => r.event === 'started'),
        5000,
        'the started entry',
      );
      const [{ lease_owner: first }] = await t.dataSource.query(
        `SELECT lease_owner FROM jobs WHERE id = ${id}`,
      );
      const owner = [t, other].find((x) => x.app.get(JobScheduler).instanceId === first)!;
      const survivor = owner === t ? other : t;
      await crashInstance(owner);
      const done = await waitFor(
        async () => {
          const j = await api(survivor).job('test-sleep', id);
          return j.ran === 1 ? j : null;
        },
        6000,
        'the retry',
      );
      expect(done.success).toBe(true);
      // The retry of the lost run starts from that run's start (its `until` base).
      const attempts = testSleepRuns.filter((r) => r.jobId === id);
      expect(attempts).toHaveLength(2);
      expect(attempts[1].runStart).toBe(attempts[0].runStart);
      // Read through the survivor: the dead instance has no connection any more.
      const logs = await api(survivor).logs(id);
      // The survivor closes the lost run (`interrupted`) and retries it.
      expect(events(logs).filter((e) => e !== 'progress')).toEqual([
        'created',
        'started',
        'interrupted',
        'started',
        'passed',
      ]);
      const retry = logs.filter((r) => r.event === 'started')[1];
      const data = typeof retry.data === 'string' ? JSON.parse(retry.data) : retry.data;
      expect(data).toMatchObject({
        retry: true,
        instance: survivor.app.get(JobScheduler).instanceId,
      });
    } finally {
      await other.close();
    }
  });

  it('the claim retrying a lost run logs the fires skipped while that run was going', async () => {
    const other = await createTestApp({
      dbUrl: secondNodeUrl(t.dbUrl),
      imports: [TestJobTypesModule],
      env: { JOBS_MINUTE_MS: '500', JOBS_LEASE_MS: '1500' },
    });
    try {
      const res = await api(other).post('test-sleep', {
        repeat: 'everyMinute',
        ms: 20_000,
        store: 'default',
      });
      const id = res.body.data.id;
      await waitFor(async () => testSleepRuns.some((r) => r.jobId === id), 5000, 'the run');
      const [{ lease_owner: first }] = await t.dataSource.query(
        `SELECT lease_owner FROM jobs WHERE id = ${id}`,
      );
      const startedAt = (await a.job('test-sleep', id)).started_at;
      const owner = [t, other].find((x) => x.app.get(JobScheduler).instanceId === first)!;
      const survivor = owner === t ? other : t;
      await crashInstance(owner);
      const logs = await waitFor(
        async () => {
          const rows = await api(survivor).logs(id);
          return rows.some((r) => r.event === 'interrupted') ? rows : null;
        },
        6000,
        'the retry',
      );
      await api(survivor).del(`test-sleep/${id}`).expect(204);
      const lost = events(logs).slice(0, events(logs).indexOf('interrupted') + 2);
      const kept = lost.filter((e) => e !== 'progress' && e !== 'skipped');
      expect(kept).toEqual(['created', 'started', 'interrupted', 'started']);
      // The lease (1.5 s) lapsed before the retry: two fires or more came meanwhile.
      const skipped = logs
        .filter((r) => r.event === 'skipped')
        .map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data));
      expect(skipped.length).toBeGreaterThanOrEqual(2);
      const lostStart = new Date(startedAt).getTime();
      for (const d of skipped) {
        expect(d.count).toBe(skipped.length);
        expect(new Date(d.fire_at).getTime()).toBeGreaterThan(lostStart);
      }
      // Logged with the retry's claim, before its `interrupted`.
      expect(lost.lastIndexOf('skipped')).toBeLessThan(lost.indexOf('interrupted'));
    } finally {
      await other.close();
    }
  });
});

describe('An idle instance (e2e)', () => {
  it('polls less often while nothing is due, and still starts a fire moved by a PUT on time', async () => {
    // Poll 50 ms: idle, the pause doubles up to ten intervals (500 ms).
    const t = await createTestApp({ imports: [TestJobTypesModule], env: { JOBS_POLL_MS: '50' } });
    try {
      const scheduler = t.app.get(JobScheduler);
      expect(scheduler.idlePollMs).toBe(500);
      const a = api(t);
      const far = new Date(Date.now() + 3_600_000).toISOString();
      const id = (await a.post('test-sleep', { repeat: 'on', date: far, ms: 10, store: 'default' }))
        .body.data.id;
      let polls = 0;
      t.dataSource.subscribers.push({
        afterQuery: (e: { query: string }) => {
          if (/^\s*SELECT\b[\s\S]*\bFROM\s+[`"]?jobs\b/i.test(e.query)) polls++;
        },
      });
      await sleep(3_000);
      // 50, 100, 200, 400, then 500 ms apart: about 8 polls in 3 s, where 60 were made before.
      expect(polls).toBeGreaterThan(0);
      expect(polls).toBeLessThanOrEqual(12);
      // A PUT moves the fire to 400 ms from now: the next poll comes within a poll interval
      // and arms its timer, so the idle pause does not make it late.
      const dueAt = Date.now() + 400;
      await a
        .put('test-sleep', id, {
          repeat: 'on',
          date: new Date(dueAt).toISOString(),
          ms: 10,
          store: 'default',
        })
        .expect(200);
      const job = await waitFor(
        async () => {
          const j = await a.job('test-sleep', id);
          return j.ran === 1 ? j : null;
        },
        5_000,
        'the moved fire',
      );
      expect(new Date(job.started_at).getTime() - dueAt).toBeLessThan(300);
    } finally {
      await t.close();
    }
  });
});

describe('Graceful shutdown (e2e)', () => {
  it('lets runs finish for the grace period, then releases them so that another instance retries', async () => {
    testSleepRuns.length = 0; // job ids restart with each database
    const t = await createTestApp({
      imports: [TestJobTypesModule],
      env: { JOBS_SHUTDOWN_GRACE_MS: '300', JOBS_MINUTE_MS: '500' },
    });
    const a = api(t);
    const quick = (await a.post('test-sleep', { repeat: 'now', ms: 150, store: 'default' })).body
      .data;
    const slow = (await a.post('test-sleep', { repeat: 'now', ms: 20_000, store: 'default' })).body
      .data;
    // A scheduled job whose run outlasts two fires: they are logged `skipped` at the shutdown.
    const minutely = (
      await a.post('test-sleep', { repeat: 'everyMinute', ms: 20_000, store: 'default' })
    ).body.data;
    await waitFor(async () => (await a.job('test-sleep', slow.id)).running, 5000);
    const minutelyRun = await waitFor(async () => {
      const j = await a.job('test-sleep', minutely.id);
      return j.running ? j : null;
    }, 6000);
    await waitFor(
      async () => Date.now() - new Date(minutelyRun.started_at).getTime() > 1_200,
      5000,
    );
    await waitFor(
      async () =>
        (await a.job('test-sleep', quick.id)).running || (await a.job('test-sleep', quick.id)).ran,
      5000,
    );
    const dbUrl = t.dbUrl;
    await t.close();
    // Looked at between the two instances, before the next one can take the run.
    const ds = await createDataSource({ db: parseDbUrl(dbUrl) }).initialize();
    try {
      const [q] = await ds.query(`SELECT ran, success FROM jobs WHERE id = ${quick.id}`);
      expect(Number(q.ran)).toBe(1);
      expect(!!q.success).toBe(true);
      const [s] = await ds.query(
        `SELECT ran, running, lease_owner, next_run_at FROM jobs WHERE id = ${slow.id}`,
      );
      expect({ ran: Number(s.ran), running: !!s.running, owner: s.lease_owner }).toEqual({
        ran: 0,
        running: false,
        owner: null,
      });
      expect(s.next_run_at).not.toBeNull();
      const lines: { event: string }[] = await ds.query(
        `SELECT event FROM logs WHERE job_id = ${minutely.id} ORDER BY id`,
      );
      const runEvents = lines.map((l) => l.event).filter((e) => e !== 'progress');
      expect(runEvents.slice(0, 2)).toEqual(['created', 'started']);
      expect(runEvents[runEvents.length - 1]).toBe('interrupted');
      expect(runEvents.filter((e) => e === 'skipped').length).toBeGreaterThanOrEqual(2);
    } finally {
      await ds.destroy();
    }
    const next = await createTestApp({ dbUrl, imports: [TestJobTypesModule] });
    try {
      const b = api(next);
      const before = events(await b.logs(slow.id)).filter((e) => e !== 'progress');
      expect(before.slice(0, 3)).toEqual(['created', 'started', 'interrupted']);
      // The next instance retries it (its first poll happens at start).
      await waitFor(async () => (await b.job('test-sleep', slow.id)).running, 6000, 'the retry');
      // From the interrupted run's start (jobs.md's "run start time", the base of `until`),
      // so that the retry acts on what one run would have; the record keeps it too.
      const attempts = await waitFor(async () => {
        const r = testSleepRuns.filter((x) => x.jobId === slow.id);
        return r.length === 2 ? r : null;
      }, 6000);
      expect(attempts[1].startedAt).toBeGreaterThan(attempts[0].startedAt + 300);
      expect(attempts[1].runStart).toBe(attempts[0].runStart);
      expect(new Date((await b.job('test-sleep', slow.id)).started_at).getTime()).toBe(
        attempts[0].runStart,
      );
      await b.del(`test-sleep/${slow.id}`).expect(204);
    } finally {
      await next.close();
    }
  });
});

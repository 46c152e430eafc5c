import { hashSecret } from '../src/access/passwords';
import { Job } from '../src/jobs/job.entity';
import { ConnectionUsage } from '../src/access/connection-usage';
import { TestJobTypesModule } from './support/test-job-types';
import { basic, createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';

/** The Jobs API over HTTP: routes, schedule rules, store modes, filters, errors. */
describe('Jobs API (e2e)', () => {
  let t: TestApp;
  let secondStoreId: number;

  const post = (type: string, body: unknown) =>
    t
      .http()
      .post(`${t.base}/jobs/${type}`)
      .set('Authorization', t.adminAuth)
      .send(body as object);
  const put = (type: string, id: number, body: unknown) =>
    t
      .http()
      .put(`${t.base}/jobs/${type}/${id}`)
      .set('Authorization', t.adminAuth)
      .send(body as object);
  const get = (path: string) =>
    t.http().get(`${t.base}/jobs/${path}`).set('Authorization', t.adminAuth);
  const del = (path: string) =>
    t.http().delete(`${t.base}/jobs/${path}`).set('Authorization', t.adminAuth);

  beforeAll(async () => {
    t = await createTestApp({ imports: [TestJobTypesModule] });
    const now = new Date();
    await t.dataSource
      .createQueryBuilder()
      .insert()
      .into('stores')
      .values({ slug: 'second', name: 'Second store', createdAt: now, updatedAt: now })
      .execute();
    const [row] = await t.dataSource.query(`SELECT id FROM stores WHERE slug = 'second'`);
    secondStoreId = Number(row.id);
  });
  afterAll(async () => t.close());

  // A far-away future keeps these jobs from running during the API tests.
  const later = { repeat: 'on', date: '2099-01-01' };
  /** The record's fields of every type (schedule, run state), not the type's params. */
  const recordFields = Object.fromEntries(
    [
      'id',
      'type',
      'store',
      'client',
      'replay',
      'repeat',
      'date',
      'time',
      'minute',
      'week_day',
      'month_day',
      'month',
      'timezone',
      'running',
      'ran',
      'success',
      'started_at',
      'completed_at',
      'next_run_at',
      'feedback',
      'progress',
      'created_at',
      'updated_at',
    ].map((k) => [k, true]),
  );

  describe('schedule rules', () => {
    const accepted: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['now', {}, {}],
      ['on', { date: '2099-05-01', time: '10:30' }, { date: '2099-05-01', time: '10:30' }],
      ['everyMinute', {}, {}],
      ['hourlyAt', { minute: 15 }, { minute: 15 }],
      ['dailyAt', { time: '03:30' }, { time: '03:30' }],
      ['weeklyOn', { time: '04:00', week_day: 7 }, { time: '04:00', week_day: 7 }],
      ['monthlyOn', { time: '05:00', month_day: 31 }, { time: '05:00', month_day: 31 }],
      [
        'yearlyOn',
        { time: '06:00', month_day: 29, month: 2 },
        { time: '06:00', month_day: 29, month: 2 },
      ],
    ];
    it.each(accepted)('accepts repeat %s with its params', async (repeat, extra, expected) => {
      const res = await post('test-sleep', {
        repeat,
        ...extra,
        ms: 10_000,
        store: 'default',
        replay: false,
      }).expect(201);
      expect(res.body.data).toMatchObject({
        type: 'test-sleep',
        repeat,
        store: 'default',
        ...expected,
      });
      // Each record names every schedule field; unused ones are null.
      for (const f of ['date', 'time', 'minute', 'week_day', 'month_day', 'month']) {
        expect(res.body.data).toHaveProperty(f);
      }
      if (repeat !== 'now') expect(res.body.data.next_run_at).not.toBeNull();
      await del(`test-sleep/${res.body.data.id}`).expect(204);
    });

    const refused: [string, Record<string, unknown>, string[]][] = [
      ['on', {}, ['date']],
      ['hourlyAt', {}, ['minute']],
      ['dailyAt', {}, ['time']],
      ['weeklyOn', { time: '04:00' }, ['week_day']],
      ['weeklyOn', {}, ['time', 'week_day']],
      ['monthlyOn', { time: '05:00' }, ['month_day']],
      ['yearlyOn', { time: '06:00', month_day: 1 }, ['month']],
      ['yearlyOn', {}, ['time', 'month_day', 'month']],
    ];
    it.each(refused)(
      'refuses repeat %s without %j (422 naming the field)',
      async (repeat, extra, fields) => {
        const res = await post('test-sleep', { repeat, ...extra, ms: 1, store: 'default' }).expect(
          422,
        );
        expect(Object.keys(res.body.errors).sort()).toEqual([...fields].sort());
        expect(res.body.errors[fields[0]][0]).toContain(repeat);
      },
    );

    it('refuses values out of range, a bad time, a bad date, an unknown repeat and time zone', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ repeat: 'hourlyAt', minute: 60 }, 'minute'],
        [{ repeat: 'dailyAt', time: '24:00' }, 'time'],
        [{ repeat: 'dailyAt', time: '3:30' }, 'time'],
        [{ repeat: 'weeklyOn', time: '01:00', week_day: 8 }, 'week_day'],
        [{ repeat: 'monthlyOn', time: '01:00', month_day: 0 }, 'month_day'],
        [{ repeat: 'yearlyOn', time: '01:00', month_day: 1, month: 13 }, 'month'],
        // A yearly date that never comes (29 February does, see above).
        [{ repeat: 'yearlyOn', time: '01:00', month_day: 31, month: 4 }, 'month_day'],
        [{ repeat: 'yearlyOn', time: '01:00', month_day: 30, month: 2 }, 'month_day'],
        [{ repeat: 'yearlyOn', time: '01:00', month_day: 31, month: 11 }, 'month_day'],
        [{ repeat: 'on', date: '31/12/2099' }, 'date'],
        [{ repeat: 'on', date: '2099-02-30' }, 'date'],
        [{ repeat: 'sometimes' }, 'repeat'],
        [{}, 'repeat'],
        [{ repeat: 'now', timezone: 'Mars/Olympus' }, 'timezone'],
      ];
      for (const [body, field] of cases) {
        const res = await post('test-sleep', { ...body, ms: 1, store: 'default' });
        expect({ body, status: res.status }).toEqual({ body, status: 422 });
        expect(Object.keys(res.body.errors)).toContain(field);
      }
    });

    it('refuses a body that is not JSON (415) or not a JSON object (422), never a 500', async () => {
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/mixed; boundary=z',
      ]) {
        const res = await t
          .http()
          .post(`${t.base}/jobs/logs-deletion`)
          .set('Authorization', t.adminAuth)
          .set('Content-Type', type)
          .send('{"repeat":"now","max_level":1,"until":"now"}')
          .expect(415);
        expect(res.body.message).toMatch(/application\/json/);
      }
      for (const body of ['[]', '"x"', '12', 'null']) {
        const res = await t
          .http()
          .post(`${t.base}/jobs/logs-deletion`)
          .set('Authorization', t.adminAuth)
          .set('Content-Type', 'application/json')
          .send(body)
          .expect(422);
        expect(res.body.errors).toBeDefined();
      }
    });

    it('ignores the params a repeat mode does not use', async () => {
      const res = await post('test-sleep', {
        repeat: 'hourlyAt',
        minute: 5,
        time: 'not a time',
        week_day: 99,
        month_day: -1,
        month: 'x',
        date: 'never',
        ms: 10,
        store: 'default',
      }).expect(201);
      expect(res.body.data).toMatchObject({
        repeat: 'hourlyAt',
        minute: 5,
        time: null,
        week_day: null,
        month_day: null,
        month: null,
        date: null,
      });
      await del(`test-sleep/${res.body.data.id}`).expect(204);
    });

    it('resolves time "now" to the current HH:MM in the job time zone when saved', async () => {
      const res = await post('test-sleep', {
        repeat: 'dailyAt',
        time: 'now',
        timezone: 'Asia/Tokyo',
        ms: 10,
        store: 'default',
      }).expect(201);
      const tokyo = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Tokyo',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(new Date());
      expect(res.body.data.time).toMatch(/^\d{2}:\d{2}$/);
      // Within a minute of "now" in Tokyo.
      const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
      expect(Math.abs(toMin(res.body.data.time) - toMin(tokyo)) % (24 * 60)).toBeLessThanOrEqual(1);
      expect(res.body.data.timezone).toBe('Asia/Tokyo');
      await del(`test-sleep/${res.body.data.id}`).expect(204);
    });

    it('reports schedule and type param errors together in one 422', async () => {
      const res = await post('test-sleep', { repeat: 'dailyAt', store: 'default' }).expect(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(['ms', 'time']);
      const bad = await post('test-sleep', { repeat: 'now', ms: 'long', store: 'nowhere' });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.body.errors).sort()).toEqual(['ms', 'store']);
    });

    it("refuses a repeat mode the type does not allow, and runs the type's database check", async () => {
      const res = await post('test-note', { repeat: 'everyMinute', note: 'x' }).expect(422);
      expect(res.body.errors.repeat[0]).toContain('now, on');
      const refused = await post('test-note', { repeat: 'now', note: 'refuse' }).expect(422);
      expect(refused.body.errors).toEqual({ note: ['This note is refused.'] });
      expect(await t.dataSource.query(`SELECT id FROM jobs WHERE type = 'test-note'`)).toEqual([]);
    });
  });

  describe('routes', () => {
    it('answers 404 for an unknown type, an unknown job and a job of another type', async () => {
      await post('no-such-type', { repeat: 'now' }).expect(404);
      await get('no-such-type').expect(404);
      await get('no-such-type/1').expect(404);
      await del('no-such-type').expect(404);
      await get('no-such-type/1/logs').expect(404);
      const note = await post('test-note', { ...later, note: 'n' }).expect(201);
      const id = note.body.data.id;
      await get(`test-sleep/${id}`).expect(404);
      await put('test-sleep', id, { repeat: 'now', ms: 1 }).expect(404);
      await del(`test-sleep/${id}`).expect(404);
      await get(`test-sleep/${id}/logs`).expect(404);
      await get('test-note/999999').expect(404);
      await get('test-note/abc').expect(404);
      await get(`test-note/${id}`).expect(200);
      await del(`test-note/${id}`).expect(204);
    });

    it('returns the flat job record of jobs.md, with the type params at the top level', async () => {
      // A field the type does not take is refused, not dropped: a misspelt dry_run would
      // otherwise run for real.
      const unknown = await post('test-sleep', {
        ...later,
        ms: 10,
        store: 'default',
        dry_rnu: true,
        ignored_prop: 'x',
      }).expect(422);
      expect(unknown.body.errors).toEqual({
        dry_rnu: ['is not a field of test-sleep jobs'],
        ignored_prop: ['is not a field of test-sleep jobs'],
      });
      const res = await post('test-sleep', {
        ...later,
        ms: 10,
        service: 'statements',
        store: 'default',
      }).expect(201);
      const job = res.body.data;
      expect(Object.keys(job).sort()).toEqual(
        [
          ...Object.keys(recordFields),
          // Every param of the type, null when unset (jobs.md: the type's own params).
          'ms',
          'service',
          'fail',
          'ignore_signal',
          'connection',
        ].sort(),
      );
      expect(job).toMatchObject({
        type: 'test-sleep',
        store: 'default',
        client: 'admin',
        replay: false,
        repeat: 'on',
        date: '2099-01-01',
        ms: 10,
        service: 'statements',
        fail: null,
        ignore_signal: null,
        connection: null,
        running: false,
        ran: 0,
        success: null,
        started_at: null,
        completed_at: null,
        feedback: null,
        progress: null,
        next_run_at: '2099-01-01T00:00:00.000Z',
      });
      const again = await get(`test-sleep/${job.id}`).expect(200);
      expect(again.body.data).toEqual(job);
      // A GET can be edited and PUT back.
      const edited = await put('test-sleep', job.id, { ...job, ms: 20, date: '2098-06-01' }).expect(
        200,
      );
      expect(edited.body.data).toMatchObject({
        id: job.id,
        ms: 20,
        date: '2098-06-01',
        store: 'default',
      });
      expect(edited.body.data.next_run_at).toBe('2098-06-01T00:00:00.000Z');
      await del(`test-sleep/${job.id}`).expect(204);
    });

    it('shows every param of each built-in type (null when unset) and takes its record back unchanged', async () => {
      const bodies: Record<string, object> = {
        validation: { clear: false, store: 'default' },
        pseudo: { until: '1_month', store: 'default' },
        clearing: { service: 'states', until: '1_week', store: 'default' },
        'agent-deletion': {
          agent: '{"mbox":"mailto:round-trip@example.com"}',
          person: false,
          store: 'default',
        },
        'logs-deletion': { max_level: 1, until: '1_year' },
        'cmi5-tokens-deletion': { until: '1_week', store: 'default' },
      };
      for (const [type, body] of Object.entries(bodies)) {
        const created = (await post(type, { ...later, ...body }).expect(201)).body.data;
        // Every param the type takes is in the record, set or not (jobs.md's record).
        const params = Object.keys(created).filter(
          (k) => !Object.keys(recordFields).includes(k) && k !== 'client',
        );
        expect(params).toEqual(
          expect.arrayContaining(Object.keys(body).filter((k) => k !== 'store')),
        );
        if (['pseudo', 'clearing', 'logs-deletion'].includes(type)) {
          expect(created.until_date).toBeNull();
        }
        if (['validation', 'clearing', 'agent-deletion'].includes(type)) {
          expect(created.dry_run).toBeNull();
        }
        // The record as read is a valid PUT body, and changes nothing.
        const back = (await put(type, created.id, created).expect(200)).body.data;
        expect({ ...back, updated_at: null }).toEqual({ ...created, updated_at: null });
        await del(`${type}/${created.id}`).expect(204);
      }
    });

    it('fans out to one job per store when store is omitted for a per-store type', async () => {
      const res = await post('test-sleep', { ...later, ms: 5 }).expect(201);
      expect(Array.isArray(res.body.data)).toBe(true);
      expect(res.body.data.map((j: { store: string }) => j.store).sort()).toEqual([
        'default',
        'second',
      ]);
      const one = await post('test-sleep', { ...later, ms: 5, store: 'second' }).expect(201);
      expect(Array.isArray(one.body.data)).toBe(false);
      expect(one.body.data.store).toBe('second');
      const rows = await t.dataSource.query(
        `SELECT store_id FROM jobs WHERE type = 'test-sleep' ORDER BY id`,
      );
      expect(rows.map((r: { store_id: number }) => Number(r.store_id))).toContain(secondStoreId);
      await del('test-sleep').expect(204);
    });

    it('keeps the store on a PUT that omits it, and never fans out on PUT', async () => {
      const created = await post('test-sleep', { ...later, ms: 5, store: 'second' }).expect(201);
      const id = created.body.data.id;
      const res = await put('test-sleep', id, { repeat: 'hourlyAt', minute: 7, ms: 6 }).expect(200);
      expect(res.body.data).toMatchObject({
        id,
        store: 'second',
        repeat: 'hourlyAt',
        minute: 7,
        ms: 6,
      });
      expect(res.body.data.date).toBeNull();
      const moved = await put('test-sleep', id, { ...later, ms: 6, store: 'default' }).expect(200);
      expect(moved.body.data.store).toBe('default');
      await put('test-sleep', id, { repeat: 'hourlyAt', ms: 6 }).expect(422);
      const [{ n }] = await t.dataSource.query(
        `SELECT COUNT(*) AS n FROM jobs WHERE type = 'test-sleep'`,
      );
      expect(Number(n)).toBe(1);
      await del(`test-sleep/${id}`).expect(204);
    });

    it('omitted store means every store for an all-when-omitted type', async () => {
      const res = await post('test-note', { ...later, note: 'all' }).expect(201);
      expect(res.body.data.store).toBeNull();
      await del(`test-note/${res.body.data.id}`).expect(204);
    });

    it('filters the list by store and service', async () => {
      await post('test-sleep', { ...later, ms: 1, store: 'default', service: 'statements' }).expect(
        201,
      );
      await post('test-sleep', { ...later, ms: 1, store: 'second', service: 'statements' }).expect(
        201,
      );
      await post('test-sleep', { ...later, ms: 1, store: 'second', service: 'states' }).expect(201);
      await post('test-note', { ...later, note: 'other type' }).expect(201);
      const all = await get('test-sleep').expect(200);
      expect(all.body.data).toHaveLength(3);
      const second = await get('test-sleep?store=second').expect(200);
      expect(second.body.data.map((j: any) => [j.store, j.service])).toEqual([
        ['second', 'statements'],
        ['second', 'states'],
      ]);
      const statements = await get('test-sleep?service=statements').expect(200);
      expect(statements.body.data.map((j: any) => j.store)).toEqual(['default', 'second']);
      const both = await get('test-sleep?service=states&store=second').expect(200);
      expect(both.body.data).toHaveLength(1);
      const none = await get('test-sleep?service=agents').expect(200);
      expect(none.body.data).toEqual([]);
      await get('test-sleep?store=nowhere').expect(422);
      // A service that is none of jobs.md's values is a malformed query parameter.
      const bogus = await get('test-sleep?service=bogus').expect(400);
      expect(Object.keys(bogus.body.errors)).toEqual(['service']);
      await del('test-sleep').expect(204);
      await del('test-note').expect(204);
    });

    it('deletes one job, and all jobs of a type (store filter honoured)', async () => {
      const a = (await post('test-sleep', { ...later, ms: 1, store: 'default' })).body.data;
      const b = (await post('test-sleep', { ...later, ms: 1, store: 'second' })).body.data;
      const c = (await post('test-sleep', { ...later, ms: 1, store: 'second' })).body.data;
      const note = (await post('test-note', { ...later, note: 'stays' })).body.data;
      await del(`test-sleep/${a.id}`).expect(204);
      await get(`test-sleep/${a.id}`).expect(404);
      await del(`test-sleep/${a.id}`).expect(404);
      await del('test-sleep?store=default').expect(204);
      expect((await get('test-sleep').expect(200)).body.data.map((j: any) => j.id)).toEqual([
        b.id,
        c.id,
      ]);
      await del('test-sleep').expect(204);
      expect((await get('test-sleep').expect(200)).body.data).toEqual([]);
      // Other types are untouched.
      await get(`test-note/${note.id}`).expect(200);
      await del(`test-note/${note.id}`).expect(204);
    });

    it('refuses a client without jobs/all (403) and wrong credentials (401)', async () => {
      const now = new Date();
      const [store] = await t.dataSource.query(`SELECT id FROM stores WHERE slug = 'default'`);
      await t.dataSource
        .createQueryBuilder()
        .insert()
        .into('clients')
        .values({
          slug: 'reader',
          name: 'Reader',
          username: 'reader',
          passwordHash: await hashSecret('reader-secret'),
          storeId: store.id,
          permissions: ['xapi/all'],
          pipeline: {},
          expiresAt: null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      const auth = basic('reader', 'reader-secret');
      await t.http().get('/api/reader/jobs/test-sleep').set('Authorization', auth).expect(403);
      await t
        .http()
        .post('/api/reader/jobs/test-sleep')
        .set('Authorization', auth)
        .send({ repeat: 'now', ms: 1 })
        .expect(403);
      await t.http().get(`${t.base}/jobs/test-sleep`).expect(401);
    });

    it("keeps the creator as the record's client when another client changes the job", async () => {
      const now = new Date();
      const [store] = await t.dataSource.query(`SELECT id FROM stores WHERE slug = 'default'`);
      await t.dataSource
        .createQueryBuilder()
        .insert()
        .into('clients')
        .values({
          slug: 'jobber',
          name: 'Jobber',
          username: 'jobber',
          passwordHash: await hashSecret('jobber-secret'),
          storeId: store.id,
          permissions: ['jobs/all'],
          pipeline: {},
          expiresAt: null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      const created = await post('test-sleep', { ...later, ms: 1, store: 'default' }).expect(201);
      const { id, client: creator } = created.body.data;
      expect(creator).not.toBe('jobber');
      const changed = await t
        .http()
        .put(`/api/jobber/jobs/test-sleep/${id}`)
        .set('Authorization', basic('jobber', 'jobber-secret'))
        .send({ ...later, ms: 2 })
        .expect(200);
      expect(changed.body.data).toMatchObject({ ms: 2, client: creator });
      expect((await get(`test-sleep/${id}`).expect(200)).body.data.client).toBe(creator);
      await del(`test-sleep/${id}`).expect(204);
    });

    it('logs creating, changing and replaying a job in its own log (who, what)', async () => {
      const stores = (await t.http().get(`${t.base}/stores`).set('Authorization', t.adminAuth)).body
        .data;
      // A fan-out POST: one `created` per job, each in that job's log.
      const fanned = await post('test-sleep', { ...later, ms: 1 }).expect(201);
      expect(fanned.body.data).toHaveLength(stores.length);
      for (const job of fanned.body.data) {
        const entries = (await get(`test-sleep/${job.id}/logs`).expect(200)).body.data;
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({
          event: 'created',
          level: 1,
          feedback: `Job ${job.id} (test-sleep) created by client admin`,
          data: { action: 'created', job_id: job.id, job_type: 'test-sleep', by: 'admin' },
        });
        expect(entries[0].data.replay).toBeUndefined();
      }
      await del('test-sleep').expect(204);

      const created = await post('test-sleep', { ...later, ms: 1, store: 'default' }).expect(201);
      const id = created.body.data.id;
      await put('test-sleep', id, { ...later, ms: 2 }).expect(200);
      await put('test-sleep', id, { repeat: 'dailyAt', time: '03:00', ms: 1, replay: true }).expect(
        200,
      );
      await waitFor(
        async () => (await get(`test-sleep/${id}`)).body.data.ran === 1,
        5000,
        'replay',
      );
      const entries = (await get(`test-sleep/${id}/logs`).expect(200)).body.data.reverse();
      expect(entries.map((e: any) => e.event)).toEqual([
        'created',
        'changed',
        'replayed',
        'started',
        'passed',
      ]);
      expect(entries[1]).toMatchObject({
        level: 1,
        feedback: `Job ${id} (test-sleep) changed by client admin`,
        data: { action: 'changed', job_id: id, by: 'admin', repeat: 'on' },
      });
      expect(entries[2]).toMatchObject({
        feedback: `Job ${id} (test-sleep) changed (replay requested) by client admin`,
        data: { job_id: id, by: 'admin', repeat: 'dailyAt', replay: true },
      });
      // The system log's own route finds them by the job's id, typed `job`.
      const system = (
        await t.http().get(`${t.base}/logs?job=${id}`).set('Authorization', t.adminAuth).expect(200)
      ).body.data.reverse();
      expect(system.slice(0, 3).map((e: any) => [e.type, e.job, e.event])).toEqual([
        ['job', id, 'created'],
        ['job', id, 'changed'],
        ['job', id, 'replayed'],
      ]);
      await del(`test-sleep/${id}`).expect(204);

      // A POST asking for a replay is `created`, with data.replay.
      const replayed = await post('test-sleep', {
        ...later,
        ms: 1,
        store: 'default',
        replay: true,
      }).expect(201);
      const rid = replayed.body.data.id;
      const [first] = (await get(`test-sleep/${rid}/logs`).expect(200)).body.data.reverse();
      expect(first).toMatchObject({ event: 'created', data: { replay: true } });
      await del(`test-sleep/${rid}`).expect(204);
    });

    it('pages the logs of a job, newest first', async () => {
      const created = await post('test-note', { repeat: 'now', note: 'logged' }).expect(201);
      const id = created.body.data.id;
      await waitFor(
        async () => (await get(`test-note/${id}`)).body.data.ran === 1,
        3000,
        'the run',
      );
      const res = await get(`test-note/${id}/logs`).expect(200);
      expect(res.body.data.map((e: any) => e.event)).toEqual([
        'passed',
        'log',
        'started',
        'created',
      ]);
      const passed = res.body.data[0];
      expect(Object.keys(passed).sort()).toEqual(
        ['id', 'event', 'level', 'success', 'feedback', 'data', 'created_at'].sort(),
      );
      expect(passed).toMatchObject({ success: true, feedback: 'noted logged on every store' });
      const ids = res.body.data.map((e: any) => e.id);
      expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
      const first = await get(`test-note/${id}/logs?limit=1`).expect(200);
      expect(first.body.data.map((e: any) => e.id)).toEqual([ids[0]]);
      const next = await get(`test-note/${id}/logs?limit=1&before=${ids[0]}`).expect(200);
      expect(next.body.data.map((e: any) => e.id)).toEqual([ids[1]]);
      const rest = await get(`test-note/${id}/logs?before=${ids[1]}`).expect(200);
      expect(rest.body.data.map((e: any) => e.id)).toEqual([ids[2], ids[3]]);
      // Malformed query parameters: 400 naming them (service.md), not a 422.
      for (const query of ['limit=0', 'limit=abc', 'before=-1&limit=2000']) {
        const bad = await get(`test-note/${id}/logs?${query}`).expect(400);
        const names = query.split('&').map((p) => p.split('=')[0]);
        expect(Object.keys(bad.body.errors).sort()).toEqual(names.sort());
        expect(bad.body.message).toMatch(/^Malformed query parameters: /);
      }
      await del(`test-note/${id}`).expect(204);
    });

    it('reports the jobs that use a connection', async () => {
      const created = await post('test-sleep', {
        ...later,
        ms: 1,
        store: 'default',
        connection: 77,
      });
      const usage = t.app.get(ConnectionUsage);
      expect(await usage.usedBy(77)).toBe(`job ${created.body.data.id} (test-sleep)`);
      expect(await usage.usedBy(78)).toBeNull();
      await del(`test-sleep/${created.body.data.id}`).expect(204);
      expect(await usage.usedBy(77)).toBeNull();
    });

    it('documents each job type with its own POST body in the OpenAPI document', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body;
      expect(doc.paths['/api/{client}/jobs/{type}']).toBeUndefined();
      const path = doc.paths['/api/{client}/jobs/test-sleep'];
      expect(Object.keys(path).sort()).toEqual(['delete', 'get', 'post']);
      expect(doc.paths['/api/{client}/jobs/test-sleep/{id}/logs'].get).toBeDefined();
      const ref = path.post.requestBody.content['application/json'].schema.$ref;
      const body = doc.components.schemas[ref.split('/').pop()];
      const refs = body.allOf.map((s: { $ref: string }) => s.$ref.split('/').pop());
      const [schedule, params] = refs.map((name: string) => doc.components.schemas[name]);
      expect(Object.keys(schedule.properties)).toEqual(
        expect.arrayContaining([
          'repeat',
          'date',
          'time',
          'minute',
          'week_day',
          'month_day',
          'month',
          'timezone',
          'replay',
          'store',
        ]),
      );
      expect(params.properties.ms.example).toBe(200);
      expect(params.required).toContain('ms');
      expect(doc.paths['/api/{client}/jobs/test-note']).toBeDefined();
    });
  });
});

describe('Jobs API disabled (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { JOBS_API: 'false' }, imports: [TestJobTypesModule] });
  });
  afterAll(async () => t.close());

  it('answers 404 on every jobs route, with or without credentials', async () => {
    const routes: [string, string][] = [
      ['post', '/jobs/test-sleep'],
      ['get', '/jobs/test-sleep'],
      ['delete', '/jobs/test-sleep'],
      ['get', '/jobs/test-sleep/1'],
      ['put', '/jobs/test-sleep/1'],
      ['delete', '/jobs/test-sleep/1'],
      ['get', '/jobs/test-sleep/1/logs'],
    ];
    for (const [method, path] of routes) {
      for (const auth of [t.adminAuth, undefined]) {
        let req = (t.http() as any)[method](`${t.base}${path}`);
        if (auth) req = req.set('Authorization', auth);
        const res = await req.send({ repeat: 'now', ms: 1, store: 'default' });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      }
    }
    expect(await t.dataSource.query('SELECT id FROM jobs')).toEqual([]);
  });

  it('runs no job, even one that is due in the shared database', async () => {
    // Another instance (jobs enabled) creates a job on the same database, then stops.
    const other = await createTestApp({ dbUrl: t.dbUrl, imports: [TestJobTypesModule] });
    const created = await other
      .http()
      .post(`${other.base}/jobs/test-sleep`)
      .set('Authorization', other.adminAuth)
      .send({ repeat: 'on', date: '2099-01-01', ms: 1, store: 'default' })
      .expect(201);
    await other.close();
    const id = created.body.data.id;
    await t.dataSource.getRepository(Job).update(id, { nextRunAt: new Date(Date.now() - 60_000) });
    await new Promise((r) => setTimeout(r, 1500));
    const [row] = await t.dataSource.query('SELECT ran, running FROM jobs WHERE id = ?', [id]);
    expect(Number(row.ran)).toBe(0);
    expect(Boolean(Number(row.running))).toBe(false);
    // Its creation is logged (by the other instance); no run is.
    const entries: { event: string }[] = await t.dataSource.query(
      'SELECT event FROM logs WHERE job_id = ?',
      [id],
    );
    expect(entries.map((e) => e.event)).toEqual(['created']);
  });
});

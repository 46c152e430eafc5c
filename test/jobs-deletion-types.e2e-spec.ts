import { DataSource } from 'typeorm';
import { hashSecret } from '../src/access/passwords';
import { Client } from '../src/access/client.entity';
import { Person } from '../src/access/person.entity';
import { Store } from '../src/access/store.entity';
import { LogEntry } from '../src/logging/log-entry.entity';
import { Agent } from '../src/xapi/agents/agent.entity';
import { createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';

/** The first job types over the Jobs API: their effect is in the database within 2 s. */
describe('logs-deletion and stores-deletion over the Jobs API (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;

  const post = (type: string, body: object) =>
    t.http().post(`${t.base}/jobs/${type}`).set('Authorization', t.adminAuth).send(body);
  const job = async (type: string, id: number) =>
    (await t.http().get(`${t.base}/jobs/${type}/${id}`).set('Authorization', t.adminAuth)).body
      .data;
  const ranWithin = async (type: string, id: number, ms: number) =>
    waitFor(
      async () => {
        const j = await job(type, id);
        return j.ran === 1 ? j : null;
      },
      ms,
      `${type} job ${id}`,
    );

  /** From the job's creation to its run's start, as the server recorded them. */
  const startDelay = (j: { created_at: string; started_at: string }) =>
    new Date(j.started_at).getTime() - new Date(j.created_at).getTime();

  async function store(slug: string): Promise<Store> {
    const now = new Date();
    return ds.getRepository(Store).save({ slug, name: slug, createdAt: now, updatedAt: now });
  }

  async function logRow(message: string, level: number, ageMs: number, storeId: number | null) {
    const row = await ds.getRepository(LogEntry).save({
      level,
      type: 'api' as const,
      message,
      storeId,
      jobId: null,
      event: null,
      success: null,
      data: null,
      stored: new Date(Date.now() - ageMs),
    });
    return row.id;
  }

  const messages = async () =>
    (
      await ds
        .getRepository(LogEntry)
        .createQueryBuilder('l')
        .where("l.message LIKE 'probe %'")
        .orderBy('l.id')
        .getMany()
    ).map((l) => l.message);

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.dataSource;
  });
  afterAll(async () => t.close());

  const DAY = 86_400_000;

  it('logs-deletion: deletes entries of level <= max_level older than the cutoff, keeps the others', async () => {
    const other = await store('logs-other');
    const def = (await ds.getRepository(Store).findOneByOrFail({ slug: 'default' })).id;
    await logRow('probe old debug', 0, 2 * DAY, def);
    await logRow('probe old info', 1, 2 * DAY, null);
    await logRow('probe old warning', 3, 2 * DAY, def);
    await logRow('probe recent debug', 0, 1000, def);
    await logRow('probe old debug other store', 0, 2 * DAY, other.id);
    // logs-deletion has no dry run (jobs.md): asking for one is refused, nothing deleted.
    const dry = await post('logs-deletion', {
      repeat: 'now',
      max_level: 1,
      until: '1_day',
      dry_run: true,
    }).expect(422);
    expect(dry.body.errors).toEqual({ dry_run: ['is not a field of logs-deletion jobs'] });
    // Store given: only that store's entries.
    const scoped = await post('logs-deletion', {
      repeat: 'now',
      max_level: 1,
      until: '1_day',
      store: 'logs-other',
    }).expect(201);
    expect(scoped.body.data).toMatchObject({ store: 'logs-other', max_level: 1, until: '1_day' });
    await ranWithin('logs-deletion', scoped.body.data.id, 5000);
    expect(await messages()).toEqual([
      'probe old debug',
      'probe old info',
      'probe old warning',
      'probe recent debug',
    ]);
    // Store omitted: every log, including those of no store.
    const all = await post('logs-deletion', { repeat: 'now', max_level: 1, until: '1_day' });
    expect(all.status).toBe(201);
    expect(all.body.data.store).toBeNull();
    const done = await ranWithin('logs-deletion', all.body.data.id, 5000);
    expect(startDelay(done)).toBeLessThan(2000);
    expect(done.success).toBe(true);
    expect(done.feedback).toContain('deleted 2 log entries');
    expect(await messages()).toEqual(['probe old warning', 'probe recent debug']);
  });

  it('logs-deletion: refuses bad params, naming them', async () => {
    const res = await post('logs-deletion', { repeat: 'now', max_level: 9, until: 'date' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['max_level', 'until_date']);
  });

  it('stores-deletion: deletes a store and all its rows within 2 s, and nothing else', async () => {
    const doomed = await store('doomed');
    const kept = await store('kept');
    const now = new Date();
    await ds.getRepository(Client).save({
      slug: 'doomed-client',
      name: 'Doomed',
      username: 'doomed',
      passwordHash: await hashSecret('x'),
      storeId: doomed.id,
      permissions: ['xapi/all'],
      pipeline: {},
      expiresAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await logRow('probe doomed', 3, 0, doomed.id);
    for (const s of [doomed, kept]) {
      const person = await ds.getRepository(Person).save({ storeId: s.id, createdAt: now });
      await ds.getRepository(Agent).save({
        storeId: s.id,
        vid: 'mbox::mailto:a@example.com',
        agent: { mbox: 'mailto:a@example.com' },
        personId: person.id,
        stored: now,
        updated: now,
      });
    }
    await logRow('probe kept', 3, 0, kept.id);
    // A job targeting the doomed store goes with it.
    const targeting = await post('logs-deletion', {
      repeat: 'on',
      date: '2099-01-01',
      max_level: 0,
      until: 'now',
      store: 'doomed',
    }).expect(201);
    const keptJob = await post('logs-deletion', {
      repeat: 'on',
      date: '2099-01-01',
      max_level: 0,
      until: 'now',
      store: 'kept',
    }).expect(201);

    const res = await post('stores-deletion', { repeat: 'now', store_id: doomed.id }).expect(201);
    expect(res.body.data).toMatchObject({ store: null, store_id: doomed.id, repeat: 'now' });
    const done = await ranWithin('stores-deletion', res.body.data.id, 5000);
    expect(startDelay(done)).toBeLessThan(2000);
    expect(done.success).toBe(true);
    expect(done.feedback).toContain('deleted store doomed');

    expect(await ds.getRepository(Store).findOneBy({ id: doomed.id })).toBeNull();
    for (const table of ['clients', 'logs', 'jobs', 'agents', 'persons']) {
      const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE store_id = ?`, [
        doomed.id,
      ]);
      expect({ table, n: Number(n) }).toEqual({ table, n: 0 });
    }
    await t
      .http()
      .get(`${t.base}/jobs/logs-deletion/${targeting.body.data.id}`)
      .set('Authorization', t.adminAuth)
      .expect(404);
    // The rest stays.
    for (const table of ['agents', 'persons']) {
      const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE store_id = ?`, [
        kept.id,
      ]);
      expect({ table, n: Number(n) }).toEqual({ table, n: 1 });
    }
    expect(await ds.getRepository(Store).findOneBy({ id: kept.id })).not.toBeNull();
    expect(await messages()).toContain('probe kept');
    expect((await job('logs-deletion', keptJob.body.data.id)).store).toBe('kept');
    // Its own log entries (no store) stay, readable through the API.
    const logs = await t
      .http()
      .get(`${t.base}/jobs/stores-deletion/${res.body.data.id}/logs`)
      .set('Authorization', t.adminAuth)
      .expect(200);
    expect(logs.body.data.map((e: { event: string }) => e.event)).toEqual(
      expect.arrayContaining(['started', 'passed']),
    );
  });

  it("stores-deletion: takes only now/on, refuses an unknown store and the client's own store", async () => {
    const spare = await store('spare');
    const repeat = await post('stores-deletion', {
      repeat: 'dailyAt',
      time: '01:00',
      store_id: spare.id,
    });
    expect(repeat.status).toBe(422);
    expect(Object.keys(repeat.body.errors)).toEqual(['repeat']);
    const unknown = await post('stores-deletion', { repeat: 'now', store_id: 999_999 });
    expect(unknown.status).toBe(422);
    expect(Object.keys(unknown.body.errors)).toEqual(['store_id']);
    const def = await ds.getRepository(Store).findOneByOrFail({ slug: 'default' });
    const own = await post('stores-deletion', { repeat: 'now', store_id: def.id });
    expect(own.status).toBe(422);
    expect(own.body.errors.store_id[0]).toContain('own store');
    const missing = await post('stores-deletion', { repeat: 'now' });
    expect(Object.keys(missing.body.errors)).toEqual(['store_id']);
  });
});

import { DataSource } from 'typeorm';
import { Store } from '../src/access/store.entity';
import { storeScopedTables } from '../src/database/store-scoped';
import { StoresDeletionHandler } from '../src/job-types/stores-deletion/stores-deletion.handler';
import { Job } from '../src/jobs/job.entity';
import { makeRunContext } from './support/job-context';
import { basic, createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';

/**
 * Issue 13, findings 1-3: a stores-deletion never locks the LRS out, re-checks its
 * refusals when it runs, and never leaves a store answering from half-deleted data.
 */
describe('stores-deletion safety (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.dataSource;
  });
  afterAll(async () => t.close());

  const as = (auth: string, slug: string) => ({
    get: (path: string) => t.http().get(`/api/${slug}${path}`).set('Authorization', auth),
    post: (path: string, body: unknown) =>
      t
        .http()
        .post(`/api/${slug}${path}`)
        .set('Authorization', auth)
        .send(body as object),
    put: (path: string, body: unknown) =>
      t
        .http()
        .put(`/api/${slug}${path}`)
        .set('Authorization', auth)
        .send(body as object),
  });
  const admin = () => as(t.adminAuth, 'admin');

  async function store(slug: string): Promise<Store> {
    await admin().post('/stores', { slug, name: slug }).expect(201);
    return (await ds.getRepository(Store).findOneBy({ slug }))!;
  }

  async function client(slug: string, storeSlug: string, permissions: string[]) {
    await admin()
      .post('/clients', {
        slug,
        name: slug,
        username: `${slug}-user`,
        password: `${slug}-password`,
        store: storeSlug,
        permissions,
      })
      .expect(201);
    return as(basic(`${slug}-user`, `${slug}-password`), slug);
  }

  const job = async (id: number) =>
    (await admin().get(`/jobs/stores-deletion/${id}`).expect(200)).body.data;
  const ran = (id: number) =>
    waitFor(async () => ((await job(id)).ran >= 1 ? job(id) : null), 15_000, `job ${id}`);

  const statement = (i: number) => ({
    actor: { mbox: `mailto:learner${i % 50}@example.com` },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { id: `http://example.com/activities/${i % 20}` },
    context: { contextActivities: { parent: [{ id: 'http://example.com/courses/c1' }] } },
  });

  const defaultStoreId = async () =>
    (await ds.getRepository(Store).findOneBy({ slug: 'default' }))!.id;

  it('refuses a deletion that would take the only access/all client, at creation (422)', async () => {
    const other = await store('lockout-other');
    const jobsOnly = await client('lockout-jobs', other.slug, ['jobs/all']);
    const res = await jobsOnly
      .post('/jobs/stores-deletion', {
        repeat: 'on',
        date: '2099-01-01',
        store_id: await defaultStoreId(),
      })
      .expect(422);
    expect(res.body.errors.store_id[0]).toMatch(/access\/all/);
    expect(await ds.getRepository(Job).countBy({ type: 'stores-deletion' })).toBe(0);

    // With an administrator left in another store, the same request is accepted.
    await client('lockout-admin2', other.slug, ['access/all']);
    const ok = await jobsOnly
      .post('/jobs/stores-deletion', {
        repeat: 'on',
        date: '2099-01-01',
        store_id: await defaultStoreId(),
      })
      .expect(201);
    await admin().get(`/jobs/stores-deletion/${ok.body.data.id}`).expect(200);
    await t
      .http()
      .delete(`/api/admin/jobs/stores-deletion/${ok.body.data.id}`)
      .set('Authorization', t.adminAuth)
      .expect(204);
    await t
      .http()
      .delete('/api/admin/clients/lockout-admin2')
      .set('Authorization', t.adminAuth)
      .expect(204);
  });

  it('checks the refusals again when the run starts: a failed run with the reason, nothing deleted', async () => {
    const b = await store('recheck-b');
    await store('recheck-c');
    const adminB = await client('recheck-admin-b', b.slug, ['access/all', 'jobs/all']);
    // Valid when created: the administrator of B stays.
    const j1 = (
      await adminB
        .post('/jobs/stores-deletion', {
          repeat: 'on',
          date: '2099-01-01',
          store_id: await defaultStoreId(),
        })
        .expect(201)
    ).body.data;
    // Then store B goes, with the only administrator outside the default store.
    const j2 = (
      await admin().post('/jobs/stores-deletion', { repeat: 'now', store_id: b.id }).expect(201)
    ).body.data;
    expect((await ran(j2.id)).success).toBe(true);
    expect(await ds.getRepository(Store).findOneBy({ id: b.id })).toBeNull();

    // j1 comes due: deleting the default store now would leave no administrator.
    await ds.getRepository(Job).update({ id: j1.id }, { nextRunAt: new Date() });
    const done = await ran(j1.id);
    expect(done.success).toBe(false);
    expect(done.feedback).toMatch(/access\/all/);
    const kept = await ds.getRepository(Store).findOneBy({ slug: 'default' });
    expect(kept).not.toBeNull();
    expect(kept!.deletingAt).toBeNull();
    await admin().get('/stores').expect(200);
  });

  it('refuses at run time to delete the only store left', async () => {
    const handler = t.app.get(StoresDeletionHandler);
    const lone = await store('lone');
    // Every other store is being deleted: lone would be the last one.
    await ds
      .createQueryBuilder()
      .update(Store)
      .set({ deletingAt: new Date() })
      .where('id != :id', { id: lone.id })
      .execute();
    try {
      await expect(
        handler.run(makeRunContext({ store_id: lone.id }, { jobId: 999999 })),
      ).rejects.toThrow(/only store/);
    } finally {
      await ds.createQueryBuilder().update(Store).set({ deletingAt: null }).execute();
    }
    expect(await ds.getRepository(Store).findOneBy({ id: lone.id })).not.toBeNull();
  });

  it('marks the store from the first batch: a cancelled deletion leaves 409s, never half answers; running again finishes it', async () => {
    const doomed = await store('half');
    const learner = await client('half-client', doomed.slug, ['xapi/all']);
    const xapi = (req: ReturnType<typeof learner.get>) =>
      req.set('X-Experience-API-Version', '1.0.3');
    for (let i = 0; i < 3; i++) {
      const batch = Array.from({ length: 1000 }, (_, k) => statement(i * 1000 + k));
      await xapi(learner.post('/xapi/statements', batch)).expect(200);
    }
    const count = async (table: string) =>
      Number(
        (await ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE store_id = ?`, [doomed.id]))[0].n,
      );
    expect(await count('statements')).toBe(3000);
    const tables = storeScopedTables().map((s) => ds.getMetadata(s.entity as any).tableName);
    const rows = async () => {
      let n = 0;
      for (const table of tables) n += await count(table);
      return n;
    };
    const before = await rows();

    // A run cancelled after its first batches (as a job deletion or a crash would stop it).
    const handler = t.app.get(StoresDeletionHandler);
    const ctx = makeRunContext({ store_id: doomed.id }, { jobId: 999999, abortAfterProgress: 3 });
    await expect(handler.run(ctx)).rejects.toThrow();
    const marked = await ds.getRepository(Store).findOneBy({ id: doomed.id });
    expect(marked?.deletingAt).toBeInstanceOf(Date);
    expect(await count('statements')).toBeGreaterThan(0);
    const after = await rows();
    expect(after).toBeLessThan(before);
    expect(after).toBeGreaterThan(0);

    // Reads and writes of the store, and new jobs or clients for it: 409.
    const read = await xapi(
      learner.get(
        '/xapi/statements?related_activities=true&activity=http://example.com/courses/c1',
      ),
    );
    expect(read.status).toBe(409);
    expect(read.body.message).toMatch(/being deleted/);
    await xapi(learner.post('/xapi/statements', statement(1))).expect(409);
    await admin()
      .post('/jobs/logs-deletion', {
        repeat: 'now',
        max_level: 7,
        until: 'now',
        store: doomed.slug,
      })
      .expect(409);
    await admin()
      .post('/clients', {
        slug: 'late',
        name: 'late',
        username: 'late',
        password: 'late-password',
        store: doomed.slug,
      })
      .expect(409);

    // Running it again (a new job here) finishes the deletion.
    const again = (
      await admin()
        .post('/jobs/stores-deletion', { repeat: 'now', store_id: doomed.id })
        .expect(201)
    ).body.data;
    const done = await ran(again.id);
    expect(done.success).toBe(true);
    expect(await ds.getRepository(Store).findOneBy({ id: doomed.id })).toBeNull();
    for (const table of tables) expect({ table, n: await count(table) }).toEqual({ table, n: 0 });
  }, 60_000);
});

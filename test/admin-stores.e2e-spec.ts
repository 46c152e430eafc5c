import { Repository } from 'typeorm';
import { Store } from '../src/access/store.entity';
import { createTestApp, TestApp } from './support/test-app';

describe('admin: stores (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const get = (path: string) => t.http().get(`${t.base}${path}`).set('Authorization', t.adminAuth);
  const post = (path: string, body: unknown) =>
    t
      .http()
      .post(`${t.base}${path}`)
      .set('Authorization', t.adminAuth)
      .send(body as object);
  const put = (path: string, body: unknown) =>
    t
      .http()
      .put(`${t.base}${path}`)
      .set('Authorization', t.adminAuth)
      .send(body as object);

  it('creates, reads, lists and updates a store', async () => {
    const created = await post('/stores', { slug: 'training', name: 'Training' }).expect(201);
    expect(created.body).toEqual({
      data: {
        id: expect.any(Number),
        slug: 'training',
        name: 'Training',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
    const rows = await t.dataSource.query(
      `SELECT id, slug, name FROM stores WHERE slug = 'training'`,
    );
    expect(rows).toEqual([{ id: created.body.data.id, slug: 'training', name: 'Training' }]);

    const one = await get('/stores/training').expect(200);
    expect(one.body.data).toEqual(created.body.data);

    const list = await get('/stores').expect(200);
    expect(list.body.data.map((s: any) => s.slug)).toEqual(['default', 'training']);

    const updated = await put('/stores/training', { name: 'Training 2026' }).expect(200);
    expect(updated.body.data).toMatchObject({
      id: created.body.data.id,
      slug: 'training',
      name: 'Training 2026',
    });
    const renamed = await put('/stores/training', { slug: 'training-2026' }).expect(200);
    expect(renamed.body.data).toMatchObject({ slug: 'training-2026', name: 'Training 2026' });
    await get('/stores/training').expect(404);
    const after = await t.dataSource.query(`SELECT name FROM stores WHERE slug = 'training-2026'`);
    expect(after).toEqual([{ name: 'Training 2026' }]);
  });

  it('writes only the fields a PUT changes: what another instance changed meanwhile stays', async () => {
    await post('/stores', { slug: 'raced', name: 'Raced' }).expect(201);
    // Another instance raises the store's records version and marks nothing else, right
    // after this request read the store row.
    const original = Repository.prototype.findOne;
    const spy = jest.spyOn(Repository.prototype, 'findOne').mockImplementation(async function (
      this: Repository<any>,
      ...args: Parameters<Repository<any>['findOne']>
    ) {
      const row = await original.apply(this, args);
      if (this.metadata.target === Store && row?.slug === 'raced') {
        await t.dataSource.query(
          `UPDATE stores SET records_version = records_version + 7 WHERE slug = 'raced'`,
        );
      }
      return row;
    });
    try {
      await put('/stores/raced', { name: 'Raced again' }).expect(200);
    } finally {
      spy.mockRestore();
    }
    const [row] = await t.dataSource.query(
      `SELECT name, records_version AS v FROM stores WHERE slug = 'raced'`,
    );
    expect({ name: row.name, v: Number(row.v) }).toEqual({ name: 'Raced again', v: 7 });
  });

  it('refuses a slug already taken with 422 naming slug', async () => {
    const res = await post('/stores', { slug: 'default', name: 'Again' }).expect(422);
    expect(res.body).toEqual({
      message: expect.any(String),
      errors: { slug: [expect.stringContaining('already taken')] },
    });
    await post('/stores', { slug: 'other', name: 'Other' }).expect(201);
    const clash = await put('/stores/other', { slug: 'default' }).expect(422);
    expect(Object.keys(clash.body.errors)).toEqual(['slug']);
    const count = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM stores WHERE slug = 'default'`,
    );
    expect(Number(count[0].n)).toBe(1);
  });

  it('gives a taken slug to one of several parallel requests, 422 to the others', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => post('/stores', { slug: 'race', name: `Race ${i}` })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422, 422]);
    const rows = await t.dataSource.query(`SELECT id FROM stores WHERE slug = 'race'`);
    expect(rows).toHaveLength(1);
  });

  it('logs who changed a store', async () => {
    await post('/stores', { slug: 'audited', name: 'Audited' }).expect(201);
    const rows = await t.dataSource.query(
      `SELECT level, type, message FROM logs WHERE message LIKE '%"audited" created%'`,
    );
    expect(rows).toEqual([{ level: 1, type: 'api', message: 'Store "audited" created' }]);
  });

  it('names each bad field in a 422', async () => {
    const res = await post('/stores', { slug: '-Bad Slug', name: '' }).expect(422);
    expect(res.body.message).toEqual(expect.any(String));
    expect(Object.keys(res.body.errors).sort()).toEqual(['name', 'slug']);
    const missing = await post('/stores', {}).expect(422);
    expect(Object.keys(missing.body.errors).sort()).toEqual(['name', 'slug']);
    // A taken slug is named with the other faults, not only once they are fixed.
    const taken = await post('/stores', { slug: 'default', name: '' }).expect(422);
    expect(taken.body.errors).toEqual({
      name: [expect.any(String)],
      slug: [expect.stringContaining('already taken')],
    });
    await post('/stores', { slug: 'named', name: 'Named' }).expect(201);
    const clash = await put('/stores/named', { slug: 'default', name: '' }).expect(422);
    expect(Object.keys(clash.body.errors).sort()).toEqual(['name', 'slug']);
    const wrongTypes = await post('/stores', { slug: 12, name: ['x'] }).expect(422);
    expect(Object.keys(wrongTypes.body.errors).sort()).toEqual(['name', 'slug']);
    const bad = await put('/stores/default', { slug: 'UPPER' }).expect(422);
    expect(Object.keys(bad.body.errors)).toEqual(['slug']);
  });

  it('answers 400 to malformed JSON and 422 to a body that is not an object', async () => {
    const res = await t
      .http()
      .post(`${t.base}/stores`)
      .set('Authorization', t.adminAuth)
      .set('Content-Type', 'application/json')
      .send('{"slug": "x", ')
      .expect(400);
    expect(res.body).toEqual({ message: expect.stringContaining('JSON') });
    const notObject = await t
      .http()
      .post(`${t.base}/stores`)
      .set('Authorization', t.adminAuth)
      .set('Content-Type', 'application/json')
      .send('[1, 2]');
    expect(notObject.status).toBe(422);
    const none = await t.http().post(`${t.base}/stores`).set('Authorization', t.adminAuth);
    expect(none.status).toBe(422);
  });

  it('answers 404 in the error shape for an unknown store, and offers no DELETE', async () => {
    const res = await get('/stores/nowhere').expect(404);
    expect(res.body).toEqual({ message: expect.stringContaining('nowhere') });
    await put('/stores/nowhere', { name: 'x' }).expect(404);
    const del = await t.http().delete(`${t.base}/stores/default`).set('Authorization', t.adminAuth);
    expect(del.status).toBe(404);
    expect(await t.dataSource.query(`SELECT slug FROM stores WHERE slug = 'default'`)).toHaveLength(
      1,
    );
  });
});

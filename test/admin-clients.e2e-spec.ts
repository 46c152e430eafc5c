import { basic, createTestApp, TestApp } from './support/test-app';

describe('admin: clients (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await t
      .http()
      .post(`${t.base}/stores`)
      .set('Authorization', t.adminAuth)
      .send({ slug: 'school', name: 'School' })
      .expect(201);
  });
  afterAll(async () => t.close());

  const as = (auth: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', auth),
    post: (path: string, body: object) => t.http().post(path).set('Authorization', auth).send(body),
    put: (path: string, body: object) => t.http().put(path).set('Authorization', auth).send(body),
    delete: (path: string) => t.http().delete(path).set('Authorization', auth),
  });
  const admin = () => as(t.adminAuth);

  const lms = {
    slug: 'lms',
    name: 'Training LMS',
    username: 'lms-user',
    password: 'lms-password-1',
    store: 'school',
    permissions: ['xapi/all'],
    pipeline: {
      update_vocab: false,
      authority_name: 'LMS',
      authority_homepage: 'https://lms.example.com',
    },
  };

  it('creates a client with a hashed password, and never returns it', async () => {
    const res = await admin()
      .post(`${t.base}/clients`, lms)
      .set('Host', 'lrs.example.com:8443')
      .expect(201);
    expect(res.body).toEqual({
      data: {
        slug: 'lms',
        name: 'Training LMS',
        username: 'lms-user',
        store: 'school',
        permissions: ['xapi/all'],
        pipeline: {
          update_vocab: false,
          authority_name: 'LMS',
          authority_homepage: 'https://lms.example.com',
        },
        endpoint: 'http://lrs.example.com:8443/api/lms',
        expires_at: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
    const [row] = await t.dataSource.query(
      `SELECT c.password_hash, s.slug AS store FROM clients c JOIN stores s ON s.id = c.store_id WHERE c.slug = 'lms'`,
    );
    expect(row.store).toBe('school');
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(lms.password);

    const list = await admin().get(`${t.base}/clients`).expect(200);
    expect(list.body.data.map((c: any) => c.slug)).toEqual(['admin', 'lms']);
    const one = await admin().get(`${t.base}/clients/lms`).expect(200);
    for (const body of [res.body, list.body, one.body]) {
      const text = JSON.stringify(body);
      expect(text).not.toContain(lms.password);
      expect(text).not.toMatch(/password/);
    }
    // The endpoint follows the request's Host; X-Forwarded-* only from TRUST_PROXY (unset).
    const proxied = await admin()
      .get(`${t.base}/clients/lms`)
      .set('X-Forwarded-Proto', 'https')
      .set('Host', 'lrs.example.org')
      .expect(200);
    expect(proxied.body.data.endpoint).toBe('http://lrs.example.org/api/lms');
  });

  it('lets the new client authenticate on its own endpoint only', async () => {
    const own = basic(lms.username, lms.password);
    // Authenticated, but without logging/all: 403, not 401.
    const forbidden = await as(own).get('/api/lms/logs');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ message: expect.any(String) });
    // Its credentials on the admin endpoint: 401.
    const other = await as(own).get(`${t.base}/stores`);
    expect(other.status).toBe(401);
    expect(other.headers['www-authenticate']).toMatch(/^Basic realm=/);
    // The admin's credentials on the lms endpoint: 401 too.
    const adminThere = await as(t.adminAuth).get('/api/lms/stores');
    expect(adminThere.status).toBe(401);
    // Wrong password on its own endpoint.
    await as(basic(lms.username, 'wrong-password')).get('/api/lms/logs').expect(401);
  });

  it('gives 403 on admin routes to a client without access/all', async () => {
    await admin()
      .post(`${t.base}/clients`, {
        slug: 'reader',
        name: 'Reader',
        username: 'reader',
        password: 'reader-password',
        store: 'default',
        permissions: ['logging/all'],
      })
      .expect(201);
    const reader = as(basic('reader', 'reader-password'));
    for (const path of ['stores', 'clients', 'connections']) {
      const res = await reader.get(`/api/reader/${path}`);
      expect(res.status).toBe(403);
    }
    await reader.post('/api/reader/stores', { slug: 'x', name: 'x' }).expect(403);
    expect(await t.dataSource.query(`SELECT id FROM stores WHERE slug = 'x'`)).toEqual([]);
    // logging/all is enough for the logs.
    await reader.get('/api/reader/logs').expect(200);
  });

  it('updates a client: a new password replaces the old one, fields left out are kept', async () => {
    await admin()
      .post(`${t.base}/clients`, {
        ...lms,
        slug: 'upd',
        username: 'upd',
        password: 'first-password',
      })
      .expect(201);
    await as(basic('upd', 'first-password')).get('/api/upd/stores').expect(403);
    const res = await admin()
      .put(`${t.base}/clients/upd`, {
        password: 'second-password',
        permissions: ['access/all'],
        store: 'default',
        pipeline: { check_conflicts: false },
      })
      .expect(200);
    expect(res.body.data).toMatchObject({
      slug: 'upd',
      name: lms.name,
      username: 'upd',
      store: 'default',
      permissions: ['access/all'],
      pipeline: { check_conflicts: false },
    });
    expect(JSON.stringify(res.body)).not.toContain('second-password');
    await as(basic('upd', 'first-password')).get('/api/upd/stores').expect(401);
    await as(basic('upd', 'second-password')).get('/api/upd/stores').expect(200);
    await admin().put(`${t.base}/clients/nobody`, { name: 'x' }).expect(404);
  });

  it('names each bad field: slug, unknown store and permission, pipeline options', async () => {
    const res = await admin()
      .post(`${t.base}/clients`, {
        slug: 'Bad Slug',
        name: '',
        username: 'x',
        password: 'short',
        store: 'default',
        permissions: ['xapi/all', 'root'],
        pipeline: { validate_statements: 'yes', authority_homepage: 'not a url' },
      })
      .expect(422);
    expect(Object.keys(res.body.errors).sort()).toEqual([
      'name',
      'password',
      'permissions',
      'pipeline', // authority_homepage without authority_name
      'pipeline.authority_homepage',
      'pipeline.validate_statements',
      'slug',
    ]);
    const store = await admin()
      .post(`${t.base}/clients`, { ...lms, slug: 'lms', store: 'nowhere' })
      .expect(422);
    expect(store.body.errors).toEqual({
      slug: [expect.stringContaining('already taken')],
      store: [expect.stringContaining('nowhere')],
    });
    const missing = await admin().post(`${t.base}/clients`, {}).expect(422);
    expect(Object.keys(missing.body.errors).sort()).toEqual([
      'name',
      'password',
      'slug',
      'store',
      'username',
    ]);
    const pipeline = await admin().put(`${t.base}/clients/lms`, { pipeline: 'fast' }).expect(422);
    expect(Object.keys(pipeline.body.errors)).toEqual(['pipeline']);
    // A misspelt option is not dropped silently; an authority needs name and homepage.
    for (const bad of [{ validate_statement: false }, { authority_name: 'LMS' }]) {
      const res = await admin().put(`${t.base}/clients/lms`, { pipeline: bad }).expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['pipeline']);
    }
    const [row] = await t.dataSource.query(`SELECT pipeline FROM clients WHERE slug = 'lms'`);
    const stored = typeof row.pipeline === 'string' ? JSON.parse(row.pipeline) : row.pipeline;
    expect(stored).toEqual(lms.pipeline);
    expect(await t.dataSource.query(`SELECT id FROM clients WHERE slug = 'Bad Slug'`)).toEqual([]);
  });

  it('names the look-up faults (unknown store, taken slug) in the same 422 as the others', async () => {
    const created = await admin()
      .post(`${t.base}/clients`, {
        slug: 'c3',
        name: 'x',
        username: 'u3',
        password: 's',
        store: 'nostore',
        permissions: ['bogus'],
      })
      .expect(422);
    expect(Object.keys(created.body.errors).sort()).toEqual(['password', 'permissions', 'store']);
    expect(created.body.errors.store).toEqual([expect.stringContaining('nostore')]);
    const taken = await admin()
      .post(`${t.base}/clients`, { ...lms, slug: 'lms', store: 'zzz', name: '' })
      .expect(422);
    expect(Object.keys(taken.body.errors).sort()).toEqual(['name', 'slug', 'store']);
    const updated = await admin()
      .put(`${t.base}/clients/lms`, { permissions: ['nope'], store: 'zzz', name: '' })
      .expect(422);
    expect(Object.keys(updated.body.errors).sort()).toEqual(['name', 'permissions', 'store']);
    // A field the DTO refuses is not looked up as well.
    const typed = await admin().put(`${t.base}/clients/lms`, { store: 5 }).expect(422);
    expect(Object.keys(typed.body.errors)).toEqual(['store']);
    expect(await t.dataSource.query(`SELECT id FROM clients WHERE slug = 'c3'`)).toEqual([]);
  });

  it('deletes a client, whose credentials then stop working, but not the caller itself', async () => {
    await admin()
      .post(`${t.base}/clients`, {
        ...lms,
        slug: 'gone',
        username: 'gone',
        password: 'gone-password',
      })
      .expect(201);
    const gone = as(basic('gone', 'gone-password'));
    await gone.get('/api/gone/logs').expect(403);
    await admin().delete(`${t.base}/clients/gone`).expect(204);
    await admin().get(`${t.base}/clients/gone`).expect(404);
    await gone.get('/api/gone/logs').expect(401);
    expect(await t.dataSource.query(`SELECT id FROM clients WHERE slug = 'gone'`)).toEqual([]);
    await admin().delete(`${t.base}/clients/gone`).expect(404);

    const self = await admin().delete(`${t.base}/clients/admin`).expect(409);
    expect(self.body).toEqual({ message: expect.any(String) });
    await admin().get(`${t.base}/clients/admin`).expect(200);
  });

  it('logs client changes without any password', async () => {
    const res = await admin().get(`${t.base}/logs?store=school`).expect(200);
    const messages = res.body.data.map((e: any) => e.message);
    expect(messages).toContain('Client "lms" created');
    const rows = await t.dataSource.query('SELECT * FROM logs');
    const text = JSON.stringify(rows);
    for (const secret of [lms.password, 'first-password', 'second-password', 'gone-password']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('Client \\"upd\\" updated: password, store, permissions, pipeline');
  });

  it('logs an authentication failure that can be read back through the logs route', async () => {
    await as(basic('intruder', 'guess')).get('/api/lms/connections').expect(401);
    const res = await admin().get(`${t.base}/logs?level=3&store=school`).expect(200);
    const entry = res.body.data.find(
      (e: any) => e.type === 'auth' && e.message.includes('intruder'),
    );
    expect(entry).toMatchObject({ level: 3, type: 'auth', store: 'school' });
    expect(entry.message).toContain('/api/lms/connections');
    expect(JSON.stringify(res.body)).not.toContain('guess');
  });
});

import { createTestApp, TestApp, basic } from './support/test-app';

describe('foundation (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('reports health without credentials', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('bootstraps the default store and the admin client', async () => {
    const stores = await t.dataSource.query('SELECT slug, name FROM stores');
    expect(stores).toEqual([{ slug: 'default', name: 'Default store' }]);
    const clients = await t.dataSource.query('SELECT slug, username, password_hash FROM clients');
    expect(clients).toHaveLength(1);
    expect(clients[0].slug).toBe('admin');
    expect(clients[0].password_hash).toMatch(/^scrypt\$/);
  });

  it('refuses missing and wrong credentials with 401 and WWW-Authenticate', async () => {
    const missing = await t.http().get('/api/admin/logs').expect(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(missing.body.message).toBeDefined();
    const wrong = await t
      .http()
      .get('/api/admin/logs')
      .set('Authorization', basic('admin', 'nope'))
      .expect(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(JSON.stringify(wrong.body)).not.toMatch(/at .*\.ts/);
  });

  it('logs a refused request with its route and the offending field names, not their values', async () => {
    await t
      .http()
      .post('/api/admin/stores')
      .set('Authorization', t.adminAuth)
      .send({ slug: 'Bad Slug!', name: 'secret-looking-value' })
      .expect(422);
    const logs = await t
      .http()
      .get('/api/admin/logs?level=2')
      .set('Authorization', t.adminAuth)
      .expect(200);
    const entry = logs.body.data.find((e: any) =>
      e.message.startsWith('POST /api/admin/stores -> 422'),
    );
    expect(entry).toMatchObject({ level: 2, type: 'api', store: 'default' });
    expect(entry.data.fields).toContain('slug');
    expect(JSON.stringify(entry)).not.toContain('secret-looking-value');
  });

  it('answers 404 in the error shape for an unknown route', async () => {
    const res = await t.http().get('/nowhere').expect(404);
    expect(res.body).toEqual({ message: expect.any(String) });
  });

  it("logs an authenticated client's 404 (debug), not an anonymous one's on an unknown route", async () => {
    await t
      .http()
      .get('/api/admin/stores/no-such-store')
      .set('Authorization', t.adminAuth)
      .expect(404);
    await t.http().get('/api/admin/no-such-route-at-all').expect(404);
    const logs = await t
      .http()
      .get('/api/admin/logs?level=0')
      .set('Authorization', t.adminAuth)
      .expect(200);
    const notFound = logs.body.data.filter((e: any) => / -> 404: /.test(e.message));
    expect(notFound.map((e: any) => [e.level, e.message.split(':')[0]])).toEqual([
      [0, 'GET /api/admin/stores/no-such-store -> 404'],
    ]);
  });

  it('serves the OpenAPI document and the Swagger UI', async () => {
    const doc = await t.http().get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const ui = await t.http().get('/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });
});

describe('CORS (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('answers a browser preflight for the xAPI endpoint and exposes the xAPI headers', async () => {
    const pre = await t
      .http()
      .options('/api/admin/xapi/statements')
      .set('Origin', 'https://content.example.com')
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'authorization,x-experience-api-version,content-type')
      .expect(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://content.example.com');
    expect(pre.headers['access-control-allow-headers']).toMatch(/X-Experience-API-Version/i);
    const res = await t
      .http()
      .get('/api/admin/xapi/about')
      .set('Origin', 'https://content.example.com')
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://content.example.com');
    expect(res.headers['access-control-expose-headers']).toMatch(
      /X-Experience-API-Consistent-Through/,
    );
  });
});

import { existsSync, mkdirSync, statSync, symlinkSync } from 'fs';
import { join } from 'path';
import { ConnectionUsage } from '../src/access/connection-usage';
import { decryptConnectionPassword } from '../src/access/connections/connection-secrets';
import { basic, createTestApp, TestApp } from './support/test-app';

const SECRET = 'Remote-Pa55word-ZQX';

describe('admin: connections (e2e)', () => {
  let t: TestApp;
  /** Every response body seen, to prove the password never comes back. */
  const bodies: string[] = [];
  const inUse = new Set<number>();

  beforeAll(async () => {
    t = await createTestApp();
    t.app.get(ConnectionUsage).register(async (id) => (inUse.has(id) ? `job 12 (pull)` : null));
  });
  afterAll(async () => t.close());

  const record = <T extends { text: string }>(res: T) => {
    bodies.push(res.text);
    return res;
  };
  const get = async (path: string) =>
    record(await t.http().get(`${t.base}${path}`).set('Authorization', t.adminAuth));
  const post = async (path: string, body: object) =>
    record(await t.http().post(`${t.base}${path}`).set('Authorization', t.adminAuth).send(body));
  const put = async (path: string, body: object) =>
    record(await t.http().put(`${t.base}${path}`).set('Authorization', t.adminAuth).send(body));
  const del = async (path: string) =>
    record(await t.http().delete(`${t.base}${path}`).set('Authorization', t.adminAuth));

  const lrs = {
    name: 'Company LRS',
    type: 'lrs',
    endpoint: 'https://lrs.example.com/xapi',
    username: 'remote-user',
    password: SECRET,
    version: '2.0.0',
  };

  it('creates an lrs connection, its password encrypted at rest and never returned', async () => {
    const res = await post('/connections', lrs);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        id: expect.any(Number),
        name: 'Company LRS',
        type: 'lrs',
        endpoint: 'https://lrs.example.com/xapi',
        username: 'remote-user',
        version: '2.0.0',
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
    expect(res.body.data.updated_at).toBe(res.body.data.created_at);
    const id = res.body.data.id;
    const [row] = await t.dataSource.query(
      `SELECT password_encrypted FROM connections WHERE id = ${Number(id)}`,
    );
    expect(row.password_encrypted).toMatch(/^v1:/);
    expect(row.password_encrypted).not.toContain(SECRET);
    expect(decryptConnectionPassword(row.password_encrypted, t.config.appKey)).toBe(SECRET);

    expect((await get(`/connections/${id}`)).body.data).toEqual(res.body.data);
    const list = await get('/connections');
    expect(list.body.data.map((c: any) => c.id)).toContain(id);

    const renamed = await put(`/connections/${id}`, { name: 'Renamed', version: '1.0.3' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({
      name: 'Renamed',
      version: '1.0.3',
      username: 'remote-user',
    });
    const [kept] = await t.dataSource.query(
      `SELECT password_encrypted FROM connections WHERE id = ${Number(id)}`,
    );
    expect(decryptConnectionPassword(kept.password_encrypted, t.config.appKey)).toBe(SECRET);
    const newSecret = `${SECRET}-2`;
    expect((await put(`/connections/${id}`, { password: newSecret })).status).toBe(200);
    const [changed] = await t.dataSource.query(
      `SELECT password_encrypted FROM connections WHERE id = ${Number(id)}`,
    );
    expect(decryptConnectionPassword(changed.password_encrypted, t.config.appKey)).toBe(newSecret);
  });

  it('creates a file connection inside FILES_PATH and makes its folder', async () => {
    const res = await post('/connections', {
      name: 'Exports',
      type: 'file',
      folder: 'exports/2026/',
      prefix: 'statements-',
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(Number),
      name: 'Exports',
      type: 'file',
      folder: 'exports/2026',
      prefix: 'statements-',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(statSync(join(t.config.filesPath, 'exports', '2026')).isDirectory()).toBe(true);
    const moved = await put(`/connections/${res.body.data.id}`, { folder: 'a/../imports' });
    expect(moved.status).toBe(200);
    expect(moved.body.data.folder).toBe('imports');
    expect(existsSync(join(t.config.filesPath, 'imports'))).toBe(true);
  });

  it('refuses folders that leave FILES_PATH with 422 naming folder', async () => {
    const outside = join(t.config.filesPath, '..', 'outside');
    mkdirSync(outside, { recursive: true });
    mkdirSync(t.config.filesPath, { recursive: true });
    symlinkSync(outside, join(t.config.filesPath, 'escape'));
    const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM connections');
    for (const folder of ['../../etc', '/etc', '..', 'a/../../b', '..\\..\\etc', 'escape/inner']) {
      const res = await post('/connections', { name: 'Bad', type: 'file', folder });
      expect({ folder, status: res.status }).toEqual({ folder, status: 422 });
      expect(Object.keys(res.body.errors)).toEqual(['folder']);
    }
    expect(existsSync(join(outside, 'inner'))).toBe(false);
    const after = await t.dataSource.query('SELECT COUNT(*) AS n FROM connections');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
    const file = await post('/connections', { name: 'Ok', type: 'file', folder: 'fine' });
    const res = await put(`/connections/${file.body.data.id}`, { folder: '../../etc' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toEqual(['folder']);
  });

  it('names each missing or bad field for the connection type', async () => {
    const none = await post('/connections', { type: 'lrs' });
    expect(none.status).toBe(422);
    expect(Object.keys(none.body.errors).sort()).toEqual([
      'endpoint',
      'name',
      'password',
      'username',
    ]);
    const bad = await post('/connections', { ...lrs, endpoint: 'not a url', version: '0.9' });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['endpoint', 'version']);
    const type = await post('/connections', { name: 'x', type: 'ftp' });
    expect(Object.keys(type.body.errors)).toEqual(['type']);
    const file = await post('/connections', { name: 'x', type: 'file' });
    expect(Object.keys(file.body.errors)).toEqual(['folder']);
    // Turning a file connection into an lrs one needs the lrs fields.
    const f = await post('/connections', { name: 'f', type: 'file', folder: 'f' });
    const switched = await put(`/connections/${f.body.data.id}`, { type: 'lrs' });
    expect(switched.status).toBe(422);
    expect(Object.keys(switched.body.errors).sort()).toEqual(['endpoint', 'password', 'username']);
    // The checks made after the DTO's (a folder outside FILES_PATH, the fields a type needs
    // beside those sent) are named in the same 422, and nothing is created.
    const both = await post('/connections', { name: '', type: 'file', folder: '../../x' });
    expect(Object.keys(both.body.errors).sort()).toEqual(['folder', 'name']);
    const half = await put(`/connections/${f.body.data.id}`, { type: 'lrs', endpoint: 'bad' });
    expect(Object.keys(half.body.errors).sort()).toEqual(['endpoint', 'password', 'username']);
    const unmade = await post('/connections', { name: '', type: 'file', folder: 'unmade' });
    expect(Object.keys(unmade.body.errors)).toEqual(['name']);
    expect(existsSync(join(t.config.filesPath, 'unmade'))).toBe(false);
  });

  it('deletes a free connection, refuses one a job uses with 409', async () => {
    const a = await post('/connections', { ...lrs, name: 'free' });
    await del(`/connections/${a.body.data.id}`).then((r) => expect(r.status).toBe(204));
    expect((await get(`/connections/${a.body.data.id}`)).status).toBe(404);
    const b = await post('/connections', { ...lrs, name: 'used' });
    inUse.add(b.body.data.id);
    const refused = await del(`/connections/${b.body.data.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('job 12 (pull)');
    expect((await get(`/connections/${b.body.data.id}`)).status).toBe(200);
    expect((await get('/connections/999999')).status).toBe(404);
    expect((await get('/connections/abc')).status).toBe(404);
    expect((await put('/connections/999999', { name: 'x' })).status).toBe(404);
  });

  it('needs access/all', async () => {
    await t
      .http()
      .post(`${t.base}/clients`)
      .set('Authorization', t.adminAuth)
      .send({
        slug: 'plain',
        name: 'p',
        username: 'plain',
        password: 'plain-password',
        store: 'default',
      })
      .expect(201);
    const res = await t
      .http()
      .get('/api/plain/connections')
      .set('Authorization', basic('plain', 'plain-password'));
    expect(res.status).toBe(403);
  });

  it('never shows the password in a response or in the logs table', async () => {
    // Failures too: a bad field next to the password, an auth failure with it.
    await post('/connections', { ...lrs, endpoint: 'nope' });
    await t.http().get('/api/admin/connections').set('Authorization', basic('admin', SECRET));
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toMatch(/password_encrypted|passwordEncrypted/);
    }
    const logs = await t.dataSource.query('SELECT * FROM logs');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.some((l: any) => String(l.message).includes('Connection'))).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
    expect(JSON.stringify(logs)).not.toContain('v1:');
  });
});

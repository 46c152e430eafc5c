import { statSync } from 'fs';
import * as passwords from '../src/access/passwords';
import { basic, createTestApp, isSqlite, TestApp } from './support/test-app';

/**
 * Issue 13, findings 4 (statement cap), 7 (job audit), 8 (bodies after authentication),
 * 9 (login throttling) and 10 (proxies, public URL, 401 logs, connection URLs, file mode).
 */
describe('abuse (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { AUTH_MAX_FAILURES: '3', AUTH_FAILURE_WINDOW_MS: '60000' },
    });
  });
  afterAll(async () => t.close());

  const admin = (method: 'get' | 'post' | 'put' | 'delete', path: string) =>
    t.http()[method](`${t.base}${path}`).set('Authorization', t.adminAuth);

  async function client(slug: string, permissions: string[], store = 'default') {
    await admin('post', '/clients')
      .send({
        slug,
        name: slug,
        username: `${slug}-user`,
        password: `${slug}-password`,
        store,
        permissions,
      })
      .expect(201);
    return basic(`${slug}-user`, `${slug}-password`);
  }

  const authLogs = async (like: string) =>
    (await t.dataSource.query(
      `SELECT message FROM logs WHERE type = 'auth' AND message LIKE ? ORDER BY id`,
      [like],
    )) as { message: string }[];

  describe('failed logins', () => {
    it('are throttled per client and source: 429 with Retry-After, even for the right password, logged once', async () => {
      const right = await client('guess-target', ['access/all']);
      const other = await client('guess-bystander', ['access/all']);
      const wrong = basic('guess-target-user', 'nope');
      for (let i = 0; i < 3; i++) {
        await t.http().get('/api/guess-target/stores').set('Authorization', wrong).expect(401);
      }
      for (const auth of [wrong, right, wrong]) {
        const res = await t.http().get('/api/guess-target/stores').set('Authorization', auth);
        expect(res.status).toBe(429);
        const retry = Number(res.headers['retry-after']);
        expect(retry).toBeGreaterThan(0);
        expect(retry).toBeLessThanOrEqual(60);
        expect(res.body.message).toMatch(/Too many failed logins/);
      }
      // Another client endpoint from the same address is not affected.
      await t.http().get('/api/guess-bystander/stores').set('Authorization', other).expect(200);
      expect(await authLogs('%Login throttled%guess-target%')).toHaveLength(1);
      // The three failures and the lock-out, not the refused requests after it.
      expect(await authLogs('Authentication failed%/api/guess-target/%')).toHaveLength(3);
    });

    it('cost one password hash whether the username, the password or the client is wrong', async () => {
      await client('hash-target', ['access/all']);
      const spy = jest.spyOn(passwords, 'verifySecret');
      try {
        for (const [slug, auth] of [
          ['hash-target', basic('someone-else', 'x')],
          ['hash-target', basic('hash-target-user', 'wrong')],
          ['no-such-client', basic('hash-target-user', 'wrong')],
        ] as const) {
          spy.mockClear();
          await t.http().get(`/api/${slug}/stores`).set('Authorization', auth).expect(401);
          expect({ slug, hashes: spy.mock.calls.length }).toEqual({ slug, hashes: 1 });
        }
      } finally {
        spy.mockRestore();
      }
    });

    it('write short 401 log entries, none after the lock-out, one per window without credentials', async () => {
      const long = 'x'.repeat(5000);
      for (let i = 0; i < 5; i++) {
        const wrong = await t
          .http()
          .get(`/api/${long}/stores`)
          .set('Authorization', basic('a', 'b'));
        expect([401, 429]).toContain(wrong.status);
        await t.http().get(`/api/${long}/stores`).expect(401);
      }
      // Three failures, one lock-out, one request without credentials: 5 rows, not 10.
      const rows = await authLogs('%xxxxxxxxxx%');
      expect(rows).toHaveLength(5);
      for (const r of rows) expect(r.message.length).toBeLessThan(500);
    });
  });

  describe('request bodies', () => {
    it('reads a large xAPI body only after authentication', async () => {
      const junk = '{' + ' '.repeat(200_000);
      const res = await t
        .http()
        .post('/api/admin/xapi/statements')
        .set('Authorization', basic('admin', 'wrong'))
        .set('X-Experience-API-Version', '1.0.3')
        .set('Content-Type', 'application/json')
        .send(junk);
      expect(res.status).toBe(401);
      // Authenticated, the same body is parsed (and refused as malformed).
      const ok = await admin('post', '/xapi/statements')
        .set('X-Experience-API-Version', '1.0.3')
        .set('Content-Type', 'application/json')
        .send(junk);
      expect(ok.status).toBe(400);
    });

    it('takes small bodies on admin, jobs and unknown routes (413)', async () => {
      const big = JSON.stringify({ slug: 'big', name: 'x'.repeat(2 * 1024 * 1024) });
      for (const path of ['/stores', '/jobs/logs-deletion', '/clients']) {
        const res = await admin('post', path).set('Content-Type', 'application/json').send(big);
        expect({ path, status: res.status }).toEqual({ path, status: 413 });
      }
      const unknown = await t
        .http()
        .post('/no/such/route')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ x: 'y'.repeat(100_000) }));
      expect(unknown.status).toBe(413);
      const rows = await t.dataSource.query(`SELECT id FROM stores WHERE slug = 'big'`);
      expect(rows).toEqual([]);
    });

    it('caps the statements of one request (413 naming the limit)', async () => {
      const statements = Array.from({ length: 1001 }, (_, i) => ({
        actor: { mbox: `mailto:cap${i}@example.com` },
        verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
        object: { id: 'http://example.com/activities/cap' },
      }));
      const res = await admin('post', '/xapi/statements')
        .set('X-Experience-API-Version', '1.0.3')
        .send(statements);
      expect(res.status).toBe(413);
      expect(res.body.message).toMatch(/At most 1000 statements per request/);
      const [{ n }] = await t.dataSource.query(
        `SELECT COUNT(*) AS n FROM statements WHERE activity_id = 'http://example.com/activities/cap'`,
      );
      expect(Number(n)).toBe(0);
      await admin('post', '/xapi/statements')
        .set('X-Experience-API-Version', '1.0.3')
        .send(statements.slice(0, 1000))
        .expect(200);
    });
  });

  describe('job changes', () => {
    it('are audited in the system log; the record keeps naming its creator', async () => {
      const ops = await client('audit-ops', ['jobs/all']);
      const created = await admin('post', '/jobs/logs-deletion')
        .send({ repeat: 'dailyAt', time: '03:00', max_level: 1, until: '1_week' })
        .expect(201);
      const id = created.body.data.id;
      expect(created.body.data.client).toBe('admin');
      const changed = await t
        .http()
        .put(`/api/audit-ops/jobs/logs-deletion/${id}`)
        .set('Authorization', ops)
        .send({ repeat: 'dailyAt', time: '04:00', max_level: 2, until: '1_week' })
        .expect(200);
      // jobs.md: client is the creator's slug; the log names who changed it.
      expect(changed.body.data.client).toBe('admin');
      await admin('put', `/jobs/logs-deletion/${id}`)
        .send({ repeat: 'dailyAt', time: '04:00', max_level: 2, until: '1_week', replay: true })
        .expect(200);
      await t
        .http()
        .delete(`/api/audit-ops/jobs/logs-deletion/${id}`)
        .set('Authorization', ops)
        .expect(204);
      const rows: { message: string; data: unknown }[] = await t.dataSource.query(
        `SELECT message, data FROM logs WHERE message LIKE ? ORDER BY id`,
        [`Job ${id} (%`],
      );
      expect(rows.map((r) => r.message)).toEqual([
        `Job ${id} (logs-deletion) created by client admin`,
        `Job ${id} (logs-deletion) changed by client audit-ops`,
        `Job ${id} (logs-deletion) changed (replay requested) by client admin`,
        // The replay may have started a run by then: its deletion entry says it is cancelled.
        expect.stringMatching(
          new RegExp(
            `^Job ${id} \\(logs-deletion\\) deleted by client audit-ops(; its run is cancelled)?$`,
          ),
        ),
      ]);
      const data = rows.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data));
      expect(data.map((d) => d.by)).toEqual(['admin', 'audit-ops', 'admin', 'audit-ops']);
      expect(data[2].replay).toBe(true);
    });
  });

  describe('connections, proxies and files', () => {
    it('refuses a connection endpoint with embedded credentials (422 naming endpoint)', async () => {
      const res = await admin('post', '/connections')
        .send({
          name: 'leaky',
          type: 'lrs',
          endpoint: 'https://user:secret@lrs.example.com/xapi',
          username: 'u',
          password: 'p',
          version: '1.0.3',
        })
        .expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['endpoint']);
      expect(JSON.stringify(res.body)).not.toContain('secret');
    });

    it('believes no X-Forwarded-* header and reflects no malformed Host without TRUST_PROXY', async () => {
      const res = await admin('post', '/cmi5/tokens')
        .set('X-Forwarded-Proto', 'gopher')
        .set('X-Forwarded-Host', 'evil.example.com')
        .send({ activity_id: 'http://example.com/au/1', agent: { mbox: 'mailto:l@example.com' } })
        .expect(201);
      expect(res.body.fetch).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/api\/admin\/cmi5\/fetch\//);
      const hosted = await admin('get', '/clients/admin').set('Host', 'evil"><script>').expect(200);
      expect(hosted.body.data.endpoint).toBe('http://localhost/api/admin');
    });

    (isSqlite() ? it : it.skip)('creates the SQLite file readable by its owner only', () => {
      const path = (t.config.db as { path: string }).path;
      expect(statSync(path).mode & 0o777).toBe(0o600);
    });
  });

  describe('with PUBLIC_URL and TRUST_PROXY', () => {
    let p: TestApp;
    beforeAll(async () => {
      p = await createTestApp({
        env: { PUBLIC_URL: 'https://lrs.example.org', TRUST_PROXY: 'loopback' },
      });
    });
    afterAll(async () => p.close());

    it('uses the public URL for client endpoints and cmi5 fetch URLs', async () => {
      const token = await p
        .http()
        .post('/api/admin/cmi5/tokens')
        .set('Authorization', p.adminAuth)
        .set('Host', 'internal:8080')
        .send({ activity_id: 'http://example.com/au/1', agent: { mbox: 'mailto:l@example.com' } })
        .expect(201);
      expect(token.body.endpoint).toBe('https://lrs.example.org/api/admin/xapi/');
      expect(token.body.fetch).toMatch(/^https:\/\/lrs\.example\.org\/api\/admin\/cmi5\/fetch\//);
      const one = await p
        .http()
        .get('/api/admin/clients/admin')
        .set('Authorization', p.adminAuth)
        .expect(200);
      expect(one.body.data.endpoint).toBe('https://lrs.example.org/api/admin');
    });

    it('refuses a PUBLIC_URL with a path or credentials at start-up', async () => {
      const { loadConfig } = await import('../src/config/app-config');
      expect(() => loadConfig({ PUBLIC_URL: 'https://u:p@lrs.example.org' })).toThrow(/PUBLIC_URL/);
      expect(() => loadConfig({ PUBLIC_URL: 'https://lrs.example.org/base' })).toThrow(
        /PUBLIC_URL/,
      );
      expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
    });
  });
});

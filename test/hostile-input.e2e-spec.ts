import { createHash } from 'crypto';
import { createTestApp, TestApp } from './support/test-app';

/** Issue 13, findings 5, 6 and the input part of 10: hostile bodies and query strings. */
describe('hostile input (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const xapi = (method: 'get' | 'post' | 'put', path: string) =>
    t
      .http()
      [method](`${t.base}/xapi/${path}`)
      .set('Authorization', t.adminAuth)
      .set('X-Experience-API-Version', '1.0.3');
  const admin = (method: 'get' | 'post' | 'put' | 'delete', path: string) =>
    t.http()[method](`${t.base}${path}`).set('Authorization', t.adminAuth);

  const nested = (depth: number, leaf: unknown = 1): string =>
    '{"a":'.repeat(depth) + JSON.stringify(leaf) + '}'.repeat(depth);

  const statement = (extra: Record<string, unknown> = {}) => ({
    actor: { mbox: 'mailto:learner@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { id: 'http://example.com/activities/hostile' },
    ...extra,
  });

  describe('a lone UTF-16 surrogate is malformed input (MariaDB JSON columns refused it: 500)', () => {
    // The escape as it comes on the wire: JSON.stringify would write the same.
    const lone = '\\ud800';
    const send = (req: ReturnType<typeof admin>, text: string) =>
      req.set('Content-Type', 'application/json').send(text);

    it('in statements, admin records and cmi5 tokens: a 400 naming it, nothing written', async () => {
      const count = async (table: string) =>
        Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
      const before = {
        statements: await count('statements'),
        connections: await count('connections'),
        clients: await count('clients'),
        persons: await count('persons'),
        cmi5_tokens: await count('cmi5_tokens'),
      };
      const bodies: [ReturnType<typeof admin>, string][] = [
        [
          xapi('post', 'statements'),
          JSON.stringify([statement({ result: { response: 'x' } })]).replace('"x"', `"${lone}"`),
        ],
        [
          xapi('post', 'statements'),
          `{"actor":{"mbox":"mailto:a@example.com","name":"${lone}"},"verb":{"id":"http://x.org/v"},"object":{"id":"http://x.org/o"}}`,
        ],
        [
          admin('post', '/persons'),
          `{"store":"default","agents":[{"mbox":"mailto:${lone}@x.org"}]}`,
        ],
        [
          admin('post', '/connections'),
          `{"name":"${lone}","type":"file","folder":"f","prefix":"p"}`,
        ],
        [
          admin('post', '/clients'),
          `{"slug":"sur","name":"s","username":"sur","password":"long-enough-pass","store":"default","permissions":["xapi/all"],"pipeline":{"authority_name":"${lone}"}}`,
        ],
        [
          admin('post', '/cmi5/tokens'),
          `{"activity_id":"http://x.org/a","agent":{"mbox":"mailto:l@x.org","name":"${lone}"}}`,
        ],
      ];
      for (const [req, text] of bodies) {
        const res = await send(req, text);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/lone UTF-16 surrogate/);
      }
      expect({
        statements: await count('statements'),
        connections: await count('connections'),
        clients: await count('clients'),
        persons: await count('persons'),
        cmi5_tokens: await count('cmi5_tokens'),
      }).toEqual(before);
    });

    it("in a document's agent parameter: a 400, and a well-formed pair is stored", async () => {
      const path = (name: string) =>
        `activities/state?${new URLSearchParams({
          activityId: 'http://x.org/o',
          stateId: 's',
        })}&agent=${encodeURIComponent(`{"mbox":"mailto:a@x.org","name":"${name}"}`)}`;
      const bad = await xapi('put', path(lone)).send({ a: 1 });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/lone UTF-16 surrogate/);
      await xapi('put', path('\\ud83d\\ude00')).send({ a: 1 }).expect(204);
    });
  });

  describe('prototype keys are plain data', () => {
    for (const key of ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty']) {
      it(`a statement {"${key}":1} is a 400 naming the key, not a 500`, async () => {
        const res = await xapi('post', 'statements')
          .set('Content-Type', 'application/json')
          .send(`{"${key}":1}`);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual(expect.any(Object));
        expect(JSON.stringify(res.body)).not.toContain('is not a function');
      });
    }

    it('stores an extension whose keys are prototype names and reads it back unchanged', async () => {
      // A JS literal `{ __proto__: ... }` would set the prototype: write the JSON by hand.
      const ext = '{"__proto__":{"polluted":true},"constructor":"c","toString":"t"}';
      const body = JSON.stringify([
        statement({ result: { extensions: { 'http://example.com/ext': 0 } } }),
      ]).replace('"http://example.com/ext":0', `"http://example.com/ext":${ext}`);
      const id = (
        await xapi('post', 'statements').set('Content-Type', 'application/json').send(body)
      ).body[0];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      for (const format of ['exact', 'canonical']) {
        const got = await xapi('get', `statements?statementId=${id}&format=${format}`).expect(200);
        const read = JSON.parse(got.text).result.extensions['http://example.com/ext'];
        expect(Object.keys(read).sort()).toEqual(['__proto__', 'constructor', 'toString']);
        expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
      }
      expect(({} as any).polluted).toBeUndefined();
    });

    it('admin and jobs bodies with prototype keys answer 4xx or 2xx, never 500', async () => {
      const bodies = ['{"__proto__":{"slug":"x"}}', '{"constructor":{"prototype":{}}}'];
      for (const body of bodies) {
        for (const path of ['/stores', '/clients', '/persons', '/jobs/logs-deletion']) {
          const res = await admin('post', path).set('Content-Type', 'application/json').send(body);
          expect([400, 422]).toContain(res.status);
          if (path.startsWith('/jobs/')) {
            // A job takes no such field: named in the 422 like any other unknown one.
            const key = Object.keys(JSON.parse(body))[0];
            expect(res.body.errors[key]).toEqual(['is not a field of logs-deletion jobs']);
          }
        }
      }
      expect(({} as any).slug).toBeUndefined();
    });
  });

  describe('nesting is capped where bodies are parsed', () => {
    it('JSON nested 3,000 deep to stores, jobs and persons is a 400 naming the limit', async () => {
      for (const path of ['/stores', '/persons', '/jobs/logs-deletion', '/clients']) {
        const res = await admin('post', path)
          .set('Content-Type', 'application/json')
          .send(nested(3000));
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/nested deeper than 31 levels/);
      }
    });

    it('a statement extension nested 4,110 deep is a 400; 27 deep is stored and read canonically', async () => {
      const deep = JSON.stringify(statement({ result: { extensions: { 'http://e.x/d': 0 } } }));
      const tooDeep = deep.replace('"http://e.x/d":0', `"http://e.x/d":${nested(4110)}`);
      const res = await xapi('post', 'statements')
        .set('Content-Type', 'application/json')
        .send(tooDeep);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/31 levels/);
      const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM statements`);
      const fine = deep.replace('"http://e.x/d":0', `"http://e.x/d":${nested(27)}`);
      await xapi('post', 'statements')
        .set('Content-Type', 'application/json')
        .send(fine)
        .expect(200);
      const [{ n: after }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM statements`);
      expect(Number(after)).toBe(Number(n) + 1);
      await xapi('get', 'statements?format=canonical&limit=500').expect(200);
    });

    it('a deep statement inside multipart/mixed is a 400 as well', async () => {
      const part = JSON.stringify(statement({ result: { extensions: { 'http://e.x/m': 0 } } }));
      const json = part.replace('"http://e.x/m":0', `"http://e.x/m":${nested(200)}`);
      const hash = createHash('sha256').update('hello').digest('hex');
      const withHash = json.replace(
        '"result"',
        `"attachments":[{"usageType":"http://e.x/u","display":{"en":"a"},"contentType":"text/plain","length":5,"sha2":"${hash}"}],"result"`,
      );
      const body =
        `--zz\r\nContent-Type: application/json\r\n\r\n${withHash}\r\n` +
        `--zz\r\nContent-Type: text/plain\r\nX-Experience-API-Hash: ${hash}\r\n` +
        `Content-Transfer-Encoding: binary\r\n\r\nhello\r\n--zz--\r\n`;
      const res = await xapi('post', 'statements')
        .set('Content-Type', 'multipart/mixed; boundary=zz')
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/31 levels/);
    });
  });

  describe('unknown or malformed query parameters on admin and jobs routes', () => {
    async function twoStoreJobs() {
      const slug = `qs-${Date.now()}`;
      await admin('post', '/stores').send({ slug, name: 'Q' }).expect(201);
      for (const store of ['default', slug]) {
        await admin('post', '/jobs/cmi5-tokens-deletion')
          .send({ repeat: 'dailyAt', time: '03:00', until: '1_day', store })
          .expect(201);
      }
      return (await admin('get', '/jobs/cmi5-tokens-deletion').expect(200)).body.data.length;
    }

    it('DELETE jobs/<type>?store[]=x and the typo ?stores=x are 400s naming them and delete nothing', async () => {
      const count = await twoStoreJobs();
      expect(count).toBeGreaterThanOrEqual(2);
      for (const q of ['store[]=default', 'stores=default', 'store=default&store=other']) {
        const res = await admin('delete', `/jobs/cmi5-tokens-deletion?${q}`);
        expect(res.status).toBe(400);
        const name = q.split('=')[0];
        expect(res.body.errors).toHaveProperty([name]);
        expect(res.body.message).toContain(name);
      }
      const left = await admin('get', '/jobs/cmi5-tokens-deletion').expect(200);
      expect(left.body.data).toHaveLength(count);
      await admin('delete', '/jobs/cmi5-tokens-deletion?store=default').expect(204);
      const after = await admin('get', '/jobs/cmi5-tokens-deletion').expect(200);
      expect(after.body.data).toHaveLength(count - 1);
    });

    it('admin routes refuse unknown query parameters with 400 naming them', async () => {
      for (const path of [
        '/stores',
        '/clients',
        '/clients/admin',
        '/connections',
        '/logs',
        '/jobs/logs-deletion',
      ]) {
        const res = await admin('get', `${path}?bogus=1`);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body.errors).toEqual({ bogus: [expect.stringMatching(/unknown/)] });
      }
      await admin('get', '/logs?limit=5').expect(200);
      await admin('get', '/jobs/logs-deletion?store=default').expect(200);
    });

    it('admin and jobs routes take only plain decimal integers in numeric query parameters', async () => {
      const bad = ['', '%20', '0x3', '1e1', '1.0', '+1', '-0x1', '9'.repeat(20)];
      for (const name of ['level', 'limit', 'before', 'job']) {
        for (const value of bad) {
          const res = await admin('get', `/logs?${name}=${value}`);
          expect({ name, value, status: res.status }).toEqual({ name, value, status: 400 });
          expect(Object.keys(res.body.errors)).toEqual([name]);
        }
      }
      for (const name of ['limit', 'before']) {
        for (const value of bad) {
          const res = await admin('get', `/jobs/logs-deletion/1/logs?${name}=${value}`);
          expect({ name, value, status: res.status }).toEqual({ name, value, status: 400 });
        }
      }
      await admin('get', '/logs?level=3&limit=10&before=99999&job=1').expect(200);
    });
  });

  describe('smaller input findings', () => {
    it('invalid UTF-8 in a JSON body is a 400', async () => {
      const bad = Buffer.concat([
        Buffer.from('{"slug":"utf","name":"'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}'),
      ]);
      // serialize: send the bytes as they are (superagent would JSON-encode a Buffer).
      const res = await admin('post', '/stores')
        .set('Content-Type', 'application/json')
        .serialize((b: unknown) => b as string)
        .send(bad);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/UTF-8/);
      const rows = await t.dataSource.query(`SELECT id FROM stores WHERE slug = 'utf'`);
      expect(rows).toEqual([]);
    });

    it('a text/plain body to an admin route is a 415', async () => {
      for (const path of ['/stores', '/clients', '/persons', '/connections']) {
        const res = await admin('post', path)
          .set('Content-Type', 'text/plain')
          .send('{"slug":"plain","name":"P"}');
        expect(res.status).toBe(415);
      }
      const put = await admin('put', '/stores/default')
        .set('Content-Type', 'text/plain')
        .send('{"name":"x"}');
      expect(put.status).toBe(415);
    });

    it('jobs/<type>/abc says the id is not a number', async () => {
      for (const method of ['get', 'delete'] as const) {
        const res = await admin(method, '/jobs/logs-deletion/abc');
        expect(res.status).toBe(404);
        expect(res.body.message).toMatch(/ids are positive integers/);
        expect(res.body.message).not.toMatch(/NaN/);
      }
    });
  });
});

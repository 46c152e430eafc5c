import { createHash } from 'crypto';
import { Person } from '../src/access/person.entity';
import { agentVid } from '../src/xapi/agents/agent-identifier';
import { Agent } from '../src/xapi/agents/agent.entity';
import { agentProfileAddress, stateAddress } from '../src/xapi/documents/document-addresses';
import { DocumentsService } from '../src/xapi/documents/documents.service';
import { basic, createTestApp, TestApp } from './support/test-app';

const V = { 'X-Experience-API-Version': '1.0.3' };
const ACTIVITY = 'http://example.com/activities/course-1';
const AGENT = { objectType: 'Agent', mbox: 'mailto:ann@example.com' };
const REG = 'ec531277-b57b-4c15-8d91-d292c5b2b8f7';

describe('xAPI documents (e2e)', () => {
  let t: TestApp;
  const state = (q: Record<string, string | undefined>) =>
    `${t.base}/xapi/activities/state?` +
    new URLSearchParams(
      Object.entries({ activityId: ACTIVITY, agent: JSON.stringify(AGENT), ...q }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    ).toString();

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  describe('state', () => {
    it('stores a binary document and returns it byte for byte with ETag and Last-Modified', async () => {
      const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 255]);
      const put = await t
        .http()
        .put(state({ stateId: 'bin' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('Content-Type', 'application/octet-stream')
        .send(bytes)
        .expect(204);
      expect(put.headers['x-experience-api-version']).toBe('1.0.3');
      const res = await t
        .http()
        .get(state({ stateId: 'bin' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      const sha1 = createHash('sha1').update(bytes).digest('hex');
      expect(res.headers.etag).toBe(`"${sha1}"`);
      expect(new Date(res.headers['last-modified']).getTime()).not.toBeNaN();
      const rows = await t.dataSource.query(
        'SELECT state_id, agent_vid, registration, etag FROM states WHERE state_id = ?',
        ['bin'],
      );
      expect(rows).toEqual([
        {
          state_id: 'bin',
          agent_vid: 'mbox::mailto:ann@example.com',
          registration: null,
          etag: sha1,
        },
      ]);
    });

    it('keeps documents larger than 64 KB (beyond a MySQL TEXT/BLOB)', async () => {
      const big = 'x'.repeat(300_000) + '\u00e9';
      await t
        .http()
        .put(state({ stateId: 'big' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('Content-Type', 'text/plain; charset=utf-8')
        .send(big)
        .expect(204);
      const res = await t
        .http()
        .get(state({ stateId: 'big' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(res.text).toBe(big);
    });

    it('merges JSON on POST and refuses to merge into a non-JSON document', async () => {
      await t
        .http()
        .put(state({ stateId: 'progress', registration: REG }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ page: 1, done: false })
        .expect(204);
      await t
        .http()
        .post(state({ stateId: 'progress', registration: REG }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ done: true, score: 5 })
        .expect(204);
      const got = await t
        .http()
        .get(state({ stateId: 'progress', registration: REG }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(got.headers['content-type']).toMatch(/^application\/json/);
      expect(got.body).toEqual({ page: 1, done: true, score: 5 });
      // Same stateId without the registration is another document.
      await t
        .http()
        .get(state({ stateId: 'progress' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(404);
      // A POST onto the binary document of the previous test: 400.
      await t
        .http()
        .post(state({ stateId: 'bin' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ a: 1 })
        .expect(400);
      // A POST of text onto a JSON document: 400.
      await t
        .http()
        .post(state({ stateId: 'progress', registration: REG }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('Content-Type', 'text/plain')
        .send('hello')
        .expect(400);
    });

    it('lists ids of a context, with since, and deletes one or all', async () => {
      const agent = { mbox: 'mailto:list@example.com' };
      const q = (extra: Record<string, string>) =>
        state({ agent: JSON.stringify(agent), ...extra });
      for (const id of ['a', 'b']) {
        await t
          .http()
          .put(q({ stateId: id }))
          .set(V)
          .set('Authorization', t.adminAuth)
          .set('Content-Type', 'text/plain')
          .send(id)
          .expect(204);
      }
      await new Promise((r) => setTimeout(r, 20));
      const since = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      await t
        .http()
        .put(q({ stateId: 'c', registration: REG }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('Content-Type', 'text/plain')
        .send('c')
        .expect(204);
      const all = await t.http().get(q({})).set(V).set('Authorization', t.adminAuth).expect(200);
      expect(all.body.sort()).toEqual(['a', 'b', 'c']);
      const recent = await t
        .http()
        .get(q({ since }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(recent.body).toEqual(['c']);
      const ofReg = await t
        .http()
        .get(q({ registration: REG }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(ofReg.body).toEqual(['c']);
      await t
        .http()
        .delete(q({ stateId: 'a' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(204);
      const afterOne = await t.http().get(q({})).set(V).set('Authorization', t.adminAuth);
      expect(afterOne.body.sort()).toEqual(['b', 'c']);
      await t.http().delete(q({})).set(V).set('Authorization', t.adminAuth).expect(204);
      const afterAll = await t.http().get(q({})).set(V).set('Authorization', t.adminAuth);
      expect(afterAll.body).toEqual([]);
      const rows = await t.dataSource.query(
        'SELECT COUNT(*) AS n FROM states WHERE agent_vid = ?',
        ['mbox::mailto:list@example.com'],
      );
      expect(Number(rows[0].n)).toBe(0);
      // The documents of the other agent are untouched.
      await t
        .http()
        .get(state({ stateId: 'bin' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      const res = await t
        .http()
        .head(state({ stateId: 'progress', registration: REG }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(res.headers.etag).toMatch(/^"[0-9a-f]{40}"$/);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.text ?? '').toBe('');
      await t
        .http()
        .head(state({ stateId: 'missing' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(404);
    });

    it('honours If-Match and If-None-Match with 412', async () => {
      const put = await t
        .http()
        .put(state({ stateId: 'etags' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ v: 1 })
        .expect(204);
      const etag = put.headers.etag;
      await t
        .http()
        .put(state({ stateId: 'etags' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-Match', '"0000000000000000000000000000000000000000"')
        .send({ v: 2 })
        .expect(412);
      await t
        .http()
        .put(state({ stateId: 'etags' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-None-Match', '*')
        .send({ v: 2 })
        .expect(412);
      await t
        .http()
        .put(state({ stateId: 'etags' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-Match', etag)
        .send({ v: 3 })
        .expect(204);
      const got = await t
        .http()
        .get(state({ stateId: 'etags' }))
        .set(V)
        .set('Authorization', t.adminAuth);
      expect(got.body).toEqual({ v: 3 });
      // A state PUT without the headers simply replaces (only profiles require them).
      await t
        .http()
        .put(state({ stateId: 'etags' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ v: 4 })
        .expect(204);
      // Under xAPI 2.0 a state PUT over an existing document needs a header too (409).
      await t
        .http()
        .put(state({ stateId: 'etags' }))
        .set('X-Experience-API-Version', '2.0.0')
        .set('Authorization', t.adminAuth)
        .send({ v: 5 })
        .expect(409);
      const v2 = await t
        .http()
        .get(state({ stateId: 'etags' }))
        .set('X-Experience-API-Version', '2.0.0')
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(v2.body).toEqual({ v: 4 });
      expect(v2.headers['x-experience-api-version']).toBe('2.0.0');
    });

    it('refuses missing or invalid params with 400', async () => {
      const bad: Record<string, string | undefined>[] = [
        { activityId: undefined, stateId: 's' },
        { agent: undefined, stateId: 's' },
        { agent: '{"name":"no identifier"}', stateId: 's' },
        { agent: '{"mbox":"ann@example.com"}', stateId: 's' },
        { agent: '{"mbox":"mailto:a@b.c","openid":"http://a.b/c"}', stateId: 's' },
        { agent: 'not json', stateId: 's' },
        { registration: 'not-a-uuid', stateId: 's' },
        { since: 'yesterday' },
        { StateId: 's' },
        { stateId: 's', foo: 'bar' },
      ];
      for (const q of bad) {
        const res = await t.http().get(state(q)).set(V).set('Authorization', t.adminAuth);
        expect({ q, status: res.status }).toEqual({ q, status: 400 });
        expect(res.body.message).toEqual(expect.any(String));
      }
      // PUT needs a stateId.
      await t
        .http()
        .put(state({}))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ a: 1 })
        .expect(400);
      // And the version header.
      await t
        .http()
        .get(state({ stateId: 'bin' }))
        .set('Authorization', t.adminAuth)
        .expect(400);
    });
  });

  describe.each([
    {
      name: 'activity profile',
      path: 'activities/profile',
      ctx: { activityId: ACTIVITY } as Record<string, string>,
    },
    {
      name: 'agent profile',
      path: 'agents/profile',
      ctx: {
        agent: JSON.stringify({ account: { homePage: 'https://lms.example.com', name: 'ann' } }),
      } as Record<string, string>,
    },
  ])('$name', ({ path, ctx }) => {
    const url = (q: Record<string, string>) =>
      `${t.base}/xapi/${path}?${new URLSearchParams({ ...ctx, ...q }).toString()}`;

    it('stores, merges, lists with since, answers HEAD and deletes', async () => {
      const put = await t
        .http()
        .put(url({ profileId: 'prefs' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-None-Match', '*')
        .send({ lang: 'en' })
        .expect(204);
      // POST merges (no precondition needed for POST).
      await t
        .http()
        .post(url({ profileId: 'prefs' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ audio: 'on' })
        .expect(204);
      const got = await t
        .http()
        .get(url({ profileId: 'prefs' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(got.body).toEqual({ lang: 'en', audio: 'on' });
      expect(got.headers.etag).not.toBe(put.headers.etag);
      expect(got.headers['last-modified']).toBeDefined();
      const head = await t
        .http()
        .head(url({ profileId: 'prefs' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(head.headers.etag).toBe(got.headers.etag);

      await new Promise((r) => setTimeout(r, 20));
      const since = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      await t
        .http()
        .put(url({ profileId: 'other' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-None-Match', '*')
        .set('Content-Type', 'text/plain')
        .send('plain text')
        .expect(204);
      const ids = await t.http().get(url({})).set(V).set('Authorization', t.adminAuth).expect(200);
      expect(ids.body.sort()).toEqual(['other', 'prefs']);
      const recent = await t
        .http()
        .get(url({ since }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(recent.body).toEqual(['other']);

      // POST onto a text document: 400.
      await t
        .http()
        .post(url({ profileId: 'other' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ a: 1 })
        .expect(400);

      await t
        .http()
        .delete(url({ profileId: 'other' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(204);
      await t
        .http()
        .get(url({ profileId: 'other' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(404);
    });

    it('applies the concurrency rules: 400/409 without precondition, 412 on mismatch', async () => {
      // Creating without If-Match / If-None-Match: 400, nothing stored.
      const missing = await t
        .http()
        .put(url({ profileId: 'cc' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ n: 0 })
        .expect(400);
      expect(missing.body.message).toMatch(/If-None-Match/);
      await t
        .http()
        .get(url({ profileId: 'cc' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(404);
      const first = await t
        .http()
        .put(url({ profileId: 'cc' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-None-Match', '*')
        .send({ n: 1 })
        .expect(204);
      // Overwriting without If-Match / If-None-Match: 409.
      const conflict = await t
        .http()
        .put(url({ profileId: 'cc' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ n: 2 })
        .expect(409);
      expect(conflict.body.message).toMatch(/If-Match/);
      await t
        .http()
        .put(url({ profileId: 'cc' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-None-Match', '*')
        .send({ n: 2 })
        .expect(412);
      await t
        .http()
        .put(url({ profileId: 'cc' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-Match', '"1111111111111111111111111111111111111111"')
        .send({ n: 2 })
        .expect(412);
      await t
        .http()
        .put(url({ profileId: 'cc' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-Match', first.headers.etag)
        .send({ n: 3 })
        .expect(204);
      // If-Match on a document that does not exist: 412.
      await t
        .http()
        .put(url({ profileId: 'nope' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-Match', first.headers.etag)
        .send({ n: 1 })
        .expect(412);
      // DELETE with a stale ETag: 412, the document stays.
      await t
        .http()
        .delete(url({ profileId: 'cc' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-Match', first.headers.etag)
        .expect(412);
      const got = await t
        .http()
        .get(url({ profileId: 'cc' }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(got.body).toEqual({ n: 3 });
    });

    it('refuses a missing context or profileId with 400', async () => {
      await t
        .http()
        .get(`${t.base}/xapi/${path}?profileId=prefs`)
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(400);
      await t
        .http()
        .put(url({}))
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({ a: 1 })
        .expect(400);
    });
  });

  it('rejects a malformed agent on the agent profile with 400', async () => {
    await t
      .http()
      .get(
        `${t.base}/xapi/agents/profile?agent=${encodeURIComponent('{"objectType":"Activity","id":"http://a.b"}')}`,
      )
      .set(V)
      .set('Authorization', t.adminAuth)
      .expect(400);
  });

  it('lets jobs write and delete an agent documents through DocumentsService', async () => {
    const docs = t.app.get(DocumentsService);
    const carl = { mbox: 'mailto:carl@example.com' };
    const json = (v: unknown) => ({
      bytes: Buffer.from(JSON.stringify(v)),
      contentType: 'application/json',
    });
    await docs.write(
      stateAddress(1, { activityId: ACTIVITY, agent: carl, registration: REG, stateId: 's1' }),
      json({ a: 1 }),
      'put',
      {},
    );
    await docs.write(
      stateAddress(1, { activityId: ACTIVITY, agent: carl, stateId: 's2' }),
      json({ b: 2 }),
      'put',
      {},
    );
    await docs.write(agentProfileAddress(1, { agent: carl, profileId: 'p' }), json({}), 'put', {});
    // What the HTTP side sees is what the job wrote.
    const ids = await t
      .http()
      .get(state({ agent: JSON.stringify(carl) }))
      .set(V)
      .set('Authorization', t.adminAuth)
      .expect(200);
    expect(ids.body.sort()).toEqual(['s1', 's2']);
    expect(
      await docs.deleteAgentDocuments(1, ['mbox::mailto:carl@example.com'], { batchSize: 1 }),
    ).toEqual({
      states: 2,
      agentProfiles: 1,
    });
    const after = await t
      .http()
      .get(state({ agent: JSON.stringify(carl) }))
      .set(V)
      .set('Authorization', t.adminAuth)
      .expect(200);
    expect(after.body).toEqual([]);
    // Other agents keep theirs.
    await t
      .http()
      .get(state({ stateId: 'bin' }))
      .set(V)
      .set('Authorization', t.adminAuth)
      .expect(200);
  });

  it('answers 413 to a document larger than the database takes, and stores the next one', async () => {
    const mysql = t.dataSource.options.type !== 'better-sqlite3';
    // MySQL/MariaDB: one byte over max_allowed_packet (SQLite has no such limit: a smaller
    // document keeps the test short there).
    const [{ p }] = mysql
      ? await t.dataSource.query('SELECT @@max_allowed_packet AS p')
      : [{ p: 1_000_000 }];
    const put = (stateId: string, bytes: Buffer) =>
      t
        .http()
        .put(state({ stateId }))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('Content-Type', 'application/octet-stream')
        .send(bytes);
    const big = await put('too-big', Buffer.alloc(Number(p) + 1, 0xff));
    expect(big.status).toBe(mysql ? 413 : 204);
    if (mysql) expect(big.body.message).toMatch(/max_allowed_packet/);
    await put('after', Buffer.from('small')).expect(204);
    const rows = await t.dataSource.query(
      "SELECT state_id FROM states WHERE state_id IN ('too-big', 'after') ORDER BY state_id",
    );
    expect(rows.map((r: { state_id: string }) => r.state_id)).toEqual(
      mysql ? ['after'] : ['after', 'too-big'],
    );
  });

  it('serves about without credentials', async () => {
    const res = await t.http().get(`${t.base}/xapi/about`).expect(200);
    expect(res.body).toEqual({ version: ['1.0.3', '2.0.0'], extensions: {} });
    expect(res.headers['x-experience-api-version']).toBe('1.0.3');
    await t.http().get('/api/nobody/xapi/about').expect(404);
  });

  it('answers agents with the Person of linked agents, or of the agent alone', async () => {
    const now = new Date();
    const person = await t.dataSource.getRepository(Person).save({ storeId: 1, createdAt: now });
    const agents: Record<string, unknown>[] = [
      { name: 'Bob', mbox: 'mailto:bob@example.com' },
      { name: 'Robert', account: { homePage: 'https://lms.example.com', name: 'bob' } },
      { openid: 'http://bob.example.com/' },
    ];
    for (const agent of agents) {
      await t.dataSource.getRepository(Agent).save({
        storeId: 1,
        vid: agentVid(agent)!,
        agent,
        personId: person.id,
        stored: now,
        updated: now,
      });
    }
    const get = (agent: unknown) =>
      t
        .http()
        .get(`${t.base}/xapi/agents?agent=${encodeURIComponent(JSON.stringify(agent))}`)
        .set(V)
        .set('Authorization', t.adminAuth);
    const found = await get({ mbox: 'mailto:bob@example.com' }).expect(200);
    expect(found.body).toEqual({
      objectType: 'Person',
      name: ['Bob', 'Robert'],
      mbox: ['mailto:bob@example.com'],
      account: [{ homePage: 'https://lms.example.com', name: 'bob' }],
      openid: ['http://bob.example.com/'],
    });
    const alone = await get({ mbox: 'mailto:nobody@example.com', name: 'No One' }).expect(200);
    expect(alone.body).toEqual({
      objectType: 'Person',
      name: ['No One'],
      mbox: ['mailto:nobody@example.com'],
    });
    await get({ name: 'no identifier' }).expect(400);
  });

  it('xapi/all/read reads every document resource (GET, HEAD) and writes none', async () => {
    await t
      .http()
      .post(`${t.base}/clients`)
      .set('Authorization', t.adminAuth)
      .send({
        slug: 'docreader',
        name: 'Document reader',
        username: 'docreader',
        password: 'docreader-secret',
        store: 'default',
        permissions: ['xapi/all/read'],
      })
      .expect(201);
    const auth = basic('docreader', 'docreader-secret');
    const agent = encodeURIComponent(JSON.stringify(AGENT));
    const activity = encodeURIComponent(ACTIVITY);
    const docs = [
      `xapi/activities/state?activityId=${activity}&agent=${agent}&stateId=r`,
      `xapi/activities/profile?activityId=${activity}&profileId=r`,
      `xapi/agents/profile?agent=${agent}&profileId=r`,
    ];
    for (const doc of docs) {
      await t
        .http()
        .put(`${t.base}/${doc}`)
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-None-Match', '*')
        .set('Content-Type', 'application/json')
        .send({ a: 1 })
        .expect(204);
      const read = await t
        .http()
        .get(`/api/docreader/${doc}`)
        .set(V)
        .set('Authorization', auth)
        .expect(200);
      expect(read.body).toEqual({ a: 1 });
      await t.http().head(`/api/docreader/${doc}`).set(V).set('Authorization', auth).expect(200);
      for (const method of ['put', 'post'] as const) {
        await t
          .http()
          [method](`/api/docreader/${doc}`)
          .set(V)
          .set('Authorization', auth)
          .set('Content-Type', 'application/json')
          .send({ b: 2 })
          .expect(403);
      }
      await t.http().delete(`/api/docreader/${doc}`).set(V).set('Authorization', auth).expect(403);
      const kept = await t
        .http()
        .get(`${t.base}/${doc}`)
        .set(V)
        .set('Authorization', t.adminAuth)
        .expect(200);
      expect(kept.body).toEqual({ a: 1 });
    }
  });
});

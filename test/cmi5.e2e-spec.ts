import { Client } from '../src/access/client.entity';
import { hashSecret } from '../src/access/passwords';
import { Store } from '../src/access/store.entity';
import { basic, createTestApp, TestApp } from './support/test-app';

const V = { 'X-Experience-API-Version': '1.0.3' };
const ACTIVITY = 'https://example.com/courses/1/au/intro';
const LEARNER = {
  objectType: 'Agent',
  account: { homePage: 'https://lms.example.com', name: 'learner-42' },
};
const OTHER = { objectType: 'Agent', mbox: 'mailto:someone-else@example.com' };

describe('cmi5 tokens (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    // A second client on another store, to show token credentials stay on their own endpoint.
    const now = new Date();
    const store = await t.dataSource
      .getRepository(Store)
      .save({ slug: 'other', name: 'Other store', createdAt: now, updatedAt: now });
    await t.dataSource.getRepository(Client).save({
      slug: 'other-lms',
      name: 'Other LMS',
      username: 'other',
      passwordHash: await hashSecret('other-secret'),
      storeId: store.id,
      permissions: ['xapi/all', 'cmi5/tokens'],
      pipeline: {},
      expiresAt: null,
      createdAt: now,
      updatedAt: now,
    });
  });
  afterAll(async () => t.close());

  const issue = (body: unknown, auth = t.adminAuth, base = t.base) =>
    t
      .http()
      .post(`${base}/cmi5/tokens`)
      .set('Authorization', auth)
      .send(body as object);
  const statePath = (agent: unknown, base = t.base) =>
    `${base}/xapi/activities/state?` +
    new URLSearchParams({
      activityId: ACTIVITY,
      agent: JSON.stringify(agent),
      stateId: 'bookmark',
    }).toString();

  it('issues a token, fetched once, whose credentials act on that agent only', async () => {
    const created = await issue({
      activity_id: ACTIVITY,
      agent: LEARNER,
      registration: 'EC531277-B57B-4C15-8D91-D292C5B2B8F7',
    }).expect(201);
    const { token, endpoint, fetch } = created.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(endpoint).toBe(`${t.origin}/api/admin/xapi/`);
    expect(fetch).toBe(`${t.origin}/api/admin/cmi5/fetch/${token}`);

    // Stored hashed, with its agent and registration.
    const rows = await t.dataSource.query(
      'SELECT token_hash, agent_vid, registration, fetched_at, activity_id FROM cmi5_tokens',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).not.toContain(token);
    expect(rows[0]).toMatchObject({
      agent_vid: 'account::https://lms.example.com::learner-42',
      registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
      fetched_at: null,
      activity_id: ACTIVITY,
    });

    // The fetch URL needs no credentials and answers once.
    const fetchPath = new URL(fetch).pathname;
    await t.http().get(fetchPath).expect(404);
    const first = await t.http().post(fetchPath).expect(200);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    const authToken: string = first.body['auth-token'];
    expect(Buffer.from(authToken, 'base64').toString()).toMatch(/^[^:]+:.+$/);
    const second = await t.http().post(fetchPath).expect(200);
    expect(second.body).toEqual({ 'error-code': '1', 'error-text': expect.any(String) });
    const unknown = await t.http().post(`${t.base}/cmi5/fetch/not-a-token`).expect(200);
    expect(unknown.body['error-code']).toBe('2');
    const warnings = await t.dataSource.query(
      "SELECT level, type, message FROM logs WHERE message LIKE '%cmi5 fetch%' ORDER BY id",
    );
    expect(warnings).toEqual([
      { level: 3, type: 'auth', message: expect.stringMatching(/used again/) },
      { level: 3, type: 'auth', message: expect.stringMatching(/unknown cmi5 fetch token/) },
    ]);

    // The credentials: HTTP Basic on the endpoint, for the learner's state.
    const auth = `Basic ${authToken}`;
    await t
      .http()
      .put(statePath(LEARNER))
      .set(V)
      .set('Authorization', auth)
      .send({ page: 3 })
      .expect(204);
    const got = await t
      .http()
      .get(statePath(LEARNER))
      .set(V)
      .set('Authorization', auth)
      .expect(200);
    expect(got.body).toEqual({ page: 3 });

    // Another agent's state: 403, reading and writing.
    await t
      .http()
      .put(statePath(OTHER))
      .set(V)
      .set('Authorization', t.adminAuth)
      .send({ secret: true })
      .expect(204);
    await t.http().get(statePath(OTHER)).set(V).set('Authorization', auth).expect(403);
    await t
      .http()
      .put(statePath(OTHER))
      .set(V)
      .set('Authorization', auth)
      .send({ x: 1 })
      .expect(403);
    const stateIds = `${t.base}/xapi/activities/state?${new URLSearchParams({
      activityId: ACTIVITY,
      agent: JSON.stringify(OTHER),
    })}`;
    await t.http().delete(stateIds).set(V).set('Authorization', auth).expect(403);
    const untouched = await t
      .http()
      .get(statePath(OTHER))
      .set(V)
      .set('Authorization', t.adminAuth)
      .expect(200);
    expect(untouched.body).toEqual({ secret: true });

    // Voiding: its own agent's statements only, never another learner's.
    const post = (body: object, authorization: string) =>
      t
        .http()
        .post(`${t.base}/xapi/statements`)
        .set(V)
        .set('Authorization', authorization)
        .send(body);
    const verb = { id: 'http://adlnet.gov/expapi/verbs/experienced' };
    const voided = { id: 'http://adlnet.gov/expapi/verbs/voided' };
    const object = { id: ACTIVITY };
    const [theirs] = (await post({ actor: OTHER, verb, object }, t.adminAuth).expect(200)).body;
    const [ours] = (await post({ actor: LEARNER, verb, object }, auth).expect(200)).body;
    const voiding = (id: string) => ({
      actor: LEARNER,
      verb: voided,
      object: { objectType: 'StatementRef', id },
    });
    const refused = await post(voiding(theirs), auth).expect(403);
    expect(refused.body.message).toMatch(/only void statements of their own agent/);
    // Nor one not stored yet (it could be another learner's when it comes).
    await post(voiding('1b4a9a3e-0000-4000-8000-000000000001'), auth).expect(403);
    const stillThere = await t
      .http()
      .get(`${t.base}/xapi/statements?statementId=${theirs}`)
      .set(V)
      .set('Authorization', t.adminAuth)
      .expect(200);
    expect(stillThere.body.id).toBe(theirs);
    await post(voiding(ours), auth).expect(200);
    await t
      .http()
      .get(`${t.base}/xapi/statements?voidedStatementId=${ours}`)
      .set(V)
      .set('Authorization', t.adminAuth)
      .expect(200);

    // Nothing beyond its agent's statements, state and agent profile: no activity
    // profiles, no token issuing, no admin routes.
    const activityProfile = `${t.base}/xapi/activities/profile?${new URLSearchParams({
      activityId: ACTIVITY,
      profileId: 'settings',
    })}`;
    await t.http().get(activityProfile).set(V).set('Authorization', auth).expect(403);
    await issue({ activity_id: ACTIVITY, agent: LEARNER }, auth).expect(403);
    await t.http().get(`${t.base}/logs`).set('Authorization', auth).expect(403);

    // Not on another client's endpoint.
    await t
      .http()
      .get(statePath(LEARNER, '/api/other-lms'))
      .set(V)
      .set('Authorization', auth)
      .expect(401);
    // A wrong password with the right token: 401.
    const [user] = Buffer.from(authToken, 'base64').toString().split(':');
    await t
      .http()
      .get(statePath(LEARNER))
      .set(V)
      .set('Authorization', basic(user, 'wrong'))
      .expect(401);
  });

  it('serves the launch flow of an assignable unit, on its own learner only', async () => {
    const registration = 'a7c2b1e0-3d4f-4a5b-9c6d-7e8f9a0b1c2d';
    const xapi = `${t.base}/xapi`;
    const launchData = `${xapi}/activities/state?${new URLSearchParams({
      activityId: ACTIVITY,
      agent: JSON.stringify(LEARNER),
      registration,
      stateId: 'LMS.LaunchData',
    })}`;
    const preferences = (agent: unknown) =>
      `${xapi}/agents/profile?${new URLSearchParams({
        agent: JSON.stringify(agent),
        profileId: 'cmi5LearnerPreferences',
      })}`;
    // The LMS writes the launch data and the learner's preferences before the launch.
    await t
      .http()
      .put(launchData)
      .set(V)
      .set('Authorization', t.adminAuth)
      .send({ contextTemplate: { registration }, launchMode: 'Normal', moveOn: 'Passed' })
      .expect(204);
    for (const [agent, language] of [
      [LEARNER, 'fr-FR'],
      [OTHER, 'de-DE'],
    ] as const) {
      await t
        .http()
        .put(preferences(agent))
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('If-None-Match', '*')
        .send({ languagePreference: language, audioPreference: 'on' })
        .expect(204);
    }
    const { fetch } = (
      await issue({ activity_id: ACTIVITY, agent: LEARNER, registration }).expect(201)
    ).body;

    // The AU: fetch the token, read LMS.LaunchData and cmi5LearnerPreferences.
    const fetched = await t.http().post(new URL(fetch).pathname).expect(200);
    const auth = `Basic ${fetched.body['auth-token']}`;
    const data = await t.http().get(launchData).set(V).set('Authorization', auth).expect(200);
    expect(data.body).toMatchObject({ launchMode: 'Normal', moveOn: 'Passed' });
    const prefs = await t
      .http()
      .get(preferences(LEARNER))
      .set(V)
      .set('Authorization', auth)
      .expect(200);
    expect(prefs.body).toEqual({ languagePreference: 'fr-FR', audioPreference: 'on' });
    // It may update its own learner's preferences.
    await t
      .http()
      .post(preferences(LEARNER))
      .set(V)
      .set('Authorization', auth)
      .send({ audioPreference: 'off' })
      .expect(204);

    // initialized, completed, passed, terminated, in that order.
    const verbs = ['initialized', 'completed', 'passed', 'terminated'];
    for (const verb of verbs) {
      await t
        .http()
        .post(`${xapi}/statements`)
        .set(V)
        .set('Authorization', auth)
        .send({
          actor: LEARNER,
          verb: { id: `http://adlnet.gov/expapi/verbs/${verb}`, display: { 'en-US': verb } },
          object: { id: ACTIVITY },
          ...(verb === 'passed' ? { result: { success: true, score: { scaled: 0.9 } } } : {}),
          context: {
            registration,
            contextActivities: {
              category: [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }],
            },
          },
        })
        .expect(200);
    }
    const mine = await t
      .http()
      .get(`${xapi}/statements`)
      .query({ registration, ascending: 'true' })
      .set(V)
      .set('Authorization', auth)
      .expect(200);
    expect(mine.body.statements.map((s: any) => s.verb.id.split('/').pop())).toEqual(verbs);

    // The same credentials on another learner's documents: 403, and nothing changed.
    await t.http().get(preferences(OTHER)).set(V).set('Authorization', auth).expect(403);
    await t
      .http()
      .put(preferences(OTHER))
      .set(V)
      .set('Authorization', auth)
      .set('If-Match', '*')
      .send({ languagePreference: 'en-US' })
      .expect(403);
    await t.http().delete(preferences(OTHER)).set(V).set('Authorization', auth).expect(403);
    const ids = `${xapi}/agents/profile?${new URLSearchParams({ agent: JSON.stringify(OTHER) })}`;
    await t.http().get(ids).set(V).set('Authorization', auth).expect(403);
    const stored = async (agent: unknown) =>
      (await t.http().get(preferences(agent)).set(V).set('Authorization', t.adminAuth).expect(200))
        .body;
    expect(await stored(LEARNER)).toEqual({ languagePreference: 'fr-FR', audioPreference: 'off' });
    expect(await stored(OTHER)).toEqual({ languagePreference: 'de-DE', audioPreference: 'on' });
  });

  it('answers a fetch whatever its body (read, bounded, ignored)', async () => {
    const bodies: [string, string][] = [
      ['application/x-www-form-urlencoded', 'a=b'],
      ['text/plain', 'hello'],
      ['application/json', '{not json'],
      ['application/json; charset=latin1', '{}'],
      ['application/octet-stream', '\u0000\u0001'],
    ];
    for (const [type, body] of bodies) {
      const { fetch } = (await issue({ activity_id: ACTIVITY, agent: LEARNER }).expect(201)).body;
      const res = await t.http().post(new URL(fetch).pathname).set('Content-Type', type).send(body);
      expect({ type, status: res.status }).toEqual({ type, status: 200 });
      expect(res.body['auth-token']).toEqual(expect.any(String));
    }
    const { fetch } = (await issue({ activity_id: ACTIVITY, agent: LEARNER }).expect(201)).body;
    const big = await t
      .http()
      .post(new URL(fetch).pathname)
      .set('Content-Type', 'text/plain')
      .send('x'.repeat(64 * 1024));
    expect(big.status).toBe(413);
    // The token is still there for a fetch of a sensible size.
    const after = await t.http().post(new URL(fetch).pathname).expect(200);
    expect(after.body['auth-token']).toEqual(expect.any(String));
  });

  it('keeps tokens of another client off this client fetch URL', async () => {
    const created = await issue(
      { activity_id: ACTIVITY, agent: LEARNER },
      basic('other', 'other-secret'),
      '/api/other-lms',
    ).expect(201);
    expect(created.body.endpoint).toBe(`${t.origin}/api/other-lms/xapi/`);
    const wrongClient = await t
      .http()
      .post(`${t.base}/cmi5/fetch/${created.body.token}`)
      .expect(200);
    expect(wrongClient.body['error-code']).toBe('2');
    const right = await t.http().post(new URL(created.body.fetch).pathname).expect(200);
    const auth = `Basic ${right.body['auth-token']}`;
    await t
      .http()
      .get(statePath(LEARNER, '/api/other-lms'))
      .set(V)
      .set('Authorization', auth)
      .expect(404);
    await t.http().get(statePath(LEARNER)).set(V).set('Authorization', auth).expect(401);
  });

  it('refuses bad input with 422 naming each field', async () => {
    const res = await issue({
      activity_id: 'not an iri',
      agent: { name: 'no identifier' },
      registration: 'nope',
    }).expect(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['activity_id', 'agent', 'registration']);
    const two = await issue({
      activity_id: ACTIVITY,
      agent: { mbox: 'mailto:a@example.com', openid: 'http://a.example.com/' },
    }).expect(422);
    expect(Object.keys(two.body.errors)).toEqual(['agent']);
    const group = await issue({
      activity_id: ACTIVITY,
      agent: { objectType: 'Group', mbox: 'mailto:team@example.com' },
    }).expect(422);
    expect(group.body.errors.agent[0]).toMatch(/Group/);
    await issue({}).expect(422);
  });

  it('requires the cmi5/tokens permission', async () => {
    const now = new Date();
    await t.dataSource.getRepository(Client).save({
      slug: 'reader',
      name: 'Reader',
      username: 'reader',
      passwordHash: await hashSecret('reader-secret'),
      storeId: 1,
      permissions: ['xapi/all/read'],
      pipeline: {},
      expiresAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await issue(
      { activity_id: ACTIVITY, agent: LEARNER },
      basic('reader', 'reader-secret'),
      '/api/reader',
    ).expect(403);
  });
});

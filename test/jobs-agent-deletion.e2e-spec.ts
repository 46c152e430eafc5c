import { randomUUID } from 'crypto';
import {
  AGENT_DELETION_BATCH,
  AgentDeletionHandler,
} from '../src/job-types/agent-deletion/agent-deletion.handler';
import { agentVid } from '../src/xapi/agents/agent-identifier';
import { everyProgressLogged } from './support/progress';
import { createTestApp, TestApp } from './support/test-app';
import { createStoreWithClient } from './support/xapi-fixtures';
import { waitFor } from './support/wait';

const V = { 'X-Experience-API-Version': '1.0.3' };

describe('agent-deletion over the Jobs API (e2e)', () => {
  let t: TestApp;
  let other: { base: string; auth: string };

  const verb = { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { en: 'experienced' } };
  const course = { id: 'http://example.com/activities/course', definition: { name: { en: 'C' } } };

  const jobs = `/api/admin/jobs/agent-deletion`;
  const postJob = (body: object) =>
    t.http().post(jobs).set('Authorization', t.adminAuth).send(body);
  const ran = (id: number) =>
    waitFor(
      async () => {
        const j = (await t.http().get(`${jobs}/${id}`).set('Authorization', t.adminAuth)).body.data;
        return j.ran >= 1 && !j.running ? j : null;
      },
      30_000,
      `agent-deletion job ${id}`,
    );
  const run = async (body: object) => {
    const res = await postJob({ repeat: 'now', store: 'default', ...body }).expect(201);
    return ran(res.body.data.id);
  };
  const xapi = (base = t.base, auth = t.adminAuth) => ({
    post: (path: string, body: object | object[]) =>
      t.http().post(`${base}/xapi/${path}`).set(V).set('Authorization', auth).send(body),
    put: (path: string, query: Record<string, string>, body: object) =>
      t
        .http()
        .put(`${base}/xapi/${path}`)
        .query(query)
        .set(V)
        .set('Authorization', auth)
        .send(body),
    get: (path: string, query: Record<string, string>) =>
      t.http().get(`${base}/xapi/${path}`).query(query).set(V).set('Authorization', auth),
  });
  const ids = async (base = t.base, auth = t.adminAuth) =>
    (await xapi(base, auth).get('statements', { limit: '500' }).expect(200)).body.statements
      .map((s: { id: string }) => s.id)
      .sort();

  /** The agent in each role, with other agents beside it, and its documents. */
  async function fixture(target: Record<string, unknown>, base = t.base, auth = t.adminAuth) {
    const n = Math.random().toString(36).slice(2, 8);
    const peer = { objectType: 'Agent', mbox: `mailto:peer-${n}@example.com` };
    const teacher = {
      objectType: 'Agent',
      account: { homePage: 'https://lms.example.com', name: `t-${n}` },
    };
    const s = {
      actor: randomUUID(),
      object: randomUUID(),
      instructor: randomUUID(),
      member: randomUUID(),
      sub: randomUUID(),
      peerOwn: randomUUID(),
      teacherOwn: randomUUID(),
    };
    await xapi(base, auth)
      .post('statements', [
        { id: s.actor, actor: target, verb, object: course, context: { instructor: teacher } },
        { id: s.object, actor: peer, verb, object: { objectType: 'Agent', ...target } },
        { id: s.instructor, actor: peer, verb, object: course, context: { instructor: target } },
        {
          id: s.member,
          actor: { objectType: 'Group', member: [peer, target] },
          verb,
          object: course,
        },
        {
          id: s.sub,
          actor: teacher,
          verb,
          object: { objectType: 'SubStatement', actor: target, verb, object: course },
        },
        { id: s.peerOwn, actor: peer, verb, object: course },
        { id: s.teacherOwn, actor: teacher, verb, object: peer },
      ])
      .expect(200);
    for (const agent of [target, peer]) {
      const agentParam = JSON.stringify(agent);
      await xapi(base, auth)
        .put(
          'activities/state',
          { activityId: course.id, agent: agentParam, stateId: 'bookmark' },
          { page: 2 },
        )
        .expect(204);
      await xapi(base, auth)
        .put('agents/profile', { agent: agentParam, profileId: 'prefs' }, { lang: 'en' })
        .set('If-None-Match', '*')
        .expect(204);
    }
    return { s, peer, teacher };
  }

  beforeAll(async () => {
    // A short scheduler minute: progress entries every 100 ms.
    t = await createTestApp({ env: { JOBS_MINUTE_MS: '1200' } });
    other = await createStoreWithClient(t, 'agent-del-other');
  });
  afterAll(async () => t.close());

  it('refuses an agent that is not valid xAPI, naming agent (and person when missing)', async () => {
    for (const agent of [
      { mbox: 'mailto:a@example.com', openid: 'https://id.example.com/a' },
      { name: 'nobody' },
      { mbox: 'a@example.com' },
    ]) {
      const res = await postJob({ repeat: 'now', agent: JSON.stringify(agent), person: false });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors)).toEqual(['agent']);
    }
    const both = await postJob({ repeat: 'now', agent: '{"mbox":', dry_run: 'no' });
    expect(both.status).toBe(422);
    expect(Object.keys(both.body.errors).sort()).toEqual(['agent', 'dry_run', 'person']);
  });

  it('deletes the agent as actor, object, instructor, group member and in a sub-statement, with its documents; keeps the rest', async () => {
    const zoe = { objectType: 'Agent', name: 'Zoe', mbox: 'mailto:zoe@example.com' };
    const { s, peer } = await fixture(zoe);
    const theirs = await fixture(zoe, other.base, other.auth);
    const before = await ids();
    const otherBefore = await ids(other.base, other.auth);

    // A dry run deletes nothing and says what a real run deletes.
    const dry = await run({
      agent: JSON.stringify({ mbox: zoe.mbox }),
      person: false,
      dry_run: true,
    });
    expect(dry.success).toBe(true);
    expect(dry.feedback).toMatch(
      /^dry run, nothing changed: would delete 5 statements, 1 states, 1 agent profiles and 1 agents records/,
    );
    expect(await ids()).toEqual(before);

    const done = await run({ agent: JSON.stringify({ mbox: zoe.mbox }), person: false });
    expect(done.success).toBe(true);
    expect(done.feedback).toContain(
      'deleted 5 statements, 1 states, 1 agent profiles and 1 agents records',
    );
    const gone = [s.actor, s.object, s.instructor, s.member, s.sub];
    expect(await ids()).toEqual(before.filter((id: string) => !(gone as string[]).includes(id)));
    expect(await ids()).toEqual(expect.arrayContaining([s.peerOwn, s.teacherOwn]));
    // A query by the agent finds nothing; by the peer, its own statement.
    const byZoe = await xapi()
      .get('statements', { agent: JSON.stringify({ mbox: zoe.mbox }), related_agents: 'true' })
      .expect(200);
    expect(byZoe.body.statements).toEqual([]);
    const byPeer = await xapi()
      .get('statements', { agent: JSON.stringify(peer), related_agents: 'true' })
      .expect(200);
    expect(byPeer.body.statements.map((x: { id: string }) => x.id).sort()).toEqual(
      [s.peerOwn, s.teacherOwn].sort(),
    );
    // Documents: the agent's are gone, the peer's stay.
    const zoeParam = JSON.stringify({ mbox: zoe.mbox });
    await xapi()
      .get('activities/state', { activityId: course.id, agent: zoeParam, stateId: 'bookmark' })
      .expect(404);
    await xapi().get('agents/profile', { agent: zoeParam, profileId: 'prefs' }).expect(404);
    await xapi()
      .get('activities/state', {
        activityId: course.id,
        agent: JSON.stringify(peer),
        stateId: 'bookmark',
      })
      .expect(200);
    await xapi()
      .get('agents/profile', { agent: JSON.stringify(peer), profileId: 'prefs' })
      .expect(200);
    // The activity stays.
    const activity = await xapi().get('activities', { activityId: course.id }).expect(200);
    expect(activity.body.id).toBe(course.id);
    // The agent's record is gone, not in the other store.
    const records = await t.dataSource.query('SELECT store_id, vid FROM agents WHERE vid = ?', [
      agentVid(zoe),
    ]);
    expect(records.map((r: { store_id: number }) => Number(r.store_id))).not.toContain(1);
    expect(records).toHaveLength(1);
    expect(await ids(other.base, other.auth)).toEqual(otherBefore);
    expect(theirs.s.actor).toBeDefined();

    // No index row or attachment is left without its statement.
    const [{ n }] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM statement_agents a LEFT JOIN statements s ON s.id = a.statement_row_id WHERE s.id IS NULL',
    );
    expect(Number(n)).toBe(0);

    const logs = await t
      .http()
      .get(`${jobs}/${done.id}/logs`)
      .set('Authorization', t.adminAuth)
      .expect(200);
    const events = logs.body.data.map((e: { event: string }) => e.event);
    expect(events).toEqual(expect.arrayContaining(['started', 'passed']));
    const passed = logs.body.data.find((e: { event: string }) => e.event === 'passed');
    expect(passed.data).toMatchObject({
      statements: 5,
      states: 1,
      agent_profiles: 1,
      agents: 1,
      dry_run: false,
    });
  });

  it('person: true removes the statements of every agent linked to the person', async () => {
    const una = { objectType: 'Agent', mbox: 'mailto:una@example.com' };
    const unaAccount = {
      objectType: 'Agent',
      account: { homePage: 'https://lms.example.com', name: 'una' },
    };
    const a = await fixture(una);
    const b = await fixture(unaAccount);
    await t
      .http()
      .post(`${t.base}/persons`)
      .set('Authorization', t.adminAuth)
      .send({ store: 'default', agents: [una, unaAccount] })
      .expect(201);
    const done = await run({ agent: JSON.stringify(una), person: true });
    expect(done.success).toBe(true);
    const left = await ids();
    for (const id of [...Object.values(a.s).slice(0, 5), ...Object.values(b.s).slice(0, 5)]) {
      expect(left).not.toContain(id);
    }
    expect(left).toEqual(expect.arrayContaining([a.s.peerOwn, b.s.peerOwn]));
    const [{ n }] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM agents WHERE store_id = 1 AND vid IN (?, ?)',
      [agentVid(una), agentVid(unaAccount)],
    );
    expect(Number(n)).toBe(0);
    // The Person resource no longer knows the account either.
    const person = await xapi()
      .get('agents', { agent: JSON.stringify(unaAccount) })
      .expect(200);
    expect(person.body.mbox).toBeUndefined();
  });

  it('an agent that is not in the store: a passed run that deleted 0', async () => {
    const before = await ids();
    const done = await run({
      agent: JSON.stringify({ mbox: 'mailto:nobody@example.com' }),
      person: true,
    });
    expect(done.success).toBe(true);
    expect(done.feedback).toContain(
      'deleted 0 statements, 0 states, 0 agent profiles and 0 agents records',
    );
    expect(await ids()).toEqual(before);
  });

  it('a run over many batches logs started, progress and passed with the counts', async () => {
    const wes = { objectType: 'Agent', mbox: 'mailto:wes@example.com' };
    const peer = { objectType: 'Agent', mbox: 'mailto:wes-peer@example.com' };
    await xapi()
      .post(
        'statements',
        Array.from({ length: 300 }, (_, i) => ({
          actor: i % 3 === 0 ? peer : wes,
          verb,
          object: i % 3 === 1 ? peer : course,
        })),
      )
      .expect(200);
    const handler = t.app.get(AgentDeletionHandler);
    handler.batchSize = 20;
    try {
      const done = await everyProgressLogged(t, () =>
        run({ agent: JSON.stringify(wes), person: false }),
      );
      expect(done.feedback).toContain('deleted 200 statements');
      const logs = await t
        .http()
        .get(`${jobs}/${done.id}/logs`)
        .set('Authorization', t.adminAuth)
        .expect(200);
      const entries = logs.body.data as { event: string; data: Record<string, any> }[];
      expect(entries.map((e) => e.event)).toEqual(
        expect.arrayContaining(['started', 'progress', 'passed']),
      );
      expect(entries.find((e) => e.event === 'progress')!.data).toMatchObject({ total: 200 });
      expect(entries.find((e) => e.event === 'passed')!.data).toMatchObject({ statements: 200 });
    } finally {
      handler.batchSize = AGENT_DELETION_BATCH;
    }
    const byPeer = await xapi()
      .get('statements', { agent: JSON.stringify(peer), limit: '500' })
      .expect(200);
    // The peer's 100 own statements stay; those where it was the object of wes went.
    expect(byPeer.body.statements).toHaveLength(100);
  });

  it('without a store makes one job per store', async () => {
    const vic = { objectType: 'Agent', mbox: 'mailto:vic@example.com' };
    const mine = await fixture(vic);
    const theirs = await fixture(vic, other.base, other.auth);
    const res = await postJob({ repeat: 'now', agent: JSON.stringify(vic), person: false }).expect(
      201,
    );
    const list = res.body.data as { id: number; store: string }[];
    expect(list.map((j) => j.store).sort()).toEqual(['agent-del-other', 'default']);
    for (const j of list) expect((await ran(j.id)).feedback).toContain('deleted 5 statements');
    expect(await ids()).not.toContain(mine.s.actor);
    expect(await ids(other.base, other.auth)).not.toContain(theirs.s.actor);
    expect(await ids(other.base, other.auth)).toContain(theirs.s.peerOwn);
  });
});

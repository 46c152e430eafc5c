import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { Store } from '../src/access/store.entity';
import { loadSeedingConfig } from '../src/job-types/seeding/seeding-config';
import {
  buildWorld,
  GeneratedStatement,
  seedDocuments,
  SeedDocument,
  StatementStream,
} from '../src/job-types/seeding/seeding-generator';
import { Agent } from '../src/xapi/agents/agent.entity';
import { statementAgents } from '../src/xapi/statements/index-keys';
import { basic, createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';
import { everyProgressLogged } from './support/progress';

type Json = Record<string, any>;

/** What the generator says a config gives: the tests compare the store against it. */
function expected(folder: string, name: string) {
  const loaded = loadSeedingConfig(folder, name);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const stream = new StatementStream(buildWorld(loaded.config));
  const all: GeneratedStatement[] = [];
  for (let b = stream.take(1000); b.length; b = stream.take(1000)) all.push(...b);
  const docs: SeedDocument[] = [...seedDocuments(stream.world, stream.enrollments)];
  const voided = new Set(
    all.filter((g) => g.kind === 'voiding').map((g) => g.statement.object.id as string),
  );
  const agents = new Set<string>();
  for (const g of all) for (const a of statementAgents(g.statement)) agents.add(a.vid);
  return { config: loaded.config, all, docs, voided, agents };
}

// A 10,000-statement run on a loaded 2-core machine can take a minute.
jest.setTimeout(300_000);

describe('seeding job over the Jobs API (e2e)', () => {
  let t: TestApp;
  let folder: string;
  const V = { 'X-Experience-API-Version': '1.0.3' };
  const secondAuth = basic('second-user', 'second-password');
  const thirdAuth = basic('third-user', 'third-password');

  const post = (body: object) =>
    t.http().post(`${t.base}/jobs/seeding`).set('Authorization', t.adminAuth).send(body);
  const getJob = async (id: number) =>
    (await t.http().get(`${t.base}/jobs/seeding/${id}`).set('Authorization', t.adminAuth)).body
      .data;
  const ran = (id: number, times: number) =>
    waitFor(
      async () => {
        const j = await getJob(id);
        return j.ran >= times && !j.running ? j : null;
      },
      240_000,
      `seeding job ${id} run ${times}`,
      100,
    );

  const logsOf = async (id: number): Promise<Json[]> =>
    (
      await t
        .http()
        .get(`${t.base}/jobs/seeding/${id}/logs`)
        .set('Authorization', t.adminAuth)
        .expect(200)
    ).body.data;

  /** Every statement a client sees through GET statements, following `more`. */
  async function statementsOf(base: string, auth: string): Promise<Json[]> {
    const out: Json[] = [];
    let url = `${base}/xapi/statements?limit=500&ascending=true&format=exact`;
    while (url) {
      const res = await t.http().get(url).set('Authorization', auth).set(V).expect(200);
      out.push(...res.body.statements);
      url = res.body.more;
    }
    return out;
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'seeding-configs-'));
    mkdirSync(folder, { recursive: true });
    for (const name of ['small', 'course']) {
      copyFileSync(resolve('seeding', `${name}.json`), join(folder, `${name}.json`));
    }
    writeFileSync(
      join(folder, 'broken.json'),
      JSON.stringify({
        seed: -1,
        learners: { count: 0, identifiers: { mbox: 0.5, email: 0.5 } },
        period: { timezone: 'Mars/Olympus' },
        courses: { interaction_types: ['choice', 'essay'] },
      }),
    );
    writeFileSync(join(folder, 'not-json.json'), '{ "seed": ');
    // JOBS_MINUTE_MS: progress entries every 100 ms rather than every 5 s.
    t = await createTestApp({ env: { SEEDING_PATH: folder, JOBS_MINUTE_MS: '1200' } });
    // Two more stores, each with an xAPI client of its own (`<slug>-lrs`, `<slug>-user`).
    for (const slug of ['second', 'third']) {
      const admin = (path: string, body: object) =>
        t.http().post(`${t.base}/${path}`).set('Authorization', t.adminAuth).send(body).expect(201);
      await admin('stores', { slug, name: `Store ${slug}` });
      await admin('clients', {
        slug: `${slug}-lrs`,
        name: slug,
        username: `${slug}-user`,
        password: `${slug}-password`,
        store: slug,
        permissions: ['xapi/all'],
      });
    }
  });
  afterAll(async () => t.close());

  it('an unknown config is a 422 listing the available names; a bad name, an invalid config and bad JSON too', async () => {
    const unknown = await post({ repeat: 'now', store: 'default', config: 'nope' }).expect(422);
    expect(Object.keys(unknown.body.errors)).toEqual(['config']);
    expect(unknown.body.errors.config[0]).toContain('available: broken, course, not-json, small');

    const traversal = await post({ repeat: 'now', store: 'default', config: '../etc/passwd' });
    expect(traversal.status).toBe(422);
    expect(Object.keys(traversal.body.errors)).toEqual(['config']);

    const invalid = await post({ repeat: 'now', store: 'default', config: 'broken' }).expect(422);
    expect(Object.keys(invalid.body.errors).sort()).toEqual([
      'config.courses.interaction_types[1]',
      'config.learners.count',
      'config.learners.identifiers.email',
      'config.period.timezone',
      'config.seed',
    ]);
    expect(invalid.body.errors['config.learners.count'][0]).toMatch(/integer from 1/);

    const notJson = await post({ repeat: 'now', store: 'default', config: 'not-json' });
    expect(notJson.status).toBe(422);
    expect(notJson.body.errors.config[0]).toMatch(/not valid JSON/);

    // The store is required; PUT validates the config as POST does.
    const noStore = await post({ repeat: 'now', config: 'small' }).expect(422);
    expect(Object.keys(noStore.body.errors)).toEqual(['store']);
    const created = await post({ repeat: 'on', date: '2099-01-01', store: 'default' }).expect(201);
    expect(created.body.data).toMatchObject({ type: 'seeding', store: 'default' });
    const put = await t
      .http()
      .put(`${t.base}/jobs/seeding/${created.body.data.id}`)
      .set('Authorization', t.adminAuth)
      .send({ repeat: 'on', date: '2099-01-01', config: 'broken' })
      .expect(422);
    expect(put.body.errors['config.seed']).toBeDefined();
    await t
      .http()
      .delete(`${t.base}/jobs/seeding/${created.body.data.id}`)
      .set('Authorization', t.adminAuth)
      .expect(204);
  });

  it('small: fills the store as the config says, the same ids and bodies in a second store, and a second run adds nothing', async () => {
    const want = expected(folder, 'small');
    const { counts } = want.config;

    const first = await post({ repeat: 'now', store: 'default', config: 'small' }).expect(201);
    const id = first.body.data.id;
    const done = await ran(id, 1);
    expect(done.success).toBe(true);
    expect(done.feedback).toBe(
      `seeded config small into store default: ${counts.statements} statements (${counts.statements} new), ` +
        `${counts.states} states (${counts.states} new), ${counts.activity_profiles} activity profiles ` +
        `(${counts.activity_profiles} new), ${counts.agent_profiles} agent profiles (${counts.agent_profiles} new)`,
    );

    // Statements through the xAPI API: every one but the voided (MariaDB writes parts of a
    // batch in parallel, so the stored order may differ from the generated one).
    const byId = (list: Json[]) => [...list].sort((x, y) => (x.id < y.id ? -1 : 1));
    const seen = byId(await statementsOf(t.base, t.adminAuth));
    const visible = want.all.filter((g) => !want.voided.has(g.statement.id));
    expect(seen.map((s) => s.id)).toEqual(visible.map((g) => g.statement.id).sort());
    expect(seen.length).toBe(counts.statements - want.voided.size);
    for (const target of want.voided) {
      const res = await t
        .http()
        .get(`${t.base}/xapi/statements?voidedStatementId=${target}`)
        .set('Authorization', t.adminAuth)
        .set(V)
        .expect(200);
      expect(res.body.id).toBe(target);
    }
    const sample = want.all.find((g) => g.statement.verb.id.endsWith('/passed'))!.statement;
    const stored = seen.find((s) => s.id === sample.id)!;
    expect(stored.result).toEqual(sample.result);
    expect(stored.object).toEqual(sample.object);

    // Documents through the xAPI API, context by context.
    let states = 0;
    const stateContexts = new Map<string, Json>();
    for (const d of want.docs) {
      if (d.kind === 'state')
        stateContexts.set(JSON.stringify([d.activityId, d.agent, d.registration]), d);
    }
    for (const d of stateContexts.values()) {
      const res = await t
        .http()
        .get(`${t.base}/xapi/activities/state`)
        .query({
          activityId: d.activityId,
          agent: JSON.stringify(d.agent),
          registration: d.registration,
        })
        .set('Authorization', t.adminAuth)
        .set(V)
        .expect(200);
      states += res.body.length;
    }
    expect(states).toBe(counts.states);
    const firstState = want.docs.find((d) => d.kind === 'state')!;
    if (firstState.kind !== 'state') throw new Error('no state');
    const doc = await t
      .http()
      .get(`${t.base}/xapi/activities/state`)
      .query({
        activityId: firstState.activityId,
        agent: JSON.stringify(firstState.agent),
        registration: firstState.registration,
        stateId: firstState.stateId,
      })
      .set('Authorization', t.adminAuth)
      .set(V)
      .expect(200);
    expect(doc.body).toEqual(firstState.content);

    let activityProfiles = 0;
    for (const activityId of new Set(
      want.docs.flatMap((d) => (d.kind === 'activity-profile' ? [d.activityId] : [])),
    )) {
      const res = await t
        .http()
        .get(`${t.base}/xapi/activities/profile`)
        .query({ activityId })
        .set('Authorization', t.adminAuth)
        .set(V)
        .expect(200);
      activityProfiles += res.body.length;
    }
    expect(activityProfiles).toBe(counts.activity_profiles);
    let agentProfiles = 0;
    for (const agent of new Set(
      want.docs.flatMap((d) => (d.kind === 'agent-profile' ? [JSON.stringify(d.agent)] : [])),
    )) {
      const res = await t
        .http()
        .get(`${t.base}/xapi/agents/profile`)
        .query({ agent })
        .set('Authorization', t.adminAuth)
        .set(V)
        .expect(200);
      agentProfiles += res.body.length;
    }
    expect(agentProfiles).toBe(counts.agent_profiles);

    // Agents: every learner, instructor and team the statements name, and nothing else.
    const def = await t.dataSource.getRepository(Store).findOneByOrFail({ slug: 'default' });
    expect(await t.dataSource.getRepository(Agent).countBy({ storeId: def.id })).toBe(
      want.agents.size,
    );
    const learner = want.all[0].statement.actor;
    const person = await t
      .http()
      .get(`${t.base}/xapi/agents`)
      .query({ agent: JSON.stringify(learner) })
      .set('Authorization', t.adminAuth)
      .set(V)
      .expect(200);
    expect(person.body.objectType).toBe('Person');

    // Logs: started, passed with counts (progress: see the course run, long enough for it).
    const logs = await logsOf(id);
    expect(logs.map((l) => l.event)).toEqual(expect.arrayContaining(['started', 'passed']));
    const passed = logs.find((l) => l.event === 'passed')!;
    expect(passed.data).toMatchObject({
      config: 'small',
      statements: counts.statements,
      statements_new: counts.statements,
      states: counts.states,
      agent_profiles: counts.agent_profiles,
    });

    // A second run on the same store adds nothing.
    await t
      .http()
      .put(`${t.base}/jobs/seeding/${id}`)
      .set('Authorization', t.adminAuth)
      .send({ repeat: 'now', config: 'small', replay: true })
      .expect(200);
    const again = await ran(id, 2);
    expect(again.success).toBe(true);
    expect(again.feedback).toContain(`${counts.statements} statements (0 new)`);
    expect(again.feedback).toContain(`${counts.states} states (0 new)`);
    expect(again.feedback).toContain(`${counts.agent_profiles} agent profiles (0 new)`);
    expect((await statementsOf(t.base, t.adminAuth)).length).toBe(seen.length);

    // The same config into another store: the same ids and bodies (stored, authority aside).
    const other = await post({ repeat: 'now', store: 'second', config: 'small' }).expect(201);
    expect((await ran(other.body.data.id, 1)).success).toBe(true);
    const there = byId(await statementsOf('/api/second-lrs', secondAuth));
    const strip = (s: Json) => {
      const { stored: _s, authority: _a, ...rest } = s;
      return rest;
    };
    expect(there.map(strip)).toEqual(seen.map(strip));
  });

  it('course: about 10,000 statements with the counts of the config; an empty config seeds the built-in default', async () => {
    const want = expected(folder, 'course');
    const { counts } = want.config;
    // Every progress report logged: on a fast machine the run could end between two.
    const { job, done } = await everyProgressLogged(t, async () => {
      const job = await post({ repeat: 'now', store: 'third', config: 'course' }).expect(201);
      return { job, done: await ran(job.body.data.id, 1) };
    });
    expect(done.success).toBe(true);
    expect(done.feedback).toContain(`${counts.statements} statements (${counts.statements} new)`);
    expect(done.feedback).toContain(`${counts.states} states (${counts.states} new)`);
    const logs = await logsOf(job.body.data.id);
    expect(logs.map((l) => l.event)).toEqual(
      expect.arrayContaining(['started', 'progress', 'passed']),
    );
    const progress = logs.filter((l) => l.event === 'progress');
    const total =
      counts.statements + counts.states + counts.activity_profiles + counts.agent_profiles;
    for (const p of progress) {
      expect(p.data.total).toBe(total);
      expect(p.data.done).toBeLessThanOrEqual(total);
    }
    expect(logs.find((l) => l.event === 'passed')!.data).toMatchObject({
      statements: counts.statements,
      statements_new: counts.statements,
      states_new: counts.states,
      activity_profiles_new: counts.activity_profiles,
      agent_profiles_new: counts.agent_profiles,
    });
    const all = await statementsOf('/api/third-lrs', thirdAuth);
    expect(all.length).toBe(counts.statements - want.voided.size);
    expect(all.filter((s) => s.version === '2.0.0').length).toBe(
      want.all.filter((g) => g.session.version === '2.0.0' && !want.voided.has(g.statement.id))
        .length,
    );

    const fallback = await post({ repeat: 'now', store: 'third', config: '' }).expect(201);
    const d = await ran(fallback.body.data.id, 1);
    expect(d.success).toBe(true);
    expect(d.feedback).toMatch(
      /^seeded config default into store third: 1000 statements \(1000 new\)/,
    );
  });
});

describe('seeding through a graceful shutdown (e2e)', () => {
  it('a run stopped by its instance shutting down ends interrupted, not failed, and the retry ends with the data of one run', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'seeding-configs-'));
    copyFileSync(resolve('seeding', 'course.json'), join(folder, 'course.json'));
    const want = expected(folder, 'course');
    // No grace: the run is stopped at once, in the middle of its batches.
    const env = { SEEDING_PATH: folder, JOBS_MINUTE_MS: '1200', JOBS_SHUTDOWN_GRACE_MS: '0' };
    const first = await createTestApp({ env });
    const logsOf = async (app: TestApp, id: number): Promise<Json[]> =>
      (
        await app
          .http()
          .get(`${app.base}/jobs/seeding/${id}/logs`)
          .set('Authorization', app.adminAuth)
          .expect(200)
      ).body.data;
    const id: number = (
      await first
        .http()
        .post(`${first.base}/jobs/seeding`)
        .set('Authorization', first.adminAuth)
        .send({ repeat: 'now', store: 'default', config: 'course' })
        .expect(201)
    ).body.data.id;
    await waitFor(
      async () => (await logsOf(first, id)).some((e) => e.event === 'progress'),
      60_000,
      'a first progress entry',
      20,
    );
    const dbUrl = first.dbUrl;
    await first.close();
    const next = await createTestApp({ dbUrl, env });
    try {
      const runEvents = async () =>
        (await logsOf(next, id))
          .map((e) => e.event as string)
          .filter((e) => e === 'started' || e === 'passed' || e === 'failed' || e === 'interrupted')
          .reverse();
      // The stopped run is interrupted (its instance left it), never failed: the
      // recorder's database connections stay open until the runs have stopped.
      expect((await runEvents()).slice(0, 2)).toEqual(['started', 'interrupted']);
      await waitFor(async () => (await runEvents()).includes('passed'), 240_000, 'the retry', 100);
      expect(await runEvents()).toEqual(['started', 'interrupted', 'started', 'passed']);
      const store = await next.dataSource.getRepository(Store).findOneByOrFail({ slug: 'default' });
      const [{ n }] = await next.dataSource.query(
        'SELECT COUNT(*) AS n FROM statements WHERE store_id = ?',
        [store.id],
      );
      expect(Number(n)).toBe(want.config.counts.statements);
    } finally {
      await next.close();
    }
  });
});

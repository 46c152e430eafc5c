import { randomUUID } from 'crypto';
import { In } from 'typeorm';
import { Store } from '../src/access/store.entity';
import { State } from '../src/xapi/documents/state.entity';
import { Statement } from '../src/xapi/statements/entities/statement.entity';
import { everyProgressLogged } from './support/progress';
import { basic, createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const V1 = { 'X-Experience-API-Version': '1.0.3' };
const V2 = { 'X-Experience-API-Version': '2.0.0' };
const DAY = 86_400_000;
/** The events of a run (creation and changes of the job are logged too). */
const RUN_EVENTS = new Set(['started', 'log', 'passed', 'failed', 'interrupted', 'cancelled']);

/** validation and clearing through POST <base>/jobs/<type>, checked on the xAPI side. */
describe('validation and clearing job types over the Jobs API (e2e)', () => {
  let t: TestApp;

  const asAdmin = <R extends { set: (k: string, v: string) => R }>(r: R) =>
    r.set('Authorization', t.adminAuth);
  const post = (type: string, body: object) =>
    asAdmin(t.http().post(`${t.base}/jobs/${type}`)).send(body);

  /** POSTs a `now` job and waits for its run to end; returns the job as GET shows it. */
  async function run(type: string, body: object) {
    const res = await post(type, { repeat: 'now', ...body }).expect(201);
    const id = res.body.data.id;
    return waitFor(
      async () => {
        const j = (await asAdmin(t.http().get(`${t.base}/jobs/${type}/${id}`))).body.data;
        return j.ran === 1 && !j.running ? j : null;
      },
      30_000,
      `${type} job ${id}`,
    );
  }
  const logs = async (type: string, id: number) =>
    (
      await asAdmin(t.http().get(`${t.base}/jobs/${type}/${id}/logs`)).expect(200)
    ).body.data.reverse() as { event: string; data: any; feedback: string; success: boolean }[];

  /** A client of `store` (created with its own credentials), with pipeline options. */
  async function client(slug: string, store: string, pipeline: object = {}) {
    await asAdmin(t.http().post(`${t.base}/clients`))
      .send({
        slug,
        name: slug,
        username: `${slug}-user`,
        password: `${slug}-password`,
        store,
        permissions: ['xapi/all'],
        pipeline,
      })
      .expect(201);
    const auth = basic(`${slug}-user`, `${slug}-password`);
    const xapi = `/api/${slug}/xapi`;
    return {
      postStatements: (statements: object[], headers = V1) =>
        t
          .http()
          .post(`${xapi}/statements`)
          .set('Authorization', auth)
          .set(headers)
          .send(statements)
          .expect(200),
      /** Every statement id GET statements returns (not voided), following `more`. */
      async ids(): Promise<string[]> {
        const out: string[] = [];
        let url: string | null = `${xapi}/statements?limit=500`;
        while (url) {
          const res: { body: any } = await t
            .http()
            .get(url)
            .set('Authorization', auth)
            .set(V1)
            .expect(200);
          out.push(...res.body.statements.map((s: { id: string }) => s.id));
          url = res.body.more || null;
        }
        return out.sort();
      },
      getStatement: (id: string) =>
        t.http().get(`${xapi}/statements?statementId=${id}`).set('Authorization', auth).set(V1),
      state: (stateId: string) =>
        `${xapi}/activities/state?activityId=${encodeURIComponent('http://example.com/course')}` +
        `&agent=${encodeURIComponent(JSON.stringify({ mbox: 'mailto:ann@example.com' }))}` +
        `&stateId=${stateId}`,
      auth,
    };
  }

  async function store(slug: string) {
    await asAdmin(t.http().post(`${t.base}/stores`))
      .send({ slug, name: slug })
      .expect(201);
  }

  const statement = (extra: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    actor: { objectType: 'Agent', mbox: 'mailto:ann@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
    object: { id: 'http://example.com/course' },
    ...extra,
  });
  const twoIdentifiers = () =>
    statement({ actor: { mbox: 'mailto:bob@example.com', openid: 'http://example.com/bob' } });
  const badMbox = () => statement({ actor: { mbox: 'bob@example.com' } });

  beforeAll(async () => {
    t = await createTestApp({ env: { JOBS_MINUTE_MS: '1200' } });
    await store('second');
  });
  afterAll(async () => t.close());

  describe('validation', () => {
    it('dry run, then clear: the invalid statements of the store go, valid ones and other stores stay', async () => {
      const loose = await client('loose', 'default', { validate_statements: false });
      const looseSecond = await client('loose-second', 'second', { validate_statements: false });
      const valid = statement();
      const target = statement();
      const invalid = [twoIdentifiers(), badMbox()];
      await loose.postStatements([valid, ...invalid, target]);
      const invalidVoider = {
        id: randomUUID(),
        actor: { mbox: 'mailto:admin@example.com', name: 42 },
        verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
        object: { objectType: 'StatementRef', id: target.id },
      };
      await loose.postStatements([invalidVoider]);
      // Valid under 2.0.0 (its own version), not under 1.0.3.
      const v2 = statement({
        context: {
          contextAgents: [
            { objectType: 'contextAgent', agent: { mbox: 'mailto:coach@example.com' } },
          ],
        },
      });
      await loose.postStatements([v2], V2);
      const secondInvalid = twoIdentifiers();
      const secondValid = statement();
      await looseSecond.postStatements([secondInvalid, secondValid]);

      const before = [valid, ...invalid, invalidVoider, v2].map((s) => s.id).sort();
      expect(await loose.ids()).toEqual(before);

      const dry = await run('validation', { store: 'default', clear: true, dry_run: true });
      expect(dry).toMatchObject({
        success: true,
        feedback: 'dry run, nothing changed: checked 6, valid 3, invalid 3, would delete 3',
        clear: true,
        dry_run: true,
      });
      expect(await loose.ids()).toEqual(before);

      const real = await run('validation', { store: 'default', clear: true });
      expect(real).toMatchObject({
        success: true,
        feedback: 'checked 6, valid 3, invalid 3, deleted 3',
      });
      // The target of the deleted voiding statement is no longer voided.
      expect(await loose.ids()).toEqual([valid, target, v2].map((s) => s.id).sort());
      await loose.getStatement(invalid[0].id).expect(404);
      expect(await looseSecond.ids()).toEqual([secondInvalid.id, secondValid.id].sort());

      const entries = await logs('validation', real.id);
      expect(entries.map((e) => e.event).filter((e) => RUN_EVENTS.has(e))).toEqual([
        'started',
        'log',
        'passed',
      ]);
      const passed = entries.at(-1)!;
      expect(passed.data).toMatchObject({ checked: 6, valid: 3, invalid: 3, deleted: 3 });
      const kept = passed.data.invalid_statements as { id: string; violations: any[] }[];
      expect(kept.map((k) => k.id).sort()).toEqual(
        [...invalid, invalidVoider].map((s) => s.id).sort(),
      );
      expect(kept.find((k) => k.id === invalid[1].id)!.violations).toEqual([
        {
          path: 'actor.mbox',
          message: 'must be a mailto: IRI with one email address, e.g. mailto:ann@example.com',
        },
      ]);
      const dryPassed = (await logs('validation', dry.id)).at(-1)!;
      expect({ ...dryPassed.data, dry_run: false }).toEqual({ ...passed.data, dry_run: false });
    });

    it('without store, one job per store; a long run logs progress with counts', async () => {
      const stores = (await asAdmin(t.http().get(`${t.base}/stores`)).expect(200)).body.data;
      const res = await post('validation', {
        repeat: 'on',
        date: '2099-01-01',
        clear: false,
      }).expect(201);
      expect(res.body.data.map((j: { store: string }) => j.store).sort()).toEqual(
        stores.map((s: { slug: string }) => s.slug).sort(),
      );
      await asAdmin(t.http().delete(`${t.base}/jobs/validation`)).expect(204);

      await store('bulk');
      const bulk = await client('loose-bulk', 'bulk', { validate_statements: false });
      const n = 3000;
      for (let i = 0; i < n; i += 500) {
        await bulk.postStatements(
          Array.from({ length: 500 }, (_, j) => ((i + j) % 10 === 0 ? badMbox() : statement())),
        );
      }
      const job = await everyProgressLogged(t, () =>
        run('validation', { store: 'bulk', clear: false }),
      );
      expect(job.feedback).toBe(`checked ${n}, valid ${n * 0.9}, invalid ${n * 0.1}, deleted 0`);
      const entries = await logs('validation', job.id);
      const progress = entries.filter((e) => e.event === 'progress');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress[0].data).toEqual({ done: expect.any(Number), total: n });
      // Marked, not deleted: all still there.
      expect(await bulk.ids()).toHaveLength(n);
      const flags = await t.dataSource.query(
        'SELECT valid, COUNT(*) AS n FROM statements s JOIN stores st ON st.id = s.store_id ' +
          "WHERE st.slug = 'bulk' AND s.validated = 1 GROUP BY valid ORDER BY valid",
      );
      expect(flags.map((r: any) => [Number(r.valid), Number(r.n)])).toEqual([
        [0, n * 0.1],
        [1, n * 0.9],
      ]);
    });
  });

  describe('clearing', () => {
    it('statements stored until the cutoff go, with a dry run first; after the cutoff, other stores and other services stay', async () => {
      await store('clr');
      await store('clr-other');
      const lms = await client('lms-clr', 'clr');
      const other = await client('lms-clr-other', 'clr-other');
      const old = [statement(), statement()];
      const recent = [statement(), statement()];
      await lms.postStatements([...old, ...recent]);
      const otherOld = statement();
      await other.postStatements([otherOld]);
      for (const id of ['old-state', 'recent-state']) {
        await t
          .http()
          .put(lms.state(id))
          .set('Authorization', lms.auth)
          .set(V1)
          .set('Content-Type', 'application/json')
          .send({ progress: id })
          .expect(204);
      }
      const twoDaysAgo = new Date(Date.now() - 2 * DAY);
      await t.dataSource
        .getRepository(Statement)
        .update({ statementId: In([...old, otherOld].map((s) => s.id)) }, { stored: twoDaysAgo });
      const clr = await t.dataSource.getRepository(Store).findOneByOrFail({ slug: 'clr' });
      await t.dataSource
        .getRepository(State)
        .update({ storeId: clr.id, stateId: 'old-state' }, { stored: twoDaysAgo });
      const all = [...old, ...recent].map((s) => s.id).sort();

      const body = { store: 'clr', service: 'statements', until: '1_day' };
      const dry = await run('clearing', { ...body, dry_run: true });
      expect(dry.success).toBe(true);
      expect(dry.feedback).toMatch(
        /^dry run, nothing changed: would delete \d+ records of statements/,
      );
      expect(await lms.ids()).toEqual(all);

      const real = await run('clearing', body);
      expect(real.feedback).toMatch(/^deleted \d+ records of statements stored until /);
      expect(await lms.ids()).toEqual(recent.map((s) => s.id).sort());
      for (const s of old) await lms.getStatement(s.id).expect(404);
      expect(await other.ids()).toEqual([otherOld.id]);
      // Another service's records are kept, old or not.
      for (const id of ['old-state', 'recent-state']) {
        await t.http().get(lms.state(id)).set('Authorization', lms.auth).set(V1).expect(200);
      }

      const passed = (await logs('clearing', real.id)).at(-1)!;
      expect(passed.event).toBe('passed');
      expect(passed.data.tables.statements).toEqual({
        deleted: 2,
        dependents: { statement_agents: 4, statement_activities: 2 },
      });
      const dryPassed = (await logs('clearing', dry.id)).at(-1)!;
      expect(dryPassed.data.tables).toEqual(passed.data.tables);
      expect(dryPassed.data.deleted).toBe(passed.data.deleted);
      const events = (await logs('clearing', real.id)).map((e) => e.event);
      expect(events.filter((e) => RUN_EVENTS.has(e))).toEqual(['started', 'passed']);

      const states = await run('clearing', { store: 'clr', service: 'states', until: '1_day' });
      expect(states.feedback).toMatch(/^deleted 1 records of states /);
      await t.http().get(lms.state('old-state')).set('Authorization', lms.auth).set(V1).expect(404);
      await t
        .http()
        .get(lms.state('recent-state'))
        .set('Authorization', lms.auth)
        .set(V1)
        .expect(200);
      expect(await lms.ids()).toEqual(recent.map((s) => s.id).sort());
    });

    it('without store, one job per store; bad params are a 422 naming them', async () => {
      const stores = (await asAdmin(t.http().get(`${t.base}/stores`)).expect(200)).body.data;
      const res = await post('clearing', {
        repeat: 'on',
        date: '2099-01-01',
        service: 'all',
        until: '1_year',
      }).expect(201);
      expect(res.body.data).toHaveLength(stores.length);
      await asAdmin(t.http().delete(`${t.base}/jobs/clearing`)).expect(204);

      const bad = await post('clearing', {
        repeat: 'now',
        service: 'logs',
        until: 'date',
        dry_run: 'yes',
        store: 'nope',
      }).expect(422);
      expect(Object.keys(bad.body.errors).sort()).toEqual([
        'dry_run',
        'service',
        'store',
        'until_date',
      ]);
      // until_date: what the run cannot read is refused at the POST; what the POST takes runs.
      const unreadable = { service: 'statements', until: 'date', store: 'default', dry_run: true };
      for (const untilDate of ['20260301', '2026-W09', '2026-060']) {
        const refused = await post('clearing', {
          repeat: 'now',
          ...unreadable,
          until_date: untilDate,
        }).expect(422);
        expect(Object.keys(refused.body.errors)).toEqual(['until_date']);
      }
      const ran = await run('clearing', { ...unreadable, until_date: '2026-03-01' });
      expect(ran.success).toBe(true);
      const noClear = await post('validation', { repeat: 'now', store: 'default' }).expect(422);
      expect(Object.keys(noClear.body.errors)).toEqual(['clear']);
    });
  });
});

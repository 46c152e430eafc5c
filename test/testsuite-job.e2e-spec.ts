import { randomUUID } from 'crypto';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { RunCredential } from '../src/access/run-credentials/run-credential.entity';
import { checksFor } from '../src/job-types/testsuite/built-in-checks.runner';
import { SECTIONS } from '../src/job-types/testsuite/checks';
import { LogEntry } from '../src/logging/log-entry.entity';
import { basic, createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const V1 = { 'X-Experience-API-Version': '1.0.3' };
const ALL = checksFor(null, '1.0.3');
const STATE_IDS = ALL.filter((c) => c.section === 'state').map((c) => c.id);

/** Every row a client can see through xAPI, and what the recording added, as comparable text. */
async function storeContents(ds: DataSource, storeId: number): Promise<Record<string, string[]>> {
  const tables: Record<string, string> = {
    statements: 'statement_id, verb_id, registration, voided',
    attachments: 'sha2, part',
    statement_agents: 'vid, role',
    statement_activities: 'activity_id, role',
    states: 'activity_id, agent_vid, state_id, etag',
    activity_profiles: 'activity_id, profile_id, etag',
    agent_profiles: 'agent_vid, profile_id, etag',
    activities: 'activity_id',
    agents: 'vid',
    vocab: 'kind, iri',
  };
  const out: Record<string, string[]> = {};
  for (const [table, columns] of Object.entries(tables)) {
    const rows: Record<string, unknown>[] = await ds.query(
      `SELECT ${columns} FROM ${table} WHERE store_id = ?`,
      [storeId],
    );
    out[table] = rows.map((r) => JSON.stringify(Object.values(r).map(String))).sort();
  }
  return out;
}

const eventsOf = (entries: LogEntry[]) => entries.map((e) => e.event);

describe('testsuite job (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let defaultStoreId: number;

  const admin = () => t.http();
  const post = (body: Record<string, unknown>) =>
    admin()
      .post('/api/admin/jobs/testsuite')
      .set('Authorization', t.adminAuth)
      .send({ repeat: 'now', ...body });
  const getJob = async (id: number) =>
    (await admin().get(`/api/admin/jobs/testsuite/${id}`).set('Authorization', t.adminAuth)).body
      .data;
  const logsOf = async (jobId: number) =>
    ds
      .getRepository(LogEntry)
      .createQueryBuilder('l')
      .where('l.job_id = :jobId', { jobId })
      .orderBy('l.id', 'ASC')
      .getMany();

  async function runJob(body: Record<string, unknown>) {
    const res = await post(body);
    expect(res.status).toBe(201);
    const id: number = res.body.data.id;
    const job = await waitFor(
      async () => {
        const j = await getJob(id);
        return j.ran >= 1 ? j : null;
      },
      150_000,
      `testsuite job ${id}`,
      200,
    );
    return { job, logs: await logsOf(id) };
  }

  async function client(slug: string, store: string, permissions: string[]) {
    const res = await admin()
      .post('/api/admin/clients')
      .set('Authorization', t.adminAuth)
      .send({
        slug,
        name: slug,
        username: `${slug}-user`,
        password: `${slug}-secret-123`,
        store,
        permissions,
      });
    expect(res.status).toBe(201);
  }

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    ds = t.dataSource;
    defaultStoreId = (await ds.query("SELECT id FROM stores WHERE slug = 'default'"))[0].id;
    await admin()
      .post('/api/admin/stores')
      .set('Authorization', t.adminAuth)
      .send({ slug: 'other', name: 'Other' })
      .expect(201);
    await client('nostate', 'default', [
      'xapi/statements/write',
      'xapi/statements/read',
      'xapi/profile',
      'xapi/all/read',
    ]);
    await client('elsewhere', 'other', ['xapi/all']);
    // Data of the store's own users, which the run must leave alone.
    const registration = randomUUID();
    const statement = {
      id: randomUUID(),
      actor: { mbox: 'mailto:user@example.org', name: 'User' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } },
      object: { objectType: 'StatementRef', id: randomUUID() },
      context: { registration },
    };
    await admin()
      .post('/api/admin/xapi/statements')
      .set(V1)
      .set('Authorization', t.adminAuth)
      .send(statement)
      .expect(200);
    await admin()
      .put('/api/admin/xapi/activities/state')
      .query({
        activityId: 'http://example.org/course',
        agent: JSON.stringify({ mbox: 'mailto:user@example.org' }),
        stateId: 'bookmark',
      })
      .set(V1)
      .set('Authorization', t.adminAuth)
      .send({ page: 3 })
      .expect(204);
  });
  afterAll(async () => t.close());

  it(`carries at least 150 built-in checks in ${SECTIONS.length} sections`, () => {
    expect(ALL.length).toBeGreaterThanOrEqual(150);
    expect(new Set(ALL.map((c) => c.section))).toEqual(new Set(SECTIONS));
  });

  it('passes every built-in check against the admin client and leaves the store as it was', async () => {
    const before = await storeContents(ds, defaultStoreId);
    expect(before.statements).toHaveLength(1);
    expect(before.states).toHaveLength(1);
    const { job, logs } = await runJob({ store: 'default', client: 'admin' });

    expect(job.feedback).toBe(`passed ${ALL.length} / failed 0 of ${ALL.length} (section all)`);
    expect(job.success).toBe(true);
    const end = logs.filter((l) => l.event === 'passed');
    expect(end).toHaveLength(1);
    expect(end[0].data).toMatchObject({ total: ALL.length, passed: ALL.length, failed: 0 });
    expect(logs.filter((l) => l.message.startsWith('check '))).toEqual([]);
    const removed = logs.find((l) => l.message.startsWith("Removed the run's data"));
    expect((removed!.data as any).removed.statements).toBeGreaterThan(100);

    expect(await storeContents(ds, defaultStoreId)).toEqual(before);
    expect(await ds.getRepository(RunCredential).count()).toBe(0);
  }, 180_000);

  it('fails exactly the state checks that write, for a client without xapi/state, each logged with what was sent, expected and got', async () => {
    const before = await storeContents(ds, defaultStoreId);
    const { job, logs } = await runJob({ store: 'default', client: 'nostate' });

    expect(job.success).toBe(false);
    // Its xapi/all/read reads state (xapi.md: every read): the checks that write state fail.
    const failures = logs.filter((l) => l.message.startsWith('check '));
    const failed = failures.map((l) => (l.data as any).check as string);
    expect(failed.length).toBeGreaterThan(STATE_IDS.length / 2);
    expect(STATE_IDS).toEqual(expect.arrayContaining(failed));
    expect(job.feedback).toBe(
      `passed ${ALL.length - failed.length} / failed ${failed.length} of ${ALL.length} (section all)`,
    );
    for (const f of failures) {
      const data = f.data as any;
      expect(f.level).toBe(3);
      expect(['PUT', 'POST', 'DELETE']).toContain(data.sent.method);
      expect(data.sent.url).toMatch(/^activities\/state\?/);
      expect(data.expected).toMatch(/^status /);
      expect(data.got).toMatch(/^status 403/);
    }
    const end = logs.filter((l) => l.event === 'failed');
    expect(end).toHaveLength(1);
    expect(end[0].message).toBe(job.feedback);
    // No credential in any entry of the run.
    const text = JSON.stringify(logs);
    expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(text).not.toMatch(/"authorization"/i);
    expect(await storeContents(ds, defaultStoreId)).toEqual(before);
    expect(await ds.getRepository(RunCredential).count()).toBe(0);
  }, 180_000);

  it('runs only the chosen section', async () => {
    const query = checksFor('statements-query', '1.0.3');
    const { job } = await runJob({
      store: 'default',
      client: 'admin',
      section: 'statements-query',
    });
    expect(job.feedback).toBe(
      `passed ${query.length} / failed 0 of ${query.length} (section statements-query)`,
    );
    expect(job.section).toBe('statements-query');
    // The client without state passes every section but state.
    const about = await runJob({ store: 'default', client: 'nostate', section: 'about' });
    expect(about.job.success).toBe(true);
    const state = await runJob({ store: 'default', client: 'nostate', section: 'state' });
    const writes = state.logs.filter((l) => l.message.startsWith('check ')).length;
    expect(writes).toBeGreaterThan(0);
    expect(state.job.feedback).toBe(
      `passed ${STATE_IDS.length - writes} / failed ${writes} of ${STATE_IDS.length} (section state)`,
    );
    // In a store that never saw the voided verb, the run does not leave it behind.
    const otherId = (await ds.query("SELECT id FROM stores WHERE slug = 'other'"))[0].id;
    const empty = await storeContents(ds, otherId);
    const voiding = await runJob({
      store: 'other',
      client: 'elsewhere',
      section: 'statements-voiding',
    });
    expect(voiding.job.success).toBe(true);
    expect(await storeContents(ds, otherId)).toEqual(empty);
    expect(Object.values(empty).flat()).toEqual([]);
  }, 180_000);

  it('speaks xAPI 2.0.0 when asked, with the 2.0 rules', async () => {
    const v2 = checksFor('alternate-syntax', '2.0.0');
    const { job } = await runJob({
      store: 'default',
      client: 'admin',
      section: 'alternate-syntax',
      version: '2.0.0',
    });
    expect(job.feedback).toBe(
      `passed ${v2.length} / failed 0 of ${v2.length} (section alternate-syntax)`,
    );
    expect(v2.map((c) => c.id)).toEqual(['alternate-syntax.refused-in-2.0']);
  }, 60_000);

  it('refuses an unknown client, a client of another store and an unknown section (422)', async () => {
    const unknown = await post({ store: 'default', client: 'nobody' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.client[0]).toMatch(/No client "nobody"/);
    const other = await post({ store: 'default', client: 'elsewhere' });
    expect(other.status).toBe(422);
    expect(other.body.errors.client[0]).toMatch(/not a client of store "default"/);
    const section = await post({ store: 'default', client: 'admin', section: 'everything' });
    expect(section.status).toBe(422);
    for (const name of SECTIONS) expect(section.body.errors.section[0]).toContain(name);
    const missing = await post({ store: 'default' });
    expect(missing.status).toBe(422);
    expect(Object.keys(missing.body.errors)).toEqual(['client']);
    const noStore = await post({ client: 'admin', version: '3.0' });
    expect(noStore.status).toBe(422);
    expect(Object.keys(noStore.body.errors).sort()).toEqual(['store', 'version']);
    // A PUT moving the job to another store checks the client again.
    const ok = await post({ store: 'default', client: 'admin', repeat: 'dailyAt', time: '03:00' });
    expect(ok.status).toBe(201);
    const moved = await admin()
      .put(`/api/admin/jobs/testsuite/${ok.body.data.id}`)
      .set('Authorization', t.adminAuth)
      .send({ repeat: 'dailyAt', time: '03:00', store: 'other', client: 'admin' });
    expect(moved.status).toBe(422);
    expect(Object.keys(moved.body.errors)).toEqual(['client']);
  });

  it('stops within seconds when cancelled, revokes its credential and removes its data', async () => {
    const before = await storeContents(ds, defaultStoreId);
    const res = await post({ store: 'default', client: 'admin' });
    expect(res.status).toBe(201);
    const id: number = res.body.data.id;
    await waitFor(
      async () => {
        const j = await getJob(id);
        return j.running && j.progress && j.progress.done >= 40 ? j : null;
      },
      60_000,
      'the run to be under way',
      50,
    );
    expect(await ds.getRepository(RunCredential).countBy({ jobId: id })).toBe(1);
    await admin()
      .delete(`/api/admin/jobs/testsuite/${id}`)
      .set('Authorization', t.adminAuth)
      .expect(204);
    const cancelled = await waitFor(
      async () => (await logsOf(id)).find((l) => l.event === 'cancelled'),
      10_000,
      'the cancelled entry',
      50,
    );
    // It stopped where it was, between two checks (how fast: npm run bench:testsuite).
    const stoppedAt = (cancelled.data as any).progress;
    expect(stoppedAt.done).toBeLessThan(ALL.length);
    expect(eventsOf(await logsOf(id))).not.toContain('passed');
    expect(eventsOf(await logsOf(id))).not.toContain('failed');
    expect(await ds.getRepository(RunCredential).count()).toBe(0);
    await waitFor(
      async () => (await logsOf(id)).some((l) => l.message.startsWith("Removed the run's data")),
      10_000,
      'the cleanup',
    );
    expect(await storeContents(ds, defaultStoreId)).toEqual(before);
  }, 120_000);

  it('fails clearly, without hanging, when TESTSUITE_PATH holds no ADL suite', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-suite-'));
    const other = await createTestApp({ listen: true, env: { TESTSUITE_PATH: empty } });
    try {
      const res = await other
        .http()
        .post('/api/admin/jobs/testsuite')
        .set('Authorization', other.adminAuth)
        .send({ repeat: 'now', store: 'default', client: 'admin', section: 'About Resource' });
      expect(res.status).toBe(201);
      const job = await waitFor(
        async () => {
          const r = await other
            .http()
            .get(`/api/admin/jobs/testsuite/${res.body.data.id}`)
            .set('Authorization', basic('admin', 'admin-secret'));
          return r.body.data.ran >= 1 ? r.body.data : null;
        },
        10_000,
        'the failed run',
      );
      expect(job.success).toBe(false);
      expect(job.feedback).toBe(
        `Failed: TESTSUITE_PATH (${empty}) holds no ADL LRS conformance test suite: bin/console_runner.js is missing`,
      );
      expect(await other.dataSource.getRepository(RunCredential).count()).toBe(0);
    } finally {
      await other.close();
    }
  }, 60_000);
});

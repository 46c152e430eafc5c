import { randomUUID } from 'crypto';
import { createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const V = { 'X-Experience-API-Version': '1.0.3' };

/**
 * Jobs that delete or rewrite agents records do it outside the recorder: its cache of
 * known agents must not outlive them, or a later statement of the same agent would not
 * record the agent again (GET agents would miss it).
 */
describe('recorder cache after agent-changing jobs (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const statement = (mbox: string) => ({
    id: randomUUID(),
    actor: { objectType: 'Agent', mbox },
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
    object: { id: 'http://example.com/activities/cache' },
  });
  const post = (body: object) =>
    t
      .http()
      .post('/api/admin/xapi/statements')
      .set(V)
      .set('Authorization', t.adminAuth)
      .send(body)
      .expect(200);
  const agentRecords = async (mbox: string) =>
    Number(
      (
        await t.dataSource.query('SELECT COUNT(*) AS n FROM agents WHERE vid = ?', [
          `mbox::${mbox}`,
        ])
      )[0].n,
    );
  const runJob = async (type: string, body: object) => {
    const jobs = `/api/admin/jobs/${type}`;
    const res = await t
      .http()
      .post(jobs)
      .set('Authorization', t.adminAuth)
      .send({ repeat: 'now', store: 'default', ...body })
      .expect(201);
    const id = res.body.data.id;
    const job = await waitFor(
      async () => {
        const j = (await t.http().get(`${jobs}/${id}`).set('Authorization', t.adminAuth)).body.data;
        return j.ran >= 1 && !j.running ? j : null;
      },
      30_000,
      `${type} job ${id}`,
    );
    expect(job.success).toBe(true);
  };

  it('agent-deletion: the agent is recorded again by its next statement', async () => {
    const mbox = 'mailto:cache-deleted@example.com';
    await post(statement(mbox));
    expect(await agentRecords(mbox)).toBe(1);
    await runJob('agent-deletion', {
      agent: JSON.stringify({ objectType: 'Agent', mbox }),
      person: false,
    });
    expect(await agentRecords(mbox)).toBe(0);
    await post(statement(mbox));
    expect(await agentRecords(mbox)).toBe(1);
  });

  it('pseudo: an original agent seen again after the run is recorded again', async () => {
    const mbox = 'mailto:cache-pseudo@example.com';
    await post(statement(mbox));
    expect(await agentRecords(mbox)).toBe(1);
    await runJob('pseudo', { until: 'now' });
    expect(await agentRecords(mbox)).toBe(0);
    await post(statement(mbox));
    expect(await agentRecords(mbox)).toBe(1);
  });

  it('clearing agents: the agent is recorded again by its next statement', async () => {
    const mbox = 'mailto:cache-cleared@example.com';
    await post(statement(mbox));
    expect(await agentRecords(mbox)).toBe(1);
    await runJob('clearing', { service: 'agents', until: 'now' });
    expect(await agentRecords(mbox)).toBe(0);
    await post(statement(mbox));
    expect(await agentRecords(mbox)).toBe(1);
  });
});

import { createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';

describe('testsuite job (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
  });
  afterAll(async () => t.close());

  const auth = () => t.adminAuth;
  async function runJob(body: Record<string, unknown>) {
    const res = await t
      .http()
      .post('/api/admin/jobs/testsuite')
      .set('Authorization', auth())
      .send({ repeat: 'now', ...body });
    expect(res.status).toBe(201);
    const id = res.body.data.id;
    const job = await waitFor(
      async () => {
        const r = await t
          .http()
          .get(`/api/admin/jobs/testsuite/${id}`)
          .set('Authorization', auth());
        return r.body.data.ran >= 1 ? r.body.data : null;
      },
      120_000,
      'the run',
      200,
    );
    const logs = await t
      .http()
      .get(`/api/admin/jobs/testsuite/${id}/logs?limit=1000`)
      .set('Authorization', auth());
    return { job, logs: logs.body.data as any[] };
  }

  it('admin passes every check', async () => {
    const { job, logs } = await runJob({ store: 'default', client: 'admin' });
    for (const l of logs.filter((e) => e.level >= 3)) console.log(JSON.stringify(l, null, 1));
    console.log(job.feedback);
    expect(job.success).toBe(true);
  }, 180_000);
});

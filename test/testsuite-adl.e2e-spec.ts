import { execFile } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';
import { RunCredential } from '../src/access/run-credentials/run-credential.entity';
import { parseSummary, suiteProblem } from '../src/job-types/testsuite/adl-suite.runner';
import { ADMIN_PASSWORD, ADMIN_USER, createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const SUITE = process.env.TESTSUITE_PATH;
const skipReason = !SUITE
  ? 'TESTSUITE_PATH is not set (point it at an ADL lrs-conformance-test-suite checkout)'
  : suiteProblem(SUITE);
if (skipReason) console.log(`testsuite-adl e2e skipped: ${skipReason}`);

const SECTION = 'About Resource';

/** Processes whose command line mentions `text` (the suite runner and the mocha it forks). */
function processesWith(text: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

(skipReason ? describe.skip : describe)('testsuite job with the ADL suite (e2e)', () => {
  let t: TestApp;
  let endpoint: string;

  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { TESTSUITE_PATH: SUITE! } });
    endpoint = `${t.origin}/api/admin/xapi`;
    await t
      .http()
      .post('/api/admin/clients')
      .set('Authorization', t.adminAuth)
      .send({
        slug: 'nostate',
        name: 'No state',
        username: 'nostate',
        password: 'nostate-secret-1',
        store: 'default',
        permissions: [
          'xapi/statements/write',
          'xapi/statements/read',
          'xapi/profile',
          'xapi/all/read',
        ],
      })
      .expect(201);
  });
  afterAll(async () => t.close());

  const post = (body: object) =>
    t
      .http()
      .post('/api/admin/jobs/testsuite')
      .set('Authorization', t.adminAuth)
      .send({ repeat: 'now', store: 'default', client: 'admin', ...body });
  const getJob = async (id: number) =>
    (await t.http().get(`/api/admin/jobs/testsuite/${id}`).set('Authorization', t.adminAuth)).body
      .data;

  // The admin client passes; a client without xapi/state fails the State Resource tests.
  const CASES = [
    { version: '1.0.3', client: 'admin', password: ADMIN_PASSWORD, section: SECTION },
    { version: '2.0.0', client: 'admin', password: ADMIN_PASSWORD, section: SECTION },
    {
      version: '1.0.3',
      client: 'nostate',
      password: 'nostate-secret-1',
      section: 'State Resource',
    },
  ];

  it.each(CASES)(
    'reports for a section the counts of the suite run by hand ($client, $section, $version)',
    async ({ version, client, password, section }) => {
      const user = client === 'admin' ? ADMIN_USER : client;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          join(SUITE!, 'bin', 'console_runner.js'),
          ...['-e', `${t.origin}/api/${client}/xapi`, '-a', '-u', user, '-p', password],
          ...['-x', version, '-g', section],
        ],
        { cwd: SUITE, maxBuffer: 64 * 1024 * 1024 },
      ).catch((e) => e as { stdout: string });
      const byHand = stdout
        .split('\n')
        .map(parseSummary)
        .filter((s) => s && s.passed !== null)
        .at(-1)!;
      expect(byHand.total).toBeGreaterThan(5);
      if (client === 'admin') expect(byHand.failed).toBe(0);
      else expect(byHand.failed).toBeGreaterThan(0);

      const res = await post({ client, section, version });
      expect(res.status).toBe(201);
      const job = await waitFor(
        async () => {
          const j = await getJob(res.body.data.id);
          return j.ran >= 1 ? j : null;
        },
        300_000,
        'the ADL run',
        500,
      );
      expect(job.feedback).toBe(
        `passed ${byHand.passed} / failed ${byHand.failed} of ${byHand.total} (section ${section}, ADL suite)`,
      );
      expect(job.success).toBe(byHand.failed === 0);
      const logs = (
        await t
          .http()
          .get(`/api/admin/jobs/testsuite/${job.id}/logs?limit=1000`)
          .set('Authorization', t.adminAuth)
      ).body.data as { feedback: string; data: { got: string } }[];
      const failures = logs.filter((l) => l.feedback.startsWith('ADL test failed: '));
      expect(failures.length).toBeGreaterThanOrEqual(Math.min(byHand.failed!, 1));
      for (const f of failures) expect(f.data.got.length).toBeGreaterThan(0);
      console.log(
        `ADL ${version} ${client} "${section}": by hand ${JSON.stringify(byHand)}; job: ${job.feedback}; ${failures.length} failures logged`,
      );
      expect(await t.dataSource.getRepository(RunCredential).count()).toBe(0);
    },
    600_000,
  );

  it('kills the suite when the job is cancelled and revokes the credential', async () => {
    const res = await post({});
    const id = res.body.data.id;
    await waitFor(
      async () => {
        const j = await getJob(id);
        return j.running && j.progress && j.progress.done > 0 ? j : null;
      },
      120_000,
      'the ADL run to be under way',
      200,
    );
    expect(processesWith(endpoint).length).toBeGreaterThan(0);
    await t
      .http()
      .delete(`/api/admin/jobs/testsuite/${id}`)
      .set('Authorization', t.adminAuth)
      .expect(204);
    await waitFor(() => processesWith(endpoint).length === 0, 15_000, 'the suite processes to end');
    await waitFor(
      async () => (await t.dataSource.getRepository(RunCredential).count()) === 0,
      15_000,
      'the credential to be revoked',
    );
  }, 300_000);
});

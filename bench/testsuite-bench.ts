/**
 * Times testsuite runs against the admin client of a fresh instance (SQLite, or DB_URL):
 * the built-in checks (all sections, xAPI 1.0.3 and 2.0.0), then, when TESTSUITE_PATH
 * holds the ADL suite, the suite itself (`--adl-section <pattern>` limits it, `--adl-version`).
 *
 *   npx ts-node --transpile-only bench/testsuite-bench.ts [--adl-section "About Resource"]
 */
import { loadavg } from 'os';
import { createTestApp, TestApp } from '../test/support/test-app';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function run(t: TestApp, body: Record<string, unknown>) {
  const started = Date.now();
  const res = await t
    .http()
    .post('/api/admin/jobs/testsuite')
    .set('Authorization', t.adminAuth)
    .send({ repeat: 'now', store: 'default', client: 'admin', ...body });
  if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${res.text}`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const job = (
      await t
        .http()
        .get(`/api/admin/jobs/testsuite/${res.body.data.id}`)
        .set('Authorization', t.adminAuth)
    ).body.data;
    if (job.ran >= 1) return { feedback: job.feedback as string, ms: Date.now() - started };
  }
}

async function main() {
  const suite = process.env.TESTSUITE_PATH;
  const db = process.env.DB_URL?.startsWith('mysql') ? 'MariaDB' : 'SQLite';
  const builtIn = await createTestApp({ listen: true });
  try {
    for (const version of ['1.0.3', '2.0.0']) {
      const r = await run(builtIn, { version });
      console.log(`built-in ${version} (${db}): ${r.feedback} in ${(r.ms / 1000).toFixed(1)} s`);
    }
    // Cancel latency: from the DELETE to the run's `cancelled` entry and the revoked credential.
    const res = await builtIn
      .http()
      .post('/api/admin/jobs/testsuite')
      .set('Authorization', builtIn.adminAuth)
      .send({ repeat: 'now', store: 'default', client: 'admin' });
    const id = res.body.data.id;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const job = (
        await builtIn
          .http()
          .get(`/api/admin/jobs/testsuite/${id}`)
          .set('Authorization', builtIn.adminAuth)
      ).body.data;
      if (job.progress?.done >= 40) break;
    }
    const deleted = Date.now();
    await builtIn
      .http()
      .delete(`/api/admin/jobs/testsuite/${id}`)
      .set('Authorization', builtIn.adminAuth);
    for (;;) {
      const [row] = await builtIn.dataSource.query(
        "SELECT COUNT(*) AS n FROM logs WHERE job_id = ? AND event = 'cancelled'",
        [id],
      );
      const [cred] = await builtIn.dataSource.query('SELECT COUNT(*) AS n FROM run_credentials');
      if (Number(row.n) > 0 && Number(cred.n) === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    console.log(
      `cancel (${db}): cancelled and credential revoked ${Date.now() - deleted} ms after the DELETE`,
    );
  } finally {
    await builtIn.close();
  }
  if (!suite) {
    console.log('ADL suite: skipped (TESTSUITE_PATH unset)');
  } else {
    const adl = await createTestApp({ listen: true, env: { TESTSUITE_PATH: suite } });
    try {
      const section = option('--adl-section');
      const r = await run(adl, { version: option('--adl-version') ?? '1.0.3', section });
      console.log(`ADL suite (${db}): ${r.feedback} in ${(r.ms / 1000).toFixed(1)} s`);
    } finally {
      await adl.close();
    }
  }
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

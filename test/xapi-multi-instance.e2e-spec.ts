import { basic, createTestApp, secondNodeUrl, TestApp } from './support/test-app';
import { sleep, waitFor } from './support/wait';

/**
 * Two instances on one MySQL/MariaDB database, each with its own caches: what one
 * instance changes, the other sees within the documented TTL (AUTH_CACHE_TTL_MS for
 * clients and stores), and definitions merged through one are never lost by the
 * other's cache. Skipped on SQLite (one process's file). With DB_URL_2 (another node of
 * a Galera cluster) B uses that node.
 */
jest.setTimeout(60_000);

const onMysql = /^(mysql|mariadb):/.test(process.env.DB_URL ?? '');
const describeOnMysql = onMysql ? describe : describe.skip;

const AUTH_TTL_MS = 1_000;
const ENV = { AUTH_CACHE_TTL_MS: String(AUTH_TTL_MS) };
const V = { 'X-Experience-API-Version': '1.0.3' };
const ACTIVITY = 'http://example.com/activities/shared-course';

if (!onMysql) {
  describe('two instances with their own caches', () => {
    it.skip('needs MySQL/MariaDB: run with DB_URL=mysql://root@127.0.0.1:3306/<name> (skipped on SQLite)', () =>
      undefined);
  });
}

describeOnMysql('two instances with their own caches (e2e, MySQL/MariaDB only)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp({ env: ENV });
    b = await createTestApp({ dbUrl: secondNodeUrl(a.dbUrl), env: ENV });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const statements = (t: TestApp, auth: string) =>
    t.http().get('/api/lms/xapi/statements').query({ limit: 1 }).set(V).set('Authorization', auth);

  it('refuses on B, within AUTH_CACHE_TTL_MS, a password changed and a permission removed on A', async () => {
    await a
      .http()
      .post(`${a.base}/clients`)
      .set('Authorization', a.adminAuth)
      .send({
        slug: 'lms',
        name: 'LMS',
        username: 'lms-user',
        password: 'first-secret-123',
        store: 'default',
        permissions: ['xapi/all'],
      })
      .expect(201);
    const first = basic('lms-user', 'first-secret-123');
    const second = basic('lms-user', 'second-secret-456');
    // B learns the client (and keeps it in its cache).
    await statements(b, first).expect(200);

    await a
      .http()
      .put(`${a.base}/clients/lms`)
      .set('Authorization', a.adminAuth)
      .send({ password: 'second-secret-456' })
      .expect(200);
    // A dropped its entry at once.
    await statements(a, first).expect(401);
    await statements(a, second).expect(200);
    // B, once its entry has lapsed.
    await sleep(AUTH_TTL_MS + 300);
    await statements(b, first).expect(401);
    await statements(b, second).expect(200);

    await a
      .http()
      .put(`${a.base}/clients/lms`)
      .set('Authorization', a.adminAuth)
      .send({ permissions: ['xapi/state'] })
      .expect(200);
    await statements(a, second).expect(403);
    await sleep(AUTH_TTL_MS + 300);
    await statements(b, second).expect(403);
  });

  const post = (t: TestApp, name: Record<string, string>, id?: string) =>
    t
      .http()
      .post('/api/admin/xapi/statements')
      .set(V)
      .set('Authorization', t.adminAuth)
      .send({
        ...(id ? { id } : {}),
        actor: { mbox: 'mailto:learner@example.com' },
        verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: name },
        object: { id: ACTIVITY, definition: { name } },
      })
      .expect(200);
  const definition = async (t: TestApp) =>
    (
      await t
        .http()
        .get('/api/admin/xapi/activities')
        .set(V)
        .set('Authorization', t.adminAuth)
        .query({ activityId: ACTIVITY })
        .expect(200)
    ).body.definition;
  const verbDisplay = async (t: TestApp) => {
    const [row] = await t.dataSource.query("SELECT display FROM vocab WHERE kind = 'verb'");
    return typeof row.display === 'string' ? JSON.parse(row.display) : row.display;
  };

  it('keeps the definitions merged through A when B, which knew an older one, merges more', async () => {
    await post(b, { 'en-US': 'Course' });
    await post(a, { 'fr-FR': 'Cours' });
    expect(await definition(b)).toEqual({ name: { 'en-US': 'Course', 'fr-FR': 'Cours' } });
    // B's cache still holds the English-only definition: repeating it changes nothing...
    await post(b, { 'en-US': 'Course' });
    expect(await definition(a)).toEqual({ name: { 'en-US': 'Course', 'fr-FR': 'Cours' } });
    // ...and a new language through B merges into the stored definition, A's part kept.
    await post(b, { 'de-DE': 'Kurs' });
    const all = { 'en-US': 'Course', 'fr-FR': 'Cours', 'de-DE': 'Kurs' };
    expect(await definition(a)).toEqual({ name: all });
    expect(await definition(b)).toEqual({ name: all });
    expect(await verbDisplay(a)).toEqual(all);
    const [{ n }] = await a.dataSource.query(
      'SELECT COUNT(*) AS n FROM activities WHERE activity_id = ?',
      [ACTIVITY],
    );
    expect(Number(n)).toBe(1);
  });

  it('records again through A, within AUTH_CACHE_TTL_MS, an agent whose records an agent-deletion through B removed', async () => {
    const mbox = 'mailto:gone-elsewhere@example.com';
    const send = (t: TestApp) =>
      t
        .http()
        .post('/api/admin/xapi/statements')
        .set(V)
        .set('Authorization', t.adminAuth)
        .send({
          actor: { mbox },
          verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
          object: { id: ACTIVITY },
        })
        .expect(200);
    const records = async () =>
      Number(
        (
          await a.dataSource.query('SELECT COUNT(*) AS n FROM agents WHERE vid = ?', [
            `mbox::${mbox}`,
          ])
        )[0].n,
      );
    // A records the agent and knows it from now on.
    await send(a);
    await send(a);
    expect(await records()).toBe(1);
    const jobs = `${b.base}/jobs/agent-deletion`;
    const created = await b
      .http()
      .post(jobs)
      .set('Authorization', b.adminAuth)
      .send({ repeat: 'now', store: 'default', agent: JSON.stringify({ mbox }), person: false })
      .expect(201);
    const job = await waitFor(
      async () => {
        const j = (
          await b.http().get(`${jobs}/${created.body.data.id}`).set('Authorization', b.adminAuth)
        ).body.data;
        return j.ran >= 1 && !j.running ? j : null;
      },
      30_000,
      'the agent-deletion through B',
    );
    expect(job.success).toBe(true);
    expect(await records()).toBe(0);
    // A's cached store row lapses; its next recording sees the raised records_version.
    await sleep(AUTH_TTL_MS + 300);
    await send(a);
    expect(await records()).toBe(1);
  });
});

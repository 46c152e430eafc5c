import { randomUUID } from 'crypto';
import { createTestApp, secondNodeUrl, TestApp } from './support/test-app';
import { waitFor } from './support/wait';

/**
 * Many small batches at once through two instances on one MySQL/MariaDB database (with
 * DB_URL_2, through two nodes of a Galera cluster), every batch touching agents and
 * activities the others touch too: lock conflicts (deadlocks, certification failures
 * with wsrep_retry_autocommit=0) are retried by the recorder, never answered 5xx.
 * Skipped on SQLite (one process's file). 2,000 batches through two Galera nodes (with
 * DB_URL_2, as CI's Galera stage runs it), 400 on one server, where this suite runs beside
 * the timing-sensitive ones; INGEST_BATCHES overrides both.
 */
jest.setTimeout(600_000);

const onMysql = /^(mysql|mariadb):/.test(process.env.DB_URL ?? '');
const describeOnMysql = onMysql ? describe : describe.skip;

const V = { 'X-Experience-API-Version': '1.0.3' };
const STATEMENTS = '/api/admin/xapi/statements';
const BATCHES = Number(process.env.INGEST_BATCHES ?? (process.env.DB_URL_2 ? 2_000 : 400));
const PER_BATCH = 4;
const IN_FLIGHT = 40;
const AGENTS = 12;
const COURSES = 8;
/** Languages of the definitions: the first batches merge them into the shared rows. */
const LANGUAGES = 3;

/** Batch `b`: its own statements over the shared agents and courses, a language of its own. */
function batch(b: number): Record<string, any>[] {
  return Array.from({ length: PER_BATCH }, (_, i) => {
    const agent = (b * 5 + i * 7) % AGENTS;
    const course = (b * 3 + i) % COURSES;
    return {
      id: randomUUID(),
      actor: { objectType: 'Agent', name: `Learner ${agent}`, mbox: `mailto:l${agent}@ex.com` },
      verb: {
        id: `http://example.com/verbs/v${i}`,
        display: { [`x-l${b % LANGUAGES}`]: `verb ${i}` },
      },
      object: {
        objectType: 'Activity',
        id: `http://example.com/activities/course-${course}`,
        definition: { name: { [`x-l${b % LANGUAGES}`]: `Course ${course}` } },
      },
      context: {
        instructor: { objectType: 'Agent', mbox: `mailto:l${(agent + 5) % AGENTS}@ex.com` },
        contextActivities: { grouping: [{ id: 'http://example.com/activities/program' }] },
      },
    };
  });
}

if (!onMysql) {
  describe('concurrent ingest through two instances', () => {
    it.skip('needs MySQL/MariaDB: run with DB_URL=mysql://root@127.0.0.1:3306/<name> (skipped on SQLite)', () =>
      undefined);
  });
}

describeOnMysql('concurrent ingest through two instances (e2e, MySQL/MariaDB only)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ dbUrl: secondNodeUrl(a.dbUrl) });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it(`stores ${BATCHES} concurrent batches sharing agents and activities, no 5xx`, async () => {
    const statuses = new Map<number, number>();
    const ids: string[] = [];
    let next = 0;
    const t0 = Date.now();
    // IN_FLIGHT requests at all times, alternating between the instances.
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < BATCHES) {
          const n = next++;
          const body = batch(n);
          ids.push(...body.map((s) => s.id));
          const res = await (n % 2 ? b : a)
            .http()
            .post(STATEMENTS)
            .set(V)
            .set('Authorization', (n % 2 ? b : a).adminAuth)
            .send(body);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    // The figure for the README (batches per second through both instances).
    console.log(
      `${BATCHES} batches of ${PER_BATCH} in ${seconds.toFixed(1)} s (${(BATCHES / seconds).toFixed(0)} batches/s); answers ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: BATCHES });

    // Read through A what B wrote: on Galera another node applies it a moment later.
    const counts = async () => {
      const [{ c, d }] = await a.dataSource.query(
        'SELECT COUNT(*) AS c, COUNT(DISTINCT statement_id) AS d FROM statements',
      );
      return { c: Number(c), d: Number(d) };
    };
    await waitFor(async () => (await counts()).c >= ids.length, 10_000, 'every statement');
    expect(await counts()).toEqual({ c: ids.length, d: ids.length });
    const [{ n: agents }] = await a.dataSource.query('SELECT COUNT(*) AS n FROM agents');
    expect(Number(agents)).toBe(AGENTS);
    const [{ n: activities }] = await a.dataSource.query('SELECT COUNT(*) AS n FROM activities');
    expect(Number(activities)).toBe(COURSES + 1);
    // No batch answered 503 after its retries (the recorder logs a warning for each).
    const busy = await a.dataSource.query(
      "SELECT message FROM logs WHERE type = 'xapi' AND message LIKE '%503%'",
    );
    expect(busy).toEqual([]);
  });
});

import { randomUUID } from 'crypto';
import { RecorderTransactions } from '../src/xapi/statements/recorder-transactions';
import { createTestApp, TestApp } from './support/test-app';

const V = { 'X-Experience-API-Version': '1.0.3' };
const STATEMENTS = '/api/admin/xapi/statements';
const BATCHES = 12;
const PER_BATCH = 50;
const AGENTS = 40;
const COURSES = 30;

/** A deterministic shuffle, so batches touch shared rows in different orders. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed * 7919 + 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function batch(b: number): Record<string, any>[] {
  const order = shuffled(
    Array.from({ length: PER_BATCH }, (_, i) => i),
    b,
  );
  return order.map((i) => {
    const agent = (i * 7 + b * 3) % AGENTS;
    const course = (i * 5 + b) % COURSES;
    return {
      id: randomUUID(),
      actor: { objectType: 'Agent', name: `Learner ${agent}`, mbox: `mailto:l${agent}@ex.com` },
      verb: {
        id: `http://example.com/verbs/v${i % 5}`,
        display: { [`x-b${b}`]: `verb ${i % 5}` },
      },
      object: {
        objectType: 'Activity',
        id: `http://example.com/activities/course-${course}`,
        definition: {
          name: { [`x-b${b}`]: `Course ${course}` },
          type: `http://example.com/types/t${course % 4}`,
        },
      },
      context: {
        instructor: {
          objectType: 'Agent',
          mbox: `mailto:l${(agent + 11) % AGENTS}@ex.com`,
        },
        contextActivities: {
          parent: [{ id: `http://example.com/activities/course-${(course + 13) % COURSES}` }],
          grouping: [{ id: 'http://example.com/activities/program' }],
        },
      },
    };
  });
}

describe('xAPI statements: concurrent batches (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('stores concurrent batches sharing agents and activities, every answer 200', async () => {
    const batches = Array.from({ length: BATCHES }, (_, b) => batch(b));
    const answers = await Promise.all(
      batches.map((body) =>
        t.http().post(STATEMENTS).set(V).set('Authorization', t.adminAuth).send(body),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(batches.map(() => 200));
    answers.forEach((r, b) => expect(r.body).toEqual(batches[b].map((s) => s.id)));

    const ids = batches.flat().map((s) => s.id);
    const [{ c, d }] = await t.dataSource.query(
      'SELECT COUNT(*) AS c, COUNT(DISTINCT statement_id) AS d FROM statements',
    );
    expect(Number(c)).toBe(ids.length);
    expect(Number(d)).toBe(ids.length);
    const agents = await t.dataSource.query('SELECT vid FROM agents');
    expect(agents.length).toBe(AGENTS);
    const activities = await t.dataSource.query('SELECT activity_id FROM activities');
    expect(activities.length).toBe(COURSES + 1);
    const [{ n }] = await t.dataSource.query(
      "SELECT COUNT(*) AS n FROM statement_agents WHERE role = 'actor'",
    );
    expect(Number(n)).toBe(ids.length);

    // Language maps of every batch are merged, none lost to a concurrent batch.
    const course = await t
      .http()
      .get('/api/admin/xapi/activities')
      .set(V)
      .set('Authorization', t.adminAuth)
      .query({ activityId: 'http://example.com/activities/course-0' })
      .expect(200);
    const expected = batches
      .map((list, b) => (list.some((s) => s.object.id.endsWith('/course-0')) ? `x-b${b}` : null))
      .filter((x): x is string => !!x);
    expect(Object.keys(course.body.definition.name).sort()).toEqual(expected.sort());
  });

  it('answers 503 with Retry-After, not 500, when a deadlock survives every retry', async () => {
    const deadlock = Object.assign(new Error('Deadlock found when trying to get lock'), {
      errno: 1213,
    });
    // Every attempt's transaction fails (the recorder's own, not the DataSource's on MySQL).
    const spy = jest.spyOn(t.app.get(RecorderTransactions), 'run').mockRejectedValue(deadlock);
    try {
      const res = await t
        .http()
        .post(STATEMENTS)
        .set(V)
        .set('Authorization', t.adminAuth)
        .send(batch(99).slice(0, 3));
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.body.message).toMatch(/retry/i);
      expect(spy).toHaveBeenCalledTimes(6);
    } finally {
      spy.mockRestore();
    }
    const logs = await t.dataSource.query(
      "SELECT level, message FROM logs WHERE type = 'xapi' AND level = 3",
    );
    expect(logs.map((l: { message: string }) => l.message)).toEqual([
      expect.stringContaining('answered 503'),
    ]);
  });
});

import { AfterQueryEvent } from 'typeorm';
import { deleteStoreRecordsBatch } from '../src/database/store-records';
import { Agent } from '../src/xapi/agents/agent.entity';
import { insertReturns } from '../src/xapi/statements/bulk-insert';
import { RecordCache } from '../src/xapi/statements/record-cache';
import { createTestApp, TestApp } from './support/test-app';

/**
 * The recorder's per-instance cache: a batch whose agents, activities and verbs are
 * known, with nothing new to merge, writes only its statements and their index rows;
 * anything new is still written and merged.
 */
const V = { 'X-Experience-API-Version': '1.0.3' };

describe('recorder cache (e2e)', () => {
  let t: TestApp;
  let seen: string[] = [];
  let counting = false;

  beforeAll(async () => {
    t = await createTestApp();
    t.dataSource.subscribers.push({
      afterQuery: (e: AfterQueryEvent) => {
        if (counting) seen.push(e.query);
      },
    });
  });
  afterAll(async () => t.close());

  const statement = (n: number, name: Record<string, string> = { 'en-US': 'Course' }) => ({
    actor: { mbox: `mailto:learner-${n % 3}@example.com` },
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
    object: {
      id: 'http://example.com/activities/course',
      definition: { name, type: 'http://adlnet.gov/expapi/activities/course' },
    },
    context: { contextActivities: { parent: [{ id: 'http://example.com/activities/program' }] } },
  });
  async function post(list: object[]) {
    seen = [];
    counting = true;
    try {
      await t
        .http()
        .post('/api/admin/xapi/statements')
        .set(V)
        .set('Authorization', t.adminAuth)
        .send(list)
        .expect(200);
    } finally {
      counting = false;
    }
    return seen;
  }
  const touching = (queries: string[], table: string) =>
    queries.filter((q) => new RegExp(`(FROM|INTO|UPDATE)\\s+[\`"]?${table}[\`"]?\\b`, 'i').test(q));
  const count = async (sql: string) => Number((await t.dataSource.query(sql))[0].n);

  it('writes only statements and index rows for a batch of known records', async () => {
    const first = await post([0, 1, 2].map((n) => statement(n)));
    expect(touching(first, 'agents')).toHaveLength(1);
    expect(touching(first, 'activities').length).toBeGreaterThan(0);
    expect(touching(first, 'vocab').length).toBeGreaterThan(0);

    const again = await post([3, 4, 5].map((n) => statement(n)));
    expect(touching(again, 'agents')).toEqual([]);
    expect(touching(again, 'activities')).toEqual([]);
    expect(touching(again, 'vocab')).toEqual([]);
    // No look-up of ids or voiding targets (new ids, no voiding statement in the store);
    // the new rows' ids come back from the INSERT where the database has INSERT ...
    // RETURNING (SQLite, MariaDB), else one SELECT.
    const returns = await insertReturns(t.dataSource.manager);
    expect(touching(again, 'statements').filter((q) => /^\s*SELECT/i.test(q))).toHaveLength(
      returns ? 0 : 1,
    );
    expect(await count('SELECT COUNT(*) AS n FROM statements')).toBe(6);
    expect(await count('SELECT COUNT(*) AS n FROM statement_agents')).toBe(12); // actor and authority
    expect(await count('SELECT COUNT(*) AS n FROM statement_activities')).toBe(12);
  });

  it('still merges what is new, and writes again once the store is forgotten', async () => {
    const merged = await post([statement(6, { 'fr-FR': 'Cours' })]);
    expect(touching(merged, 'activities').length).toBeGreaterThan(0);
    const activity = await t
      .http()
      .get('/api/admin/xapi/activities')
      .set(V)
      .set('Authorization', t.adminAuth)
      .query({ activityId: 'http://example.com/activities/course' })
      .expect(200);
    expect(activity.body.definition.name).toEqual({ 'en-US': 'Course', 'fr-FR': 'Cours' });

    // Agents deleted the way jobs delete records: the next batch records them again.
    const [store] = await t.dataSource.query("SELECT id FROM stores WHERE slug = 'default'");
    const ids = (await t.dataSource.query('SELECT id FROM agents')).map((r: any) => Number(r.id));
    await deleteStoreRecordsBatch(t.dataSource, Agent, Number(store.id), ids);
    expect(await count('SELECT COUNT(*) AS n FROM agents')).toBe(0);
    await post([statement(7)]);
    expect(await count('SELECT COUNT(*) AS n FROM agents')).toBe(1);
    // Rewritten otherwise (pseudo), a job calls forgetStore().
    await t.dataSource.query('DELETE FROM agents');
    t.app.get(RecordCache).forgetStore(Number(store.id));
    await post([statement(8)]);
    expect(await count('SELECT COUNT(*) AS n FROM agents')).toBe(1);
  });
});

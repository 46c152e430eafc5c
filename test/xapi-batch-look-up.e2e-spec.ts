import { randomUUID } from 'crypto';
import { AfterQueryEvent, In } from 'typeorm';
import { insertReturns } from '../src/xapi/statements/bulk-insert';
import { VoidWait } from '../src/xapi/statements/entities/void-wait.entity';
import { WAITS_READ_ALL } from '../src/xapi/statements/void-waits';
import { createTestApp, TestApp } from './support/test-app';

/**
 * The recorder looks a batch up (stored ids, voiding targets, stored voiding statements
 * of its ids) only when that can change what it writes: a batch of new statements in a
 * store where no voiding statement waits for its target goes straight to its INSERTs.
 * Repeated and partly stored batches, conflicts and voiding answer as they always did.
 */
const V = { 'X-Experience-API-Version': '1.0.3' };

describe('batch look-up (e2e)', () => {
  let t: TestApp;
  let seen: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    t.dataSource.subscribers.push({ afterQuery: (e: AfterQueryEvent) => void seen.push(e.query) });
  });
  afterAll(async () => t.close());

  const statement = (id: string, verb = 'http://adlnet.gov/expapi/verbs/experienced') => ({
    id,
    actor: { mbox: 'mailto:learner@example.com' },
    verb: { id: verb },
    object: { id: 'http://example.com/activities/course' },
  });
  const voiding = (id: string, target: string) => ({
    id,
    actor: { mbox: 'mailto:admin@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
    object: { objectType: 'StatementRef', id: target },
  });
  /** POSTs a batch; answers the response and the SELECTs on statements it sent. */
  async function post(list: object[], status = 200) {
    seen = [];
    const res = await t
      .http()
      .post('/api/admin/xapi/statements')
      .set(V)
      .set('Authorization', t.adminAuth)
      .send(list)
      .expect(status);
    const lookUps = seen.filter((q) =>
      /^\s*SELECT\b[\s\S]*\bFROM\s+[`"]?statements[`"]?\s/i.test(q),
    );
    return { body: res.body, lookUps };
  }
  const get = (query: Record<string, string>) =>
    t
      .http()
      .get('/api/admin/xapi/statements')
      .set(V)
      .set('Authorization', t.adminAuth)
      .query(query);
  /** The targets voiding statements of the store wait for (VoidWait). */
  const waits = async () =>
    (await t.dataSource.query('SELECT target AS t FROM void_waits')).map((r: any) => r.t);
  const stored = async () =>
    Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM statements'))[0].n);

  it('writes a batch of new statements without a look-up', async () => {
    const returns = await insertReturns(t.dataSource.manager);
    const ids = [randomUUID(), randomUUID()];
    const { body, lookUps } = await post(ids.map((id) => statement(id)));
    expect(body).toEqual(ids);
    // The new rows' ids come back from the INSERT, else from one SELECT (MySQL).
    expect(lookUps).toHaveLength(returns ? 0 : 1);
    expect(await waits()).toEqual([]);
  });

  it('answers a repeated, a partly stored and a conflicting batch as before, logging no failed query', async () => {
    const log = jest.spyOn(console, 'log');
    try {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      await post([statement(a), statement(b)]);
      const before = await stored();
      // The same batch again: its INSERT meets the stored ids, the look-up finds them equal.
      const again = await post([statement(a), statement(b)]);
      expect(again.body).toEqual([a, b]);
      expect(again.lookUps.length).toBeGreaterThan(0);
      expect(await stored()).toBe(before);
      // One stored, one new: the new one is written, once.
      expect((await post([statement(b), statement(c)])).body).toEqual([b, c]);
      expect(await stored()).toBe(before + 1);
      expect((await get({ statementId: c }).expect(200)).body.id).toBe(c);
      // A stored id with other content: 409, nothing written.
      const conflict = await post(
        [statement(randomUUID()), statement(a, 'http://example.com/other')],
        409,
      );
      expect(conflict.body.message).toContain(a);
      expect(await stored()).toBe(before + 1);
      expect((await get({ statementId: a }).expect(200)).body.verb.id).toBe(
        'http://adlnet.gov/expapi/verbs/experienced',
      );
      const printed = log.mock.calls.flat().join('\n');
      expect(printed).not.toMatch(/query failed|Duplicate entry|UNIQUE constraint/);
    } finally {
      log.mockRestore();
    }
  });

  it('voids a stored target, and nothing waits', async () => {
    const [target, voider] = [randomUUID(), randomUUID()];
    await post([statement(target)]);
    await post([voiding(voider, target)]);
    await get({ statementId: target }).expect(404);
    await get({ voidedStatementId: target }).expect(200);
    expect(await waits()).toEqual([]);
  });

  it('keeps a voiding statement that comes before its target waiting; the target arrives voided', async () => {
    const returns = await insertReturns(t.dataSource.manager);
    const [target, voider] = [randomUUID(), randomUUID()];
    await post([voiding(voider, target)]);
    expect(await waits()).toEqual([target]);
    // Other new statements still go without a look-up of stored statements.
    expect((await post([statement(randomUUID())])).lookUps).toHaveLength(returns ? 0 : 1);
    // The waited-for id is looked up among the voiding statements: stored voided.
    const { lookUps } = await post([statement(randomUUID()), statement(target)]);
    expect(lookUps.length).toBeGreaterThan(0);
    await get({ statementId: target }).expect(404);
    expect((await get({ voidedStatementId: target }).expect(200)).body.id).toBe(target);
    const q = t.dataSource.options.type === 'better-sqlite3' ? '"' : '`';
    const [row] = await t.dataSource.query(
      `SELECT voided, voided_by AS ${q}by${q} FROM statements WHERE statement_id = ?`,
      [target],
    );
    expect({ voided: Number(row.voided), by: row.by }).toEqual({ voided: 1, by: voider });
    expect(await waits()).toEqual([]);
  });

  it(`reads a store's wait rows by the batch's ids when it holds more than ${WAITS_READ_ALL}`, async () => {
    const [target, voider] = [randomUUID(), randomUUID()];
    await post([voiding(voider, target)]);
    const q = t.dataSource.options.type === 'better-sqlite3' ? '"' : '`';
    const [v] = await t.dataSource.query(
      `SELECT id, store_id AS ${q}store${q} FROM statements WHERE statement_id = ?`,
      [voider],
    );
    const filler = Array.from({ length: WAITS_READ_ALL }, () => randomUUID());
    await t.dataSource
      .getRepository(VoidWait)
      .insert(
        filler.map((f) => ({ storeId: Number(v.store), voiderRowId: Number(v.id), target: f })),
      );
    try {
      await post([statement(randomUUID()), statement(target)]);
      await get({ statementId: target }).expect(404);
      expect((await get({ voidedStatementId: target }).expect(200)).body.id).toBe(target);
      expect(await waits()).not.toContain(target);
    } finally {
      await t.dataSource.getRepository(VoidWait).delete({ target: In(filler) });
    }
  });
});

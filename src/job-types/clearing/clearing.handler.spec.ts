import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { In } from 'typeorm';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { makeRunContext } from '../../../test/support/job-context';
import { Store } from '../../access/store.entity';
import { EntityClass, registerStoreScopedTable } from '../../database/store-scoped';
import { JOB_TYPE_KEY, JobTypeOptions } from '../../jobs/job-type';
import { Activity } from '../../xapi/activities/activity.entity';
import { Agent } from '../../xapi/agents/agent.entity';
import { ActivityProfile } from '../../xapi/documents/activity-profile.entity';
import { AgentProfile } from '../../xapi/documents/agent-profile.entity';
import { State } from '../../xapi/documents/state.entity';
import { Attachment } from '../../xapi/statements/entities/attachment.entity';
import { StatementActivity } from '../../xapi/statements/entities/statement-activity.entity';
import { StatementAgent } from '../../xapi/statements/entities/statement-agent.entity';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { VocabEntry } from '../../xapi/statements/entities/vocab.entity';
import { sha256Hex } from '../../xapi/statements/attachment-writer';
import { StatementRecorder } from '../../xapi/statements/statement-recorder.service';
import { ClearingParams } from './clearing.dto';
import { CLEARING_BATCH, ClearStoreRecordsHandler, clearableTables } from './clearing.handler';

async function errorsOf(plain: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(ClearingParams, plain), { whitelist: true });
  return errors.map((e) => e.property).sort();
}

describe('ClearingParams', () => {
  it('requires service and until; until_date with until=date; dry_run optional', async () => {
    expect(await errorsOf({ service: 'all', until: 'now' })).toEqual([]);
    expect(await errorsOf({ service: 'states', until: '1_year', dry_run: true })).toEqual([]);
    expect(
      await errorsOf({ service: 'statements', until: 'date', until_date: '2026-01-31' }),
    ).toEqual([]);
    expect(await errorsOf({})).toEqual(['service', 'until']);
    expect(await errorsOf({ service: 'logs', until: '2_days', dry_run: 1 })).toEqual([
      'dry_run',
      'service',
      'until',
    ]);
    expect(await errorsOf({ service: 'all', until: 'date' })).toEqual(['until_date']);
  });

  it('is the clearing type, one job per store when store is omitted', () => {
    const options: JobTypeOptions = Reflect.getMetadata(JOB_TYPE_KEY, ClearStoreRecordsHandler);
    expect(options).toMatchObject({ name: 'clearing', store: 'per-store' });
  });

  it("takes its tables from the registry: each service's own records, not the rows belonging to them", () => {
    const names = (s: Parameters<typeof clearableTables>[0]) =>
      clearableTables(s).map((t) => (typeof t.entity === 'string' ? t.entity : t.entity.name));
    expect(names('statements')).toEqual(['VocabEntry', 'Statement']);
    expect(names('states')).toEqual(['State']);
    expect(names('all').sort()).toEqual(
      [
        'Activity',
        'ActivityProfile',
        'Agent',
        'AgentProfile',
        'State',
        'Statement',
        'VocabEntry',
      ].sort(),
    );
  });
});

describe('ClearStoreRecordsHandler (database)', () => {
  let t: TestApp;
  let handler: ClearStoreRecordsHandler;
  let recorder: StatementRecorder;
  let seq = 0;
  const DAY = 86_400_000;
  const content = Buffer.from('attached');
  const sha2 = sha256Hex(content);

  beforeAll(async () => {
    t = await createTestApp();
    handler = t.app.get(ClearStoreRecordsHandler);
    recorder = t.app.get(StatementRecorder);
  });
  afterAll(async () => t.close());

  async function newStore(): Promise<Store> {
    seq += 1;
    const now = new Date();
    return t.dataSource
      .getRepository(Store)
      .save({ slug: `clr-${seq}`, name: `Clearing ${seq}`, createdAt: now, updatedAt: now });
  }

  const statement = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    actor: { mbox: `mailto:${id.slice(-3)}@example.com` },
    verb: { id: `http://example.com/verbs/${id.slice(-3)}` },
    object: { id: `http://example.com/activities/${id.slice(-3)}` },
    ...extra,
  });
  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  async function age(entity: EntityClass, storeId: number, where: Record<string, unknown>) {
    await t.dataSource
      .getRepository(entity as any)
      .update({ storeId, ...where }, { stored: new Date(Date.now() - 2 * DAY) });
  }

  /** Old (2 days) and recent records of every service in a store. */
  async function fixture(store: Store) {
    await recorder.record(
      store,
      null,
      [
        statement(uuid(1), {
          attachments: [
            {
              usageType: 'http://example.com/u',
              display: { en: 'a' },
              contentType: 'text/plain',
              length: content.length,
              sha2,
            },
          ],
        }),
      ],
      { version: '1.0.3' },
      [{ sha2, contentType: 'text/plain', content }],
    );
    await recorder.record(store, null, [statement(uuid(2)), statement(uuid(3))], {
      version: '1.0.3',
    });
    await age(Statement, store.id, { statementId: In([uuid(1), uuid(2)]) });
    await age(Activity, store.id, { activityId: 'http://example.com/activities/001' });
    await age(Agent, store.id, { vid: 'mbox::mailto:001@example.com' });
    await age(VocabEntry, store.id, { iri: 'http://example.com/verbs/001' });
    const doc = (n: number) => ({
      storeId: store.id,
      contextKey: `ctx${n}`,
      docKey: `doc${n}`,
      content: { utf8: '{}' },
      contentType: 'application/json',
      etag: 'e',
      stored: new Date(Date.now() - (n % 2 ? 2 * DAY : 0)),
      updated: new Date(),
    });
    const agent = { mbox: 'mailto:001@example.com' };
    for (const n of [1, 2]) {
      await t.dataSource.getRepository(State).insert({
        ...doc(n),
        activityId: 'http://example.com/a',
        agentVid: 'mbox::mailto:001@example.com',
        agent,
        registration: null,
        stateId: `s${n}`,
      });
      await t.dataSource.getRepository(AgentProfile).insert({
        ...doc(n),
        agentVid: 'mbox::mailto:001@example.com',
        agent,
        profileId: `p${n}`,
      });
      await t.dataSource
        .getRepository(ActivityProfile)
        .insert({ ...doc(n), activityId: 'http://example.com/a', profileId: `p${n}` });
    }
  }

  /** Rows of every table of a store, by table. */
  async function census(store: Store) {
    const out: Record<string, number> = {};
    for (const entity of [
      Statement,
      StatementAgent,
      StatementActivity,
      Attachment,
      VocabEntry,
      Activity,
      Agent,
      State,
      AgentProfile,
      ActivityProfile,
    ]) {
      out[t.dataSource.getMetadata(entity).tableName] = await t.dataSource
        .getRepository(entity as any)
        .countBy({ storeId: store.id });
    }
    return out;
  }
  const statementIds = async (store: Store) =>
    (
      await t.dataSource
        .getRepository(Statement)
        .find({ where: { storeId: store.id }, order: { statementId: 'ASC' } })
    ).map((s) => s.statementId);

  it('statements: deletes those stored until the cutoff with index rows and attachments, nothing else', async () => {
    const store = await newStore();
    const other = await newStore();
    await fixture(store);
    await fixture(other);
    const before = await census(store);
    const ctx = makeRunContext<ClearingParams>(
      { service: 'statements', until: '1_day' },
      { store },
    );
    const result = await handler.run(ctx);

    expect(await statementIds(store)).toEqual([uuid(3)]);
    const after = await census(store);
    expect(after).toEqual({
      ...before,
      statements: 1,
      statement_agents: 1,
      statement_activities: 1,
      attachments: 0,
      vocab: before.vocab - 1,
    });
    expect(await census(other)).toEqual(before);
    expect(result.data).toMatchObject({
      deleted: 3,
      tables: {
        vocab: { deleted: 1, dependents: {} },
        statements: {
          deleted: 2,
          dependents: { statement_agents: 2, statement_activities: 2, attachments: 1 },
        },
      },
    });
    expect(result.feedback).toMatch(
      /^deleted 3 records of statements stored until .*Z \(vocab 1; statements 2 with attachments 1, statement_activities 2, statement_agents 2\)$/,
    );
    expect(ctx.progressReports.at(0)).toEqual({ done: 0, total: 3 });
    expect(ctx.progressReports.at(-1)).toEqual({ done: 3, total: 3 });
  });

  it('all: deletes the old records of every service; one service: only its own', async () => {
    const store = await newStore();
    await fixture(store);
    const before = await census(store);
    await handler.run(
      makeRunContext<ClearingParams>({ service: 'states', until: '1_day' }, { store }),
    );
    expect(await census(store)).toEqual({ ...before, states: 1 });

    const result = await handler.run(
      makeRunContext<ClearingParams>({ service: 'all', until: '1_day' }, { store }),
    );
    expect(await census(store)).toEqual({
      ...before,
      statements: 1,
      statement_agents: 1,
      statement_activities: 1,
      attachments: 0,
      vocab: before.vocab - 1,
      activities: before.activities - 1,
      agents: before.agents - 1,
      states: 1,
      agent_profiles: 1,
      activity_profiles: 1,
    });
    expect(result.data).toMatchObject({ deleted: 7 });
  });

  it('until=date acts up to until_date; a future one stops at the run start', async () => {
    const store = await newStore();
    await fixture(store);
    const yesterday = new Date(Date.now() - DAY).toISOString();
    await handler.run(
      makeRunContext<ClearingParams>(
        { service: 'statements', until: 'date', until_date: yesterday },
        { store },
      ),
    );
    expect(await statementIds(store)).toEqual([uuid(3)]);
    const startedAt = new Date();
    await recorder.record(store, null, [statement(uuid(4))], { version: '1.0.3' });
    await t.dataSource
      .getRepository(Statement)
      .update(
        { storeId: store.id, statementId: uuid(4) },
        { stored: new Date(startedAt.getTime() + 60_000) },
      );
    const result = await handler.run(
      makeRunContext<ClearingParams>(
        { service: 'statements', until: 'date', until_date: '2100-01-01' },
        { store, startedAt },
      ),
    );
    expect(result.data).toMatchObject({ cutoff: startedAt.toISOString() });
    expect(await statementIds(store)).toEqual([uuid(4)]);
  });

  it('a dry run deletes nothing and reports the counts the real run then deletes', async () => {
    const store = await newStore();
    await fixture(store);
    const before = await census(store);
    const params = { service: 'all' as const, until: '1_day' as const };
    const dry = await handler.run(
      makeRunContext<ClearingParams>({ ...params, dry_run: true }, { store }),
    );
    expect(await census(store)).toEqual(before);
    expect(dry.feedback).toMatch(
      /^dry run, nothing changed: would delete 8 records of every service/,
    );
    const real = await handler.run(makeRunContext<ClearingParams>(params, { store }));
    expect(real.data!.tables).toEqual(dry.data!.tables);
    expect(real.data!.deleted).toBe(8);
  });

  it('a cleared voiding statement no longer voids a target that stays', async () => {
    const store = await newStore();
    const target = uuid(50);
    const voider = uuid(51);
    await recorder.record(store, null, [statement(target)], { version: '1.0.3' });
    await recorder.record(
      store,
      null,
      [
        {
          id: voider,
          actor: { mbox: 'mailto:admin@example.com' },
          verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
          object: { objectType: 'StatementRef', id: target },
        },
      ],
      { version: '1.0.3' },
    );
    await age(Statement, store.id, { statementId: voider });
    const rowOf = () =>
      t.dataSource
        .getRepository(Statement)
        .findOneByOrFail({ storeId: store.id, statementId: target });
    expect(await rowOf()).toMatchObject({ voided: true, voidedBy: voider });
    await handler.run(
      makeRunContext<ClearingParams>({ service: 'statements', until: '1_day' }, { store }),
    );
    expect(await statementIds(store)).toEqual([target]);
    expect(await rowOf()).toMatchObject({ voided: false, voidedBy: null });
  });

  it('clears a table declared in the registry later, without a change to the handler', async () => {
    const store = await newStore();
    await t.dataSource.query(
      'CREATE TABLE spec_future_records (id integer PRIMARY KEY, store_id integer NOT NULL, stored datetime(3) NOT NULL)',
    );
    registerStoreScopedTable({
      entity: 'spec_future_records',
      storeColumn: 'store_id',
      idColumn: 'id',
      service: 'states',
      storedColumn: 'stored',
      order: 400,
    });
    const at = (ms: number) =>
      new Date(Date.now() - ms).toISOString().replace('T', ' ').replace('Z', '');
    for (const [id, storeId, stored] of [
      [1, store.id, at(2 * DAY)],
      [2, store.id, at(0)],
      [3, store.id + 1000, at(2 * DAY)],
    ]) {
      await t.dataSource.query(
        'INSERT INTO spec_future_records (id, store_id, stored) VALUES (?, ?, ?)',
        [id, storeId, stored],
      );
    }
    const result = await handler.run(
      makeRunContext<ClearingParams>({ service: 'states', until: '1_day' }, { store }),
    );
    const left = await t.dataSource.query('SELECT id FROM spec_future_records ORDER BY id');
    expect(left.map((r: { id: number }) => Number(r.id))).toEqual([2, 3]);
    expect(result.data).toMatchObject({ tables: { spec_future_records: { deleted: 1 } } });
  });

  it('a run interrupted after its first batch and retried ends with the same rows as one run', async () => {
    const interrupted = await newStore();
    const whole = await newStore();
    const n = CLEARING_BATCH * 2;
    const statements = Array.from({ length: n }, (_, i) => statement(uuid(1000 + i)));
    for (const store of [interrupted, whole]) {
      for (let i = 0; i < n; i += 250) {
        await recorder.record(store, null, statements.slice(i, i + 250), { version: '1.0.3' });
      }
      // Every third statement is recent and stays.
      await age(Statement, store.id, {});
      await t.dataSource.getRepository(Statement).update(
        {
          storeId: store.id,
          statementId: In(statements.filter((_, i) => i % 3 === 0).map((s) => s.id)),
        },
        { stored: new Date() },
      );
    }
    const params = { service: 'statements' as const, until: '1_day' as const };
    const cut = makeRunContext<ClearingParams>(params, {
      store: interrupted,
      abortAfterProgress: 2,
    });
    await expect(handler.run(cut)).rejects.toThrow();
    const old = n - Math.ceil(n / 3);
    // One batch went: CLEARING_BATCH rows, or fewer on SQLite (batches there follow a time budget).
    const [start, first] = cut.progressReports;
    expect(cut.progressReports).toHaveLength(2);
    expect(start).toEqual({ done: 0, total: old });
    expect(first.total).toBe(old);
    expect(first.done).toBeGreaterThan(0);
    expect(first.done).toBeLessThanOrEqual(CLEARING_BATCH);
    if (t.dataSource.options.type !== 'better-sqlite3') expect(first.done).toBe(CLEARING_BATCH);
    const retry = await handler.run(makeRunContext<ClearingParams>(params, { store: interrupted }));
    expect(retry.data).toMatchObject({ deleted: old - first.done });
    const one = await handler.run(makeRunContext<ClearingParams>(params, { store: whole }));
    expect(one.data).toMatchObject({ deleted: old });
    expect(await statementIds(interrupted)).toEqual(await statementIds(whole));
    expect(await census(interrupted)).toEqual(await census(whole));
    expect((await census(whole)).statement_agents).toBe(Math.ceil(n / 3));
  });
});

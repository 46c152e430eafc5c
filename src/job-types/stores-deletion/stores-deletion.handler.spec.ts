import { UnprocessableEntityException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { makeCreationContext, makeRunContext } from '../../../test/support/job-context';
import { Client } from '../../access/client.entity';
import { Person } from '../../access/person.entity';
import { Store } from '../../access/store.entity';
import { registerStoreScopedTable } from '../../database/store-scoped';
import { JOB_TYPE_KEY, JobTypeOptions } from '../../jobs/job-type';
import { LogEntry } from '../../logging/log-entry.entity';
import { Agent } from '../../xapi/agents/agent.entity';
import { StatementAgent } from '../../xapi/statements/entities/statement-agent.entity';
import { StatementRecorder } from '../../xapi/statements/statement-recorder.service';
import { StoresDeletionParams } from './stores-deletion.dto';
import { STORES_DELETION_BATCH, StoresDeletionHandler } from './stores-deletion.handler';

// A table another module would add later: covered through the registry alone.
registerStoreScopedTable({
  entity: 'spec_extra',
  storeColumn: 'store_id',
  idColumn: 'id',
  order: 100,
});

async function newStore(ds: DataSource, slug: string): Promise<Store> {
  const now = new Date();
  const stores = ds.getRepository(Store);
  return stores.save(stores.create({ slug, name: slug, createdAt: now, updatedAt: now }));
}

/** Rows of every store-scoped table for `store`: `n` log entries, 2 of the rest. */
async function fill(ds: DataSource, store: Store, logs = 3): Promise<void> {
  const now = new Date();
  for (let i = 0; i < 2; i++) {
    await ds.getRepository(Client).insert({
      slug: `${store.slug}-client-${i}`,
      name: 'c',
      username: `${store.slug}-user-${i}`,
      passwordHash: 'x',
      storeId: store.id,
      permissions: [],
      pipeline: {},
      expiresAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await ds.getRepository(Person).insert({ storeId: store.id, createdAt: now });
    await ds.getRepository(Agent).insert({
      storeId: store.id,
      vid: `mbox::mailto:${i}@example.com`,
      agent: { mbox: `mailto:${i}@example.com` },
      personId: null,
      stored: now,
      updated: now,
    });
    await ds.query('INSERT INTO spec_extra (store_id) VALUES (?)', [store.id]);
  }
  const entries = Array.from({ length: logs }, (_, i) => ({
    level: 1,
    type: 'api' as const,
    storeId: store.id,
    jobId: null,
    event: null,
    success: null,
    message: `log ${i}`,
    data: null,
    stored: now,
  }));
  for (let i = 0; i < entries.length; i += 500) {
    await ds.getRepository(LogEntry).insert(entries.slice(i, i + 500));
  }
}

async function counts(ds: DataSource, storeId: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['clients', 'persons', 'agents', 'logs', 'spec_extra', 'stores']) {
    const column = table === 'stores' ? 'id' : 'store_id';
    const [row] = await ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`, [
      storeId,
    ]);
    out[table] = Number(row.n);
  }
  return out;
}

function expect422(error: unknown, message: string) {
  expect(error).toBeInstanceOf(UnprocessableEntityException);
  expect((error as UnprocessableEntityException).getResponse()).toEqual({
    message: 'The given data was invalid.',
    errors: { store_id: [message] },
  });
}

describe('StoresDeletionHandler', () => {
  let t: TestApp;
  let ds: DataSource;
  let handler: StoresDeletionHandler;
  let defaultStore: Store;

  let budgetMs: number | undefined;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.dataSource;
    await ds.query(
      'CREATE TABLE spec_extra (id INTEGER PRIMARY KEY AUTO_INCREMENT, store_id INTEGER NOT NULL)'.replace(
        'AUTO_INCREMENT',
        ds.options.type === 'better-sqlite3' ? 'AUTOINCREMENT' : 'AUTO_INCREMENT',
      ),
    );
    handler = t.app.get(StoresDeletionHandler);
    budgetMs = handler.budgetMs;
    defaultStore = await ds.getRepository(Store).findOneByOrFail({ slug: 'default' });
  });
  afterEach(() => (handler.budgetMs = budgetMs));
  afterAll(async () => t.close());

  it('is declared with store mode none and only the now and on repeats', () => {
    const options: JobTypeOptions = Reflect.getMetadata(JOB_TYPE_KEY, StoresDeletionHandler);
    expect(options).toMatchObject({
      name: 'stores-deletion',
      params: StoresDeletionParams,
      store: 'none',
      repeats: ['now', 'on'],
    });
  });

  describe('validate (at creation)', () => {
    const validate = (storeId: number, principalStore: Store) =>
      handler.validate(makeCreationContext({ store_id: storeId }, { principalStore })).then(
        () => null,
        (e: unknown) => e,
      );

    it('refuses the only store', async () => {
      expect422(await validate(defaultStore.id, defaultStore), 'The only store cannot be deleted.');
    });

    it('refuses an unknown store, and the requesting client own store', async () => {
      const other = await newStore(ds, 'validate-other');
      expect422(await validate(999_999, defaultStore), 'No store has the id 999999.');
      expect422(
        await validate(defaultStore.id, defaultStore),
        'A client cannot delete its own store.',
      );
      expect422(await validate(other.id, other), 'A client cannot delete its own store.');
      expect(await validate(other.id, defaultStore)).toBeNull();
      // The default store holds the only access/all client: deleting it would lock the LRS out.
      const refused = await validate(defaultStore.id, other);
      expect(refused).toBeInstanceOf(UnprocessableEntityException);
      expect(JSON.stringify((refused as UnprocessableEntityException).getResponse())).toMatch(
        /No client with access\/all would be left/,
      );
      const now = new Date();
      const admin2 = await ds.getRepository(Client).save({
        slug: 'validate-admin2',
        name: 'Admin 2',
        username: 'admin2',
        passwordHash: 'scrypt$1$x$y',
        storeId: other.id,
        permissions: ['access/all'],
        pipeline: {},
        expiresAt: null,
        createdAt: now,
        updatedAt: now,
      });
      expect(await validate(defaultStore.id, other)).toBeNull();
      // An expired administrator does not count.
      await ds
        .getRepository(Client)
        .update({ id: admin2.id }, { expiresAt: new Date(Date.now() - 1000) });
      expect(await validate(defaultStore.id, other)).toBeInstanceOf(UnprocessableEntityException);
      await ds.getRepository(Client).delete({ id: admin2.id });
      await ds.getRepository(Store).delete({ id: other.id });
    });
  });

  describe('run', () => {
    it('deletes every record of the store, then the store, and nothing of other stores', async () => {
      const doomed = await newStore(ds, 'doomed');
      await fill(ds, doomed);
      await fill(ds, defaultStore);
      const before = await counts(ds, defaultStore.id);

      const ctx = makeRunContext<StoresDeletionParams>({ store_id: doomed.id });
      const result = await handler.run(ctx);

      expect(await counts(ds, doomed.id)).toEqual({
        clients: 0,
        persons: 0,
        agents: 0,
        logs: 0,
        spec_extra: 0,
        stores: 0,
      });
      expect(await counts(ds, defaultStore.id)).toEqual(before);
      expect(result.feedback).toBe(
        `deleted store doomed (id ${doomed.id}) and 11 records ` +
          '(spec_extra 2, agents 2, persons 2, logs 3, clients 2)',
      );
      expect(result.data).toEqual({
        store_id: doomed.id,
        store: 'doomed',
        already_deleted: false,
        deleted: { spec_extra: 2, agents: 2, persons: 2, logs: 3, clients: 2 },
        total: 11,
      });
      expect(ctx.progressReports[0]).toEqual({ done: 0, total: 11 });
      expect(ctx.progressReports.at(-1)).toEqual({ done: 11, total: 11 });
    });

    it('batches, stops when cancelled, and a retried run finishes without error', async () => {
      const doomed = await newStore(ds, 'doomed-big');
      await fill(ds, doomed, 2500);
      // Fixed batches here (on SQLite they follow a time budget, see the walker's spec).
      handler.budgetMs = undefined;
      const batch = STORES_DELETION_BATCH;
      const left = 2500 - batch;

      // spec_extra, agents, persons: 3 reports; then logs: 1000 in the 4th... abort there.
      const cancelled = makeRunContext<StoresDeletionParams>(
        { store_id: doomed.id },
        { abortAfterProgress: 5 },
      );
      await expect(handler.run(cancelled)).rejects.toThrow();
      expect(cancelled.progressReports).toEqual([
        { done: 0, total: 2508 },
        { done: 2, total: 2508 },
        { done: 4, total: 2508 },
        { done: 6, total: 2508 },
        { done: 6 + batch, total: 2508 },
      ]);
      expect(await counts(ds, doomed.id)).toEqual({
        clients: 2,
        persons: 0,
        agents: 0,
        logs: left,
        spec_extra: 0,
        stores: 1,
      });

      const retry = makeRunContext<StoresDeletionParams>({ store_id: doomed.id });
      const result = await handler.run(retry);
      expect(result.data).toMatchObject({
        already_deleted: false,
        deleted: { logs: left, clients: 2 },
        total: left + 2,
      });
      const steps = [0];
      for (let done = batch; done < left; done += batch) steps.push(done);
      expect(retry.progressReports.map((p) => p.done)).toEqual([...steps, left, left + 2]);
      expect(Object.values(await counts(ds, doomed.id))).toEqual([0, 0, 0, 0, 0, 0]);

      // Once more (e.g. the instance died after the store row went): passes with a note.
      const again = await handler.run(makeRunContext({ store_id: doomed.id }));
      expect(again.feedback).toBe(
        `store ${doomed.id} was already deleted; removed 0 records left over`,
      );
      expect(again.data).toMatchObject({ already_deleted: true, total: 0 });
    });

    it('deletes index rows with their statements, and sweeps index rows left without one', async () => {
      const doomed = await newStore(ds, 'doomed-xapi');
      await t.app.get(StatementRecorder).record(
        doomed,
        null,
        [1, 2, 3].map((i) => ({
          actor: { mbox: `mailto:learner${i}@example.com` },
          verb: { id: 'http://example.com/verbs/did' },
          object: { id: `http://example.com/activities/${i}` },
        })),
        { version: '1.0.3' },
      );
      const indexRows = async () =>
        Number(
          (
            await ds.query(
              'SELECT (SELECT COUNT(*) FROM statement_agents WHERE store_id = ?) + ' +
                '(SELECT COUNT(*) FROM statement_activities WHERE store_id = ?) AS n',
              [doomed.id, doomed.id],
            )
          )[0].n,
        );
      const recorded = await indexRows();
      expect(recorded).toBeGreaterThanOrEqual(6);
      // Left by an older deletion that went table by table: no statement has this row id.
      await ds.getRepository(StatementAgent).insert({
        storeId: doomed.id,
        statementRowId: 999_999_999,
        vid: 'mbox::mailto:stray@example.com',
        role: 'actor',
      });

      const ctx = makeRunContext<StoresDeletionParams>({ store_id: doomed.id });
      const result = await handler.run(ctx);
      expect(await indexRows()).toBe(0);
      const [left] = await ds.query('SELECT COUNT(*) AS n FROM statements WHERE store_id = ?', [
        doomed.id,
      ]);
      expect(Number(left.n)).toBe(0);
      const deleted = result.data!.deleted as Record<string, number>;
      expect(deleted.statements).toBe(3);
      expect(deleted.statement_agents + deleted.statement_activities).toBe(recorded + 1);
      // Progress counts the walked rows (the stray one too), not the index rows that go
      // with their statement.
      const last = ctx.progressReports.at(-1)!;
      expect(last.done).toBe(last.total);
      expect(last.total).toBe((result.data!.total as number) - recorded);
    });

    it('sweeps records left behind by a store whose row is already gone', async () => {
      const doomed = await newStore(ds, 'half-gone');
      await fill(ds, doomed, 1);
      await ds.getRepository(Store).delete({ id: doomed.id });

      const result = await handler.run(makeRunContext({ store_id: doomed.id }));
      expect(result.feedback).toBe(
        `store ${doomed.id} was already deleted; removed 9 records left over ` +
          '(spec_extra 2, agents 2, persons 2, logs 1, clients 2)',
      );
      expect(Object.values(await counts(ds, doomed.id))).toEqual([0, 0, 0, 0, 0, 0]);
    });
  });
});

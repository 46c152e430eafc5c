import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Store } from '../../access/store.entity';
import { Cmi5Token } from '../../cmi5/cmi5-token.entity';
import { JobRunContext } from '../../jobs/job-type';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { Cmi5TokensDeletionParams } from './cmi5-tokens-deletion.dto';
import { Cmi5TokensDeletionHandler } from './cmi5-tokens-deletion.handler';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('Cmi5TokensDeletionHandler', () => {
  let t: TestApp;
  let handler: Cmi5TokensDeletionHandler;
  let stores: { one: Store; two: Store };
  const startedAt = new Date('2026-03-10T12:00:00.000Z');

  beforeAll(async () => {
    t = await createTestApp();
    handler = t.app.get(Cmi5TokensDeletionHandler);
    const repo = t.dataSource.getRepository(Store);
    const now = new Date();
    stores = {
      one: await repo.save({ slug: 'one', name: 'One', createdAt: now, updatedAt: now }),
      two: await repo.save({ slug: 'two', name: 'Two', createdAt: now, updatedAt: now }),
    };
  });
  afterAll(async () => t.close());

  let seq = 0;
  /** Tokens of a store created `agesMs` before the run start. */
  async function tokens(store: Store, agesMs: number[]) {
    const repo = t.dataSource.getRepository(Cmi5Token);
    for (const age of agesMs) {
      seq += 1;
      await repo.save({
        storeId: store.id,
        clientId: 1,
        tokenHash: `hash-${seq}`.padEnd(64, '0'),
        secretHash: null,
        agent: { mbox: `mailto:l${seq}@example.com` },
        agentVid: `mbox::mailto:l${seq}@example.com`,
        activityId: 'https://example.com/au/1',
        registration: null,
        fetchedAt: null,
        createdAt: new Date(startedAt.getTime() - age),
      });
    }
  }

  async function ages(store: Store): Promise<number[]> {
    const rows = await t.dataSource
      .getRepository(Cmi5Token)
      .find({ where: { storeId: store.id }, order: { createdAt: 'DESC' } });
    return rows.map((r) => startedAt.getTime() - r.createdAt.getTime());
  }

  function context(
    params: Cmi5TokensDeletionParams,
    store: Store | null,
    controller = new AbortController(),
  ) {
    const progress: [number, number | null | undefined][] = [];
    const ctx: JobRunContext<Cmi5TokensDeletionParams> = {
      jobId: 1,
      params,
      store,
      startedAt,
      log: jest.fn(async () => undefined),
      progress: jest.fn(async (done: number, total?: number | null) => {
        progress.push([done, total]);
      }),
      signal: controller.signal,
      state: { get: () => null, set: async () => undefined },
    };
    return { ctx, progress, controller };
  }

  async function clear() {
    await t.dataSource.getRepository(Cmi5Token).clear();
  }

  it('deletes the store tokens created at or before the cutoff, and nothing else', async () => {
    await clear();
    await tokens(stores.one, [2 * DAY, DAY, DAY - 1, HOUR, 0]);
    await tokens(stores.two, [3 * DAY]);
    const { ctx, progress } = context({ until: '1_day' }, stores.one);
    const result = await handler.run(ctx);
    expect(await ages(stores.one)).toEqual([0, HOUR, DAY - 1]);
    expect(await ages(stores.two)).toEqual([3 * DAY]);
    expect(result.feedback).toBe(
      'deleted 2 cmi5 tokens created until 2026-03-09T12:00:00.000Z (store one)',
    );
    expect(result.data).toEqual({ deleted: 2, cutoff: '2026-03-09T12:00:00.000Z', store: 'one' });
    expect(progress).toEqual([
      [0, 2],
      [2, 2],
    ]);
  });

  it('covers every store when the job has none, up to the run start with `now`', async () => {
    await clear();
    await tokens(stores.one, [HOUR, 0, -1000]);
    await tokens(stores.two, [7 * DAY]);
    const { ctx } = context({ until: 'now' }, null);
    const result = await handler.run(ctx);
    // A token created after the run started stays.
    expect(await ages(stores.one)).toEqual([-1000]);
    expect(await ages(stores.two)).toEqual([]);
    expect(result.data).toMatchObject({ deleted: 3, store: null });
    expect(result.feedback).toContain('(every store)');
  });

  it('works in batches, reporting progress after each one', async () => {
    await clear();
    await tokens(stores.one, [
      2 * HOUR,
      3 * HOUR,
      4 * HOUR,
      5 * HOUR,
      6 * HOUR,
      7 * HOUR,
      30 * 60_000,
    ]);
    handler.batchSize = 2;
    try {
      const { ctx, progress } = context({ until: '1_hour' }, stores.one);
      const result = await handler.run(ctx);
      expect(result.data).toMatchObject({ deleted: 6 });
      expect(progress).toEqual([
        [0, 6],
        [2, 6],
        [4, 6],
        [6, 6],
      ]);
      expect(await ages(stores.one)).toEqual([30 * 60_000]);
    } finally {
      handler.batchSize = 500;
    }
  });

  it('stops between batches when cancelled', async () => {
    await clear();
    await tokens(stores.two, [8 * DAY, 9 * DAY, 10 * DAY, 11 * DAY, 12 * DAY]);
    handler.batchSize = 2;
    try {
      const { ctx, controller } = context({ until: '1_week' }, stores.two);
      (ctx.progress as jest.Mock).mockImplementation(async (done: number) => {
        if (done > 0) controller.abort(new Error('job deleted'));
      });
      await expect(handler.run(ctx)).rejects.toThrow('job deleted');
      expect(await ages(stores.two)).toHaveLength(3);
      // A retried run finishes the work.
      const retry = context({ until: '1_week' }, stores.two);
      const result = await handler.run(retry.ctx);
      expect(result.data).toMatchObject({ deleted: 3 });
      expect(await ages(stores.two)).toEqual([]);
    } finally {
      handler.batchSize = 500;
    }
  });

  it('accepts only now, 1_hour, 1_day and 1_week as until', async () => {
    const errorsOf = async (plain: object) =>
      (await validate(plainToInstance(Cmi5TokensDeletionParams, plain))).map((e) => e.property);
    for (const until of ['now', '1_hour', '1_day', '1_week']) {
      expect(await errorsOf({ until })).toEqual([]);
    }
    for (const plain of [{ until: '1_month' }, { until: 'date' }, { until: '1_year' }, {}]) {
      expect(await errorsOf(plain)).toEqual(['until']);
    }
  });
});

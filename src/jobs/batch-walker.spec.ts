import { performance } from 'perf_hooks';
import {
  keysetIds,
  nextBatchSize,
  SQLITE_BATCH_BUDGET_MS,
  syncBudgetMs,
  walkBatches,
  WalkContext,
} from './batch-walker';

function context(abortAfterProgress = Infinity) {
  const controller = new AbortController();
  const progress: [number, number | null | undefined][] = [];
  const ctx: WalkContext = {
    signal: controller.signal,
    progress: async (done, total) => {
      progress.push([done, total]);
      if (progress.length > abortAfterProgress) controller.abort();
    },
  };
  return { ctx, progress };
}

/** A keyed "table" in memory: fetch after a key, act deletes. */
function table(n: number) {
  const rows = new Set(Array.from({ length: n }, (_, i) => i + 1));
  return {
    rows,
    fetch: async (after: number | null, limit: number) =>
      [...rows].filter((k) => after === null || k > after).slice(0, limit),
    act: async (ids: number[]) => ids.filter((k) => rows.delete(k)).length,
  };
}

describe('walkBatches', () => {
  it('walks every row in batches, reports progress and affected counts', async () => {
    const t = table(25);
    const { ctx, progress } = context();
    const r = await walkBatches({ ctx, batchSize: 10, total: 25, fetch: t.fetch, act: t.act });
    expect(r).toEqual({ walked: 25, affected: 25, batches: 3 });
    expect(t.rows.size).toBe(0);
    expect(progress).toEqual([
      [0, 25],
      [10, 25],
      [20, 25],
      [25, 25],
    ]);
  });

  it('stops on the abort signal between batches; a second walk finishes the same data', async () => {
    const t = table(25);
    const first = context(0);
    await expect(
      walkBatches({ ctx: first.ctx, batchSize: 10, fetch: t.fetch, act: t.act }),
    ).rejects.toThrow();
    expect(t.rows.size).toBe(15);
    const again = await walkBatches({
      ctx: context().ctx,
      batchSize: 10,
      fetch: t.fetch,
      act: t.act,
    });
    expect(again.affected).toBe(15);
    expect(t.rows.size).toBe(0);
  });

  it('resumes after a cursor and hands each durable batch to onBatchDone', async () => {
    const t = table(12);
    const cursors: number[] = [];
    const r = await walkBatches({
      ctx: context().ctx,
      batchSize: 5,
      after: 4,
      fetch: t.fetch,
      act: async (ids) => ids.length,
      onBatchDone: async (last) => {
        cursors.push(last);
      },
    });
    expect(r.walked).toBe(8);
    expect(cursors).toEqual([9, 12]);
  });

  it('counts affected rows, not the rows it meant to touch', async () => {
    const t = table(10);
    t.rows.delete(3);
    const r = await walkBatches({
      ctx: context().ctx,
      batchSize: 100,
      fetch: async () => [1, 2, 3],
      act: t.act,
    });
    expect(r).toEqual({ walked: 3, affected: 2, batches: 1 });
  });

  it('with readAhead, fetches the next batch while acting on this one, in key order', async () => {
    const t = table(25);
    const events: string[] = [];
    const r = await walkBatches<number>({
      ctx: context().ctx,
      batchSize: 10,
      readAhead: true,
      fetch: async (after, limit) => {
        events.push(`fetch after ${after}`);
        return t.fetch(after, limit);
      },
      act: async (ids) => {
        events.push(`act ${ids[0]}-${ids[ids.length - 1]} start`);
        await new Promise((resolve) => setImmediate(resolve));
        events.push(`act ${ids[0]} end`);
        return t.act(ids);
      },
    });
    expect(r).toEqual({ walked: 25, affected: 25, batches: 3 });
    expect(events).toEqual([
      'fetch after null',
      'fetch after 10',
      'act 1-10 start',
      'act 1 end',
      'fetch after 20',
      'act 11-20 start',
      'act 11 end',
      'act 21-25 start',
      'act 21 end',
    ]);
  });

  it('with readAhead, a failed action stops the walk and the pending read is dropped quietly', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let fetches = 0;
      await expect(
        walkBatches<number>({
          ctx: context().ctx,
          batchSize: 2,
          readAhead: true,
          fetch: async () => {
            if (++fetches > 1) throw new Error('read failed');
            return [1, 2];
          },
          act: async () => {
            throw new Error('remote refused');
          },
        }),
      ).rejects.toThrow('remote refused');
      await new Promise((resolve) => setImmediate(resolve));
      expect(fetches).toBe(2);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('acts again on a batch that lost a lock conflict, counting what the retry changed', async () => {
    const t = table(10);
    let conflicts = 0;
    const r = await walkBatches({
      ctx: context().ctx,
      batchSize: 4,
      fetch: t.fetch,
      act: async (ids) => {
        if (ids[0] === 5 && conflicts < 2) {
          // Half the batch went in autocommit statements before the conflict.
          t.rows.delete(5);
          conflicts += 1;
          throw Object.assign(new Error('Deadlock found when trying to get lock'), { errno: 1213 });
        }
        return t.act(ids);
      },
    });
    expect(conflicts).toBe(2);
    expect(r).toEqual({ walked: 10, affected: 9, batches: 3 });
    expect(t.rows.size).toBe(0);
  });

  it('lets other errors of an act through at once', async () => {
    let calls = 0;
    await expect(
      walkBatches({
        ctx: context().ctx,
        batchSize: 4,
        fetch: async () => [1],
        act: async () => {
          calls += 1;
          throw Object.assign(new Error("Duplicate entry '1'"), { errno: 1062 });
        },
      }),
    ).rejects.toThrow('Duplicate');
    expect(calls).toBe(1);
  });
});

describe('walkBatches with a time budget', () => {
  let clock = 0;
  beforeEach(() => {
    clock = 0;
    jest.spyOn(performance, 'now').mockImplementation(() => clock);
  });
  afterEach(() => jest.restoreAllMocks());

  /** A table whose act takes `msPerRow` of the (fake) clock per row; records each limit asked. */
  function timed(n: number, msPerRow: number) {
    const t = table(n);
    const limits: number[] = [];
    return {
      ...t,
      limits,
      fetch: (after: number | null, limit: number) => (limits.push(limit), t.fetch(after, limit)),
      act: async (ids: number[]) => ((clock += ids.length * msPerRow), t.act(ids)),
    };
  }

  it('shrinks slow batches to the budget and keeps them there', async () => {
    const t = timed(200, 2);
    const r = await walkBatches({
      ctx: context().ctx,
      batchSize: 1000,
      budgetMs: 20,
      fetch: t.fetch,
      act: t.act,
    });
    expect(r.walked).toBe(200);
    expect(t.rows.size).toBe(0);
    // 20 rows first (40 ms: over), then 10 rows of 20 ms each.
    expect(t.limits.slice(0, 4)).toEqual([20, 10, 10, 10]);
  });

  it('grows fast batches, at most doubling, never above batchSize', async () => {
    const t = timed(2000, 0.01);
    await walkBatches({
      ctx: context().ctx,
      batchSize: 300,
      budgetMs: 20,
      fetch: t.fetch,
      act: t.act,
    });
    expect(t.rows.size).toBe(0);
    expect(t.limits.slice(0, 6)).toEqual([20, 40, 80, 160, 300, 300]);
  });

  it('without a budget, every batch has batchSize rows', async () => {
    const t = timed(250, 2);
    await walkBatches({ ctx: context().ctx, batchSize: 100, fetch: t.fetch, act: t.act });
    expect(t.limits).toEqual([100, 100, 100]);
  });

  it('nextBatchSize: scales by budget / time, at least 1', () => {
    expect(nextBatchSize(100, 40, 20, 1000)).toBe(50);
    expect(nextBatchSize(100, 10_000, 20, 1000)).toBe(1);
    expect(nextBatchSize(100, 0, 20, 1000)).toBe(200);
    expect(nextBatchSize(100, 15, 20, 110)).toBe(110);
  });

  it('syncBudgetMs: a budget on SQLite only', () => {
    const ds = (type: string) => ({ options: { type } }) as any;
    expect(syncBudgetMs(ds('better-sqlite3'))).toBe(SQLITE_BATCH_BUDGET_MS);
    expect(syncBudgetMs(ds('mariadb'))).toBeUndefined();
    expect(syncBudgetMs(ds('mysql'))).toBeUndefined();
  });
});

describe('keysetIds', () => {
  it('orders by the key and pages after the last one', async () => {
    const calls: string[] = [];
    const qb: any = {
      select: (k: string) => (calls.push(`select ${k}`), qb),
      orderBy: (k: string, d: string) => (calls.push(`order ${k} ${d}`), qb),
      limit: (n: number) => (calls.push(`limit ${n}`), qb),
      andWhere: (w: string, p: object) => (calls.push(`where ${w} ${JSON.stringify(p)}`), qb),
      getRawMany: async () => [{ k: '7' }, { k: '9' }],
    };
    const fetch = keysetIds(() => qb, 's.id');
    expect(await fetch(5, 2)).toEqual([7, 9]);
    expect(calls).toEqual([
      'select s.id',
      'order s.id ASC',
      'limit 2',
      'where s.id > :walkAfter {"walkAfter":5}',
    ]);
  });
});

import { keysetIds, walkBatches, WalkContext } from './batch-walker';

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

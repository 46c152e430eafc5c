import { setImmediate as yieldToEventLoop } from 'timers/promises';
import { SelectQueryBuilder } from 'typeorm';
import { JobRunContext } from './job-type';

/** The part of a run's context the walker needs: progress and the abort signal. */
export type WalkContext = Pick<JobRunContext, 'signal' | 'progress'>;

export interface BatchWalk<R> {
  ctx: WalkContext;
  /** Rows per batch. */
  batchSize: number;
  /**
   * Rows to walk, for progress, counted by the caller once up front; when given, the
   * walk starts by reporting 0 of it.
   */
  total?: number | null;
  /** Where to resume: the last row of a batch whose action is durable (null: from the start). */
  after?: R | null;
  /**
   * The next batch: rows strictly after `after` in key order, at most `limit` of them.
   * Keyset paging, never OFFSET: a retried run finds fewer rows, not shifted ones.
   */
  fetch(after: R | null, limit: number): Promise<R[]>;
  /**
   * Acts on one batch and returns how many records it really changed (affected rows,
   * not the ids it meant to touch), so that a retried run reports honest counts.
   */
  act(rows: R[]): Promise<number>;
  /** Called after each durable batch with its last row: persist a cursor here. */
  onBatchDone?(last: R, walked: number): Promise<void>;
  /**
   * Fetch the next batch while `act` works on this one (a read that waits on the database
   * overlaps an action that waits on a remote). Only for actions that do not change which
   * rows come after the batch's last one; a read-ahead of a walk that stops is dropped.
   */
  readAhead?: boolean;
}

export interface WalkResult {
  /** Rows fetched and handed to `act`. */
  walked: number;
  /** Sum of what `act` returned. */
  affected: number;
  batches: number;
}

/**
 * The one loop for long work: fetch a batch after the cursor, act on it, report
 * progress, stop on the abort signal between batches. It yields to the event loop
 * between batches, so that on the embedded database (one connection, synchronous
 * driver) requests are answered while a long job runs.
 */
export async function walkBatches<R>(walk: BatchWalk<R>): Promise<WalkResult> {
  const { ctx, batchSize } = walk;
  const total = walk.total ?? null;
  let after: R | null = walk.after ?? null;
  const result: WalkResult = { walked: 0, affected: 0, batches: 0 };
  if (total !== null) await ctx.progress(0, total);
  let next: Promise<R[]> | null = null;
  for (;;) {
    ctx.signal.throwIfAborted();
    const rows = await (next ?? walk.fetch(after, batchSize));
    next = null;
    if (rows.length === 0) break;
    if (walk.readAhead && rows.length === batchSize) {
      next = walk.fetch(rows[rows.length - 1], batchSize);
      // Awaited on the next turn; when the walk stops first, its failure is nobody's.
      next.catch(() => undefined);
    }
    result.affected += await walk.act(rows);
    result.walked += rows.length;
    result.batches += 1;
    after = rows[rows.length - 1];
    if (walk.onBatchDone) await walk.onBatchDone(after, result.walked);
    await ctx.progress(result.walked, total === null ? null : Math.max(total, result.walked));
    if (rows.length < batchSize) break;
    await yieldToEventLoop();
  }
  return result;
}

/**
 * Keyset fetch over a query: selects `key` (a qualified column such as `s.id`) of the
 * rows `query()` matches, ascending, after the last one. Returns the keys.
 */
export function keysetIds<K extends string | number>(
  query: () => SelectQueryBuilder<any>,
  key: string,
  parse: (raw: unknown) => K = (raw) => Number(raw) as K,
): (after: K | null, limit: number) => Promise<K[]> {
  return async (after, limit) => {
    const qb = query().select(key, 'k').orderBy(key, 'ASC').limit(limit);
    if (after !== null) qb.andWhere(`${key} > :walkAfter`, { walkAfter: after });
    const rows: { k: unknown }[] = await qb.getRawMany();
    return rows.map((r) => parse(r.k));
  };
}

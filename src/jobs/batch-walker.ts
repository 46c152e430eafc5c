import { performance } from 'perf_hooks';
import { setImmediate as yieldToEventLoop } from 'timers/promises';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { retryOnConflict } from '../common/db-errors';
import { primaryKeyHint } from '../common/index-hint';
import { JobRunContext } from './job-type';

/** The part of a run's context the walker needs: progress and the abort signal. */
export type WalkContext = Pick<JobRunContext, 'signal' | 'progress'>;

export interface BatchWalk<R> {
  ctx: WalkContext;
  /** Rows per batch (with `budgetMs`: the most per batch). */
  batchSize: number;
  /**
   * Milliseconds one batch may hold the event loop (give `syncBudgetMs(dataSource)`).
   * When set, the batch size follows the time batches really take: it starts small,
   * grows while batches end well within the budget and shrinks when one goes over,
   * never above `batchSize`. Unset: every batch has `batchSize` rows.
   */
  budgetMs?: number;
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
   * not the ids it meant to touch), so that a retried run reports honest counts. A lock
   * conflict (deadlock victim, Galera certification failure) runs it again on the same
   * rows: it must be safe to repeat (one transaction, or statements that find nothing
   * left to do the second time).
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
 * How long one batch may hold the event loop on the embedded database. SQLite's driver
 * is synchronous and a batch runs as one transaction on the one connection, so every
 * request waits for the whole batch: batches there adapt to this budget (see
 * `BatchWalk.budgetMs`). MySQL/MariaDB answer asynchronously: no budget, fixed batches.
 */
export const SQLITE_BATCH_BUDGET_MS = 20;

/** The `budgetMs` for walks on this database: SQLITE_BATCH_BUDGET_MS on SQLite, else none. */
export function syncBudgetMs(dataSource: DataSource): number | undefined {
  return dataSource.options.type === 'better-sqlite3' ? SQLITE_BATCH_BUDGET_MS : undefined;
}

/** The first batch size of a walk with a time budget, before any batch was timed. */
const FIRST_BUDGETED_BATCH = 20;

/**
 * The next batch size for a walk with a time budget: scaled by budget / time taken,
 * at most doubled per batch, between 1 and `max`.
 */
export function nextBatchSize(size: number, elapsedMs: number, budgetMs: number, max: number) {
  const scaled = Math.floor((size * budgetMs) / Math.max(elapsedMs, 0.1));
  return Math.max(1, Math.min(max, size * 2, scaled));
}

/**
 * The one loop for long work: fetch a batch after the cursor, act on it (again, quietly,
 * when it lost a lock conflict), report progress, stop on the abort signal between
 * batches. It yields to the event loop between batches, so that on the embedded
 * database (one connection, synchronous driver) requests are answered while a long job
 * runs; there, with `budgetMs`, each batch is also kept short enough that no request
 * waits long.
 */
export async function walkBatches<R>(walk: BatchWalk<R>): Promise<WalkResult> {
  const { ctx, batchSize, budgetMs } = walk;
  const total = walk.total ?? null;
  let after: R | null = walk.after ?? null;
  const result: WalkResult = { walked: 0, affected: 0, batches: 0 };
  let size = budgetMs === undefined ? batchSize : Math.min(batchSize, FIRST_BUDGETED_BATCH);
  if (total !== null) await ctx.progress(0, total);
  // A batch read ahead (readAhead) while the previous one was acted on, and its limit.
  let next: { rows: Promise<R[]>; limit: number } | null = null;
  for (;;) {
    ctx.signal.throwIfAborted();
    const started = performance.now();
    const limit = next?.limit ?? size;
    const rows = await (next?.rows ?? walk.fetch(after, limit));
    next = null;
    if (rows.length === 0) break;
    if (walk.readAhead && rows.length === limit) {
      const ahead = walk.fetch(rows[rows.length - 1], size);
      // Awaited on the next turn; when the walk stops first, its failure is nobody's.
      ahead.catch(() => undefined);
      next = { rows: ahead, limit: size };
    }
    result.affected += await retryOnConflict(() => walk.act(rows));
    result.walked += rows.length;
    result.batches += 1;
    after = rows[rows.length - 1];
    if (walk.onBatchDone) await walk.onBatchDone(after, result.walked);
    await ctx.progress(result.walked, total === null ? null : Math.max(total, result.walked));
    if (rows.length < limit) break;
    if (budgetMs !== undefined) {
      size = nextBatchSize(limit, performance.now() - started, budgetMs, batchSize);
    }
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

/** How many rows of a store a walk covers, and the first and last one's ids. */
export interface IdSpan {
  n: number;
  first: number;
  last: number;
}

/** `SELECT COUNT(*), MIN(id), MAX(id)` of the rows `query` selects: the span to walk. */
export async function idSpan(query: SelectQueryBuilder<any>, id: string): Promise<IdSpan> {
  const [row] = await query
    .select('COUNT(*)', 'n')
    .addSelect(`MIN(${id})`, 'first')
    .addSelect(`MAX(${id})`, 'last')
    .getRawMany();
  return { n: Number(row.n), first: Number(row.first ?? 0), last: Number(row.last ?? 0) };
}

/**
 * Keyset fetch on a table's primary key within a store's id span (walkBatches with
 * `after: span.first - 1`), with optional further conditions (`where`: SQL with `?`
 * placeholders for `params`, e.g. `AND stored <= ?`). A batch reads its own rows and the
 * others between them (other stores', rows the conditions leave out), a whole walk the
 * span once, whatever the statistics say: walked by the store's index and sorted by id
 * instead, a batch would read every row left (a quadratic walk; on SQLite one that holds
 * the connection).
 *
 * @param t the table and its store and id columns, escaped.
 */
export function primaryKeyIds(
  dataSource: DataSource,
  t: { table: string; store: string; id: string },
  storeId: number,
  span: IdSpan,
  where = '',
  params: unknown[] = [],
): (after: number | null, limit: number) => Promise<number[]> {
  const hint = primaryKeyHint(dataSource);
  return async (after, limit) => {
    const rows: { k: number | string }[] = await dataSource.query(
      `SELECT ${t.id} AS k FROM ${t.table} ${hint} WHERE ${t.store} = ? AND ${t.id} > ? AND ${t.id} <= ? ${where} ORDER BY ${t.id} LIMIT ${Number(limit)}`,
      [storeId, after ?? 0, span.last, ...params],
    );
    return rows.map((r) => Number(r.k));
  };
}

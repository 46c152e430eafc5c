import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { untilCutoff } from '../../common/until';
import {
  addDeleted,
  DeletedRecords,
  deleteStoreRecordsBatch,
  tableName,
} from '../../database/store-records';
import { StoreScopedTable, storeScopedTables } from '../../database/store-scoped';
import {
  BatchWalk,
  IdSpan,
  idSpan,
  primaryKeyIds,
  syncBudgetMs,
  walkBatches,
} from '../../jobs/batch-walker';
import { indexHint, indexOnColumns } from '../../common/index-hint';
import { utcDatetime } from '../../database/sql-text';
import { deletedWord, dryRunFeedback } from '../../jobs/dry-run';
import { JobHandler, JobRunContext, JobRunResult, JobType } from '../../jobs/job-type';
import { ClearingParams, ClearingService } from './clearing.dto';

export const CLEARING_BATCH = 1000;

/** A row a clearing walk hands on: its id, and its `stored` as read (the keyset's first part). */
interface WalkedRow {
  id: number;
  stored: unknown;
}

/**
 * The tables clearing deletes from, from the @StoreScoped registry: those of the service
 * (or of every service) with a `stored` column, that do not belong to another row (index
 * rows and attachments go with their statement). A future table is covered by declaring it.
 */
export function clearableTables(service: ClearingService): StoreScopedTable[] {
  return storeScopedTables().filter(
    (t) =>
      t.service && t.storedColumn && !t.belongsTo && (service === 'all' || t.service === service),
  );
}

@JobType({
  name: 'clearing',
  params: ClearingParams,
  store: 'per-store',
  description:
    "Deletes a service's records (or every service's) stored until a cutoff, each with what belongs to it.",
})
@Injectable()
export class ClearStoreRecordsHandler implements JobHandler<ClearingParams> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run(ctx: JobRunContext<ClearingParams>): Promise<JobRunResult> {
    const store = ctx.store;
    if (!store) throw new Error('a clearing job needs a store');
    const { service, until, until_date: untilDate, dry_run: dryRun } = ctx.params;
    // Never past the run start: records stored while the run goes on are not "until" it.
    const requested = untilCutoff(until, ctx.startedAt, untilDate);
    const cutoff = requested > ctx.startedAt ? ctx.startedAt : requested;
    const tables = clearableTables(service).map((t) => ({ t, name: this.tableName(t) }));
    const matching = (t: StoreScopedTable, name: string) => () =>
      this.dataSource
        .createQueryBuilder()
        .from(name, 'r')
        .where(`r.${this.escape(t.storeColumn)} = :storeId`, { storeId: store.id })
        .andWhere(`r.${this.escape(t.storedColumn!)} <= :cutoff`, { cutoff });

    // What each table holds until the cutoff: its count and id span, read once.
    const spans = new Map<string, IdSpan>();
    for (const { t, name } of tables) {
      spans.set(name, await idSpan(matching(t, name)(), `r.${this.escape(t.idColumn)}`));
    }
    const total = [...spans.values()].reduce((n, s) => n + s.n, 0);
    await ctx.progress(0, total);

    const byTable: Record<string, DeletedRecords> = {};
    let done = 0;
    for (const { t, name } of tables) {
      const span = spans.get(name)!;
      if (span.n === 0) continue;
      const offset = done;
      const counts: DeletedRecords = { deleted: 0, dependents: {} };
      const { walked } = await walkBatches<WalkedRow>({
        // One walk per table; progress counts across all of them.
        ctx: {
          signal: ctx.signal,
          progress: (n) => ctx.progress(offset + n, Math.max(total, offset + n)),
        },
        batchSize: CLEARING_BATCH,
        budgetMs: syncBudgetMs(this.dataSource),
        ...this.walkOf(t, name, store.id, span, cutoff),
        act: async (rows) => {
          const ids = rows.map((r) => r.id);
          const batch = await deleteStoreRecordsBatch(this.dataSource, t.entity, store.id, ids, {
            dryRun,
          });
          addDeleted(counts, batch);
          return dryRun ? 0 : batch.deleted;
        },
      });
      done += walked;
      if (counts.deleted > 0) byTable[name] = counts;
    }

    const records = Object.values(byTable).reduce((n, c) => n + c.deleted, 0);
    const detail = Object.entries(byTable)
      .map(([name, c]) => {
        const deps = Object.entries(c.dependents).map(([d, n]) => `${d} ${n}`);
        return `${name} ${c.deleted}${deps.length ? ` with ${deps.join(', ')}` : ''}`;
      })
      .join('; ');
    const scope = service === 'all' ? 'every service' : service;
    return {
      feedback: dryRunFeedback(
        dryRun,
        `${deletedWord(dryRun)} ${records} records of ${scope} stored until ${cutoff.toISOString()}` +
          (detail ? ` (${detail})` : ''),
      ),
      data: {
        deleted: records,
        tables: byTable,
        service,
        cutoff: cutoff.toISOString(),
        dry_run: !!dryRun,
      },
    };
  }

  /**
   * How a table's rows stored until the cutoff are walked. With an index on (store,
   * stored) (statements, documents): keyset on (stored, id) along it, each batch reading
   * about its own index entries whether or not ids follow `stored` (a bench's copies do
   * not; a cutoff inside the store then matched rows spread over the whole id span).
   * Without one (agents, activities, vocabulary): the span on the primary key
   * (primaryKeyIds). Walked by the store's index and sorted by id, each batch read every
   * matching row left (MariaDB's choice at a cutoff inside the store: quadratic).
   */
  private walkOf(
    t: StoreScopedTable,
    name: string,
    storeId: number,
    span: IdSpan,
    cutoff: Date,
  ): Pick<BatchWalk<WalkedRow>, 'after' | 'fetch'> {
    const table = this.escape(name);
    const [store, id, stored] = [t.storeColumn, t.idColumn, t.storedColumn!].map((c) =>
      this.escape(c),
    );
    const until = utcDatetime(cutoff);
    const index = indexOnColumns(this.dataSource, t.entity, [t.storeColumn, t.storedColumn!]);
    if (!index) {
      const ids = primaryKeyIds(
        this.dataSource,
        { table, store, id },
        storeId,
        span,
        `AND ${stored} <= ?`,
        [until],
      );
      return {
        after: { id: span.first - 1, stored: null },
        fetch: async (after, limit) =>
          (await ids(after?.id ?? null, limit)).map((k) => ({ id: k, stored: null })),
      };
    }
    const hint = indexHint(this.dataSource, index);
    return {
      fetch: async (after, limit) => {
        // `stored >= s AND (stored > s OR id > i)`: a range from the cursor on the index,
        // only the rows of the cursor's own `stored` before it read again.
        const rows: { id: number | string; stored: unknown }[] = await this.dataSource.query(
          `SELECT ${id} AS id, ${stored} AS stored FROM ${table} ${hint}
            WHERE ${store} = ? AND ${stored} <= ?
            ${after ? `AND ${stored} >= ? AND (${stored} > ? OR ${id} > ?)` : ''}
            ORDER BY ${stored}, ${id} LIMIT ${Number(limit)}`,
          [storeId, until, ...(after ? [after.stored, after.stored, after.id] : [])],
        );
        return rows.map((r) => ({ id: Number(r.id), stored: r.stored }));
      },
    };
  }

  private tableName(t: StoreScopedTable): string {
    return tableName(this.dataSource.manager, t.entity);
  }

  private escape(name: string): string {
    return this.dataSource.driver.escape(name);
  }
}

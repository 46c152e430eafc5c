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
import { IdSpan, idSpan, primaryKeyIds, syncBudgetMs, walkBatches } from '../../jobs/batch-walker';
import { utcDatetime } from '../../xapi/statements/bulk-insert';
import { deletedWord, dryRunFeedback } from '../../jobs/dry-run';
import { JobHandler, JobRunContext, JobRunResult, JobType } from '../../jobs/job-type';
import { ClearingParams, ClearingService } from './clearing.dto';

export const CLEARING_BATCH = 1000;

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

    // What each table holds until the cutoff: its count and id span, read once (on the
    // stored index); the walk then goes over that span on the primary key (primaryKeyIds),
    // not by the store's stored index and a sort of what is left at every batch.
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
      const { walked } = await walkBatches<number>({
        // One walk per table; progress counts across all of them.
        ctx: {
          signal: ctx.signal,
          progress: (n) => ctx.progress(offset + n, Math.max(total, offset + n)),
        },
        batchSize: CLEARING_BATCH,
        budgetMs: syncBudgetMs(this.dataSource),
        after: span.first - 1,
        fetch: primaryKeyIds(
          this.dataSource,
          {
            table: this.escape(name),
            store: this.escape(t.storeColumn),
            id: this.escape(t.idColumn),
          },
          store.id,
          span,
          `AND ${this.escape(t.storedColumn!)} <= ?`,
          [utcDatetime(cutoff)],
        ),
        act: async (ids) => {
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

  private tableName(t: StoreScopedTable): string {
    return tableName(this.dataSource.manager, t.entity);
  }

  private escape(name: string): string {
    return this.dataSource.driver.escape(name);
  }
}

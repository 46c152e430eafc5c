import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Not } from 'typeorm';
import { AccessCache } from '../../access/access-cache';
import { Client } from '../../access/client.entity';
import { grants } from '../../access/permissions';
import { Store } from '../../access/store.entity';
import { affectedRows } from '../../common/db-errors';
import { invalidInput } from '../../common/errors';
import { deleteStoreRecordsBatch, dependentTables } from '../../database/store-records';
import { StoreScopedTable, storeScopedTables } from '../../database/store-scoped';
import { IdSpan, idSpan, primaryKeyIds, syncBudgetMs, walkBatches } from '../../jobs/batch-walker';
import { Job } from '../../jobs/job.entity';
import { JobsService } from '../../jobs/jobs.service';
import { LogLevel } from '../../logging/log-entry.entity';
import {
  JobCreationContext,
  JobHandler,
  JobRunContext,
  JobRunResult,
  JobType,
} from '../../jobs/job-type';
import { RecordCache } from '../../xapi/statements/record-cache';
import { StoresDeletionParams } from './stores-deletion.dto';

/** Rows per batch (on SQLite the most per batch: there batches follow a time budget). */
export const STORES_DELETION_BATCH = 1000;

/** A table's rows of one store: how many, the first and last ids. */
/** A store-scoped table by its SQL names. */
interface ResolvedTable {
  table: string;
  store: string;
  id: string;
}

@JobType({
  name: 'stores-deletion',
  params: StoresDeletionParams,
  store: 'none',
  repeats: ['now', 'on'],
  description: 'Deletes a store and every record of it.',
})
@Injectable()
export class StoresDeletionHandler implements JobHandler<StoresDeletionParams> {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessCache,
    private readonly records: RecordCache,
    private readonly jobsService: JobsService,
  ) {
    this.budgetMs = syncBudgetMs(dataSource);
  }

  /** Time budget of one batch (SQLite; none on MySQL/MariaDB), see walkBatches. */
  budgetMs: number | undefined;

  async validate(ctx: JobCreationContext<StoresDeletionParams>): Promise<void> {
    const refusal = await this.refusal(ctx.params.store_id, ctx.principal.store.id);
    if (refusal) throw invalidInput({ store_id: [refusal] });
  }

  /**
   * Why this deletion must not happen, or null. Checked at creation and again when a run
   * starts, since stores and clients change in between: never the only store, never the
   * store of the client that created the job (a PUT checks its own client), never the last client that can
   * administer the LRS (`access/all`).
   */
  private async refusal(id: number, callerStoreId: number | null): Promise<string | null> {
    const stores = this.dataSource.getRepository(Store);
    if (!(await stores.existsBy({ id }))) return `No store has the id ${id}.`;
    const others = await stores.countBy({ id: Not(id), deletingAt: IsNull() });
    if (others === 0) return 'The only store cannot be deleted.';
    if (callerStoreId === id) return 'A client cannot delete its own store.';
    const admins = await this.dataSource
      .getRepository(Client)
      .createQueryBuilder('c')
      .innerJoin(Store, 's', 's.id = c.storeId')
      .where('c.storeId != :id', { id })
      .andWhere('s.deletingAt IS NULL')
      .andWhere('(c.expiresAt IS NULL OR c.expiresAt > :now)', { now: new Date() })
      .getMany();
    if (!admins.some((c) => grants(c.permissions).has('access/all'))) {
      return (
        'No client with access/all would be left in another store: the LRS could no longer ' +
        'be administered. Give a client of another store access/all first.'
      );
    }
    return null;
  }

  /** The store of the client that created the job (null when that client is gone). */
  private async jobClientStore(jobId: number): Promise<number | null> {
    const job = await this.dataSource.getRepository(Job).findOneBy({ id: jobId });
    if (!job?.client) return null;
    const client = await this.dataSource.getRepository(Client).findOneBy({ slug: job.client });
    return client?.storeId ?? null;
  }

  /**
   * Marks the store as being deleted, then sweeps every store-scoped table even when the
   * store row is already gone, so that a run retried after a cancel or crash (rows half
   * deleted, or the store row deleted last) ends clean. The store row goes last.
   */
  async run(ctx: JobRunContext<StoresDeletionParams>): Promise<JobRunResult> {
    const id = ctx.params.store_id;
    const stores = this.dataSource.getRepository(Store);
    const store = await stores.findOneBy({ id });
    if (store) {
      const refusal = await this.refusal(id, await this.jobClientStore(ctx.jobId));
      if (refusal) throw new Error(`Refused to delete store ${store.slug} (id ${id}): ${refusal}`);
      if (!store.deletingAt) {
        store.deletingAt = new Date();
        await stores.update({ id }, { deletingAt: store.deletingAt });
      }
      // The auth guard's cache must see the mark at once on this instance.
      this.access.forgetStore(id);
      await ctx.log(
        LogLevel.Notice,
        `Store ${store.slug} (id ${id}) marked as being deleted: its requests and new jobs ` +
          'answer 409 until the deletion ends; if it stops, run the job again to finish it.',
        { store_id: id, store: store.slug, deleting_since: store.deletingAt.toISOString() },
      );
    }
    // The store's jobs go first, through the engine, which cancels their runs; their data
    // goes once those runs have stopped (or the wait ran out).
    const jobs = await this.jobsService.deleteJobs(
      { storeId: id },
      { job: ctx.jobId },
      {
        waitMs: 30_000,
        signal: ctx.signal,
      },
    );
    if (jobs.unfinished.length) {
      await ctx.log(
        LogLevel.Warning,
        `Runs of deleted jobs ${jobs.unfinished.join(', ')} did not end in 30 s.`,
      );
    }
    // Rows that belong to a row of another table (index rows, attachment parts) go with
    // that row, in its transaction, found through their parent column's index: a sweep of
    // such a table by its own id would read the whole store's rows of it for every batch
    // on SQLite. Every table is swept afterwards all the same, to leave nothing behind.
    const all = storeScopedTables().filter((t) => t.entity !== Job);
    const tables = [...all.filter((t) => !t.belongsTo), ...all.filter((t) => t.belongsTo)].map(
      (t) => ({
        entity: t.entity,
        sweep: !!t.belongsTo,
        withDependents: !t.belongsTo && dependentTables(t.entity).length > 0,
        ...this.resolve(t),
      }),
    );

    // Progress counts the rows of the walked tables (not those that go with them).
    let total = 0;
    const spans = new Map<string, IdSpan>();
    for (const t of tables) {
      if (t.sweep) continue;
      const span = await this.span(t, id);
      spans.set(t.table, span);
      total += span.n;
    }
    await ctx.progress(0, total);

    const deleted: Record<string, number> = {};
    const add = (table: string, n: number) => {
      if (n > 0) deleted[table] = (deleted[table] ?? 0) + n;
    };
    let done = 0;
    for (const t of tables) {
      // One walk per table; progress counts the walked rows across all of them. Tables
      // swept after their parents' rows are looked at only then (usually nothing left).
      const span = spans.get(t.table) ?? (await this.span(t, id));
      if (span.n === 0) continue;
      const offset = done;
      const walk = await walkBatches({
        ctx: {
          signal: ctx.signal,
          progress: (n) => ctx.progress(offset + n, Math.max(total, offset + n)),
        },
        batchSize: STORES_DELETION_BATCH,
        budgetMs: this.budgetMs,
        // The index rows tables and agents have no (store, id) index: walked by their
        // store index and sorted per batch, the walk was quadratic (primaryKeyIds).
        fetch: primaryKeyIds(
          this.dataSource,
          { ...t, table: this.dataSource.driver.escape(t.table) },
          id,
          span,
        ),
        after: span.first - 1,
        act: async (ids) => {
          if (t.withDependents) {
            const batch = await deleteStoreRecordsBatch(this.dataSource, t.entity, id, ids);
            for (const [table, n] of Object.entries(batch.dependents)) add(table, n);
            return batch.deleted;
          }
          return affectedRows(
            await this.dataSource
              .createQueryBuilder()
              .delete()
              .from(t.table)
              .where(`${t.id} IN (:...ids)`, { ids })
              .execute(),
          );
        },
      });
      add(t.table, walk.affected);
      done += walk.walked;
    }
    add('jobs', jobs.deleted);
    const removed = Object.values(deleted).reduce((sum, n) => sum + n, 0);
    if (store) await stores.delete({ id });
    // This instance forgets the store at once; others within AUTH_CACHE_TTL_MS.
    this.access.forgetStore(id);
    this.records.forgetStore(id);

    const counts = Object.entries(deleted)
      .map(([table, n]) => `${table} ${n}`)
      .join(', ');
    const detail = counts ? ` (${counts})` : '';
    return {
      feedback: store
        ? `deleted store ${store.slug} (id ${id}) and ${removed} records${detail}`
        : `store ${id} was already deleted; removed ${removed} records left over${detail}`,
      data: {
        store_id: id,
        store: store?.slug ?? null,
        already_deleted: !store,
        deleted,
        total: removed,
      },
    };
  }

  private resolve(t: StoreScopedTable): ResolvedTable {
    const table =
      typeof t.entity === 'string' && !this.dataSource.hasMetadata(t.entity)
        ? t.entity
        : this.dataSource.getMetadata(t.entity).tableName;
    const escape = (name: string) => this.dataSource.driver.escape(name);
    return { table, store: escape(t.storeColumn), id: escape(t.idColumn) };
  }

  private ofStore(t: { table: string; store: string }, storeId: number) {
    return this.dataSource
      .createQueryBuilder()
      .from(t.table, 't')
      .where(`${t.store} = :storeId`, { storeId });
  }

  /** How many rows of the store a table holds, and the first and last one's ids. */
  private span(t: ResolvedTable, storeId: number): Promise<IdSpan> {
    return idSpan(this.ofStore(t, storeId), t.id);
  }
}

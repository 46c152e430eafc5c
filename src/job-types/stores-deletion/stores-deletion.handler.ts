import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Not } from 'typeorm';
import { AccessCache } from '../../access/access-cache';
import { Client } from '../../access/client.entity';
import { grants } from '../../access/permissions';
import { Store } from '../../access/store.entity';
import { affectedRows } from '../../common/db-errors';
import { invalidInput } from '../../common/errors';
import { StoreScopedTable, storeScopedTables } from '../../database/store-scoped';
import { keysetIds, walkBatches } from '../../jobs/batch-walker';
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

export const STORES_DELETION_BATCH = 1000;

/** A table's rows of one store: how many, the first and last ids. */
interface Span {
  n: number;
  first: number;
  last: number;
}

/** A store-scoped table by its SQL names; `parent`: the table its rows belong to. */
interface ResolvedTable {
  table: string;
  store: string;
  id: string;
  parent?: ResolvedTable & { column: string };
}
/**
 * On the embedded database a DELETE blocks the event loop (synchronous driver, one
 * connection) until it ends: smaller batches keep every request's wait short.
 */
export const STORES_DELETION_BATCH_SQLITE = 200;

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
  ) {}

  async validate(ctx: JobCreationContext<StoresDeletionParams>): Promise<void> {
    const refusal = await this.refusal(ctx.params.store_id, ctx.principal.store.id);
    if (refusal) throw invalidInput({ store_id: [refusal] });
  }

  /**
   * Why this deletion must not happen, or null. Checked at creation and again when a run
   * starts, since stores and clients change in between: never the only store, never the
   * store of the client that (last) defined the job, never the last client that can
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

  /** The store of the client that defined the job last (null when that client is gone). */
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
    const tables = storeScopedTables()
      .filter((t) => t.entity !== Job)
      .map((t) => this.resolve(t));

    let total = 0;
    const spans = new Map<string, Span>();
    for (const t of tables) {
      const span = await this.span(t, id);
      spans.set(t.table, span);
      total += span.n;
    }
    await ctx.progress(0, total);

    const deleted: Record<string, number> = {};
    let done = 0;
    for (const t of tables) {
      // One table at a time; progress counts the rows deleted across all of them.
      const offset = done;
      let affected = 0;
      const walk = (
        fetch: (after: number | null, limit: number) => Promise<number[]>,
        act: (ids: number[]) => Promise<number>,
        after: number | null = null,
      ) =>
        walkBatches<number>({
          ctx: {
            signal: ctx.signal,
            progress: () => ctx.progress(offset + affected, Math.max(total, offset + affected)),
          },
          batchSize:
            this.dataSource.options.type === 'better-sqlite3'
              ? STORES_DELETION_BATCH_SQLITE
              : STORES_DELETION_BATCH,
          after,
          fetch,
          act: async (ids) => {
            const n = await act(ids);
            affected += n;
            return n;
          },
        });
      const parent = t.parent;
      if (parent && spans.get(t.table)!.n > 0) {
        // Index rows and attachment parts go by their parents' keyset, on its store index.
        await walk(
          keysetIds<number>(() => this.ofStore(parent, id), parent.id),
          (ids) =>
            this.deleteWhere(t.table, `${t.store} = :storeId AND ${parent.column} IN (:...ids)`, {
              storeId: id,
              ids,
            }),
        );
      }
      // Then whatever the table holds of the store (all of it, or rows of no parent).
      const left = parent ? await this.span(t, id) : spans.get(t.table)!;
      if (left.n > 0) {
        // From the store's first row on: a retry finds fewer rows, never other ones.
        await walk(
          this.onPrimaryKey(t, id, left.last),
          (ids) => this.deleteWhere(t.table, `${t.id} IN (:...ids)`, { ids }),
          left.first - 1,
        );
      }
      if (affected > 0) deleted[t.table] = affected;
      done += affected;
    }
    if (jobs.deleted > 0) deleted.jobs = jobs.deleted;
    done += jobs.deleted;
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
        ? `deleted store ${store.slug} (id ${id}) and ${done} records${detail}`
        : `store ${id} was already deleted; removed ${done} records left over${detail}`,
      data: {
        store_id: id,
        store: store?.slug ?? null,
        already_deleted: !store,
        deleted,
        total: done,
      },
    };
  }

  private resolve(t: StoreScopedTable): ResolvedTable {
    const entity = t.entity;
    const table =
      typeof entity === 'string' && !this.dataSource.hasMetadata(entity)
        ? entity
        : this.dataSource.getMetadata(entity).tableName;
    const escape = (name: string) => this.dataSource.driver.escape(name);
    const parentOf = t.belongsTo?.parent();
    const parent = parentOf && storeScopedTables().find((p) => p.entity === parentOf);
    return {
      table,
      store: escape(t.storeColumn),
      id: escape(t.idColumn),
      parent: parent ? { ...this.resolve(parent), column: escape(t.belongsTo!.column) } : undefined,
    };
  }

  private ofStore(t: { table: string; store: string }, storeId: number) {
    return this.dataSource
      .createQueryBuilder()
      .from(t.table, 't')
      .where(`${t.store} = :storeId`, { storeId });
  }

  private async deleteWhere(
    table: string,
    where: string,
    params: Record<string, unknown>,
  ): Promise<number> {
    return affectedRows(
      await this.dataSource
        .createQueryBuilder()
        .delete()
        .from(table)
        .where(where, params)
        .execute(),
    );
  }

  /**
   * The store's row ids after a cursor, up to its last one, on the primary key: its index
   * rows tables have no (store, id) index, and their store index read in full and sorted,
   * once per batch, made a walk quadratic. On the primary key a batch reads its own rows
   * (and those of other stores between them), the whole walk the store's id span once.
   */
  private onPrimaryKey(t: ResolvedTable, storeId: number, last: number) {
    const hint =
      this.dataSource.options.type === 'better-sqlite3' ? 'NOT INDEXED' : 'FORCE INDEX (PRIMARY)';
    const table = this.dataSource.driver.escape(t.table);
    return async (after: number | null, limit: number): Promise<number[]> => {
      const rows: { k: number | string }[] = await this.dataSource.query(
        `SELECT ${t.id} AS k FROM ${table} ${hint} WHERE ${t.store} = ? AND ${t.id} > ? AND ${t.id} <= ? ORDER BY ${t.id} LIMIT ${Number(limit)}`,
        [storeId, after ?? 0, last],
      );
      return rows.map((r) => Number(r.k));
    };
  }

  /** How many rows of the store a table holds, and the first and last one's ids. */
  private async span(t: ResolvedTable, storeId: number): Promise<Span> {
    const [row] = await this.ofStore(t, storeId)
      .select('COUNT(*)', 'n')
      .addSelect(`MIN(${t.id})`, 'first')
      .addSelect(`MAX(${t.id})`, 'last')
      .getRawMany();
    return { n: Number(row.n), first: Number(row.first ?? 0), last: Number(row.last ?? 0) };
  }
}

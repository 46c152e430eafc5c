import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessCache } from '../../access/access-cache';
import { Store } from '../../access/store.entity';
import { affectedRows } from '../../common/db-errors';
import { invalidInput } from '../../common/errors';
import { StoreScopedTable, storeScopedTables } from '../../database/store-scoped';
import { keysetIds, walkBatches } from '../../jobs/batch-walker';
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
  ) {}

  async validate(ctx: JobCreationContext<StoresDeletionParams>): Promise<void> {
    const id = ctx.params.store_id;
    const stores = this.dataSource.getRepository(Store);
    if (!(await stores.existsBy({ id }))) {
      throw invalidInput({ store_id: [`No store has the id ${id}.`] });
    }
    if ((await stores.count()) <= 1) {
      throw invalidInput({ store_id: ['The only store cannot be deleted.'] });
    }
    if (ctx.principal.store.id === id) {
      throw invalidInput({ store_id: ['A client cannot delete its own store.'] });
    }
  }

  /**
   * Sweeps every store-scoped table even when the store row is already gone, so that a
   * run retried after a crash (rows half deleted, or the store row deleted last) ends clean.
   */
  async run(ctx: JobRunContext<StoresDeletionParams>): Promise<JobRunResult> {
    const id = ctx.params.store_id;
    const stores = this.dataSource.getRepository(Store);
    const store = await stores.findOneBy({ id });
    const tables = storeScopedTables().map((t) => this.resolve(t));

    let total = 0;
    for (const t of tables) total += await this.count(t, id);
    await ctx.progress(0, total);

    const deleted: Record<string, number> = {};
    let done = 0;
    for (const t of tables) {
      // One walk per table; progress counts across all of them.
      const offset = done;
      const { affected } = await walkBatches({
        ctx: {
          signal: ctx.signal,
          progress: (n) => ctx.progress(offset + n, Math.max(total, offset + n)),
        },
        batchSize: STORES_DELETION_BATCH,
        fetch: keysetIds(
          () => this.ofStore(t, id),
          t.id,
          (raw) => raw as string | number,
        ),
        act: async (ids) =>
          affectedRows(
            await this.dataSource
              .createQueryBuilder()
              .delete()
              .from(t.table)
              .where(`${t.id} IN (:...ids)`, { ids })
              .execute(),
          ),
      });
      if (affected > 0) deleted[t.table] = affected;
      done += affected;
    }
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

  private resolve(t: StoreScopedTable): { table: string; store: string; id: string } {
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

  private async count(t: { table: string; store: string }, storeId: number): Promise<number> {
    const [row] = await this.ofStore(t, storeId).select('COUNT(*)', 'n').getRawMany();
    return Number(row.n);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Store } from '../../access/store.entity';
import { invalidInput } from '../../common/errors';
import { StoreScopedTable, storeScopedTables } from '../../database/store-scoped';
import {
  JobCreationContext,
  JobHandler,
  JobRunContext,
  JobRunResult,
  JobType,
} from '../../jobs/job-type';
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
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
      let lastId: unknown = null;
      for (;;) {
        ctx.signal.throwIfAborted();
        const ids = await this.nextBatch(t, id, lastId);
        if (ids.length === 0) break;
        await this.dataSource
          .createQueryBuilder()
          .delete()
          .from(t.table)
          .where(`${t.id} IN (:...ids)`, { ids })
          .execute();
        lastId = ids[ids.length - 1];
        deleted[t.table] = (deleted[t.table] ?? 0) + ids.length;
        done += ids.length;
        await ctx.progress(done, Math.max(total, done));
      }
    }
    if (store) await stores.delete({ id });

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

  private async count(t: { table: string; store: string }, storeId: number): Promise<number> {
    const [row] = await this.dataSource
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from(t.table, 't')
      .where(`${t.store} = :storeId`, { storeId })
      .getRawMany();
    return Number(row.n);
  }

  private async nextBatch(
    t: { table: string; store: string; id: string },
    storeId: number,
    lastId: unknown,
  ): Promise<unknown[]> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select(t.id, 'id')
      .from(t.table, 't')
      .where(`${t.store} = :storeId`, { storeId })
      .orderBy(t.id, 'ASC')
      .limit(STORES_DELETION_BATCH);
    if (lastId !== null) qb.andWhere(`${t.id} > :lastId`, { lastId });
    const rows: { id: unknown }[] = await qb.getRawMany();
    return rows.map((r) => r.id);
  }
}

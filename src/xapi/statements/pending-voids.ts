import { EntityManager } from 'typeorm';
import { Store } from '../../access/store.entity';

/**
 * Store.pendingVoids: whether a voiding statement of a store may be waiting for its
 * target (stored before it, or outliving it). The flag only ever goes from false to
 * true, so a process that has read it true may remember that for good.
 */
export class PendingVoids {
  private readonly known = new Set<number>();

  /**
   * The store's flag, read in the caller's transaction (a consistent read: the same
   * snapshot a look-up of the stored voiding statements would have seen). A store that is
   * gone reads as true: the caller's look-up then finds whatever there is.
   */
  async read(em: EntityManager, storeId: number): Promise<boolean> {
    if (this.known.has(storeId)) return true;
    const meta = em.connection.getMetadata(Store);
    const q = (name: string) => em.connection.driver.escape(name);
    const column = (property: string) => q(meta.findColumnWithPropertyName(property)!.databaseName);
    const rows: { p: unknown }[] = await em.query(
      `SELECT ${column('pendingVoids')} AS p FROM ${q(meta.tableName)} WHERE ${column('id')} = ?`,
      [storeId],
    );
    const pending = rows.length === 0 || !!Number(rows[0].p);
    if (pending && rows.length) this.known.add(storeId);
    return pending;
  }
}

/** Sets the store's flag in the caller's transaction (a no-op once it is set). */
export async function markPendingVoids(em: EntityManager, storeId: number): Promise<void> {
  await em
    .getRepository(Store)
    .update({ id: storeId, pendingVoids: false }, { pendingVoids: true });
}

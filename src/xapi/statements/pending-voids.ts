import { EntityManager } from 'typeorm';
import { Store } from '../../access/store.entity';
import { Statement } from './entities/statement.entity';

/** How often one process checks a marked store for waiting voiding statements. */
export const PENDING_VOIDS_RECHECK_MS = 60_000;

function sql(em: EntityManager) {
  const q = (name: string) => em.connection.driver.escape(name);
  const table = (entity: typeof Store | typeof Statement) =>
    q(em.connection.getMetadata(entity).tableName);
  const column = (entity: typeof Store | typeof Statement, property: string) =>
    q(em.connection.getMetadata(entity).findColumnWithPropertyName(property)!.databaseName);
  return { table, column };
}

/**
 * Whether a voiding statement of a store may be waiting for its target (stored before
 * it, or outliving it): then a new statement may have to be stored voided, and the
 * recorder looks its batch up among the stored voiding statements' targets. Kept as two
 * counters of the store row: `voidMarks`, raised by every transaction that may leave one
 * waiting (markPendingVoids), and `voidMarksCleared`, the marks at which a check found
 * none waiting (clear).
 */
export class PendingVoids {
  private readonly checkedAt = new Map<number, number>();

  constructor(private readonly recheckMs = PENDING_VOIDS_RECHECK_MS) {}

  /**
   * Whether the store is marked, read in the caller's transaction (a consistent read: the
   * snapshot a look-up of the stored voiding statements would have seen). A store that
   * is gone reads as marked: the caller's look-up then finds whatever there is.
   */
  async read(em: EntityManager, storeId: number): Promise<boolean> {
    const { table, column } = sql(em);
    const rows: { m: unknown; c: unknown }[] = await em.query(
      `SELECT ${column(Store, 'voidMarks')} AS m, ${column(Store, 'voidMarksCleared')} AS c ` +
        `FROM ${table(Store)} WHERE ${column(Store, 'id')} = ?`,
      [storeId],
    );
    return rows.length === 0 || Number(rows[0].m) !== Number(rows[0].c);
  }

  /** Whether this process should check the store now (at most once per recheckMs). */
  due(storeId: number, now = Date.now()): boolean {
    const last = this.checkedAt.get(storeId);
    if (last !== undefined && now - last < this.recheckMs) return false;
    this.checkedAt.set(storeId, now);
    return true;
  }

  /**
   * In a transaction of its own: when no voiding statement of the store waits for its
   * target, records the marks as cleared. The marks and the waiting voiding statements
   * are read in one snapshot; the UPDATE then only applies if the marks are still those
   * (a transaction that marked the store since, committed or not, keeps it marked: its
   * row lock makes this UPDATE wait for it). One walk of the store's voiding statements
   * (index on store and void target) with a look-up of each target, stopped at the first
   * that waits. Answers whether the store was cleared.
   */
  async clear(em: EntityManager, storeId: number): Promise<boolean> {
    const { table, column } = sql(em);
    const [row] = await em.query(
      `SELECT ${column(Store, 'voidMarks')} AS m FROM ${table(Store)} WHERE ${column(Store, 'id')} = ?`,
      [storeId],
    );
    if (!row) return false;
    const marks = Number(row.m);
    const store = column(Statement, 'storeId');
    const target = column(Statement, 'voidTarget');
    const waiting = await em.query(
      `SELECT 1 AS w FROM ${table(Statement)} v WHERE v.${store} = ? AND v.${target} IS NOT NULL ` +
        `AND NOT EXISTS (SELECT 1 FROM ${table(Statement)} t WHERE t.${store} = v.${store} ` +
        `AND t.${column(Statement, 'statementId')} = v.${target}) LIMIT 1`,
      [storeId],
    );
    if (waiting.length) return false;
    const result = await em
      .getRepository(Store)
      .update({ id: storeId, voidMarks: marks }, { voidMarksCleared: marks });
    return (result.affected ?? 0) > 0;
  }
}

/** Marks the store in the caller's transaction: a voiding statement may wait for its target. */
export async function markPendingVoids(em: EntityManager, storeId: number): Promise<void> {
  await em.getRepository(Store).increment({ id: storeId }, 'voidMarks', 1);
}

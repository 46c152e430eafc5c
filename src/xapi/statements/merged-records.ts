import { EntityManager, EntityTarget, FindOptionsOrder, FindOptionsWhere } from 'typeorm';
import { bulkInsert, byKey, chunks, locksRows } from './bulk-insert';

type Value = Record<string, any> | null;

/** How one table of merged records (activities, vocabulary) is read, inserted and merged. */
export interface MergedTable<E extends { id: number }> {
  entity: EntityTarget<E>;
  /** The rows of these keys, for one find (an OR of conditions). */
  where: (keys: string[]) => FindOptionsWhere<E>[];
  /** Key order, the order rows are locked in. */
  order: FindOptionsOrder<E>;
  keyOf: (row: E) => string;
  valueOf: (row: E) => Value;
  /** The row to insert for a key not stored yet. */
  freshRow: (key: string, value: Value, now: Date) => Record<string, unknown>;
  /** The stored value with the batch's merged into it. */
  merge: (stored: Value, incoming: Record<string, any>) => Record<string, any>;
  /** The columns to update with a changed merged value. */
  changes: (merged: Record<string, any>, now: Date) => Partial<E>;
}

/**
 * Inserts the keys not stored yet and merges the batch's values into the others;
 * answers each key's value as committed by this transaction. On MySQL/MariaDB the
 * rows to insert or change are re-read with a row lock (SELECT ... FOR UPDATE, in key
 * order) after the inserts, so a concurrent batch cannot overwrite a merge, nor have its
 * value dropped by an INSERT IGNORE that lost the race. A row that already holds the
 * batch's value is not locked (a concurrent merge can only add to it): hot rows shared
 * by every batch (one course, one verb) are then only read, which spares most lock
 * conflicts, above all a Galera cluster's certification failures between nodes.
 * SQLite serialises writers anyway.
 */
export async function mergeRecords<E extends { id: number }>(
  em: EntityManager,
  table: MergedTable<E>,
  incoming: Map<string, Value>,
  now: Date,
): Promise<Map<string, Value>> {
  const repo = em.getRepository<E>(table.entity);
  const keys = [...incoming.keys()].sort(byKey((k) => k));
  const read = async (which: string[], lock: boolean) => {
    const out = new Map<string, E>();
    for (const part of chunks(which, 500)) {
      const rows = await repo.find({
        where: table.where(part),
        ...(lock ? { order: table.order, lock: { mode: 'pessimistic_write' as const } } : {}),
      });
      for (const row of rows) out.set(table.keyOf(row), row);
    }
    return out;
  };
  const holds = (row: E, value: Value) => {
    const stored = table.valueOf(row);
    return !value || JSON.stringify(table.merge(stored, value)) === JSON.stringify(stored);
  };
  const found = await read(keys, false);
  const committed = new Map<string, Value>();
  const open: string[] = [];
  for (const k of keys) {
    const row = found.get(k);
    if (row && holds(row, incoming.get(k) ?? null)) committed.set(k, table.valueOf(row));
    else open.push(k);
  }
  const fresh = open.filter((k) => !found.has(k));
  for (const part of chunks(fresh)) {
    await bulkInsert(
      em,
      table.entity,
      part.map((k) => table.freshRow(k, incoming.get(k) ?? null, now)),
      { ignore: true },
    );
  }
  const current = locksRows(em) && open.length ? await read(open, true) : found;
  for (const k of open) {
    const row = current.get(k);
    const value = incoming.get(k) ?? null;
    // SQLite: a key not found before is the row this transaction just inserted.
    if (!row) {
      if (!locksRows(em)) committed.set(k, value);
      continue;
    }
    const stored = table.valueOf(row);
    if (!value) {
      committed.set(k, stored);
      continue;
    }
    const merged = table.merge(stored, value);
    if (JSON.stringify(merged) !== JSON.stringify(stored)) {
      await repo.update(row.id, table.changes(merged, now) as never);
    }
    committed.set(k, merged);
  }
  return committed;
}

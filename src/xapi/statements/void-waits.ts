import { EntityManager, In } from 'typeorm';
import { placeholders } from '../../database/sql-text';
import { bulkInsert, chunks } from './bulk-insert';
import { VoidWait } from './entities/void-wait.entity';

/**
 * Most stores hold no voiding statement waiting for its target, a few hold some: up to
 * this many, a batch reads all of its store's wait rows (one short index range, whatever
 * the batch's size); beyond, it asks for its own ids.
 */
export const WAITS_READ_ALL = 1000;

/** void_waits' table and column names, escaped for raw SQL. */
function names(em: EntityManager) {
  const meta = em.connection.getMetadata(VoidWait);
  const q = (name: string) => em.connection.driver.escape(name);
  return {
    table: q(meta.tableName),
    column: (property: string) => q(meta.findColumnWithPropertyName(property)!.databaseName),
  };
}

/**
 * The query of a store's wait rows (a union part of the recorder's look-up), one column
 * `sid`, at most WAITS_READ_ALL + 1 rows; its one parameter is the store id.
 */
export function waitsOfStoreSql(em: EntityManager, columns: (sid: string) => string): string {
  const { table, column: c } = names(em);
  const waits = `SELECT ${c('target')} AS t FROM ${table} WHERE ${c('storeId')} = ? LIMIT ${WAITS_READ_ALL + 1}`;
  return `${columns('w.t')} FROM (${waits}) w`;
}

/**
 * Which of `ids` voiding statements of the store wait for (VoidWait), given the store's
 * wait rows as waitsOfStoreSql() read them: looked up by the ids when there were more
 * than WAITS_READ_ALL. A new statement with one of these ids is stored voided.
 */
export async function waitedFor(
  em: EntityManager,
  storeId: number,
  ids: string[],
  waitsOfStore: string[],
): Promise<Set<string>> {
  let waits = waitsOfStore;
  if (waits.length > WAITS_READ_ALL) {
    const { table, column: c } = names(em);
    waits = [];
    for (const part of chunks(ids, 500)) {
      const rows: { t: string }[] = await em.query(
        `SELECT ${c('target')} AS t FROM ${table} WHERE ${c('storeId')} = ? ` +
          `AND ${c('target')} IN (${placeholders(part.length)})`,
        [storeId, ...part],
      );
      waits.push(...rows.map((r) => r.t));
    }
  }
  const batch = new Set(ids);
  return new Set(waits.filter((t) => batch.has(t)));
}

/** Records that these voiding statements (by row id) wait for their targets. */
export async function addVoidWaits(
  em: EntityManager,
  storeId: number,
  waits: { voiderRowId: number; target: string }[],
): Promise<void> {
  if (!waits.length) return;
  await bulkInsert(
    em,
    VoidWait,
    waits.map((w) => ({ storeId, ...w })),
  );
}

/** The targets are stored now: nothing waits for them any more. */
export async function endVoidWaits(
  em: EntityManager,
  storeId: number,
  targets: string[],
): Promise<void> {
  for (const part of chunks(targets, 500)) {
    await em.getRepository(VoidWait).delete({ storeId, target: In(part) });
  }
}

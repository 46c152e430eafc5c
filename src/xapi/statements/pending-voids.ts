import { EntityManager, In } from 'typeorm';
import { bulkInsert, chunks, placeholders } from './bulk-insert';
import { VoidWait } from './entities/void-wait.entity';

/**
 * Most stores hold no voiding statement waiting for its target, a few hold some: up to
 * this many, a batch reads all of its store's wait rows (one short index range, whatever
 * the batch's size); beyond, it asks for its own ids.
 */
export const WAITS_READ_ALL = 1000;

/**
 * Which of `ids` voiding statements of the store wait for (VoidWait), read in the
 * caller's transaction: a new statement with one of these ids is stored voided.
 */
export async function waitedFor(
  em: EntityManager,
  storeId: number,
  ids: string[],
): Promise<Set<string>> {
  const meta = em.connection.getMetadata(VoidWait);
  const q = (name: string) => em.connection.driver.escape(name);
  const c = (property: string) => q(meta.findColumnWithPropertyName(property)!.databaseName);
  const head = `SELECT ${c('target')} AS t FROM ${q(meta.tableName)} WHERE ${c('storeId')} = ?`;
  let rows: { t: string }[] = await em.query(`${head} LIMIT ${WAITS_READ_ALL + 1}`, [storeId]);
  if (rows.length > WAITS_READ_ALL) {
    rows = [];
    for (const part of chunks(ids, 500)) {
      rows.push(
        ...(await em.query(`${head} AND ${c('target')} IN (${placeholders(part.length)})`, [
          storeId,
          ...part,
        ])),
      );
    }
  }
  const batch = new Set(ids);
  return new Set(rows.map((r) => r.t).filter((t) => batch.has(t)));
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

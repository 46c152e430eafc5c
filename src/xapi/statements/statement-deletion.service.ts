import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import {
  beforeStoreRecordsDeleted,
  DeletedRecords,
  deleteStoreRecordsBatch,
} from '../../database/store-records';
import { Statement } from './entities/statement.entity';
import { addVoidWaits } from './void-waits';

/**
 * A voiding statement that goes no longer voids its target: the targets it voided are
 * un-voided, unless another voiding statement that stays targets them too. A voided
 * statement that goes while its voiding statement stays leaves that one waiting for it
 * (VoidWait: a statement stored again with its id is stored voided).
 */
async function releaseVoidTargets(em: EntityManager, storeId: number, ids: number[]) {
  const repo = em.getRepository(Statement);
  // One condition with the OR inside: SQLite planned `a OR b` as two walks of the store.
  const rows = await repo
    .createQueryBuilder('s')
    .select(['s.statementId', 's.voidTarget', 's.voidedBy'])
    .where('s.storeId = :storeId AND s.id IN (:...ids)', { storeId, ids })
    .andWhere('(s.voidTarget IS NOT NULL OR s.voidedBy IS NOT NULL)')
    .getMany();
  const voiders = rows.filter((r) => r.voidTarget);
  const leaving = new Set(voiders.map((v) => v.statementId));
  const orphaned = rows.filter((r) => r.voidedBy && !leaving.has(r.voidedBy));
  if (orphaned.length) {
    // Every voiding statement that stays while its target goes waits for it again.
    const staying = await repo.find({
      select: { id: true, voidTarget: true },
      where: { storeId, voidTarget: In(orphaned.map((r) => r.statementId)), id: Not(In(ids)) },
    });
    await addVoidWaits(
      em,
      storeId,
      staying.map((v) => ({ voiderRowId: v.id, target: v.voidTarget! })),
    );
  }
  if (voiders.length === 0) return;
  const targets = [...new Set(voiders.map((v) => v.voidTarget!))];
  const now = new Date();
  await repo.update(
    { storeId, statementId: In(targets), voidedBy: In(voiders.map((v) => v.statementId)) },
    { voided: false, voidedBy: null, updated: now },
  );
  // The first (by row id) other voider of each target takes over. Picked here, not by
  // ORDER BY id: SQLite, which has no statistics, would then walk every row of the store
  // through its (store_id, id) index (about a second per batch at 300,000 statements)
  // instead of looking the targets up in the (store_id, void_target) one.
  const others = await repo.find({
    select: { id: true, statementId: true, voidTarget: true },
    where: { storeId, voidTarget: In(targets), id: Not(In(ids)) },
  });
  const first = new Map<string, Statement>();
  for (const o of others) {
    const seen = first.get(o.voidTarget!);
    if (!seen || o.id < seen.id) first.set(o.voidTarget!, o);
  }
  for (const [target, { statementId: by }] of first) {
    await repo.update(
      { storeId, statementId: target, voided: false, voidTarget: IsNull() },
      { voided: true, voidedBy: by, updated: now },
    );
  }
}

beforeStoreRecordsDeleted(Statement, releaseVoidTargets);

/**
 * The one way statements are deleted (validation with `clear`, clearing, agent
 * deletion): each batch of statement rows of a store goes in one transaction with
 * everything that belongs to it (the registry's dependent tables: agent and activity
 * index rows, attachments), and the statements a deleted voiding statement voided are
 * un-voided. Counts come from affected rows, so a retried batch reports only what it
 * really deleted.
 */
@Injectable()
export class StatementDeletion {
  constructor(private readonly dataSource: DataSource) {}

  /** Deletes statement rows (numeric `statements.id`) of a store; `dryRun` only counts. */
  deleteStatements(
    storeId: number,
    rowIds: number[],
    options: { dryRun?: boolean } = {},
  ): Promise<DeletedRecords> {
    return deleteStoreRecordsBatch(this.dataSource, Statement, storeId, rowIds, options);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import {
  beforeStoreRecordsDeleted,
  DeletedRecords,
  deleteStoreRecordsBatch,
} from '../../database/store-records';
import { Statement } from './entities/statement.entity';

/**
 * A voiding statement that goes no longer voids its target: the targets it voided are
 * un-voided, unless another voiding statement that stays targets them too.
 */
async function releaseVoidTargets(em: EntityManager, storeId: number, ids: number[]) {
  const repo = em.getRepository(Statement);
  const voiders = await repo.find({
    select: { statementId: true, voidTarget: true },
    where: { storeId, id: In(ids), voidTarget: Not(IsNull()) },
  });
  if (voiders.length === 0) return;
  const targets = [...new Set(voiders.map((v) => v.voidTarget!))];
  const now = new Date();
  await repo.update(
    { storeId, statementId: In(targets), voidedBy: In(voiders.map((v) => v.statementId)) },
    { voided: false, voidedBy: null, updated: now },
  );
  const others = await repo.find({
    select: { id: true, statementId: true, voidTarget: true },
    where: { storeId, voidTarget: In(targets), id: Not(In(ids)) },
    order: { id: 'ASC' },
  });
  const voider = new Map<string, string>();
  for (const o of others) if (!voider.has(o.voidTarget!)) voider.set(o.voidTarget!, o.statementId);
  for (const [target, by] of voider) {
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

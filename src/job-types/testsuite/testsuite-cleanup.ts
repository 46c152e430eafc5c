import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityTarget, In, ObjectLiteral } from 'typeorm';
import { affectedRows } from '../../common/db-errors';
import { keysetIds, walkBatches, WalkContext } from '../../jobs/batch-walker';
import { Agent } from '../../xapi/agents/agent.entity';
import { Activity } from '../../xapi/activities/activity.entity';
import { ActivityProfile } from '../../xapi/documents/activity-profile.entity';
import { DocumentsService } from '../../xapi/documents/documents.service';
import { State } from '../../xapi/documents/state.entity';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { VocabEntry } from '../../xapi/statements/entities/vocab.entity';
import { VOIDED_VERB } from '../../xapi/statements/index-keys';
import { deleteStatementRows } from '../../xapi/statements/statement-deletion';
import { RunData } from './checks/run-data';

const BATCH = 500;

/** What the store held before the run that the run may add and must not remove. */
export interface StoreSnapshot {
  voidedVerbKnown: boolean;
}

export interface CleanupCounts {
  statements: number;
  documents: number;
  activities: number;
  agents: number;
  vocab: number;
}

/**
 * Leaves the store as the run found it. Statements cannot be deleted over xAPI, so the
 * run's own (its registrations, its statement ids) go through the service layer here,
 * with the activities, agents and vocabulary their recording added; documents the
 * checks wrote were deleted over xAPI already, and any left (a failed or cancelled
 * check) go here too. Everything is selected by the run's own identifiers only.
 */
@Injectable()
export class TestsuiteCleanup {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly documents: DocumentsService,
  ) {}

  async snapshot(storeId: number): Promise<StoreSnapshot> {
    const voidedVerbKnown = await this.dataSource
      .getRepository(VocabEntry)
      .existsBy({ storeId, kind: 'verb', iri: VOIDED_VERB });
    return { voidedVerbKnown };
  }

  async remove(storeId: number, data: RunData, before: StoreSnapshot): Promise<CleanupCounts> {
    // Runs after a cancel too: its own walk context, never aborted.
    const ctx: WalkContext = { signal: new AbortController().signal, progress: async () => {} };
    const registrations = [...data.registrations];
    const ids = [...data.statementIds];
    const statements = () =>
      this.dataSource
        .getRepository(Statement)
        .createQueryBuilder('s')
        .where('s.storeId = :storeId', { storeId })
        .andWhere(
          new Brackets((w) => {
            w.where('s.registration IN (:...registrations)', { registrations });
            if (ids.length) w.orWhere('s.statementId IN (:...ids)', { ids });
          }),
        );
    const { affected: statementCount } = await walkBatches({
      ctx,
      batchSize: BATCH,
      fetch: keysetIds<number>(statements, 's.id'),
      act: (rowIds) => deleteStatementRows(this.dataSource, rowIds),
    });

    const prefix = `${data.iriBase}%`;
    const vids = [...data.agentVids];
    const byAgent = await this.documents.deleteAgentDocuments(storeId, vids);
    let documents = byAgent.states + byAgent.agentProfiles;
    for (const entity of [State, ActivityProfile]) {
      documents += await this.deleteByPrefix(entity, 'activity_id', storeId, prefix);
    }
    const activities = await this.deleteByPrefix(Activity, 'activity_id', storeId, prefix);
    let agents = 0;
    for (let i = 0; i < vids.length; i += BATCH) {
      agents += affectedRows(
        await this.dataSource
          .getRepository(Agent)
          .delete({ storeId, vid: In(vids.slice(i, i + BATCH)) }),
      );
    }
    let vocab = await this.deleteByPrefix(VocabEntry, 'iri', storeId, prefix);
    // The one shared IRI the checks use: the voided verb, added by this run only if
    // the store had not seen it and no statement left uses it.
    if (!before.voidedVerbKnown) {
      const used = await this.dataSource
        .getRepository(Statement)
        .existsBy({ storeId, verbId: VOIDED_VERB });
      if (!used) {
        vocab += affectedRows(
          await this.dataSource
            .getRepository(VocabEntry)
            .delete({ storeId, kind: 'verb', iri: VOIDED_VERB }),
        );
      }
    }
    return { statements: statementCount, documents, activities, agents, vocab };
  }

  /** Rows of a store whose IRI column starts with the run's base (`prefix` ends with %). */
  private async deleteByPrefix(
    entity: EntityTarget<ObjectLiteral>,
    column: string,
    storeId: number,
    prefix: string,
  ): Promise<number> {
    const res = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(entity)
      .where(`store_id = :storeId AND ${column} LIKE :prefix`, { storeId, prefix })
      .execute();
    return affectedRows(res);
  }
}

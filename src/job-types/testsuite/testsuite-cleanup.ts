import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityTarget, In, ObjectLiteral } from 'typeorm';
import { affectedRows } from '../../common/db-errors';
import { keysetIds, syncBudgetMs, walkBatches, WalkContext } from '../../jobs/batch-walker';
import { Agent } from '../../xapi/agents/agent.entity';
import { Activity } from '../../xapi/activities/activity.entity';
import { ActivityProfile } from '../../xapi/documents/activity-profile.entity';
import { DocumentsService } from '../../xapi/documents/documents.service';
import { AgentProfile } from '../../xapi/documents/agent-profile.entity';
import { State } from '../../xapi/documents/state.entity';
import { StatementAgent } from '../../xapi/statements/entities/statement-agent.entity';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { VocabEntry } from '../../xapi/statements/entities/vocab.entity';
import { VOIDED_VERB } from '../../xapi/statements/index-keys';
import { deleteStatementRows } from '../../xapi/statements/statement-deletion';
import { RunData, TESTSUITE_HOST } from './checks/run-data';

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

  /**
   * Removes a run's data. `everyRegistration` (the leftovers of a crashed run, known by
   * its token only) looks for every registration the run may have used.
   */
  async remove(
    storeId: number,
    data: RunData,
    before: StoreSnapshot,
    options: { everyRegistration?: boolean } = {},
  ): Promise<CleanupCounts> {
    // Runs after a cancel too: its own walk context, never aborted.
    const ctx: WalkContext = { signal: new AbortController().signal, progress: async () => {} };
    const registrations = options.everyRegistration
      ? RunData.allRegistrations(data.token)
      : [...data.registrations];
    const ids = [...data.statementIds];
    const prefix = `${data.iriBase}%`;
    const statements = () =>
      this.dataSource
        .getRepository(Statement)
        .createQueryBuilder('s')
        .where('s.storeId = :storeId', { storeId })
        .andWhere(
          new Brackets((w) => {
            w.where('s.registration IN (:...registrations)', { registrations });
            w.orWhere('s.verbId LIKE :prefix', { prefix });
            if (ids.length) w.orWhere('s.statementId IN (:...ids)', { ids });
          }),
        );
    // The agents these statements name are the run's own (the authority is not recorded).
    const vids = new Set(data.agentVids);
    const { affected: statementCount } = await walkBatches({
      ctx,
      batchSize: BATCH,
      budgetMs: syncBudgetMs(this.dataSource),
      fetch: keysetIds<number>(statements, 's.id'),
      act: async (rowIds) => {
        const named: { vid: string }[] = await this.dataSource
          .getRepository(StatementAgent)
          .createQueryBuilder('a')
          .select('DISTINCT a.vid', 'vid')
          .where('a.statementRowId IN (:...rowIds)', { rowIds })
          .andWhere("a.role NOT IN ('authority')")
          .getRawMany();
        named.forEach((r) => vids.add(r.vid));
        return deleteStatementRows(this.dataSource, rowIds);
      },
    });

    const vidList = [...vids];
    const byAgent = await this.documents.deleteAgentDocuments(storeId, vidList);
    let documents = byAgent.states + byAgent.agentProfiles;
    for (const entity of [State, ActivityProfile]) {
      documents += await this.deleteMatching(entity, 'activity_id', storeId, prefix);
    }
    const agentPatterns = runAgentPatterns(data);
    for (const entity of [State, AgentProfile]) {
      for (const pattern of agentPatterns) {
        documents += await this.deleteMatching(entity, 'agent_vid', storeId, pattern);
      }
    }
    const activities = await this.deleteMatching(Activity, 'activity_id', storeId, prefix);
    let agents = 0;
    for (let i = 0; i < vidList.length; i += BATCH) {
      agents += affectedRows(
        await this.dataSource
          .getRepository(Agent)
          .delete({ storeId, vid: In(vidList.slice(i, i + BATCH)) }),
      );
    }
    for (const pattern of agentPatterns) {
      agents += await this.deleteMatching(Agent, 'vid', storeId, pattern);
    }
    let vocab = await this.deleteMatching(VocabEntry, 'iri', storeId, prefix);
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

  /** Rows of a store whose column matches a LIKE pattern of the run's own names. */
  private async deleteMatching(
    entity: EntityTarget<ObjectLiteral>,
    column: string,
    storeId: number,
    pattern: string,
  ): Promise<number> {
    const res = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(entity)
      .where(`store_id = :storeId AND ${column} LIKE :pattern`, { storeId, pattern })
      .execute();
    return affectedRows(res);
  }
}

/** LIKE patterns of the agent keys (agentVid) a run makes up, from its token alone. */
function runAgentPatterns(data: RunData): string[] {
  return [
    `mbox::mailto:%-${data.token}@${TESTSUITE_HOST}`,
    `openid::${data.iriBase}%`,
    `account::${data.iriBase}::%`,
  ];
}

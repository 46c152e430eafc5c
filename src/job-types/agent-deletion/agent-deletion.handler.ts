import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, Not } from 'typeorm';
import { Person } from '../../access/person.entity';
import { addDeleted, DeletedRecords, deleteStoreRecords } from '../../database/store-records';
import { keysetIds, syncBudgetMs, walkBatches } from '../../jobs/batch-walker';
import { deletedWord, dryRunFeedback } from '../../jobs/dry-run';
import { JobHandler, JobRunContext, JobRunResult, JobType } from '../../jobs/job-type';
import { agentVid } from '../../xapi/agents/agent-identifier';
import { Agent } from '../../xapi/agents/agent.entity';
import { DocumentsService } from '../../xapi/documents/documents.service';
import { StatementAgent } from '../../xapi/statements/entities/statement-agent.entity';
import { AUTHORITY_ROLES } from '../../xapi/statements/index-keys';
import { StatementDeletion } from '../../xapi/statements/statement-deletion.service';
import { AgentDeletionParams } from './agent-deletion.dto';

export const AGENT_DELETION_BATCH = 500;

/** What a run deleted (or, dry, would delete), by kind. */
interface Counts {
  statements: DeletedRecords;
  states: number;
  agent_profiles: number;
  agents: number;
  persons: number;
}

@JobType({
  name: 'agent-deletion',
  params: AgentDeletionParams,
  store: 'per-store',
  description:
    "Deletes an agent's statements (every role, found through the agent index), states, " +
    'agent profiles and records; person: true for every agent of its person.',
})
@Injectable()
export class AgentDeletionHandler implements JobHandler<AgentDeletionParams> {
  /** Rows per batch (one transaction each). */
  batchSize = AGENT_DELETION_BATCH;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deletion: StatementDeletion,
    private readonly documents: DocumentsService,
  ) {}

  /**
   * Statements first, in keyset batches over the agent index rows (never a scan of
   * the store), then states and agent profiles, then the agents records and their
   * person in one transaction: until that last step commits, a retried run finds the
   * same agents (person links included) and deletes what is left.
   */
  async run(ctx: JobRunContext<AgentDeletionParams>): Promise<JobRunResult> {
    const store = ctx.store;
    if (!store) throw new Error('an agent-deletion job needs a store');
    const { dry_run: dryRun, person } = ctx.params;
    const vid = agentVid(JSON.parse(ctx.params.agent));
    if (!vid) throw new Error('the agent has no single identifier');
    const vids = person ? await this.personVids(store.id, vid) : [vid];

    const counts: Counts = {
      statements: { deleted: 0, dependents: {} },
      states: 0,
      agent_profiles: 0,
      agents: 0,
      persons: 0,
    };
    const naming = () =>
      this.dataSource
        .getRepository(StatementAgent)
        .createQueryBuilder('a')
        .distinct(true)
        .where('a.storeId = :storeId', { storeId: store.id })
        .andWhere('a.vid IN (:...vids)', { vids })
        .andWhere('a.role NOT IN (:...authority)', { authority: AUTHORITY_ROLES });
    const [{ n }] = await naming().select('COUNT(DISTINCT a.statementRowId)', 'n').getRawMany();
    await walkBatches<number>({
      ctx,
      batchSize: this.batchSize,
      budgetMs: syncBudgetMs(this.dataSource),
      total: Number(n),
      fetch: keysetIds<number>(naming, 'a.statementRowId'),
      act: async (ids) => {
        const batch = await this.deletion.deleteStatements(store.id, ids, { dryRun });
        addDeleted(counts.statements, batch);
        return dryRun ? 0 : batch.deleted;
      },
    });
    const documents = await this.documents.deleteAgentDocuments(store.id, vids, {
      batchSize: this.batchSize,
      dryRun,
      signal: ctx.signal,
    });
    counts.states = documents.states;
    counts.agent_profiles = documents.agentProfiles;
    Object.assign(counts, await this.deleteAgents(store.id, vids, dryRun));

    const word = deletedWord(dryRun);
    const who = person && vids.length > 1 ? `${vids.length} agents of the person of ${vid}` : vid;
    return {
      feedback: dryRunFeedback(
        dryRun,
        `${word} ${counts.statements.deleted} statements, ${counts.states} states, ` +
          `${counts.agent_profiles} agent profiles and ${counts.agents} agents records of ${who} in store ${store.slug}`,
      ),
      data: {
        statements: counts.statements.deleted,
        statement_rows: counts.statements.dependents,
        states: counts.states,
        agent_profiles: counts.agent_profiles,
        agents: counts.agents,
        persons: counts.persons,
        vids,
        store: store.slug,
        dry_run: !!dryRun,
      },
    };
  }

  /** The agent and, when it is linked to a person, every agent of that person. */
  private async personVids(storeId: number, vid: string): Promise<string[]> {
    const agents = this.dataSource.getRepository(Agent);
    const own = await agents.findOne({ where: { storeId, vid } });
    if (!own || own.personId === null) return [vid];
    const linked = await agents.find({
      select: { vid: true },
      where: { storeId, personId: own.personId },
      order: { vid: 'ASC' },
    });
    return [...new Set([vid, ...linked.map((a) => a.vid)])];
  }

  /**
   * The agents records, and the persons left without any agent, in one transaction:
   * after it, a person: true retry could no longer find the other agents, so it comes last.
   */
  private async deleteAgents(
    storeId: number,
    vids: string[],
    dryRun: boolean | undefined,
  ): Promise<{ agents: number; persons: number }> {
    return this.dataSource.transaction(async (em) => {
      const records = await em.find(Agent, {
        select: { id: true, personId: true },
        where: { storeId, vid: In(vids) },
        order: { id: 'ASC' },
      });
      if (!records.length) return { agents: 0, persons: 0 };
      // Persons none of whose agents stays go with them.
      const emptied: number[] = [];
      for (const personId of new Set(records.map((r) => r.personId))) {
        if (personId === null) continue;
        const staying = await em.count(Agent, {
          where: { storeId, personId, vid: Not(In(vids)) },
        });
        if (staying === 0) emptied.push(personId);
      }
      const agents = await deleteStoreRecords(
        em,
        Agent,
        storeId,
        records.map((r) => r.id),
        { dryRun },
      );
      const persons = emptied.length
        ? await deleteStoreRecords(em, Person, storeId, emptied, { dryRun })
        : { deleted: 0 };
      return { agents: agents.deleted, persons: persons.deleted };
    });
  }
}

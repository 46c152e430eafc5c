import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { invalidInput } from '../../common/errors';
import { walkBatches, WalkContext } from '../../jobs/batch-walker';
import {
  JobCreationContext,
  JobHandler,
  JobRunContext,
  JobRunResult,
  JobType,
} from '../../jobs/job-type';
import {
  activityProfileAddress,
  agentProfileAddress,
  stateAddress,
} from '../../xapi/documents/document-addresses';
import { DocumentRecord } from '../../xapi/documents/document-record';
import { DocumentAddress, DocumentsService } from '../../xapi/documents/documents.service';
import { StatementRecorder } from '../../xapi/statements/statement-recorder.service';
import { loadSeedingConfig } from './seeding-config';
import {
  buildWorld,
  GeneratedStatement,
  SeedDocument,
  seedDocuments,
  StatementStream,
} from './seeding-generator';
import { SeedingParams } from './seeding.dto';

/** Statements per recorder call (one transaction each). */
export const SEEDING_STATEMENT_BATCH = 1000;
export const SEEDING_DOCUMENT_BATCH = 500;

export interface SeedingCounts {
  statements: number;
  statements_new: number;
  states: number;
  states_new: number;
  activity_profiles: number;
  activity_profiles_new: number;
  agent_profiles: number;
  agent_profiles_new: number;
}

const DOCUMENT_COUNT = {
  state: 'states',
  'activity-profile': 'activity_profiles',
  'agent-profile': 'agent_profiles',
} as const;

@JobType({
  name: 'seeding',
  params: SeedingParams,
  store: 'required',
  description:
    'Fills a store with realistic, deterministic xAPI data (statements, states, profiles) ' +
    'from a named config.',
})
@Injectable()
export class SeedingHandler implements JobHandler<SeedingParams> {
  constructor(
    private readonly recorder: StatementRecorder,
    private readonly documents: DocumentsService,
    private readonly config: AppConfig,
  ) {}

  /** An unknown config name lists the available ones; an invalid config names each bad path. */
  async validate(ctx: JobCreationContext<SeedingParams>): Promise<void> {
    const loaded = loadSeedingConfig(this.config.seedingPath, ctx.params.config);
    if (!loaded.ok) throw invalidInput(loaded.errors);
  }

  /**
   * Records the config's statements through the pipeline, then writes its documents.
   * Everything is deterministic, so a retried or repeated run re-posts identical data
   * and the counts of new records say what really changed.
   */
  async run(ctx: JobRunContext<SeedingParams>): Promise<JobRunResult> {
    const loaded = loadSeedingConfig(this.config.seedingPath, ctx.params.config);
    if (!loaded.ok) {
      const problems = Object.entries(loaded.errors).map(([path, m]) => `${path}: ${m.join(', ')}`);
      throw new Error(`Invalid seeding config: ${problems.join('; ')}`);
    }
    const store = ctx.store!;
    const { config, name } = loaded;
    const { statements, states, activity_profiles, agent_profiles } = config.counts;
    const total = statements + states + activity_profiles + agent_profiles;
    const world = buildWorld(config);
    const stream = new StatementStream(world);
    const overall = (offset: number): WalkContext => ({
      signal: ctx.signal,
      progress: (done) => ctx.progress(offset + done, total),
    });
    await ctx.progress(0, total);

    const recorded = await walkBatches<GeneratedStatement>({
      ctx: overall(0),
      batchSize: SEEDING_STATEMENT_BATCH,
      fetch: async (_after, limit) => stream.take(limit),
      act: (rows) => this.recordStatements(store.id, rows),
    });

    const docs = seedDocuments(world, stream.enrollments);
    const counts: SeedingCounts = {
      statements: recorded.walked,
      statements_new: recorded.affected,
      states: 0,
      states_new: 0,
      activity_profiles: 0,
      activity_profiles_new: 0,
      agent_profiles: 0,
      agent_profiles_new: 0,
    };
    await walkBatches<SeedDocument>({
      ctx: overall(recorded.walked),
      batchSize: SEEDING_DOCUMENT_BATCH,
      fetch: async (_after, limit) => {
        const batch: SeedDocument[] = [];
        for (let d = docs.next(); !d.done; d = docs.next()) {
          batch.push(d.value);
          if (batch.length >= limit) break;
        }
        return batch;
      },
      act: async (rows) => {
        for (const doc of rows) counts[DOCUMENT_COUNT[doc.kind]] += 1;
        let written = 0;
        for (const kind of ['state', 'activity-profile', 'agent-profile'] as const) {
          const n = await this.writeDocuments(
            store.id,
            rows.filter((d) => d.kind === kind),
          );
          counts[`${DOCUMENT_COUNT[kind]}_new`] += n;
          written += n;
        }
        return written;
      },
    });

    return {
      feedback: feedbackOf(name, store.slug, counts),
      data: { config: name, seed: config.seed, ...counts, enrollments: stream.enrollments },
    };
  }

  /**
   * One batch through the pipeline: one recorder call (one transaction) per xAPI version;
   * an enrollment keeps its version, so a voiding statement or a reference always lands in
   * the same call as its target. (Two calls in parallel were tried on MariaDB: the
   * recorder's voiding UPDATEs take gap locks that deadlock with the other's INSERTs.)
   */
  private async recordStatements(storeId: number, rows: GeneratedStatement[]): Promise<number> {
    let recorded = 0;
    for (const version of ['1.0.3', '2.0.0'] as const) {
      const part = rows.filter((r) => r.session.version === version).map((r) => r.statement);
      if (!part.length) continue;
      const result = await this.recorder.record({ id: storeId }, null, part, { version });
      recorded += result.recorded;
    }
    return recorded;
  }

  /** Documents of one kind through the documents service; returns how many it wrote. */
  private async writeDocuments(storeId: number, docs: SeedDocument[]): Promise<number> {
    if (!docs.length) return 0;
    const entries = docs.map((doc) => ({
      address: (doc.kind === 'state'
        ? stateAddress(storeId, doc)
        : doc.kind === 'activity-profile'
          ? activityProfileAddress(storeId, doc)
          : agentProfileAddress(storeId, doc)) as DocumentAddress<DocumentRecord>,
      incoming: {
        bytes: Buffer.from(JSON.stringify(doc.content), 'utf8'),
        contentType: 'application/json',
      },
    }));
    return this.documents.putMany(entries[0].address.entity, entries);
  }
}

function feedbackOf(name: string, store: string, c: SeedingCounts): string {
  const part = (n: number, fresh: number, what: string) => `${n} ${what} (${fresh} new)`;
  return (
    `seeded config ${name} into store ${store}: ` +
    [
      part(c.statements, c.statements_new, 'statements'),
      part(c.states, c.states_new, 'states'),
      part(c.activity_profiles, c.activity_profiles_new, 'activity profiles'),
      part(c.agent_profiles, c.agent_profiles_new, 'agent profiles'),
    ].join(', ')
  );
}

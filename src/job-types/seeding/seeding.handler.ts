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
import { DocumentAddress, DocumentsService, sha1 } from '../../xapi/documents/documents.service';
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
export const SEEDING_STATEMENT_BATCH = 500;
export const SEEDING_DOCUMENT_BATCH = 100;

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
        let written = 0;
        for (const doc of rows) {
          const key = DOCUMENT_COUNT[doc.kind];
          counts[key] += 1;
          if (await this.writeDocument(store.id, doc)) {
            counts[`${key}_new`] += 1;
            written++;
          }
        }
        return written;
      },
    });

    return {
      feedback: feedbackOf(name, store.slug, counts),
      data: { config: name, seed: config.seed, ...counts, enrollments: stream.enrollments },
    };
  }

  /** One batch through the pipeline, one call per xAPI version (sessions keep theirs). */
  private async recordStatements(storeId: number, rows: GeneratedStatement[]): Promise<number> {
    let recorded = 0;
    for (let i = 0; i < rows.length;) {
      const version = rows[i].session.version;
      let j = i;
      while (j < rows.length && rows[j].session.version === version) j++;
      const result = await this.recorder.record(
        { id: storeId },
        null,
        rows.slice(i, j).map((r) => r.statement),
        { version },
      );
      recorded += result.recorded;
      i = j;
    }
    return recorded;
  }

  /** Writes a document unless the same content is already there; true when it wrote. */
  private async writeDocument(storeId: number, doc: SeedDocument): Promise<boolean> {
    const address = (
      doc.kind === 'state'
        ? stateAddress(storeId, doc)
        : doc.kind === 'activity-profile'
          ? activityProfileAddress(storeId, doc)
          : agentProfileAddress(storeId, doc)
    ) as DocumentAddress<DocumentRecord>;
    const bytes = Buffer.from(JSON.stringify(doc.content), 'utf8');
    const existing = await this.documents.findOne(address.entity, storeId, address.docKey);
    if (existing && existing.etag === sha1(bytes)) return false;
    await this.documents.write(address, { bytes, contentType: 'application/json' }, 'put', {});
    return true;
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

import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Activity } from '../../xapi/activities/activity.entity';
import { Agent } from '../../xapi/agents/agent.entity';
import { ActivityProfile } from '../../xapi/documents/activity-profile.entity';
import { AgentProfile } from '../../xapi/documents/agent-profile.entity';
import {
  activityProfileAddress,
  agentProfileAddress,
  stateAddress,
} from '../../xapi/documents/document-addresses';
import { DocumentContent, DocumentRecord } from '../../xapi/documents/document-record';
import {
  decodeContent,
  DocumentAddress,
  DocumentsService,
} from '../../xapi/documents/documents.service';
import { State } from '../../xapi/documents/state.entity';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { bulkInsert } from '../../xapi/statements/bulk-insert';
import { StatementQueryService } from '../../xapi/statements/statement-query.service';
import { mergeDefinitions } from '../../xapi/statements/statement-index-writer';
import {
  AttachmentPart,
  RecordOptions,
  StatementRecorder,
} from '../../xapi/statements/statement-recorder.service';
import { Pseudonymizer } from '../../xapi/pseudonymization/pseudonymizer.service';
import { LogLevel } from '../../logging/log-entry.entity';
import { XapiVersion } from '../../xapi/common/xapi-endpoint';
import { Log, recordIsolating, TransferCounts } from './statement-batches';
import { RecordService } from './transfer-connections';

/** One line of a pushed file (jobs.md); `attachments` carries statement attachment bytes. */
export interface RecordLine {
  id: string;
  store: string;
  stored: string;
  updated: string;
  pseudonymized: boolean;
  data: Record<string, any>;
  attachments?: { sha2: string; contentType: string; content: string }[];
}

/** Where a push to a file stands in one service: the last row written. */
export interface RowCursor {
  id: number;
  /** With sync_updates: that row's `updated`, the first key of the order. */
  updated?: string;
}

const ENTITIES: Record<RecordService, EntityTarget<ObjectLiteral>> = {
  statements: Statement,
  activities: Activity,
  agents: Agent,
  states: State,
  'activity-profiles': ActivityProfile,
  'agent-profiles': AgentProfile,
};

export type Row = Record<string, any> & { id: number; stored: Date; updated: Date };

/**
 * The records of each service as JSON Lines, both ways: which rows a push takes (by
 * `stored`, or with sync_updates by `updated`), each row as a line, and each line
 * written back into a store (statements through the pipeline, documents through the
 * documents service, activities and agents merged as the pipeline does).
 */
@Injectable()
export class RecordLines {
  constructor(
    private readonly dataSource: DataSource,
    private readonly documents: DocumentsService,
    private readonly recorder: StatementRecorder,
    private readonly statements: StatementQueryService,
    private readonly pseudonymizer: Pseudonymizer,
  ) {}

  /** Rows of a store for a push, until the cutoff; sync_updates orders by (updated, id). */
  selection(
    service: RecordService,
    storeId: number,
    cutoff: Date,
    byUpdated: boolean,
  ): () => SelectQueryBuilder<ObjectLiteral> {
    const column = byUpdated ? 'r.updated' : 'r.stored';
    return () =>
      this.dataSource
        .getRepository(ENTITIES[service])
        .createQueryBuilder('r')
        .where('r.storeId = :storeId', { storeId })
        .andWhere(`${column} <= :cutoff`, { cutoff });
  }

  /** The keyset fetch over `selection`, after a cursor. */
  fetch(
    selection: () => SelectQueryBuilder<ObjectLiteral>,
    byUpdated: boolean,
  ): (after: RowCursor | null, limit: number) => Promise<Row[]> {
    return async (after, limit) => {
      const qb = selection().limit(limit);
      if (byUpdated) {
        qb.orderBy('r.updated', 'ASC').addOrderBy('r.id', 'ASC');
        if (after?.updated) {
          const u = new Date(after.updated);
          qb.andWhere(
            new Brackets((w) =>
              w
                .where('r.updated > :au', { au: u })
                .orWhere('(r.updated = :au AND r.id > :aid)', { au: u, aid: after.id }),
            ),
          );
        }
      } else {
        qb.orderBy('r.id', 'ASC');
        if (after) qb.andWhere('r.id > :aid', { aid: after.id });
      }
      return (await qb.getMany()) as Row[];
    };
  }

  cursorOf(row: Row, byUpdated: boolean): RowCursor {
    return byUpdated ? { id: row.id, updated: row.updated.toISOString() } : { id: row.id };
  }

  /** Rows as lines; `raw` statements are the bare statement, `pseudonymize` sends copies. */
  async toLines(
    service: RecordService,
    rows: Row[],
    store: string,
    options: { raw?: boolean; pseudonymize?: boolean },
  ): Promise<string[]> {
    const files =
      service === 'statements'
        ? await this.statements.attachments(
            rows.filter((r) => Array.isArray(r.data?.attachments)).map((r) => r.id),
          )
        : new Map<string, { contentType: string; content: Buffer }>();
    return rows.map((r) => {
      const { id, data, pseudonymized } = this.lineOf(service, r, options.pseudonymize ?? false);
      if (service === 'statements' && options.raw) return JSON.stringify(data);
      const line: RecordLine = {
        id,
        store,
        stored: r.stored.toISOString(),
        updated: r.updated.toISOString(),
        pseudonymized,
        data,
      };
      if (service === 'statements' && Array.isArray(data.attachments)) {
        const own = data.attachments
          .map((a: any) => a?.sha2 && files.get(a.sha2) && { sha2: a.sha2, ...files.get(a.sha2)! })
          .filter(Boolean) as { sha2: string; contentType: string; content: Buffer }[];
        if (own.length) {
          line.attachments = own.map((a) => ({
            sha2: a.sha2,
            contentType: a.contentType,
            content: a.content.toString('base64'),
          }));
        }
      }
      return JSON.stringify(line);
    });
  }

  private lineOf(
    service: RecordService,
    r: Row,
    pseudonymize: boolean,
  ): { id: string; data: Record<string, any>; pseudonymized: boolean } {
    switch (service) {
      case 'statements':
        return pseudonymize && !r.pseudonymized
          ? { id: r.statementId, data: this.pseudonymizer.statement(r.data), pseudonymized: true }
          : { id: r.statementId, data: r.data, pseudonymized: !!r.pseudonymized };
      case 'activities':
        return {
          id: r.activityId,
          data: { activityId: r.activityId, definition: r.definition ?? null },
          pseudonymized: false,
        };
      case 'agents':
        return { id: r.vid, data: { vid: r.vid, agent: r.agent }, pseudonymized: false };
      case 'states':
        return {
          id: r.docKey,
          data: pick(r, [
            'activityId',
            'agent',
            'registration',
            'stateId',
            'contentType',
            'content',
          ]),
          pseudonymized: false,
        };
      case 'activity-profiles':
        return {
          id: r.docKey,
          data: pick(r, ['activityId', 'profileId', 'contentType', 'content']),
          pseudonymized: false,
        };
      case 'agent-profiles':
        return {
          id: r.docKey,
          data: pick(r, ['agent', 'profileId', 'contentType', 'content']),
          pseudonymized: false,
        };
    }
  }

  /**
   * Writes lines into a store. Statements (wrapped or bare) go through the pipeline in
   * one batch, refused ones isolated and logged; other records are written one by one,
   * a bad one logged and skipped. A line already applied changes nothing.
   */
  async apply(
    service: RecordService,
    storeId: number,
    lines: string[],
    options: RecordOptions,
    counts: TransferCounts,
    log: Log,
    origin: string,
  ): Promise<void> {
    const parsed: Record<string, any>[] = [];
    for (const text of lines) {
      try {
        const value = JSON.parse(text);
        if (value && typeof value === 'object' && !Array.isArray(value)) parsed.push(value);
        else throw new Error('not a JSON object');
      } catch (err) {
        counts.rejected += 1;
        await log(LogLevel.Warning, `A line of ${origin} is not a JSON object; skipped.`, {
          line: text.slice(0, 200),
          error: (err as Error).message,
        });
      }
    }
    if (service === 'statements') {
      const statements: Record<string, any>[] = [];
      const parts: AttachmentPart[] = [];
      for (const value of parsed) {
        const wrapped = isRecordLine(value);
        statements.push(wrapped ? value.data : value);
        for (const a of wrapped && Array.isArray(value.attachments) ? value.attachments : []) {
          parts.push({
            sha2: String(a.sha2).toLowerCase(),
            contentType: String(a.contentType),
            content: Buffer.from(String(a.content), 'base64'),
          });
        }
      }
      const unique = [...new Map(parts.map((p) => [p.sha2, p])).values()];
      // A file carries no xAPI version: each statement is recorded under its own (a
      // 2.0.x statement as a POST with X-Experience-API-Version 2.0.0 would), in order.
      for (const run of versionRuns(statements, options.version)) {
        await recordIsolating(
          this.recorder,
          { id: storeId },
          run.statements,
          unique,
          { ...options, version: run.version },
          counts,
          log,
          origin,
        );
      }
      return;
    }
    for (const value of parsed) {
      try {
        if (!isRecordLine(value)) throw new Error('not a {id, store, stored, updated, data} line');
        const changed = await this.applyRecord(service, storeId, value.data);
        if (changed) counts.moved += 1;
        else counts.already_present += 1;
      } catch (err) {
        counts.rejected += 1;
        await log(LogLevel.Warning, `Record ${String(value?.id)} of ${origin} refused; skipped.`, {
          record: String(value?.id ?? ''),
          error: (err as Error).message.slice(0, 300),
        });
      }
    }
  }

  /** Writes one record; false when the store already held it as given. */
  private async applyRecord(
    service: Exclude<RecordService, 'statements'>,
    storeId: number,
    data: Record<string, any>,
  ): Promise<boolean> {
    const now = new Date();
    if (service === 'activities') {
      const repo = this.dataSource.getRepository(Activity);
      const key = String(data.activityId);
      const row = await repo.findOneBy({ storeId, activityId: key });
      if (!row) {
        await bulkInsert(
          this.dataSource.manager,
          Activity,
          [
            {
              storeId,
              activityId: key,
              definition: data.definition ?? null,
              stored: now,
              updated: now,
            },
          ],
          { ignore: true },
        );
        return true;
      }
      if (!data.definition) return false;
      const merged = mergeDefinitions(row.definition, data.definition);
      if (JSON.stringify(merged) === JSON.stringify(row.definition)) return false;
      await repo.update({ id: row.id }, { definition: merged, updated: now });
      return true;
    }
    if (service === 'agents') {
      const repo = this.dataSource.getRepository(Agent);
      const vid = String(data.vid);
      if (await repo.findOneBy({ storeId, vid })) return false;
      await bulkInsert(
        this.dataSource.manager,
        Agent,
        [{ storeId, vid, agent: data.agent, personId: null, stored: now, updated: now }],
        { ignore: true },
      );
      return true;
    }
    const address: DocumentAddress<DocumentRecord> =
      service === 'states'
        ? stateAddress(storeId, data as any)
        : service === 'activity-profiles'
          ? activityProfileAddress(storeId, data as any)
          : agentProfileAddress(storeId, data as any);
    const bytes = decodeContent(data.content as DocumentContent);
    const existing = await this.documents.findOne(address.entity, storeId, address.docKey);
    if (
      existing &&
      decodeContent(existing.content).equals(bytes) &&
      existing.contentType === data.contentType
    ) {
      return false;
    }
    await this.documents.write(
      address,
      { bytes, contentType: String(data.contentType ?? 'application/octet-stream') },
      'put',
      { putWithoutHeader: 'replace' },
    );
    return true;
  }
}

/** A wrapped line `{id, store, stored, updated, data}`; a bare statement has no `data`/`store`. */
export function isRecordLine(value: Record<string, any>): value is RecordLine {
  return (
    typeof value.store === 'string' &&
    value.data !== null &&
    typeof value.data === 'object' &&
    !Array.isArray(value.data)
  );
}

/**
 * Consecutive statements grouped by the xAPI version to record them under: 2.0.0 for
 * a statement whose `version` is 2.0.x, else `fallback`.
 */
export function versionRuns(
  statements: Record<string, any>[],
  fallback: XapiVersion,
): { version: XapiVersion; statements: Record<string, any>[] }[] {
  const runs: { version: XapiVersion; statements: Record<string, any>[] }[] = [];
  for (const s of statements) {
    const own = typeof s?.version === 'string' && /^2\.0(?:\.\d+)?$/.test(s.version);
    const version: XapiVersion = own ? '2.0.0' : fallback;
    const last = runs.at(-1);
    if (last?.version === version) last.statements.push(s);
    else runs.push({ version, statements: [s] });
  }
  return runs;
}

function pick(row: Record<string, any>, keys: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const k of keys) out[k] = row[k] ?? null;
  return out;
}

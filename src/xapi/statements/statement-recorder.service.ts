import {
  BadRequestException,
  ConflictException,
  Injectable,
  Optional,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { createHash, randomUUID } from 'crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { Client, PipelineOptions } from '../../access/client.entity';
import { AppConfig, PipelineDefaults } from '../../config/app-config';
import { LogLevel } from '../../logging/log-entry.entity';
import { SystemLogService } from '../../logging/system-log.service';
import { Activity } from '../activities/activity.entity';
import { Agent } from '../agents/agent.entity';
import { XapiVersion } from '../common/xapi-endpoint';
import { StatementValidator } from '../validation/statement-validator';
import { ATTACHMENT_PART_BYTES, Attachment } from './entities/attachment.entity';
import { StatementActivity } from './entities/statement-activity.entity';
import { StatementAgent } from './entities/statement-agent.entity';
import { Statement } from './entities/statement.entity';
import { VocabEntry } from './entities/vocab.entity';
import { bulkInsert } from './bulk-insert';
import { iriKey, statementActivities, statementAgents, voidTarget } from './index-keys';
import { sameStatement } from './statement-comparison';
import { normalizeStatement } from './statement-normalize';
import { signatureProblems } from './statement-signature';

export type RecordOptions = PipelineOptions & { version: XapiVersion };

/** Raw attachment content that came with the statements, by sha2. */
export interface AttachmentPart {
  sha2: string;
  contentType: string;
  content: Buffer;
}

export interface RecordResult {
  /** The statement ids, in the order given. */
  ids: string[];
  /** How many rows were inserted or replaced (identical re-posts are not counted). */
  recorded: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSERT_CHUNK = 200;
/** Attempts of a batch transaction that hit a deadlock or lock-wait timeout. */
export const MAX_ATTEMPTS = 6;
/** Seconds a client is told to wait when a batch still deadlocks after every attempt. */
export const RETRY_AFTER_SECONDS = 2;

/** A deadlock (1213), lock-wait timeout (1205) or busy SQLite database: worth another attempt. */
export function isLockConflict(e: any): boolean {
  return e?.errno === 1213 || e?.errno === 1205 || e?.code === 'SQLITE_BUSY';
}

/** Randomised, growing pause before attempt `attempt + 1`: 20–200 ms, widening with attempts. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const top = Math.min(200, 20 + 40 * attempt);
  return Math.round(20 + random() * (top - 20));
}

/** MySQL/MariaDB take row locks (FOR UPDATE); SQLite serialises whole write transactions. */
function locksRows(em: EntityManager): boolean {
  return em.connection.driver.options.type !== 'better-sqlite3';
}

/** Compares keys as strings, byte-wise (the order the unique indexes hold them in). */
function byKey<T>(key: (row: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

function chunks<T>(rows: T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Definitions merge: language maps by language, everything else replaced by the newer. */
export function mergeDefinitions(
  old: Record<string, any> | null,
  next: Record<string, any>,
): Record<string, any> {
  const out: Record<string, any> = { ...(old ?? {}) };
  for (const [k, v] of Object.entries(next)) {
    if ((k === 'name' || k === 'description') && v && typeof v === 'object' && out[k]) {
      out[k] = { ...out[k], ...v };
    } else if (k === 'extensions' && v && typeof v === 'object' && out[k]) {
      out[k] = { ...out[k], ...v };
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Statement chunks of at most INSERT_CHUNK rows and about 4 MB of JSON (max_allowed_packet). */
function chunksBySize(rows: Prepared[]): Prepared[][] {
  const out: Prepared[][] = [];
  let current: Prepared[] = [];
  let size = 0;
  for (const p of rows) {
    const bytes = JSON.stringify(p.data).length;
    if (current.length && (current.length >= INSERT_CHUNK || size + bytes > 4_000_000)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(p);
    size += bytes;
  }
  if (current.length) out.push(current);
  return out;
}

interface Prepared {
  data: Record<string, any>;
  statementId: string;
  validated: boolean;
  voidTarget: string | null;
}

/**
 * The xAPI recording pipeline (xapi.md): validation, conflicts, voiding,
 * activities, agents, vocabulary and id indexes, authority. One transaction
 * per batch; used by the statements resource and by jobs (pull, seeding).
 */
@Injectable()
export class StatementRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @Optional() private readonly validator?: StatementValidator,
    @Optional() private readonly logs?: SystemLogService,
  ) {}

  /** The effective options: defaults, then the client's pipeline, then the caller's. */
  effectiveOptions(
    client: Client | null,
    options: RecordOptions,
  ): PipelineDefaults & RecordOptions {
    return { ...this.config.pipelineDefaults, ...(client?.pipeline ?? {}), ...options };
  }

  async record(
    store: { id: number },
    client: Client | null,
    statements: unknown[],
    options: RecordOptions,
    attachments: AttachmentPart[] = [],
  ): Promise<RecordResult> {
    const opts = this.effectiveOptions(client, options);
    const prepared = this.prepare(client, statements, opts, attachments);
    if (prepared.length === 0) return { ids: [], recorded: 0 };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction((em) =>
          this.write(em, store.id, client, prepared, opts, attachments),
        );
      } catch (e: any) {
        if (isLockConflict(e)) {
          if (attempt < MAX_ATTEMPTS) {
            await new Promise((r) => setTimeout(r, retryDelayMs(attempt)));
            continue;
          }
          await this.logs
            ?.log({
              level: LogLevel.Warning,
              type: 'xapi',
              store: store.id,
              message: `A statement batch still met a lock conflict after ${MAX_ATTEMPTS} attempts; answered 503.`,
              data: {
                statements: prepared.length,
                code: e?.code ?? null,
                errno: e?.errno ?? null,
                error: String(e?.message ?? e).slice(0, 500),
              },
            })
            .catch(() => undefined);
          const busy = new ServiceUnavailableException(
            'The database is busy with concurrent writes; retry the request.',
          );
          (busy as any).headers = { 'Retry-After': String(RETRY_AFTER_SECONDS) };
          throw busy;
        }
        if (e?.errno === 1153 || e?.code === 'ER_NET_PACKET_TOO_LARGE') {
          throw new PayloadTooLargeException(
            'A statement is larger than the database accepts (MySQL max_allowed_packet).',
          );
        }
        if (e?.code === 'ER_DUP_ENTRY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new ConflictException('A statement with this id was stored concurrently.');
        }
        throw e;
      }
    }
  }

  /** Ids, validation, version, authority, timestamps: everything before the database. */
  private prepare(
    client: Client | null,
    statements: unknown[],
    opts: PipelineDefaults & RecordOptions,
    attachments: AttachmentPart[],
  ): Prepared[] {
    // No prototype: paths come from the statement's own keys (`constructor`, `__proto__`).
    const errors: Record<string, string[]> = Object.create(null);
    const fail = (path: string, message: string) => (errors[path] ??= []).push(message);
    const single = statements.length === 1;
    const seen = new Set<string>();
    const stored = new Date().toISOString();
    const authority = this.authority(client, opts);
    const out: Prepared[] = [];
    const parts = new Map(attachments.map((a) => [a.sha2, a.content]));
    statements.forEach((raw, i) => {
      const prefix = single ? '' : `[${i}]`;
      const at = (p: string) => (prefix ? `${prefix}${p ? '.' + p : ''}` : p || 'statement');
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
        fail(at(''), 'A statement must be a JSON object.');
        return;
      }
      let s = { ...(raw as Record<string, any>) };
      if (opts.validate_statements && this.validator) {
        for (const v of this.validator.validate(s, opts.version)) {
          fail(at(v.path.replace(/^\$?\.?/, '')), v.message);
        }
      }
      if (opts.validate_statements) {
        for (const v of signatureProblems(s, (sha2) => parts.get(sha2))) {
          fail(at(v.path), v.message);
        }
      }
      s = normalizeStatement(s);
      if (s.id !== undefined && (typeof s.id !== 'string' || !UUID.test(s.id))) {
        fail(at('id'), 'The statement id must be a UUID.');
        return;
      }
      const id = (s.id ?? randomUUID()).toLowerCase();
      if (seen.has(id)) fail(at('id'), 'The same statement id appears twice in this batch.');
      seen.add(id);
      s.id = id;
      s.stored = stored;
      if (s.timestamp === undefined) s.timestamp = stored;
      if (authority) s.authority = authority;
      if (s.version === undefined) s.version = opts.version === '2.0.0' ? '2.0.0' : '1.0.0';
      out.push({
        data: s,
        statementId: id,
        validated: !!(opts.validate_statements && this.validator),
        voidTarget: voidTarget(s),
      });
    });
    // Every attachment without fileUrl needs its raw part, and every part a statement.
    const given = new Set(attachments.map((a) => a.sha2));
    const used = new Set<string>();
    out.forEach((p, i) => {
      const list = Array.isArray(p.data.attachments) ? p.data.attachments : [];
      list.forEach((a: any, j: number) => {
        if (!a || typeof a !== 'object' || typeof a.sha2 !== 'string') return;
        used.add(a.sha2);
        if (!a.fileUrl && !given.has(a.sha2)) {
          fail(
            `${single ? '' : `[${i}].`}attachments[${j}].sha2`,
            'No attachment part with this hash came with the request.',
          );
        }
      });
    });
    for (const a of attachments) {
      if (!used.has(a.sha2))
        fail('attachments', `The part ${a.sha2} matches no statement attachment.`);
    }
    if (Object.keys(errors).length) {
      throw new BadRequestException({ message: 'Invalid statement(s).', errors });
    }
    return out;
  }

  private authority(client: Client | null, opts: PipelineOptions): Record<string, any> | null {
    if (opts.authority_name || opts.authority_homepage) {
      return {
        objectType: 'Agent',
        account: {
          homePage: opts.authority_homepage || 'http://lrs-jobs.local',
          name: opts.authority_name || client?.slug || 'lrs',
        },
      };
    }
    if (!client) return null;
    return {
      objectType: 'Agent',
      name: client.name,
      account: { homePage: 'http://lrs-jobs.local/clients', name: client.slug },
    };
  }

  private async write(
    em: EntityManager,
    storeId: number,
    client: Client | null,
    prepared: Prepared[],
    opts: PipelineDefaults & RecordOptions,
    attachments: AttachmentPart[],
  ): Promise<RecordResult> {
    const now = new Date();
    const ids = prepared.map((p) => p.statementId);
    const repo = em.getRepository(Statement);
    // One look-up for both: rows with these ids, and stored voiding statements targeting them.
    const existing = new Map<string, Statement>();
    const storedVoiders = new Map<string, string>();
    const idSet = new Set(ids);
    for (const part of chunks(ids, 500)) {
      const rows = await repo.find({
        where: [
          { storeId, statementId: In(part) },
          { storeId, voidTarget: In(part) },
        ],
      });
      for (const row of rows) {
        if (idSet.has(row.statementId)) existing.set(row.statementId, row);
        if (row.voidTarget && idSet.has(row.voidTarget)) {
          storedVoiders.set(row.voidTarget, row.statementId);
        }
      }
    }
    const toInsert: Prepared[] = [];
    const toReplace: { prepared: Prepared; row: Statement }[] = [];
    for (const p of prepared) {
      const row = existing.get(p.statementId);
      if (!row) toInsert.push(p);
      else if (sameStatement(row.data, p.data)) continue;
      else if (opts.check_conflicts) {
        throw new ConflictException(
          `Statement ${p.statementId} is already stored with different content.`,
        );
      } else toReplace.push({ prepared: p, row });
    }
    const written = [...toInsert, ...toReplace.map((r) => r.prepared)];
    if (written.length === 0) return { ids, recorded: 0 };

    // Voiding: targets of voiding statements, and new statements already voided.
    const voidedBy = new Map<string, string>();
    if (opts.void_statements) {
      const voiding = written.filter((p) => p.voidTarget);
      // Sorted: concurrent batches lock the voided rows in the same order.
      const targets = [...new Set(voiding.map((p) => p.voidTarget!))].sort();
      const batchById = new Map(prepared.map((p) => [p.statementId, p]));
      if (targets.length) {
        const stored = await repo.find({
          select: { statementId: true, voidTarget: true },
          where: { storeId, statementId: In(targets) },
        });
        const voidingTargets = new Set([
          ...stored.filter((r) => r.voidTarget).map((r) => r.statementId),
          ...targets.filter((t) => batchById.get(t)?.voidTarget),
        ]);
        const bad = voiding.find((p) => voidingTargets.has(p.voidTarget!));
        if (bad) {
          throw new BadRequestException({
            message: 'A voiding statement cannot be voided.',
            errors: { 'object.id': [`Statement ${bad.voidTarget} is itself a voiding statement.`] },
          });
        }
        for (const p of voiding) voidedBy.set(p.voidTarget!, p.statementId);
        for (const part of chunks(targets, 500)) {
          for (const t of part) {
            await repo.update(
              { storeId, statementId: t, voided: false },
              { voided: true, voidedBy: voidedBy.get(t)!, updated: now },
            );
          }
        }
      }
      for (const p of written) {
        const voider = storedVoiders.get(p.statementId);
        if (voider) voidedBy.set(p.statementId, voider);
      }
    }

    const rowOf = (p: Prepared) => {
      const objectActivity = statementActivities(p.data).find((a) => a.role === 'object');
      const registration = p.data.context?.registration;
      return {
        storeId,
        statementId: p.statementId,
        data: p.data,
        stored: new Date(p.data.stored),
        updated: now,
        validated: p.validated,
        valid: p.validated,
        voided: !!(voidedBy.has(p.statementId) && !p.voidTarget),
        pseudonymized: false,
        clientId: client?.id ?? null,
        verbId: iriKey(String(p.data.verb?.id ?? '')),
        activityId: objectActivity ? iriKey(objectActivity.activityId) : null,
        registration:
          typeof registration === 'string' ? registration.toLowerCase().slice(0, 36) : null,
        statementRef:
          p.data.object?.objectType === 'StatementRef' && typeof p.data.object.id === 'string'
            ? p.data.object.id.toLowerCase().slice(0, 36)
            : null,
        voidTarget: p.voidTarget,
        voidedBy: voidedBy.get(p.statementId) ?? null,
      };
    };
    for (const part of chunksBySize(toInsert)) {
      await bulkInsert(em, Statement, part.map(rowOf) as Record<string, unknown>[]);
    }
    for (const { prepared: p, row } of toReplace) {
      await repo.update({ id: row.id }, rowOf(p));
      await em.delete(StatementAgent, { statementRowId: row.id });
      await em.delete(StatementActivity, { statementRowId: row.id });
      await em.delete(Attachment, { statementRowId: row.id });
    }
    const rowIds = new Map<string, number>();
    for (const part of chunks(
      written.map((p) => p.statementId),
      500,
    )) {
      const rows = await repo.find({
        select: { id: true, statementId: true },
        where: { storeId, statementId: In(part) },
      });
      for (const r of rows) rowIds.set(r.statementId, r.id);
    }

    await this.writeIndexes(em, storeId, written, rowIds, opts, now);
    await this.writeAttachments(em, storeId, written, rowIds, attachments, now);
    return { ids, recorded: written.length };
  }

  private async writeIndexes(
    em: EntityManager,
    storeId: number,
    written: Prepared[],
    rowIds: Map<string, number>,
    opts: PipelineDefaults & RecordOptions,
    now: Date,
  ) {
    const agentRows: Partial<StatementAgent>[] = [];
    const activityRows: Partial<StatementActivity>[] = [];
    const agents = new Map<string, Record<string, unknown>>();
    const activities = new Map<string, { id: string; definition: Record<string, any> | null }>();
    const verbs = new Map<string, Record<string, string> | null>();
    const types = new Set<string>();
    for (const p of written) {
      const statementRowId = rowIds.get(p.statementId)!;
      const seenAgents = new Set<string>();
      for (const a of statementAgents(p.data)) {
        const key = `${a.role}\0${a.vid}`;
        if (!seenAgents.has(key)) {
          seenAgents.add(key);
          agentRows.push({ storeId, statementRowId, vid: a.vid, role: a.role });
        }
        if (a.role !== 'authority' && !agents.has(a.vid)) agents.set(a.vid, a.agent);
      }
      const seenActivities = new Set<string>();
      for (const a of statementActivities(p.data)) {
        const id = iriKey(a.activityId);
        const key = `${a.role}\0${id}`;
        if (!seenActivities.has(key)) {
          seenActivities.add(key);
          activityRows.push({ storeId, statementRowId, activityId: id, role: a.role });
        }
        const def =
          a.activity.definition && typeof a.activity.definition === 'object'
            ? a.activity.definition
            : null;
        const prev = activities.get(id);
        activities.set(id, {
          id: a.activityId,
          definition: def
            ? mergeDefinitions(prev?.definition ?? null, def)
            : (prev?.definition ?? null),
        });
        if (def && typeof def.type === 'string') types.add(def.type);
      }
      const verb = p.data.verb;
      if (verb && typeof verb.id === 'string') {
        const display = verb.display && typeof verb.display === 'object' ? verb.display : null;
        verbs.set(
          iriKey(verb.id),
          display
            ? { ...(verbs.get(iriKey(verb.id)) ?? {}), ...display }
            : (verbs.get(iriKey(verb.id)) ?? null),
        );
      }
    }
    // Every multi-row insert below goes in key order, so that concurrent batches
    // take their row and gap locks in the same order and cannot deadlock on them.
    agentRows.sort(
      byKey((r) => `${r.vid}\0${r.role}\0${String(r.statementRowId).padStart(12, '0')}`),
    );
    activityRows.sort(
      byKey((r) => `${r.activityId}\0${r.role}\0${String(r.statementRowId).padStart(12, '0')}`),
    );
    if (opts.update_agent_ids) {
      for (const part of chunks(agentRows, 500)) {
        await bulkInsert(em, StatementAgent, part as Record<string, unknown>[]);
      }
    }
    if (opts.update_activity_ids) {
      for (const part of chunks(activityRows, 500)) {
        await bulkInsert(em, StatementActivity, part as Record<string, unknown>[]);
      }
    }
    if (opts.update_agents && agents.size) {
      const rows = [...agents].sort(byKey(([vid]) => vid)).map(([vid, agent]) => ({
        storeId,
        vid,
        agent: pickAgent(agent) as any,
        personId: null,
        stored: now,
        updated: now,
      }));
      for (const part of chunks(rows)) {
        await bulkInsert(em, Agent, part as Record<string, unknown>[], { ignore: true });
      }
    }
    if (opts.update_activities && activities.size) {
      await this.mergeActivities(em, storeId, activities, now);
    }
    if (opts.update_vocab) {
      const rows = [
        ...[...verbs].map(([iri, display]) => ({ kind: 'verb' as const, iri, display })),
        ...[...types].map((t) => ({
          kind: 'activity-type' as const,
          iri: iriKey(t),
          display: null,
        })),
      ].sort(byKey((r) => `${r.kind}\0${r.iri}`));
      await this.mergeVocab(em, storeId, rows, now);
    }
  }

  /**
   * Inserts the activities not stored yet and merges the definitions of the
   * others. On MySQL/MariaDB the rows to merge are re-read with a row lock
   * (SELECT ... FOR UPDATE, in key order) after the inserts, so a concurrent
   * batch cannot overwrite a merge, nor have its definition dropped by an
   * INSERT IGNORE that lost the race. SQLite serialises writers anyway.
   */
  private async mergeActivities(
    em: EntityManager,
    storeId: number,
    activities: Map<string, { id: string; definition: Record<string, any> | null }>,
    now: Date,
  ) {
    const repo = em.getRepository(Activity);
    const keys = [...activities.keys()].sort(byKey((k) => k));
    const found = new Map<string, Activity>();
    for (const part of chunks(keys, 500)) {
      for (const row of await repo.find({ where: { storeId, activityId: In(part) } })) {
        found.set(row.activityId, row);
      }
    }
    const fresh = keys
      .filter((k) => !found.has(k))
      .map((k) => ({
        storeId,
        activityId: k,
        definition: activities.get(k)!.definition,
        stored: now,
        updated: now,
      }));
    for (const part of chunks(fresh)) {
      await bulkInsert(em, Activity, part as Record<string, unknown>[], { ignore: true });
    }
    let current = found;
    if (locksRows(em)) {
      current = new Map();
      const toMerge = keys.filter((k) => activities.get(k)!.definition);
      for (const part of chunks(toMerge, 500)) {
        const rows = await repo.find({
          where: { storeId, activityId: In(part) },
          order: { activityId: 'ASC' },
          lock: { mode: 'pessimistic_write' },
        });
        for (const row of rows) current.set(row.activityId, row);
      }
    }
    for (const k of keys) {
      const row = current.get(k);
      const def = activities.get(k)!.definition;
      if (!row || !def) continue;
      const merged = mergeDefinitions(row.definition, def);
      if (JSON.stringify(merged) !== JSON.stringify(row.definition)) {
        await repo.update({ id: row.id }, { definition: merged, updated: now });
      }
    }
  }

  /** As mergeActivities, for verbs and activity types (rows come sorted by kind and iri). */
  private async mergeVocab(
    em: EntityManager,
    storeId: number,
    rows: { kind: 'verb' | 'activity-type'; iri: string; display: Record<string, string> | null }[],
    now: Date,
  ) {
    if (!rows.length) return;
    const repo = em.getRepository(VocabEntry);
    const read = async (list: typeof rows, lock: boolean) => {
      const out = new Map<string, VocabEntry>();
      for (const kind of ['activity-type', 'verb'] as const) {
        const iris = list.filter((r) => r.kind === kind).map((r) => r.iri);
        for (const part of chunks(iris, 500)) {
          const found = await repo.find({
            where: { storeId, kind, iri: In(part) },
            ...(lock ? { order: { iri: 'ASC' }, lock: { mode: 'pessimistic_write' } } : {}),
          });
          for (const r of found) out.set(`${r.kind}\0${r.iri}`, r);
        }
      }
      return out;
    };
    const found = await read(rows, false);
    const fresh = rows
      .filter((r) => !found.has(`${r.kind}\0${r.iri}`))
      .map((r) => ({ storeId, ...r, stored: now, updated: now }));
    for (const part of chunks(fresh)) {
      await bulkInsert(em, VocabEntry, part as Record<string, unknown>[], { ignore: true });
    }
    const current = locksRows(em)
      ? await read(
          rows.filter((r) => r.display),
          true,
        )
      : found;
    for (const r of rows) {
      const row = current.get(`${r.kind}\0${r.iri}`);
      if (!row || !r.display) continue;
      const merged = { ...(row.display ?? {}), ...r.display };
      if (JSON.stringify(merged) !== JSON.stringify(row.display)) {
        await repo.update({ id: row.id }, { display: merged, updated: now });
      }
    }
  }

  private async writeAttachments(
    em: EntityManager,
    storeId: number,
    written: Prepared[],
    rowIds: Map<string, number>,
    attachments: AttachmentPart[],
    now: Date,
  ) {
    if (!attachments.length) return;
    const bySha = new Map(attachments.map((a) => [a.sha2, a]));
    for (const p of written) {
      const list: any[] = Array.isArray(p.data.attachments) ? p.data.attachments : [];
      const done = new Set<string>();
      for (const meta of list) {
        const part = meta && bySha.get(meta.sha2);
        if (!part || done.has(part.sha2)) continue;
        done.add(part.sha2);
        const rows: Partial<Attachment>[] = [];
        for (
          let i = 0, n = 0;
          i < Math.max(part.content.length, 1);
          i += ATTACHMENT_PART_BYTES, n++
        ) {
          rows.push({
            storeId,
            statementRowId: rowIds.get(p.statementId)!,
            sha2: part.sha2,
            contentType: part.contentType.slice(0, 255),
            length: part.content.length,
            part: n,
            content: part.content.subarray(i, i + ATTACHMENT_PART_BYTES),
            stored: now,
          });
        }
        for (const c of chunks(rows, 10)) {
          await bulkInsert(em, Attachment, c as Record<string, unknown>[]);
        }
      }
    }
  }
}

/** What an agent row keeps: object type, name and identifier, nothing else. */
function pickAgent(agent: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['objectType', 'name', 'mbox', 'mbox_sha1sum', 'openid', 'account']) {
    if (agent[k] !== undefined) out[k] = agent[k];
  }
  return out;
}

/** sha256 hex of a buffer, as X-Experience-API-Hash carries it. */
export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

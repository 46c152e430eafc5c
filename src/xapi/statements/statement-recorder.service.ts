import {
  BadRequestException,
  ConflictException,
  Injectable,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Client } from '../../access/client.entity';
import { Store } from '../../access/store.entity';
import {
  affectedRows,
  isPacketTooLarge,
  isRetryableConflict,
  isUniqueViolation,
} from '../../common/db-errors';
import { AppConfig } from '../../config/app-config';
import { deleteStoreRecords } from '../../database/store-records';
import { LogLevel } from '../../logging/log-entry.entity';
import { SystemLogService } from '../../logging/system-log.service';
import { Statement } from './entities/statement.entity';
import { AttachmentWriter } from './attachment-writer';
import { placeholders } from '../../database/sql-text';
import { bulkInsert, chunks, chunksBySize, insertReturns, JsonText } from './bulk-insert';
import { iriKey, objectActivityId } from './index-keys';
import { sameStatement } from './statement-comparison';
import { addVoidWaits, endVoidWaits, waitedFor, waitsOfStoreSql } from './void-waits';
import { RecordCache, RecordedKnowledge } from './record-cache';
import { RecorderTransactions } from './recorder-transactions';
import { StatementIndexWriter } from './statement-index-writer';
import {
  AttachmentPart,
  EffectiveOptions,
  PreparedStatement,
  RecordOptions,
  StatementPreparer,
  stampStored,
} from './statement-preparer';

export type { AttachmentPart, RecordOptions } from './statement-preparer';

export interface RecordResult {
  /** The statement ids, in the order given. */
  ids: string[];
  /** How many rows were inserted or replaced (identical re-posts are not counted). */
  recorded: number;
}

/**
 * The longest time from stamping a batch's `stored` to the end of its statement rows'
 * inserts, which assign their ids: an attempt that took longer (a lock its inserts waited
 * on: a concurrent insert of the same statement id, a gap another transaction's UPDATE or
 * DELETE holds) is rolled back and retried under a new stamp. A batch is at most
 * STATEMENTS_MAX_PER_REQUEST statements (1,000 by default; jobs record 1,000 or fewer),
 * inserted in well under a second on a quiet machine, a few seconds on a loaded one.
 */
export const STAMP_TO_INSERT_MAX_MS = 45_000;

/**
 * How far the order of `stored` and that of the statement row ids may disagree: a row
 * stored more than this after another has the greater id. The since/until pages bound
 * their keyset range by it (StatementQueryService.storedWindowIds). The recorder stamps
 * `stored` on this process's clock just before it inserts a batch's rows (after the
 * conflicts lookup and the voiding UPDATEs, again on every attempt), and those inserts
 * assign the ids within STAMP_TO_INSERT_MAX_MS of the stamp; so rows of concurrent
 * batches are out of order by less than that plus the disagreement of the clocks of
 * the instances writing the store, allowed 15 s (NTP keeps it within a second). When
 * the rows commit does not matter: a row's id never changes, and a replaced statement
 * takes a new row (`write`). A since/until page at an edge of its window reads at most
 * the rows stored within this time outside the window.
 */
export const STORED_ORDER_MARGIN_MS = STAMP_TO_INSERT_MAX_MS + 15_000;

/** An attempt's inserts ended more than STAMP_TO_INSERT_MAX_MS after its stamp. */
export class StaleStoredStamp extends Error {
  constructor(ms: number) {
    super(`The statement rows were inserted ${ms} ms after their stored stamp.`);
  }
}

/**
 * The statement rows of a batch that was not looked up hit the unique index of statement
 * ids: some are stored already. The batch is rolled back and tried again with its look-up.
 */
export class StoredIdsInBatch extends Error {
  constructor() {
    super('Statement ids of the batch are stored already.');
  }
}

/** What the batch's look-up reads of a stored statement. */
type LookedUp = Pick<Statement, 'id' | 'statementId' | 'voidTarget' | 'data'>;

/**
 * The batch's look-up in one round trip, in plain SQL (on a busy instance the query
 * builder's work for a few hundred ids cost more CPU than the query): the rows with these
 * statement ids and the rows whose void target is one of `voidedIds` (a union: each half
 * walks its own index), with their JSON for the comparison of a repeat; with
 * `waitsOfStore`, also the targets the store's voiding statements wait for (VoidWait).
 */
async function lookUp(
  em: EntityManager,
  storeId: number,
  statementIds: string[],
  voidedIds: string[],
  waitsOfStore = false,
): Promise<{ rows: LookedUp[]; waits: string[] }> {
  const meta = em.connection.getMetadata(Statement);
  const q = (name: string) => em.connection.driver.escape(name);
  const c = (property: string) => q(meta.findColumnWithPropertyName(property)!.databaseName);
  // Every row with its JSON: a voiding statement of the batch whose target is in the batch
  // too comes back from both halves, and either may be the one kept.
  const select =
    `SELECT ${c('id')} AS id, ${c('statementId')} AS sid, ${c('voidTarget')} AS vt, ` +
    `${c('data')} AS data FROM ${q(meta.tableName)} WHERE ${c('storeId')} = ?`;
  const halves: string[] = [];
  const params: unknown[] = [];
  if (statementIds.length) {
    halves.push(`${select} AND ${c('statementId')} IN (${placeholders(statementIds.length)})`);
    params.push(storeId, ...statementIds);
  }
  if (voidedIds.length) {
    halves.push(`${select} AND ${c('voidTarget')} IN (${placeholders(voidedIds.length)})`);
    params.push(storeId, ...voidedIds);
  }
  if (waitsOfStore) {
    // Rows without an id: the waited-for targets.
    halves.push(
      waitsOfStoreSql(em, (t) => `SELECT NULL AS id, ${t} AS sid, NULL AS vt, NULL AS data`),
    );
    params.push(storeId);
  }
  if (!halves.length) return { rows: [], waits: [] };
  const result: { id: unknown; sid: string; vt: string | null; data: unknown }[] = await em.query(
    halves.join(' UNION ALL '),
    params,
  );
  const rows: LookedUp[] = [];
  const waits: string[] = [];
  for (const r of result) {
    if (r.id === null) {
      waits.push(r.sid);
      continue;
    }
    rows.push({
      id: Number(r.id),
      statementId: r.sid,
      voidTarget: r.vt ?? null,
      data: typeof r.data === 'string' ? JSON.parse(r.data) : (r.data as Statement['data']),
    });
  }
  return { rows, waits };
}

/** Attempts of a batch transaction that hit a deadlock or lock-wait timeout. */
export const MAX_ATTEMPTS = 6;
/** Seconds a client is told to wait when a batch still deadlocks after every attempt. */
export const RETRY_AFTER_SECONDS = 2;

/** Randomised, growing pause before attempt `attempt + 1`: 20–200 ms, widening with attempts. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const top = Math.min(200, 20 + 40 * attempt);
  return Math.round(20 + random() * (top - 20));
}

/**
 * The xAPI recording pipeline (xapi.md), the one way statements enter a store:
 * preparation (StatementPreparer), conflicts, voiding and the statement rows
 * (here), index rows, agents, activities and vocabulary (StatementIndexWriter),
 * attachments (AttachmentWriter). One transaction per batch (RecorderTransactions),
 * retried on deadlock.
 */
@Injectable()
export class StatementRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly preparer: StatementPreparer,
    private readonly indexes: StatementIndexWriter,
    private readonly attachmentWriter: AttachmentWriter,
    private readonly logs: SystemLogService,
    private readonly cache: RecordCache,
    private readonly transactions: RecorderTransactions,
  ) {}

  /** The effective options: defaults, then the client's pipeline, then the caller's. */
  effectiveOptions(client: Client | null, options: RecordOptions): EffectiveOptions {
    return { ...this.config.pipelineDefaults, ...(client?.pipeline ?? {}), ...options };
  }

  /**
   * Records one batch of statements in one transaction: the entry point of the
   * statements resource and of every job that stores statements (pull, seeding, ...).
   *
   * @param store the store the statements go to; `recordsVersion` as the caller read it
   *   (the guard's cached store row), else the recorder reads it (RecordCache.syncStore).
   * @param client the client recording them, or null for a job. It is kept as the
   *   statements' client and gives them their authority; with null and no authority
   *   option, each statement keeps its own authority (e.g. a pulled one).
   * @param statements the statements as received (objects; anything else is a 400).
   * @param options the request's xAPI `version` and the pipeline options, over the
   *   client's `pipeline` and `PIPELINE_DEFAULT_*`; `authority_name` /
   *   `authority_homepage` set the authority of every statement.
   * @param attachments raw attachment parts by sha2 (multipart requests).
   * @returns the ids in the order given and how many rows were written.
   * @throws 400 invalid statements (every problem by path), 409 a stored id with other
   *   content (when `check_conflicts`), 413 a statement too large for the database,
   *   503 with Retry-After when deadlocks outlast MAX_ATTEMPTS.
   */
  async record(
    store: { id: number; recordsVersion?: number },
    client: Client | null,
    statements: unknown[],
    options: RecordOptions,
    attachments: AttachmentPart[] = [],
  ): Promise<RecordResult> {
    const opts = this.effectiveOptions(client, options);
    const prepared = this.preparer.prepare(client, statements, opts, attachments);
    if (prepared.length === 0) return { ids: [], recorded: 0 };
    this.cache.syncStore(store.id, store.recordsVersion ?? (await this.recordsVersion(store.id)));
    // Set once the batch met ids stored already: from then on its attempts look them up.
    let lookUpIds = false;
    for (let attempt = 1; ; attempt++) {
      try {
        let learned: RecordedKnowledge | null = null;
        const result = await this.transactions.run(async (em) => {
          const written = await this.write(
            em,
            store.id,
            client,
            prepared,
            opts,
            attachments,
            lookUpIds,
          );
          learned = written.learned;
          return written.result;
        });
        // Only what a committed transaction wrote may be remembered.
        if (learned) this.cache.remember(learned);
        return result;
      } catch (e: any) {
        if (e instanceof StoredIdsInBatch && !lookUpIds) {
          lookUpIds = true;
          continue;
        }
        if (isRetryableConflict(e) || e instanceof StaleStoredStamp) {
          if (attempt < MAX_ATTEMPTS) {
            await new Promise((r) => setTimeout(r, retryDelayMs(attempt)));
            continue;
          }
          await this.busy(store.id, prepared.length, e);
        }
        if (isPacketTooLarge(e)) {
          throw new PayloadTooLargeException(
            'A statement is larger than the database accepts (MySQL max_allowed_packet).',
          );
        }
        if (isUniqueViolation(e)) {
          throw new ConflictException('A statement with this id was stored concurrently.');
        }
        throw e;
      }
    }
  }

  private async recordsVersion(storeId: number): Promise<number> {
    const row = await this.dataSource
      .getRepository(Store)
      .findOne({ select: { id: true, recordsVersion: true }, where: { id: storeId } });
    return row?.recordsVersion ?? 0;
  }

  /** This process's clock, that `stored` is stamped on (tests move it). */
  protected now(): number {
    return Date.now();
  }

  /** Every attempt met a lock conflict: log a warning and answer 503 with Retry-After. */
  private async busy(storeId: number, statements: number, e: any): Promise<never> {
    await this.logs
      .log({
        level: LogLevel.Warning,
        type: 'xapi',
        store: storeId,
        message: `A statement batch still met a lock conflict after ${MAX_ATTEMPTS} attempts; answered 503.`,
        data: {
          statements,
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

  private async write(
    em: EntityManager,
    storeId: number,
    client: Client | null,
    prepared: PreparedStatement[],
    opts: EffectiveOptions,
    attachments: AttachmentPart[],
    lookUpIds: boolean,
  ): Promise<{ result: RecordResult; learned: RecordedKnowledge | null }> {
    const now = new Date();
    const ids = prepared.map((p) => p.statementId);
    const repo = em.getRepository(Statement);
    // The batch's look-up: rows with its ids, rows its voiding statements target, and
    // stored voiding statements that target its ids. Its ids are looked up only once their
    // INSERT met the unique index (StoredIdsInBatch: the batch is tried again with them),
    // and stored voiding statements only for the ids one waits for (VoidWait, a few rows):
    // a batch of new statements reads its targets, if it voids any, and the wait rows. On a
    // busy store the look-up of every id was a tenth of the database's work per statement.
    const idSet = new Set(ids);
    const targets = [...new Set(prepared.flatMap((p) => (p.voidTarget ? [p.voidTarget] : [])))];
    const existing = new Map<string, LookedUp>();
    const storedTargets = new Map<string, LookedUp>();
    const storedVoiders = new Map<string, string>();
    const found = (rows: LookedUp[]) => {
      for (const row of rows) {
        if (idSet.has(row.statementId)) existing.set(row.statementId, row);
        storedTargets.set(row.statementId, row);
        if (row.voidTarget && idSet.has(row.voidTarget)) {
          storedVoiders.set(row.voidTarget, row.statementId);
        }
      }
    };
    if (lookUpIds) {
      // Everything, as one query per 500 ids: the ids, the targets, every voiding
      // statement of the batch's ids.
      for (const part of chunks([...new Set([...ids, ...targets])], 500)) {
        found(
          (
            await lookUp(
              em,
              storeId,
              part,
              part.filter((id) => idSet.has(id)),
            )
          ).rows,
        );
      }
    } else {
      // The batch's targets and, where voiding is on, the store's wait rows: one query.
      const first = await lookUp(em, storeId, targets, [], opts.void_statements);
      found(first.rows);
      const waited = opts.void_statements
        ? await waitedFor(em, storeId, ids, first.waits)
        : new Set<string>();
      // The voiding statements of the ids waited for: stored voided.
      for (const part of chunks([...waited], 500)) {
        found((await lookUp(em, storeId, [], part)).rows);
      }
    }
    const toInsert: PreparedStatement[] = [];
    const toReplace: { prepared: PreparedStatement; row: LookedUp }[] = [];
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
    if (written.length === 0) return { result: { ids, recorded: 0 }, learned: null };
    // A replaced statement (check_conflicts off) takes a new row, so that its id follows
    // its new `stored` as every other row's does (STORED_ORDER_MARGIN_MS). Its old row goes
    // the way every deleted statement does, before the voiding below: with its index rows
    // and attachments, and the statements it voided un-voided (its new version voids its
    // own target again).
    await deleteStoreRecords(
      em,
      Statement,
      storeId,
      toReplace.map((r) => r.row.id),
    );

    // Voiding: targets of voiding statements, and new statements already voided.
    const voidedBy = new Map<string, string>();
    // Voiding statements whose target is neither in the batch nor found stored: they wait
    // for it. (Stored with voiding off, one still voids its target once voiding is on.)
    const waiting = new Set(
      written
        .filter((p) => p.voidTarget && !idSet.has(p.voidTarget) && !storedTargets.has(p.voidTarget))
        .map((p) => p.voidTarget!),
    );
    if (opts.void_statements) {
      const voiding = written.filter((p) => p.voidTarget);
      // Sorted: concurrent batches lock the voided rows in the same order.
      const voided = [...new Set(voiding.map((p) => p.voidTarget!))].sort();
      const batchById = new Map(prepared.map((p) => [p.statementId, p]));
      const inserted = new Set(toInsert.map((p) => p.statementId));
      const bad = voiding.find(
        (p) =>
          storedTargets.get(p.voidTarget!)?.voidTarget || batchById.get(p.voidTarget!)?.voidTarget,
      );
      if (bad) {
        throw new BadRequestException({
          message: 'A voiding statement cannot be voided.',
          errors: { 'object.id': [`Statement ${bad.voidTarget} is itself a voiding statement.`] },
        });
      }
      for (const p of voiding) voidedBy.set(p.voidTarget!, p.statementId);
      // A target this batch inserts is written voided; any other is updated, stored or not
      // yet seen (a concurrent batch may commit it before this UPDATE).
      for (const t of voided.filter((id) => !inserted.has(id))) {
        const update = await repo.update(
          { storeId, statementId: t, voided: false },
          { voided: true, voidedBy: voidedBy.get(t)!, updated: now },
        );
        // Found by this locking UPDATE (a concurrent batch committed it after the
        // look-up), the target is not waited for.
        if (affectedRows(update)) waiting.delete(t);
      }
      for (const p of written) {
        const voider = storedVoiders.get(p.statementId);
        if (voider) voidedBy.set(p.statementId, voider);
      }
    }

    // `stored` as the rows get their ids (STORED_ORDER_MARGIN_MS).
    const stampedAt = this.now();
    stampStored(written, new Date(stampedAt));
    const rowOf = (p: PreparedStatement) => {
      const objectActivity = objectActivityId(p.data);
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
        activityId: objectActivity ? iriKey(objectActivity) : null,
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
    const rowIds = new Map<string, number>();
    const returning = await insertReturns(em);
    // Each statement's JSON is serialised once: it sizes the chunks and is the row's data.
    const inserts = written.map((p) => ({ p, json: JSON.stringify(p.data) }));
    for (const part of chunksBySize(inserts, (r) => r.json.length)) {
      const rows = await bulkInsert(
        em,
        Statement,
        part.map((r) => ({ ...rowOf(r.p), data: new JsonText(r.json) })),
        {
          returning: returning ? ['id', 'statementId'] : undefined,
          duplicatesExpected: !lookUpIds,
          prepared: true,
        },
      ).catch((e: unknown) => {
        throw !lookUpIds && isUniqueViolation(e) ? new StoredIdsInBatch() : e;
      });
      for (const r of rows) rowIds.set(String(r.statementId), Number(r.id));
    }
    const late = this.now() - stampedAt;
    if (late > STAMP_TO_INSERT_MAX_MS) throw new StaleStoredStamp(late);
    // MySQL has no INSERT ... RETURNING: read the new rows' ids back.
    const missing = written.map((p) => p.statementId).filter((id) => !rowIds.has(id));
    for (const part of chunks(missing, 500)) {
      const rows = await repo.find({
        select: { id: true, statementId: true },
        where: { storeId, statementId: In(part) },
      });
      for (const r of rows) rowIds.set(r.statementId, r.id);
    }

    await addVoidWaits(
      em,
      storeId,
      written
        .filter((p) => p.voidTarget && waiting.has(p.voidTarget))
        .map((p) => ({ voiderRowId: rowIds.get(p.statementId)!, target: p.voidTarget! })),
    );
    // Stored now, these ids are no longer waited for (a wait row goes with its voiding
    // statement, so only ids a stored voiding statement targets can have one).
    await endVoidWaits(
      em,
      storeId,
      written.map((p) => p.statementId).filter((id) => storedVoiders.has(id)),
    );
    const learned = await this.indexes.write(em, storeId, written, rowIds, opts, now);
    await this.attachmentWriter.write(em, storeId, written, rowIds, attachments, now);
    return { result: { ids, recorded: written.length }, learned };
  }
}

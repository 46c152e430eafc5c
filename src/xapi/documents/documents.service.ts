import {
  BadRequestException,
  ConflictException,
  Injectable,
  PayloadTooLargeException,
  PreconditionFailedException,
} from '@nestjs/common';
import { createHash } from 'crypto';
import { DataSource, EntityTarget, In, Repository } from 'typeorm';
import { isUniqueViolation } from '../../common/db-errors';
import { deleteStoreRecordsBatch } from '../../database/store-records';
import { keysetIds, syncBudgetMs, walkBatches } from '../../jobs/batch-walker';
import { bulkInsert, rowBytesLimit } from '../statements/bulk-insert';
import { AgentProfile } from './agent-profile.entity';
import { DocumentContent, DocumentRecord } from './document-record';
import { State } from './state.entity';

/** The characters mysql2 escapes in a string value (each one byte more). */
const MYSQL2_ESCAPED = /[\0\b\t\n\r\x1a"'\\]/g;

/** Where a document lives: its table, store, context and (for one document) its key. */
export interface DocumentAddress<T extends DocumentRecord> {
  entity: EntityTarget<T>;
  storeId: number;
  contextKey: string;
  docKey: string;
  /** The kind's own columns (activityId, agentVid, agent, registration, stateId/profileId). */
  fields: Partial<T>;
}

/** The concurrency headers of a request (xAPI-Communication 3.1). */
export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  /**
   * A PUT without If-Match / If-None-Match: `replace` as sent; `conflict`: 409 when
   * the document exists (xAPI 2.0 state); `required`: 409 when it exists, 400 when
   * not (profiles, as the ADL conformance suite checks).
   */
  putWithoutHeader?: 'replace' | 'conflict' | 'required';
}

export interface IncomingDocument {
  bytes: Buffer;
  contentType: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function sha1(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

/** A stable key from parts that may contain any character. */
export function keyOf(...parts: (string | null | undefined)[]): string {
  return sha1(JSON.stringify(parts.map((p) => p ?? null)));
}

export function encodeContent(bytes: Buffer): DocumentContent {
  try {
    return { utf8: utf8.decode(bytes) };
  } catch {
    return { base64: bytes.toString('base64') };
  }
}

export function decodeContent(content: DocumentContent): Buffer {
  return 'utf8' in content
    ? Buffer.from(content.utf8, 'utf8')
    : Buffer.from(content.base64, 'base64');
}

export function isJsonType(contentType: string | null | undefined): boolean {
  const media = String(contentType ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  return media === 'application/json' || /^application\/[^/]+\+json$/.test(media);
}

/** The document as a JSON object, or null when it is not one. */
function asJsonObject(bytes: Buffer, contentType: string): Record<string, unknown> | null {
  if (!isJsonType(contentType)) return null;
  try {
    const v = JSON.parse(bytes.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** Entity tags of an If-Match / If-None-Match header: `*`, or the unquoted tags. */
function parseTags(header: string): '*' | string[] {
  if (header.trim() === '*') return '*';
  return header
    .split(',')
    .map((t) =>
      t
        .trim()
        .replace(/^W\//i, '')
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase(),
    )
    .filter(Boolean);
}

/**
 * The xAPI document stores (state, activity profile, agent profile) share this
 * logic: store, merge, fetch, list and delete, with the concurrency rules.
 */
@Injectable()
export class DocumentsService {
  constructor(private readonly dataSource: DataSource) {}

  private repo<T extends DocumentRecord>(entity: EntityTarget<T>): Repository<T> {
    return this.dataSource.getRepository(entity);
  }

  async findOne<T extends DocumentRecord>(
    entity: EntityTarget<T>,
    storeId: number,
    docKey: string,
  ): Promise<T | null> {
    return this.repo(entity).findOne({ where: { storeId, docKey } as any });
  }

  /** 412 / 409 / 400 per xAPI-Communication 3.1, given the current document (or none). */
  checkPreconditions(existing: DocumentRecord | null, pre: Preconditions) {
    if (pre.ifMatch !== undefined) {
      const tags = parseTags(pre.ifMatch);
      if (!existing || (tags !== '*' && !tags.includes(existing.etag))) {
        throw new PreconditionFailedException(
          'If-Match does not match the current document (ETag).',
        );
      }
    }
    if (pre.ifNoneMatch !== undefined && existing) {
      const tags = parseTags(pre.ifNoneMatch);
      if (tags === '*' || tags.includes(existing.etag)) {
        throw new PreconditionFailedException(
          'If-None-Match: the document already exists (or has that ETag).',
        );
      }
    }
    const rule = pre.putWithoutHeader ?? 'replace';
    if (rule === 'replace' || pre.ifMatch !== undefined || pre.ifNoneMatch !== undefined) return;
    if (existing) {
      throw new ConflictException(
        'The document exists: send If-Match (its ETag) or If-None-Match to overwrite it.',
      );
    }
    if (rule === 'required') {
      throw new BadRequestException(
        'A PUT of this document needs an If-Match or If-None-Match header (use If-None-Match: * ' +
          'to create it).',
      );
    }
  }

  /**
   * PUT stores the document as sent; POST merges the top-level properties of two
   * JSON objects (400 when either is not one), or stores it when none exists.
   */
  async write<T extends DocumentRecord>(
    address: DocumentAddress<T>,
    incoming: IncomingDocument,
    mode: 'put' | 'post',
    pre: Preconditions,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.writeOnce(address, incoming, mode, pre);
      } catch (e) {
        // Two writers created the same document at once: the second one updates it.
        if (attempt === 0 && isUniqueViolation(e)) continue;
        throw e;
      }
    }
  }

  private async writeOnce<T extends DocumentRecord>(
    address: DocumentAddress<T>,
    incoming: IncomingDocument,
    mode: 'put' | 'post',
    pre: Preconditions,
  ): Promise<T> {
    const repo = this.repo(address.entity);
    const existing = await this.findOne(address.entity, address.storeId, address.docKey);
    this.checkPreconditions(
      existing,
      mode === 'put' ? pre : { ...pre, putWithoutHeader: 'replace' },
    );
    let bytes = incoming.bytes;
    let contentType = incoming.contentType;
    if (mode === 'post' && existing) {
      const sent = asJsonObject(bytes, contentType);
      const current = asJsonObject(decodeContent(existing.content), existing.contentType);
      if (!sent || !current) {
        throw new BadRequestException(
          'POST merges JSON objects: both the stored document and the request must be ' +
            'application/json objects.',
        );
      }
      bytes = Buffer.from(JSON.stringify({ ...current, ...sent }), 'utf8');
      contentType = 'application/json';
    } else if (mode === 'post' && isJsonType(contentType) && !asJsonObject(bytes, contentType)) {
      throw new BadRequestException('A POSTed application/json document must be a JSON object.');
    }
    const content = encodeContent(bytes);
    await this.checkFits(content);
    const now = new Date();
    const values = {
      content,
      contentType: contentType.slice(0, 255),
      etag: sha1(bytes),
      updated: now,
    };
    if (existing) {
      await repo.update({ id: existing.id } as any, values as any);
      return Object.assign(existing, values);
    }
    const row = repo.create(newRow(address, values, now) as any) as unknown as T;
    return repo.save(row as any);
  }

  /**
   * 413 for a document the database cannot take in one statement (MySQL/MariaDB's
   * max_allowed_packet): sent, the server closes the connection (a 503 or 500 before).
   * Its content goes as JSON text in which mysql2 escapes quotes, backslashes and control
   * characters: at most 12 bytes per byte of the document, counted exactly only above that.
   */
  private async checkFits(content: DocumentContent): Promise<void> {
    const limit = await rowBytesLimit(this.dataSource.manager);
    const raw = 'utf8' in content ? content.utf8.length : content.base64.length;
    if (12 * raw <= limit) return;
    const text = JSON.stringify(content);
    const size = Buffer.byteLength(text, 'utf8') + (text.match(MYSQL2_ESCAPED)?.length ?? 0);
    if (size > limit) {
      throw new PayloadTooLargeException(
        'The document is larger than the database accepts (MySQL max_allowed_packet).',
      );
    }
  }

  /**
   * PUTs many documents of one kind at once, for jobs (seeding): one transaction, one
   * look-up, a multi-row insert of the new ones; a document already stored with the
   * same content and type is left alone. Returns how many documents were written; one
   * over the database's packet (checkFits) writes none.
   */
  async putMany<T extends DocumentRecord>(
    entity: EntityTarget<T>,
    docs: { address: DocumentAddress<T>; incoming: IncomingDocument }[],
  ): Promise<number> {
    if (!docs.length) return 0;
    const storeId = docs[0].address.storeId;
    if (docs.some((d) => d.address.storeId !== storeId)) {
      throw new Error('putMany: documents of one store at a time');
    }
    return this.dataSource.transaction(async (em) => {
      const repo = em.getRepository<DocumentRecord>(entity);
      const existing = new Map<string, DocumentRecord | null>();
      for (let i = 0; i < docs.length; i += 500) {
        const part = docs.slice(i, i + 500);
        const rows = await repo.find({
          where: { storeId, docKey: In(part.map((d) => d.address.docKey)) },
        });
        for (const r of rows) existing.set(r.docKey, r);
      }
      const now = new Date();
      const fresh: Record<string, unknown>[] = [];
      let written = 0;
      for (const { address, incoming } of docs) {
        const values = {
          content: encodeContent(incoming.bytes),
          contentType: incoming.contentType.slice(0, 255),
          etag: sha1(incoming.bytes),
          updated: now,
        };
        await this.checkFits(values.content);
        const key = address.docKey;
        const row = existing.get(key);
        if (row === undefined) {
          existing.set(key, null);
          fresh.push(newRow(address, values, now));
        } else if (row && (row.etag !== values.etag || row.contentType !== values.contentType)) {
          await repo.update({ id: row.id }, values);
          written++;
        }
      }
      await bulkInsert(em, entity, fresh);
      return written + fresh.length;
    });
  }

  /** Document ids of a context, optionally changed after `since`, oldest change first. */
  async listIds<T extends DocumentRecord>(
    entity: EntityTarget<T>,
    idColumn: 'stateId' | 'profileId',
    storeId: number,
    contextKey: string,
    options: { since?: Date | null; registration?: string | null } = {},
  ): Promise<string[]> {
    const qb = this.repo(entity)
      .createQueryBuilder('d')
      .select(`d.${idColumn}`, 'id')
      .where('d.storeId = :storeId', { storeId })
      .andWhere('d.contextKey = :contextKey', { contextKey })
      .orderBy('d.updated', 'ASC')
      .addOrderBy('d.id', 'ASC');
    if (options.since) qb.andWhere('d.updated > :since', { since: options.since });
    if (options.registration) {
      qb.andWhere('d.registration = :registration', { registration: options.registration });
    }
    const rows: { id: string }[] = await qb.getRawMany();
    return [...new Set(rows.map((r) => r.id))];
  }

  async deleteOne<T extends DocumentRecord>(
    entity: EntityTarget<T>,
    storeId: number,
    docKey: string,
    pre: Preconditions,
  ): Promise<void> {
    const existing = await this.findOne(entity, storeId, docKey);
    this.checkPreconditions(existing, { ...pre, putWithoutHeader: 'replace' });
    if (existing) await this.repo(entity).delete({ id: existing.id } as any);
  }

  /** Every document of a context (states: of one registration when given). */
  async deleteContext<T extends DocumentRecord>(
    entity: EntityTarget<T>,
    storeId: number,
    contextKey: string,
    registration?: string | null,
  ): Promise<number> {
    const where: Record<string, unknown> = { storeId, contextKey };
    if (registration) where.registration = registration;
    const res = await this.repo(entity).delete(where as any);
    return res.affected ?? 0;
  }

  /**
   * The states and agent profiles of agents (by agentVid) of a store, in keyset
   * batches through the store-records deletion (each batch one transaction): what
   * the agent-deletion job removes besides statements. `dryRun` counts only;
   * `signal` stops between batches.
   */
  async deleteAgentDocuments(
    storeId: number,
    vids: string[],
    options: { batchSize?: number; dryRun?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ states: number; agentProfiles: number }> {
    const out = { states: 0, agentProfiles: 0 };
    if (vids.length === 0) return out;
    const { batchSize = 500, dryRun, signal = new AbortController().signal } = options;
    for (const [entity, key] of [
      [State, 'states'],
      [AgentProfile, 'agentProfiles'],
    ] as const) {
      const ofAgents = () =>
        this.dataSource
          .getRepository<DocumentRecord>(entity)
          .createQueryBuilder('d')
          .where('d.storeId = :storeId', { storeId })
          .andWhere('d.agentVid IN (:...vids)', { vids });
      await walkBatches<number>({
        ctx: { signal, progress: async () => undefined },
        batchSize,
        budgetMs: syncBudgetMs(this.dataSource),
        fetch: keysetIds<number>(ofAgents, 'd.id'),
        act: async (ids) => {
          const batch = await deleteStoreRecordsBatch(this.dataSource, entity, storeId, ids, {
            dryRun,
          });
          out[key] += batch.deleted;
          return dryRun ? 0 : batch.deleted;
        },
      });
    }
    return out;
  }
}

/** The row of a document not stored yet: its address, content columns and timestamps. */
function newRow<T extends DocumentRecord>(
  address: DocumentAddress<T>,
  values: Record<string, unknown>,
  now: Date,
): Record<string, unknown> {
  return {
    ...address.fields,
    ...values,
    storeId: address.storeId,
    contextKey: address.contextKey,
    docKey: address.docKey,
    stored: now,
  };
}

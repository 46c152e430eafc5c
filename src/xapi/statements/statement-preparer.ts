import { BadRequestException, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { Client, PipelineOptions } from '../../access/client.entity';
import { PipelineDefaults } from '../../config/app-config';
import { XapiVersion } from '../common/xapi-endpoint';
import { StatementValidator } from '../validation/statement-validator';
import { isUuid } from '../validation/xapi-formats';
import { voidTarget } from './index-keys';
import { normalizeStatement } from './statement-normalize';
import { signatureProblems } from './statement-signature';

/** The xAPI version of the request and the pipeline options, as the recorder takes them. */
export type RecordOptions = PipelineOptions & { version: XapiVersion };

/** The options in force for one batch: defaults, the client's pipeline, the caller's. */
export type EffectiveOptions = PipelineDefaults & RecordOptions;

/** Raw attachment content that came with the statements, by sha2. */
export interface AttachmentPart {
  sha2: string;
  contentType: string;
  content: Buffer;
}

/** A statement ready to be written: final JSON, id, flags. */
export interface PreparedStatement {
  data: Record<string, any>;
  statementId: string;
  validated: boolean;
  voidTarget: string | null;
  /** The statement came without a timestamp: it takes `stored` (stampStored). */
  timestampIsStored: boolean;
}

/**
 * Sets `stored` of these statements to `at` (and `timestamp` where it takes `stored`).
 * The recorder stamps them again just before inserting their rows, so that `stored` and
 * the row ids stay in the same order up to STORED_ORDER_MARGIN_MS.
 */
export function stampStored(prepared: PreparedStatement[], at: Date): void {
  const stored = at.toISOString();
  for (const p of prepared) {
    p.data.stored = stored;
    if (p.timestampIsStored) p.data.timestamp = stored;
  }
}

/**
 * Everything before the database: validation and signatures, normalisation, ids,
 * `stored`, `timestamp`, `version` and authority. Every problem of the batch is
 * collected and reported by path in one 400.
 */
@Injectable()
export class StatementPreparer {
  constructor(private readonly validator: StatementValidator) {}

  prepare(
    client: Client | null,
    statements: unknown[],
    opts: EffectiveOptions,
    attachments: AttachmentPart[],
  ): PreparedStatement[] {
    // No prototype: paths come from the statement's own keys (`constructor`, `__proto__`).
    const errors: Record<string, string[]> = Object.create(null);
    const fail = (path: string, message: string) => (errors[path] ??= []).push(message);
    const single = statements.length === 1;
    const seen = new Set<string>();
    const stored = new Date().toISOString();
    const authority = this.authority(client, opts);
    const out: PreparedStatement[] = [];
    const parts = new Map(attachments.map((a) => [a.sha2, a.content]));
    statements.forEach((raw, i) => {
      const prefix = single ? '' : `[${i}]`;
      const at = (p: string) => (prefix ? `${prefix}${p ? '.' + p : ''}` : p || 'statement');
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
        fail(at(''), 'A statement must be a JSON object.');
        return;
      }
      if (opts.validate_statements) {
        for (const v of this.validator.validate(raw, opts.version)) {
          fail(at(v.path.replace(/^\$?\.?/, '')), v.message);
        }
        for (const v of signatureProblems(raw as Record<string, any>, (sha2) => parts.get(sha2))) {
          fail(at(v.path), v.message);
        }
      }
      // A copy (normalizeStatement's): the id, stored and authority below are not written
      // into the request's own object.
      const s = normalizeStatement(raw as Record<string, any>);
      if (s.id !== undefined && (typeof s.id !== 'string' || !isUuid(s.id))) {
        fail(at('id'), 'The statement id must be a UUID.');
        return;
      }
      const id = (s.id ?? randomUUID()).toLowerCase();
      if (seen.has(id)) fail(at('id'), 'The same statement id appears twice in this batch.');
      seen.add(id);
      s.id = id;
      s.stored = stored;
      const timestampIsStored = s.timestamp === undefined;
      if (timestampIsStored) s.timestamp = stored;
      if (authority) s.authority = authority;
      if (s.version === undefined) s.version = opts.version === '2.0.0' ? '2.0.0' : '1.0.0';
      out.push({
        data: s,
        statementId: id,
        validated: !!opts.validate_statements,
        voidTarget: voidTarget(s),
        timestampIsStored,
      });
    });
    this.checkAttachmentParts(out, attachments, single, fail);
    if (Object.keys(errors).length) {
      throw new BadRequestException({ message: 'Invalid statement(s).', errors });
    }
    return out;
  }

  /** Every attachment without fileUrl needs its raw part, and every part a statement. */
  private checkAttachmentParts(
    prepared: PreparedStatement[],
    attachments: AttachmentPart[],
    single: boolean,
    fail: (path: string, message: string) => void,
  ): void {
    const given = new Set(attachments.map((a) => a.sha2));
    const used = new Set<string>();
    prepared.forEach((p, i) => {
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
  }

  /**
   * The authority set on every statement: the pipeline's `authority_name` /
   * `authority_homepage` when given, else the recording client, else none (a job
   * recording without one keeps each statement's own, e.g. a pulled authority).
   */
  authority(client: Client | null, opts: PipelineOptions): Record<string, any> | null {
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
}

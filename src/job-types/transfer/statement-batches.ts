import { BadRequestException, ConflictException, HttpException } from '@nestjs/common';
import { LogLevel } from '../../logging/log-entry.entity';
import { sameStatement } from '../../xapi/statements/statement-comparison';
import {
  AttachmentPart,
  RecordOptions,
  StatementRecorder,
} from '../../xapi/statements/statement-recorder.service';
import { RemoteProtocolError, XapiRemote } from './xapi-remote';

export type Log = (level: number, message: string, data?: Record<string, unknown>) => Promise<void>;

/** What a pull or push did, for the feedback line and the `passed` entry. */
export interface TransferCounts {
  /** Sent and acknowledged, a 409 included (push), or newly recorded (pull). */
  moved: number;
  /** Already held by the store, identical (pull). */
  already_present: number;
  /** Refused by the target (400) or invalid for the pipeline; logged with their ids. */
  rejected: number;
  /** Held by the store with other content (pull); logged and skipped. */
  conflicts: number;
  /** Requests tried again after 429/5xx/timeouts/connection errors. */
  retried: number;
}

export function emptyCounts(): TransferCounts {
  return { moved: 0, already_present: 0, rejected: 0, conflicts: 0, retried: 0 };
}

/** The run's one-line feedback: "pushed 10, already present 2, ... (from store a to connection 3 (B))". */
export function transferFeedback(
  verb: 'pushed' | 'pulled',
  c: TransferCounts,
  route: string,
): string {
  return (
    `${verb} ${c.moved}, already present ${c.already_present}, rejected ${c.rejected}, ` +
    `conflicts ${c.conflicts}, retried ${c.retried} (${route})`
  );
}

/** The attachment parts that these statements reference (a remote refuses strays). */
export function partsFor(
  statements: Record<string, any>[],
  parts: AttachmentPart[],
): AttachmentPart[] {
  if (!parts.length) return [];
  const wanted = new Set<string>();
  for (const s of statements) {
    for (const a of Array.isArray(s.attachments) ? s.attachments : []) {
      if (a && typeof a.sha2 === 'string') wanted.add(a.sha2.toLowerCase());
    }
  }
  return parts.filter((p) => wanted.has(p.sha2));
}

function halves<T>(items: T[]): [T[], T[]] {
  const mid = Math.ceil(items.length / 2);
  return [items.slice(0, mid), items.slice(mid)];
}

/**
 * POSTs statements to a remote LRS, in order. A 400/409 (or 413) on a batch splits it
 * in halves until each refused statement stands alone; a lone 409 whose remote copy is
 * the same statement counts as already present, else as a conflict; a lone 400 is
 * rejected. Each refusal is logged with the statement id and the remote's answer.
 * `handled(n)` is called as statements are settled, in order, so that the caller's
 * cursor only passes what the remote acknowledged.
 */
export async function pushIsolating(
  remote: XapiRemote,
  statements: Record<string, any>[],
  parts: AttachmentPart[],
  counts: TransferCounts,
  handled: (n: number) => Promise<void>,
  log: Log,
): Promise<void> {
  if (!statements.length) return;
  const answer = await remote.postStatements(statements, partsFor(statements, parts));
  if (answer.status === 200 || answer.status === 204) {
    counts.moved += statements.length;
    return handled(statements.length);
  }
  if (![400, 409, 413].includes(answer.status)) {
    throw new RemoteProtocolError(
      `${remote.label} answered ${answer.status} to POST statements: ${remote.redact(answer.body.toString('utf8'))}`,
    );
  }
  if (statements.length > 1) {
    const [left, right] = halves(statements);
    await pushIsolating(remote, left, parts, counts, handled, log);
    return pushIsolating(remote, right, parts, counts, handled, log);
  }
  const [statement] = statements;
  const text = remote.redact(answer.body.toString('utf8'));
  if (answer.status === 409) {
    // jobs.md: a statement the remote already has (204/409) counts as pushed; a copy
    // with other content under that id is left as the remote holds it, and said so.
    counts.moved += 1;
    const theirs = await remote.getStatement(statement.id);
    if (!theirs || !sameStatement(theirs, statement)) {
      await log(
        LogLevel.Warning,
        `Statement ${statement.id}: ${remote.label} already holds another copy under this id (409); counted as pushed, the remote copy is kept.`,
        { statement: statement.id, status: 409, answer: text },
      );
    }
    return handled(1);
  }
  counts.rejected += 1;
  await log(
    LogLevel.Warning,
    `Statement ${statement.id} rejected by ${remote.label} (${answer.status}); skipped.`,
    { statement: statement.id, status: answer.status, answer: text },
  );
  return handled(1);
}

function refusal(err: unknown): { status: 400 | 409; message: string } | null {
  if (err instanceof BadRequestException || err instanceof ConflictException) {
    const body = (err as HttpException).getResponse() as {
      message?: string;
      errors?: Record<string, string[]>;
    };
    const detail = body?.errors
      ? Object.entries(body.errors)
          .map(([k, v]) => `${k}: ${v.join(' ')}`)
          .join('; ')
      : '';
    return {
      status: err instanceof ConflictException ? 409 : 400,
      message: `${body?.message ?? err.message}${detail ? ` ${detail}` : ''}`.slice(0, 500),
    };
  }
  return null;
}

/**
 * Records statements through the one pipeline, isolating the ones it refuses: a
 * refused batch is split in halves until each invalid or conflicting statement stands
 * alone; those are logged with their ids and skipped, the rest is recorded.
 * Identical statements already stored count as already present.
 */
export async function recordIsolating(
  recorder: StatementRecorder,
  store: { id: number },
  statements: Record<string, any>[],
  parts: AttachmentPart[],
  options: RecordOptions,
  counts: TransferCounts,
  log: Log,
  origin: string,
): Promise<void> {
  if (!statements.length) return;
  try {
    const result = await recorder.record(
      store,
      null,
      statements,
      options,
      partsFor(statements, parts),
    );
    counts.moved += result.recorded;
    counts.already_present += statements.length - result.recorded;
    return;
  } catch (err) {
    const refused = refusal(err);
    if (!refused) throw err;
    if (statements.length > 1) {
      const [left, right] = halves(statements);
      await recordIsolating(recorder, store, left, parts, options, counts, log, origin);
      return recordIsolating(recorder, store, right, parts, options, counts, log, origin);
    }
    const id = typeof statements[0]?.id === 'string' ? statements[0].id : null;
    if (refused.status === 409) counts.conflicts += 1;
    else counts.rejected += 1;
    await log(
      LogLevel.Warning,
      `Statement ${id ?? '(without id)'} from ${origin} ${refused.status === 409 ? 'conflicts with a stored one' : 'is refused by the pipeline'}; skipped.`,
      { statement: id, status: refused.status, answer: refused.message },
    );
  }
}

import { randomBytes } from 'crypto';
import { setTimeout as sleep } from 'timers/promises';
import { buildMultipart, multipartBoundary, parseMultipart } from '../../xapi/statements/multipart';
import { sha256Hex } from '../../xapi/statements/attachment-writer';
import { AttachmentPart } from '../../xapi/statements/statement-recorder.service';
import { backoffDelayMs, isRetryableStatus, retryAfterMs } from './backoff';
import { TransferSettings } from './transfer-settings';

/** A remote LRS as a job sees it: the connection with its password decrypted (never logged). */
export interface RemoteLrs {
  id: number;
  name: string;
  endpoint: string;
  username: string;
  password: string;
  version: string;
}

/** 401/403: retrying cannot help; the run fails at once naming the connection. */
export class RemoteAuthRefused extends Error {}
/** 429/5xx/timeouts/connection errors on every allowed try. */
export class RemoteUnavailable extends Error {}
/** An answer the job cannot follow (a `more` link off the remote's origin, a bad body). */
export class RemoteProtocolError extends Error {}

export interface RemoteAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface StatementsPage {
  statements: Record<string, any>[];
  more: string;
  attachments: AttachmentPart[];
  /** X-Experience-API-Consistent-Through, when the remote sent one. */
  consistentThrough: string | null;
}

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
  url: string;
}

/**
 * HTTP client of one remote xAPI endpoint: Basic credentials and the connection's
 * version header on every request, bounded retries with exponential backoff and
 * jitter (Retry-After honoured) for 429/5xx/timeouts/connection errors, no redirects
 * followed (they could carry the credentials elsewhere), error texts stripped of
 * the credentials.
 */
export class XapiRemote {
  /** Requests retried so far. */
  retried = 0;
  private readonly base: URL;
  private readonly authorization: string;

  constructor(
    private readonly lrs: RemoteLrs,
    private readonly settings: TransferSettings,
    private readonly signal: AbortSignal,
    private readonly onRetry?: (notice: RetryNotice) => Promise<void>,
  ) {
    this.base = new URL(lrs.endpoint.endsWith('/') ? lrs.endpoint : `${lrs.endpoint}/`);
    this.authorization =
      'Basic ' + Buffer.from(`${lrs.username}:${lrs.password}`).toString('base64');
  }

  /** "connection 3 (Backup LRS)", for messages a person acts on. */
  get label(): string {
    return `connection ${this.lrs.id} (${this.lrs.name})`;
  }

  /** A text from the remote or an error, with the credentials cut out, at most 500 characters. */
  redact(text: string): string {
    let out = text;
    const token = this.authorization.slice('Basic '.length);
    for (const secret of [this.lrs.password, token]) {
      if (secret) out = out.split(secret).join('***');
    }
    return out.slice(0, 500);
  }

  statementsUrl(query: Record<string, string>): string {
    const url = new URL('statements', this.base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** The next page's URL; a `more` that leaves the remote's origin is refused. */
  resolveMore(more: string): string {
    let url: URL;
    try {
      url = new URL(more, this.base);
    } catch {
      throw new RemoteProtocolError(`${this.label} sent a malformed more link.`);
    }
    if (url.origin !== this.base.origin) {
      throw new RemoteProtocolError(
        `${this.label} sent a more link to another origin (${url.origin}); refused, credentials are only sent to ${this.base.origin}.`,
      );
    }
    return url.toString();
  }

  /** POSTs statements (multipart/mixed when attachment parts come along). */
  async postStatements(
    statements: Record<string, any>[],
    parts: AttachmentPart[],
  ): Promise<RemoteAnswer> {
    const url = this.statementsUrl({});
    if (!parts.length) {
      return this.request('POST', url, Buffer.from(JSON.stringify(statements)), 'application/json');
    }
    const boundary = `lrs-jobs-${randomBytes(12).toString('hex')}`;
    const body = buildMultipart(boundary, [
      {
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify(statements)),
      },
      ...parts.map((p) => ({
        headers: {
          'Content-Type': p.contentType,
          'Content-Transfer-Encoding': 'binary',
          'X-Experience-API-Hash': p.sha2,
        },
        body: p.content,
      })),
    ]);
    return this.request('POST', url, body, `multipart/mixed; boundary=${boundary}`);
  }

  /** The remote's copy of one statement (format exact), or null when it has none. */
  async getStatement(id: string): Promise<Record<string, any> | null> {
    const answer = await this.request('GET', this.statementsUrl({ statementId: id }));
    if (answer.status === 404) return null;
    if (answer.status !== 200) return null;
    try {
      return JSON.parse(answer.body.toString('utf8'));
    } catch {
      return null;
    }
  }

  /**
   * One page of a statements query (JSON or multipart/mixed with attachments). `signal`
   * stops a page read ahead that is no longer wanted.
   */
  async getStatementsPage(url: string, signal?: AbortSignal): Promise<StatementsPage> {
    const answer = await this.request('GET', url, undefined, undefined, signal);
    if (answer.status !== 200) {
      throw new RemoteProtocolError(
        `${this.label} answered ${answer.status} to GET statements: ${this.redact(answer.body.toString('utf8'))}`,
      );
    }
    let json: Buffer = answer.body;
    const attachments: AttachmentPart[] = [];
    const boundary = multipartBoundary(answer.headers.get('content-type') ?? undefined);
    if (boundary) {
      const [first, ...rest] = parseMultipart(answer.body, boundary);
      if (!first) throw new RemoteProtocolError(`${this.label} sent an empty multipart page.`);
      json = first.body;
      for (const part of rest) {
        const sha2 = (part.headers['x-experience-api-hash'] ?? sha256Hex(part.body)).toLowerCase();
        attachments.push({
          sha2,
          contentType: part.headers['content-type'] ?? 'application/octet-stream',
          content: part.body,
        });
      }
    }
    let result: { statements?: unknown; more?: unknown };
    try {
      result = JSON.parse(json.toString('utf8'));
    } catch {
      throw new RemoteProtocolError(`${this.label} sent a statements page that is not JSON.`);
    }
    if (!result || !Array.isArray(result.statements)) {
      throw new RemoteProtocolError(`${this.label} sent a page without a statements array.`);
    }
    return {
      statements: result.statements as Record<string, any>[],
      more: typeof result.more === 'string' ? result.more : '',
      attachments,
      consistentThrough: answer.headers.get('x-experience-api-consistent-through'),
    };
  }

  /**
   * One request, tried again on 429/5xx/timeouts/connection errors up to
   * `settings.attempts` times. 401/403 throw RemoteAuthRefused at once; any other
   * status is returned for the caller to read. `stop` ends it early, like the run's signal.
   */
  async request(
    method: string,
    url: string,
    body?: Buffer,
    contentType?: string,
    stop?: AbortSignal,
  ): Promise<RemoteAnswer> {
    const { attempts, baseDelayMs, maxDelayMs, timeoutMs } = this.settings;
    const ended = stop ? AbortSignal.any([this.signal, stop]) : this.signal;
    let last = '';
    for (let attempt = 1; ; attempt++) {
      ended.throwIfAborted();
      let answer: RemoteAnswer | null = null;
      let wait: number | null = null;
      try {
        const signal = AbortSignal.any([ended, AbortSignal.timeout(timeoutMs)]);
        const res = await fetch(url, {
          method,
          body,
          redirect: 'manual',
          signal,
          headers: {
            Authorization: this.authorization,
            'X-Experience-API-Version': this.lrs.version,
            Accept: 'application/json, multipart/mixed',
            ...(contentType ? { 'Content-Type': contentType } : {}),
          },
        });
        answer = {
          status: res.status,
          headers: res.headers,
          body: Buffer.from(await res.arrayBuffer()),
        };
      } catch (err) {
        ended.throwIfAborted();
        last = this.describeFailure(err, timeoutMs);
      }
      if (answer) {
        if (answer.status === 401 || answer.status === 403) {
          throw new RemoteAuthRefused(
            `${this.label} refused the credentials (${answer.status}) on ${method} ${this.path(url)}: check its username and password.`,
          );
        }
        if (!isRetryableStatus(answer.status)) return answer;
        last = `${answer.status} ${this.redact(answer.body.toString('utf8')).slice(0, 200)}`.trim();
        wait = retryAfterMs(answer.headers.get('retry-after'));
      }
      if (attempt >= attempts) {
        throw new RemoteUnavailable(
          `${this.label} still failing after ${attempts} tries of ${method} ${this.path(url)}: ${last}`,
        );
      }
      const delayMs = backoffDelayMs(attempt, {
        baseMs: baseDelayMs,
        maxMs: maxDelayMs,
        retryAfterMs: wait,
      });
      this.retried += 1;
      await this.onRetry?.({ attempt, delayMs, reason: last, url: this.path(url) });
      await sleep(delayMs, undefined, { signal: ended });
    }
  }

  private path(url: string): string {
    const u = new URL(url);
    return u.pathname;
  }

  private describeFailure(err: unknown, timeoutMs: number): string {
    const e = err as { name?: string; message?: string; cause?: { code?: string } };
    if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms (timeout)`;
    const code = e?.cause?.code;
    return this.redact(`connection error${code ? ` ${code}` : ''}: ${e?.message ?? String(err)}`);
  }
}

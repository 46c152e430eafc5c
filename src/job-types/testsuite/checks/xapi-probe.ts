import { isDeepStrictEqual } from 'util';
import { XapiVersion } from '../../../xapi/common/xapi-endpoint';
import { CheckFailed } from './check';
import { RunData } from './run-data';

/** One request as the failure log shows it: never the Authorization header. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ProbeResponse {
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: any;
}

export interface ProbeRequest {
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** A JSON body (Content-Type application/json unless `headers` says otherwise). */
  json?: unknown;
  /** A raw body with its own Content-Type in `headers`. */
  body?: Buffer | string;
  /** `run` (default): the run's credential; `none`: no Authorization; else the header value. */
  auth?: 'run' | 'none' | string;
  /** The X-Experience-API-Version header; null sends none. Default: the run's version. */
  version?: string | null;
}

const REQUEST_TIMEOUT_MS = 20_000;
const EXCERPT = 600;

function excerpt(text: string, max = EXCERPT): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/**
 * What a check works with: HTTP requests to the client's xAPI endpoint with the
 * run's credential, the run's made-up data, and assertions that say what was
 * expected and what came back. The last request is kept for the failure log.
 */
export class XapiProbe {
  lastSent: SentRequest | null = null;

  constructor(
    /** The xAPI endpoint, ending with `/`: e.g. https://lrs.example.org/api/lms/xapi/ */
    readonly endpoint: string,
    /** The run credential's Authorization header value; never logged. */
    readonly authorization: string,
    readonly version: XapiVersion,
    readonly data: RunData,
    readonly signal: AbortSignal,
  ) {}

  /** Basic credentials that belong to no one: for the authentication checks. */
  static basic(username: string, password: string): string {
    return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
  }

  url(resource: string, query: ProbeRequest['query'] = {}): string {
    const u = new URL(resource, this.endpoint);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  async request(method: string, resource: string, req: ProbeRequest = {}): Promise<ProbeResponse> {
    this.signal.throwIfAborted();
    const url = this.url(resource, req.query);
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    const version = req.version === undefined ? this.version : req.version;
    if (version !== null) headers['X-Experience-API-Version'] = version;
    let body: Buffer | string | undefined = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
    }
    this.lastSent = {
      method,
      url: this.redact(url.startsWith(this.endpoint) ? url.slice(this.endpoint.length) : url),
      headers: { ...headers },
      ...(body !== undefined
        ? { body: this.redact(excerpt(Buffer.isBuffer(body) ? body.toString('utf8') : body)) }
        : {}),
    };
    const auth = req.auth ?? 'run';
    if (auth === 'run') headers.Authorization = this.authorization;
    else if (auth !== 'none') headers.Authorization = auth;
    const res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : new Uint8Array(Buffer.from(body)),
      redirect: 'manual',
      // Not the run's signal: a cancel lets the request in flight finish (the run stops
      // before the next one), so that nothing it writes lands after the cleanup.
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    let parsed: any;
    if (/json/i.test(res.headers.get('content-type') ?? '')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: res.status, headers: res.headers, bytes, text, body: parsed };
  }

  /** The credential out of what the failure log shows (the alternate syntax sends it in the body). */
  redact(text: string): string {
    const secret = this.authorization;
    const forms = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ a: secret }).toString().slice(2),
    ];
    return forms.reduce((t, f) => t.split(f).join('[credentials]'), text);
  }

  get(resource: string, query?: ProbeRequest['query'], req: ProbeRequest = {}) {
    return this.request('GET', resource, { ...req, query });
  }

  // ---- statements helpers ----

  /** A valid statement of this run: its own id, actor, verb, activity and registration. */
  statement(overrides: Record<string, any> = {}): Record<string, any> {
    const { context, ...rest } = overrides;
    return {
      id: this.data.statementId(),
      actor: this.data.agent('learner'),
      verb: this.data.verb('experienced'),
      object: { objectType: 'Activity', id: this.data.activity('course') },
      ...rest,
      context: { registration: this.data.registration, ...(context ?? {}) },
    };
  }

  postStatements(body: unknown, req: ProbeRequest = {}) {
    return this.request('POST', 'statements', { ...req, json: body });
  }

  putStatement(statement: Record<string, any>, req: ProbeRequest = {}) {
    return this.request('PUT', 'statements', {
      ...req,
      query: { statementId: statement.id, ...(req.query ?? {}) },
      json: statement,
    });
  }

  /** Stores statements (POST), expecting 200 and their ids back. */
  async store(...statements: Record<string, any>[]): Promise<string[]> {
    const res = await this.postStatements(statements);
    this.status(res, 200);
    this.expect(Array.isArray(res.body), 'an array of statement ids', res.text);
    return res.body;
  }

  /** The statements of a query, under this run's registration unless another is given. */
  async query(query: ProbeRequest['query'] = {}): Promise<Record<string, any>[]> {
    const res = await this.get('statements', { registration: this.data.registration, ...query });
    this.status(res, 200);
    this.expect(
      res.body && Array.isArray(res.body.statements),
      'a StatementResult with a statements array',
      res.text,
    );
    return res.body.statements;
  }

  async fetchStatement(id: string, query: ProbeRequest['query'] = {}) {
    const res = await this.get('statements', { statementId: id, ...query });
    this.status(res, 200);
    return res.body as Record<string, any>;
  }

  // ---- assertions ----

  status(res: ProbeResponse, ...expected: number[]) {
    if (!expected.includes(res.status)) {
      throw new CheckFailed(
        `status ${expected.join(' or ')}`,
        `status ${res.status}${res.text ? `: ${excerpt(res.text, 300)}` : ''}`,
      );
    }
  }

  expect(condition: unknown, expected: string, got: unknown) {
    if (!condition) {
      throw new CheckFailed(
        expected,
        typeof got === 'string' ? excerpt(got) : excerpt(JSON.stringify(got) ?? String(got)),
      );
    }
  }

  equal(actual: unknown, expected: unknown, what: string) {
    if (!isDeepStrictEqual(actual, expected)) {
      throw new CheckFailed(
        `${what} = ${excerpt(JSON.stringify(expected) ?? 'undefined', 300)}`,
        excerpt(JSON.stringify(actual) ?? 'undefined', 300),
      );
    }
  }

  /** The response's Content-Type is this media type (parameters such as charset allowed). */
  contentType(res: ProbeResponse, mediaType: string) {
    const got = res.headers.get('content-type') ?? '';
    this.expect(
      got.toLowerCase().split(';')[0].trim() === mediaType,
      `Content-Type ${mediaType}`,
      got || 'no Content-Type',
    );
  }

  header(res: ProbeResponse, name: string): string {
    const v = res.headers.get(name);
    this.expect(
      v !== null && v !== '',
      `a ${name} header`,
      `no ${name} header (status ${res.status})`,
    );
    return v!;
  }
}

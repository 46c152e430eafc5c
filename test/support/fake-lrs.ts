import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { multipartBoundary, parseMultipart } from '../../src/xapi/statements/multipart';
import { sameStatement } from '../../src/xapi/statements/statement-comparison';

/** A request the fake received. */
export interface FakeRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** POSTed statements (JSON part), when any. */
  statements?: Record<string, any>[];
  /** sha2 of the attachment parts that came along. */
  parts?: string[];
}

/** A scripted answer: status, headers, body; `hang` never answers (a timeout). */
export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  hang?: boolean;
}

/**
 * A small remote LRS for fault tests: it stores POSTed statements by id, answers
 * GET statements (single, or ascending pages with `more`), and before its normal
 * behaviour takes the next scripted answer of the route, so a test can say "500
 * twice, then work", "429 with Retry-After", "hang", "401".
 */
export class FakeLrs {
  readonly requests: FakeRequest[] = [];
  /** Stored statements, in arrival order, with the `stored` the fake gave them. */
  readonly stored = new Map<string, Record<string, any>>();
  /** One-shot answers, consumed in order, for POST and GET statements. */
  readonly script: { POST: FakeAnswer[]; GET: FakeAnswer[] } = { POST: [], GET: [] };
  /** A POST holding one of these ids answers 400 (the whole batch, as an LRS does). */
  readonly invalidIds = new Set<string>();
  /** When true, a POST holding an id already stored answers 409 even when identical. */
  conflictOnExisting = false;
  /** Page size of GET queries. */
  pageSize = 100;
  /** Replace `more` links with this (e.g. another origin). */
  moreOverride: string | null = null;
  /** X-Experience-API-Consistent-Through to send; default: now. */
  consistentThrough: string | null = null;
  /** From this many GETs on (0-based count), every GET answers 500. */
  failGetsFrom: number | null = null;
  /** Each POST is answered after this pause (a slow remote). */
  postDelayMs = 0;
  /** Give POSTed statements this `stored` instead of now. */
  fixedStored: string | null = null;
  private server!: Server;
  origin = '';

  get endpoint(): string {
    return `${this.origin}/xapi/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Statement POSTs received (each with its statement ids). */
  posts(): FakeRequest[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  /** Puts statements in the fake as if stored there, with the given `stored`. */
  seed(statements: Record<string, any>[], stored: string) {
    for (const s of statements) this.stored.set(s.id, { ...s, stored });
  }

  private handle(req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.origin);
    const record: FakeRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
    };
    this.requests.push(record);
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'X-Experience-API-Consistent-Through': this.consistentThrough ?? new Date().toISOString(),
        ...headers,
      });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    if (req.method === 'POST') {
      const { statements, parts } = this.readBody(req, body);
      record.statements = statements;
      record.parts = parts;
    }
    const scripted =
      (req.method === 'POST' || req.method === 'GET') && this.script[req.method].shift();
    const gets = this.requests.filter((r) => r.method === 'GET').length - 1;
    if (req.method === 'GET' && this.failGetsFrom !== null && gets >= this.failGetsFrom) {
      return send(500, { message: 'down' });
    }
    if (scripted) {
      if (scripted.hang) return; // never answers
      return send(
        scripted.status ?? 200,
        scripted.body ?? { message: 'scripted' },
        scripted.headers,
      );
    }
    if (!url.pathname.startsWith('/xapi/statements')) return send(404, { message: 'no route' });
    if (req.method === 'POST') {
      const statements = record.statements ?? [];
      if (!this.postDelayMs) return this.post(statements, send);
      setTimeout(() => this.post(statements, send), this.postDelayMs);
      return;
    }
    if (req.method === 'GET') return this.get(url, send);
    send(405, { message: 'method' });
  }

  private readBody(req: IncomingMessage, body: Buffer) {
    const boundary = multipartBoundary(req.headers['content-type']);
    if (!boundary)
      return { statements: toArray(JSON.parse(body.toString('utf8') || '[]')), parts: [] };
    const [first, ...rest] = parseMultipart(body, boundary);
    return {
      statements: toArray(JSON.parse(first.body.toString('utf8'))),
      parts: rest.map((p) => p.headers['x-experience-api-hash']),
    };
  }

  private post(statements: Record<string, any>[], send: (s: number, p?: unknown) => void) {
    if (statements.some((s) => this.invalidIds.has(s.id))) {
      return send(400, { message: 'statement invalid: result.score.scaled out of range' });
    }
    for (const s of statements) {
      const held = this.stored.get(s.id);
      if (held && (this.conflictOnExisting || !sameStatement(held, s))) {
        return send(409, { message: `statement ${s.id} exists` });
      }
    }
    const stored = this.fixedStored ?? new Date().toISOString();
    for (const s of statements) if (!this.stored.has(s.id)) this.stored.set(s.id, { ...s, stored });
    send(
      200,
      statements.map((s) => s.id),
    );
  }

  private get(url: URL, send: (s: number, p?: unknown) => void) {
    const id = url.searchParams.get('statementId');
    if (id) {
      const s = this.stored.get(id);
      return s ? send(200, s) : send(404, { message: 'no such statement' });
    }
    const since = url.searchParams.get('since');
    const until = url.searchParams.get('until');
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const all = [...this.stored.values()]
      .filter((s) => !since || Date.parse(s.stored) > Date.parse(since))
      .filter((s) => !until || Date.parse(s.stored) <= Date.parse(until))
      .sort((a, b) => Date.parse(a.stored) - Date.parse(b.stored));
    const page = all.slice(offset, offset + this.pageSize);
    let more = '';
    if (offset + this.pageSize < all.length) {
      const next = new URL(url.toString());
      next.searchParams.set('offset', String(offset + this.pageSize));
      more = this.moreOverride ?? `${next.pathname}${next.search}`;
    }
    send(200, { statements: page, more });
  }
}

function toArray(v: unknown): Record<string, any>[] {
  return (Array.isArray(v) ? v : [v]) as Record<string, any>[];
}

import { AppConfig } from '../../config/app-config';
import { parseBoundedJson } from '../../common/json-limits';
import {
  BadRequestException,
  PayloadTooLargeException,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import { randomBytes } from 'crypto';
import { Request, Response } from 'express';
import { Permissions } from '../../access/permissions';
import { CurrentPrincipal, Principal } from '../../access/principal';
import { agentVid } from '../agents/agent-identifier';
import { XapiEndpoint, XapiVersion } from '../common/xapi-endpoint';
import { buildMultipart, multipartBoundary, parseMultipart } from './multipart';
import { acceptedLanguages, formatStatement, StatementFormat } from './statement-formats';
import {
  decodeCursor,
  encodeCursor,
  StatementFilters,
  StatementQueryService,
} from './statement-query.service';
import { isUuid, VOIDED_VERB } from '../validation/xapi-formats';
import { sha256Hex } from './attachment-writer';
import { AttachmentPart } from './statement-preparer';
import { StatementRecorder } from './statement-recorder.service';

type XapiRequest = Request & { xapiVersion: XapiVersion; rawBody?: Buffer };

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const QUERY_PARAMS = new Set([
  'agent',
  'verb',
  'activity',
  'registration',
  'related_activities',
  'related_agents',
  'since',
  'until',
  'limit',
  'format',
  'attachments',
  'ascending',
  'cursor',
]);
const SINGLE_PARAMS = new Set(['statementId', 'voidedStatementId', 'format', 'attachments']);

function one(q: unknown, name: string): string | undefined {
  if (q === undefined) return undefined;
  if (typeof q !== 'string')
    throw new BadRequestException(`Parameter ${name} given more than once.`);
  return q;
}

function bool(q: unknown, name: string): boolean {
  const v = one(q, name);
  if (v === undefined) return false;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new BadRequestException(`Parameter ${name} must be true or false.`);
}

function timestamp(q: unknown, name: string): Date | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (!/^\d{4}-\d\d-\d\dT/.test(v) || isNaN(d.getTime())) {
    throw new BadRequestException(`Parameter ${name} must be an ISO 8601 timestamp.`);
  }
  return d;
}

/**
 * The xAPI statements resource: PUT, POST, GET (single or query, with `more`
 * keyset paging), HEAD, attachments in multipart/mixed.
 */
@XapiEndpoint('statements')
export class StatementsController {
  constructor(
    private readonly recorder: StatementRecorder,
    private readonly query: StatementQueryService,
    private readonly config: AppConfig,
  ) {}

  @Put()
  @HttpCode(204)
  @Permissions('xapi/statements/write')
  @ApiOperation({ summary: 'Store one statement under the given statementId' })
  @ApiQuery({ name: 'statementId', required: true })
  async put(
    @CurrentPrincipal() p: Principal,
    @Req() req: XapiRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    this.consistentThrough(res);
    const id = one(req.query.statementId, 'statementId');
    if (!id || !isUuid(id)) throw new BadRequestException('statementId must be a UUID.');
    const { statements, attachments } = this.readBody(req);
    if (statements.length !== 1 || Array.isArray(req.body)) {
      throw new BadRequestException('PUT takes exactly one statement.');
    }
    const s = statements[0] as Record<string, any>;
    if (
      s &&
      typeof s === 'object' &&
      s.id !== undefined &&
      String(s.id).toLowerCase() !== id.toLowerCase()
    ) {
      throw new BadRequestException('The statement id differs from statementId.');
    }
    const withId = s && typeof s === 'object' ? { ...s, id } : s;
    await this.checkRestrictedActor(p, [withId]);
    await this.recorder.record(
      p.store,
      p.client,
      [withId],
      { version: req.xapiVersion },
      attachments,
    );
  }

  @Post()
  @HttpCode(200)
  @Permissions('xapi/statements/write')
  @ApiOperation({ summary: 'Store one statement or an array of statements; answers their ids' })
  async post(
    @CurrentPrincipal() p: Principal,
    @Req() req: XapiRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string[]> {
    this.consistentThrough(res);
    const { statements, attachments } = this.readBody(req);
    if (!statements.length) throw new BadRequestException('No statement in the request body.');
    const max = this.config.maxStatementsPerRequest;
    if (statements.length > max) {
      // One request is one transaction: on the embedded database nothing else runs meanwhile.
      throw new PayloadTooLargeException(
        `At most ${max} statements per request (STATEMENTS_MAX_PER_REQUEST); this one has ${statements.length}: send them in several requests.`,
      );
    }
    await this.checkRestrictedActor(p, statements);
    const { ids } = await this.recorder.record(
      p.store,
      p.client,
      statements,
      { version: req.xapiVersion },
      attachments,
    );
    return ids;
  }

  @Get()
  @Permissions('xapi/statements/read/mine')
  @ApiOperation({ summary: 'One statement (statementId, voidedStatementId) or a page of them' })
  async get(
    @CurrentPrincipal() p: Principal,
    @Req() req: XapiRequest,
    @Res() res: Response,
  ): Promise<void> {
    const through = this.consistentThrough(res);
    const q = req.query;
    const format = (one(q.format, 'format') ?? 'exact') as StatementFormat;
    if (!['ids', 'exact', 'canonical'].includes(format)) {
      throw new BadRequestException('format must be ids, exact or canonical.');
    }
    const withAttachments = bool(q.attachments, 'attachments');
    const languages = acceptedLanguages(req.headers['accept-language']);
    const mine = !p.permissions.has('xapi/statements/read');
    const actorVid = p.agent ? (agentVid(p.agent) ?? '-') : undefined;

    if (q.statementId !== undefined || q.voidedStatementId !== undefined) {
      for (const k of Object.keys(q)) {
        if (!SINGLE_PARAMS.has(k))
          throw new BadRequestException(`Parameter ${k} is not allowed with a statement id.`);
      }
      if (q.statementId !== undefined && q.voidedStatementId !== undefined) {
        throw new BadRequestException('Use statementId or voidedStatementId, not both.');
      }
      const voided = q.voidedStatementId !== undefined;
      const id = one(voided ? q.voidedStatementId : q.statementId, 'statementId') ?? '';
      if (!isUuid(id)) throw new BadRequestException('The statement id must be a UUID.');
      const row = await this.query.findOne(p.store.id, id);
      const visible =
        row &&
        row.voided === voided &&
        (!mine || row.clientId === p.client.id) &&
        (!actorVid || agentVid(row.data.actor) === actorVid);
      if (!visible) throw new NotFoundException('No such statement.');
      res.setHeader('Last-Modified', row.stored.toUTCString());
      const body = JSON.stringify(formatStatement(row.data, format, languages));
      await this.send(req, res, body, withAttachments ? [row.id] : null);
      return;
    }

    for (const k of Object.keys(q)) {
      if (!QUERY_PARAMS.has(k)) throw new BadRequestException(`Unknown parameter ${k}.`);
    }
    const filters = this.filters(q);
    if (mine) filters.clientId = p.client.id;
    if (actorVid) filters.actorVid = actorVid;
    const limitRaw = one(q.limit, 'limit');
    let limit = limitRaw === undefined ? DEFAULT_LIMIT : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 0) {
      throw new BadRequestException('limit must be a non-negative integer.');
    }
    if (limit === 0 || limit > MAX_LIMIT) limit = MAX_LIMIT;
    const rawCursor = one(q.cursor, 'cursor');
    const cursor = rawCursor
      ? decodeCursor(rawCursor)
      : { after: null, bound: await this.query.currentBound(p.store.id) };
    if (!cursor) throw new BadRequestException('Malformed cursor.');
    const page = await this.query.page(p.store.id, filters, limit, cursor);
    let more = '';
    if (page.next) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) if (k !== 'cursor') params.set(k, String(v));
      params.set('cursor', encodeCursor(page.next));
      more = `${req.originalUrl.split('?')[0]}?${params.toString()}`;
    }
    const newest = page.rows.reduce<Date | null>(
      (m, r) => (!m || r.stored > m ? r.stored : m),
      null,
    );
    res.setHeader('Last-Modified', (newest ?? through).toUTCString());
    // The exact format is the statement as stored: its JSON text goes out as read.
    const statements = page.rows.map((r) =>
      format === 'exact'
        ? r.json
        : JSON.stringify(formatStatement(JSON.parse(r.json), format, languages)),
    );
    const body = `{"statements":[${statements.join(',')}],"more":${JSON.stringify(more)}}`;
    await this.send(req, res, body, withAttachments ? page.rows.map((r) => r.id) : null);
  }

  private filters(q: Request['query']): StatementFilters {
    const f: StatementFilters = {};
    const agent = one(q.agent, 'agent');
    if (agent !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(agent);
      } catch {
        throw new BadRequestException('agent must be a JSON Agent or Group object.');
      }
      const vid = agentVid(parsed);
      if (!vid) throw new BadRequestException('agent must have exactly one identifier.');
      f.agentVid = vid;
    }
    f.verb = one(q.verb, 'verb');
    f.activity = one(q.activity, 'activity');
    const registration = one(q.registration, 'registration');
    if (registration !== undefined && !isUuid(registration)) {
      throw new BadRequestException('registration must be a UUID.');
    }
    f.registration = registration;
    f.relatedActivities = bool(q.related_activities, 'related_activities');
    f.relatedAgents = bool(q.related_agents, 'related_agents');
    f.since = timestamp(q.since, 'since');
    f.until = timestamp(q.until, 'until');
    f.ascending = bool(q.ascending, 'ascending');
    return f;
  }

  /** Statements (and attachment parts) from a JSON or multipart/mixed body. */
  private readBody(req: XapiRequest): { statements: unknown[]; attachments: AttachmentPart[] } {
    const boundary = multipartBoundary(req.headers['content-type']);
    if (!boundary) {
      if (Buffer.isBuffer(req.body) || req.body === undefined) {
        throw new BadRequestException(
          'Statements must be sent as application/json or multipart/mixed.',
        );
      }
      return { statements: Array.isArray(req.body) ? req.body : [req.body], attachments: [] };
    }
    if (!Buffer.isBuffer(req.body)) throw new BadRequestException('Empty multipart body.');
    let parts;
    try {
      parts = parseMultipart(req.body, boundary);
    } catch (e) {
      throw new BadRequestException(`Malformed multipart/mixed body: ${(e as Error).message}.`);
    }
    const [first, ...rest] = parts;
    if (!first || !/^application\/json\b/i.test(first.headers['content-type'] ?? '')) {
      throw new BadRequestException('The first part must be the statements as application/json.');
    }
    let body: unknown;
    try {
      body = parseBoundedJson(first.body);
    } catch (e) {
      if (e instanceof BadRequestException) throw e;
      throw new BadRequestException('The statements part is not valid JSON.');
    }
    (req as any).body = body;
    const attachments = rest.map((part, i) => {
      if ((part.headers['content-transfer-encoding'] ?? '').toLowerCase() !== 'binary') {
        throw new BadRequestException(
          `Part ${i + 2} needs the header Content-Transfer-Encoding: binary.`,
        );
      }
      const sha2 = part.headers['x-experience-api-hash'];
      if (!sha2)
        throw new BadRequestException(`Part ${i + 2} has no X-Experience-API-Hash header.`);
      if (sha256Hex(part.body) !== sha2.toLowerCase()) {
        throw new BadRequestException(
          `Part ${i + 2}: content does not match its X-Experience-API-Hash.`,
        );
      }
      return {
        sha2: sha2.toLowerCase(),
        contentType: part.headers['content-type'] ?? 'application/octet-stream',
        content: part.body,
      };
    });
    return { statements: Array.isArray(body) ? body : [body], attachments };
  }

  /**
   * Restricted credentials (cmi5 tokens) may only write their own agent's statements, and
   * void only those: a voiding statement's target must be one of this batch or a stored
   * statement of that agent (not one still to come, which could be another learner's).
   */
  private async checkRestrictedActor(p: Principal, statements: unknown[]) {
    if (!p.agent) return;
    const vid = agentVid(p.agent);
    for (const s of statements) {
      if (!vid || agentVid((s as any)?.actor) !== vid) {
        throw new ForbiddenException(
          'These credentials may only record statements of their own agent.',
        );
      }
    }
    const inBatch = new Set(statements.map((s) => String((s as any)?.id ?? '').toLowerCase()));
    for (const s of statements as any[]) {
      if (s?.verb?.id !== VOIDED_VERB || s?.object?.objectType !== 'StatementRef') continue;
      const target = String(s.object.id ?? '').toLowerCase();
      if (inBatch.has(target)) continue;
      const row = isUuid(target) ? await this.query.findOne(p.store.id, target) : null;
      if (!row || agentVid(row.data.actor) !== vid) {
        throw new ForbiddenException(
          'These credentials may only void statements of their own agent.',
        );
      }
    }
  }

  private consistentThrough(res: Response): Date {
    const now = new Date();
    res.setHeader('X-Experience-API-Consistent-Through', now.toISOString());
    return now;
  }

  /**
   * JSON text, or with `attachments=true` multipart/mixed: the JSON part, then each
   * attachment of these statement rows. A page's body is one string written once (no
   * ETag over it); a request whose If-Modified-Since covers Last-Modified gets a 304.
   */
  private async send(req: Request, res: Response, json: string, rowIds: number[] | null) {
    if (!rowIds) {
      if (req.fresh) {
        res.status(304).end();
        return;
      }
      const body = Buffer.from(json);
      res.status(200).setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', body.length);
      res.end(body);
      return;
    }
    const files = await this.query.attachments(rowIds);
    const boundary = `xapi-${randomBytes(12).toString('hex')}`;
    const parts = [
      { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(json) },
      ...[...files].map(([sha2, f]) => ({
        headers: {
          'Content-Type': f.contentType,
          'Content-Transfer-Encoding': 'binary',
          'X-Experience-API-Hash': sha2,
        },
        body: f.content,
      })),
    ];
    res.status(200).setHeader('Content-Type', `multipart/mixed; boundary=${boundary}`);
    res.send(buildMultipart(boundary, parts));
  }
}

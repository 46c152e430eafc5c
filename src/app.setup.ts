import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { NextFunction, raw, Request, Response } from 'express';
import { ClientAuthGuard } from './access/client-auth.guard';
import { PUBLIC_ORIGIN_KEY } from './access/request-origin';
import { StrictQueryInterceptor } from './common/strict-query.interceptor';
import { jsonBody } from './common/json-body';
import { AppConfig } from './config/app-config';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { InputValidationPipe } from './common/input-validation.pipe';
import { addJobTypesToDocument, jobTypeModels } from './jobs/jobs-openapi';
import { JobTypeRegistry } from './jobs/job-type.registry';
import { SystemLogService } from './logging/system-log.service';

/** Bodies of the xAPI routes (statements with attachments), read only once authenticated. */
export const BODY_LIMIT = '50mb';
/** Admin, jobs and cmi5 token routes: small JSON definitions. */
export const ADMIN_BODY_LIMIT = '1mb';
/** Everything else (health, docs, unknown routes): nothing worth reading. */
export const OTHER_BODY_LIMIT = '16kb';
/** An xAPI body larger than this (or of unknown length) is read only after authentication. */
export const PREAUTH_BODY_BYTES = 64 * 1024;

const XAPI_ROUTE = /^\/api\/([^/]+)\/xapi\//;
const CMI5_FETCH_ROUTE = /^\/api\/[^/]+\/cmi5\/fetch(\/[^/]*)?\/?$/;
const CLIENT_ROUTE = /^\/api\/([^/]+)\//;

/** `cmi5Fetch`: an AU's POST to its fetch URL, whose body (any type) is read and ignored. */
type BodyArea = 'xapi' | 'admin' | 'cmi5Fetch' | 'other';

export function bodyArea(path: string): BodyArea {
  if (XAPI_ROUTE.test(path)) return 'xapi';
  if (CMI5_FETCH_ROUTE.test(path)) return 'cmi5Fetch';
  if (CLIENT_ROUTE.test(path)) return 'admin';
  return 'other';
}

/** Express error for the exception filter: status kept, message shown. */
function httpError(status: number, message: string) {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true });
}

/** Everything main.ts and the e2e tests share: body parsing, validation, errors, Swagger. */
export function configureApp(app: INestApplication): INestApplication {
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  const config = app.get(AppConfig, { strict: false });
  // X-Forwarded-* believed only from configured proxies (TRUST_PROXY).
  express.set('trust proxy', config?.trustProxy ?? false);
  // JSON bodies parsed (any JSON value, UTF-8, bounded nesting); every other type kept
  // raw for the xAPI resources. Each area has its own size limit.
  const parsers = (limit: string) => ({
    json: jsonBody(limit),
    raw: raw({ limit, type: () => true }),
  });
  const ignored = raw({ limit: OTHER_BODY_LIMIT, type: () => true });
  const byArea: Record<BodyArea, ReturnType<typeof parsers>> = {
    xapi: parsers(BODY_LIMIT),
    admin: parsers(ADMIN_BODY_LIMIT),
    // Read (bounded) but never parsed: a cmi5 AU's fetch answers whatever it sends.
    cmi5Fetch: { json: (_req, _res, next) => next(), raw: ignored },
    other: parsers(OTHER_BODY_LIMIT),
  };
  const guard = app.get(ClientAuthGuard, { strict: false });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (config?.publicUrl)
      (req as unknown as Record<string, unknown>)[PUBLIC_ORIGIN_KEY] = config.publicUrl;
    const area = bodyArea(req.path);
    const parse = () =>
      byArea[area].json(req, res, (err?: unknown) =>
        err ? next(err) : byArea[area].raw(req, res, next),
      );
    // Large xAPI bodies are read only for a client that authenticates first.
    const length = Number(req.headers['content-length'] ?? NaN);
    const large = Number.isNaN(length)
      ? req.headers['transfer-encoding'] !== undefined
      : length > PREAUTH_BODY_BYTES;
    if (area !== 'xapi' || !large || !guard) return parse();
    guard
      .authenticateRequest(req, XAPI_ROUTE.exec(req.path)![1])
      .then(() => parse())
      .catch((err: unknown) => {
        res.setHeader('Connection', 'close');
        next(err);
      });
  });
  // Admin and jobs routes take JSON only: any other body is a 415, not a 422 about fields.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (bodyArea(req.path) === 'admin' && Buffer.isBuffer(req.body) && req.body.length > 0) {
      return next(httpError(415, 'Send JSON (Content-Type: application/json).'));
    }
    next();
  });
  app.useGlobalPipes(new InputValidationPipe());
  app.useGlobalInterceptors(new StrictQueryInterceptor());
  app.useGlobalFilters(new AllExceptionsFilter(app.get(SystemLogService)));
  app.enableShutdownHooks();
  // Browser-launched content (cmi5, xAPI activities) calls the LRS from other origins.
  app.enableCors({
    origin: true,
    methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'X-Experience-API-Version',
      'If-Match',
      'If-None-Match',
      'Accept-Language',
    ],
    exposedHeaders: [
      'ETag',
      'Last-Modified',
      'X-Experience-API-Version',
      'X-Experience-API-Consistent-Through',
    ],
    maxAge: 600,
  });

  const doc = new DocumentBuilder()
    .setTitle('lrs-jobs')
    .setDescription(
      'xAPI Learning Record Store with a Jobs API. Every route under /api/{client} needs HTTP Basic ' +
        'credentials of that client.',
    )
    .setVersion('0.1.0')
    .addBasicAuth()
    .build();
  // Each job type gets its own routes and POST body, from the registry of types.
  const jobTypes = app.get(JobTypeRegistry, { strict: false });
  const document = SwaggerModule.createDocument(app, doc, {
    extraModels: jobTypeModels(jobTypes),
  });
  addJobTypesToDocument(document, jobTypes);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

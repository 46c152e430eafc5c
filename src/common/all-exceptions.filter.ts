import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { Request, Response } from 'express';
import { SystemLogService } from '../logging/system-log.service';
import { LogLevel } from '../logging/log-entry.entity';
import { isDatabaseUnavailable } from './db-errors';

/** Seconds a client is told to wait when the database could not be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * One error shape for the whole API: `{"message", "errors"?}`. Body-parser
 * failures become 400/413, a database that cannot be reached (or lost the connection)
 * a 503 with Retry-After, anything unexpected a 500; both are logged with their cause
 * and never leak a stack trace.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly logs?: SystemLogService) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    if (res.headersSent) return;
    const { status, body, headers } = this.describe(exception);
    if (status >= 500) {
      const cause =
        exception instanceof Error ? exception.stack || exception.message : String(exception);
      this.logger.error(`${req.method} ${req.originalUrl} -> ${status}: ${cause}`);
      void this.logs
        ?.log({
          level: LogLevel.Error,
          type: 'exception',
          message: `${req.method} ${req.path}: ${exception instanceof Error ? exception.message : String(exception)}`,
          data: { status },
        })
        .catch(() => undefined);
    } else if (status !== 401 && (status !== 404 || this.principalOf(req))) {
      // A refused request, for the operator: which route, why, which fields (never values).
      // 401s are logged by the auth guard. A 404 is logged (debug) only for a client that
      // authenticated: one without credentials on an unknown route is a scanner's.
      const principal = this.principalOf(req);
      const errors = body.errors && typeof body.errors === 'object' ? Object.keys(body.errors) : [];
      void this.logs
        ?.log({
          level: status === 404 ? LogLevel.Debug : LogLevel.Notice,
          type: req.path.includes('/xapi/') ? 'xapi' : 'api',
          store: principal?.store?.id ?? null,
          message: `${req.method} ${req.path} -> ${status}: ${String(body.message).slice(0, 500)}`,
          data: { status, ...(errors.length ? { fields: errors.slice(0, 50) } : {}) },
        })
        .catch(() => undefined);
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).json(body);
  }

  private principalOf(req: unknown): { store?: { id: number } } | undefined {
    return (req as { principal?: { store?: { id: number } } }).principal;
  }

  private describe(exception: unknown): {
    status: number;
    body: Record<string, unknown>;
    headers: Record<string, string>;
  } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const headers = ((exception as any).headers as Record<string, string>) ?? {};
      if (typeof response === 'string') return { status, body: { message: response }, headers };
      const r = response as Record<string, unknown>;
      const message = Array.isArray(r.message)
        ? r.message.join('; ')
        : (r.message ?? exception.message);
      const body: Record<string, unknown> = { ...r, message };
      delete body.statusCode;
      delete body.error;
      return { status, body, headers };
    }
    const e = exception as {
      type?: string;
      status?: number;
      statusCode?: number;
      message?: string;
    };
    if (e && e.type === 'entity.parse.failed') {
      return { status: 400, body: { message: `Malformed JSON body: ${e.message}` }, headers: {} };
    }
    if (e && e.type === 'entity.too.large') {
      return { status: 413, body: { message: 'Request body too large.' }, headers: {} };
    }
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { status, body: { message: e.message || 'Bad request.' }, headers: {} };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        status: 503,
        body: { message: 'The database is unavailable; retry the request.' },
        headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
      };
    }
    return { status: 500, body: { message: 'Internal server error.' }, headers: {} };
  }
}

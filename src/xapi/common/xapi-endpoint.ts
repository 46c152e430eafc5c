import {
  applyDecorators,
  BadRequestException,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { ClientEndpoint } from '../../access/client-auth.guard';

export type XapiVersion = '1.0.3' | '2.0.0';

/** The version a request asked for, from its X-Experience-API-Version header. */
export function requestXapiVersion(req: Request): XapiVersion | null {
  const raw = String(req.headers['x-experience-api-version'] ?? '').trim();
  if (/^1\.0(\.\d+)?$/.test(raw)) return '1.0.3';
  if (/^2\.0(\.\d+)?$/.test(raw)) return '2.0.0';
  return null;
}

/**
 * The X-Experience-API-Version of a response to a request that names no supported
 * version. A request without the header is a pre-1.0 (0.9) request, which this LRS
 * does not serve: the rejection says 0.9, as both the 1.0.3 and the 2.0.0 conformance
 * suites accept for that case. A request naming another version gets 1.0.3.
 */
export function fallbackResponseVersion(req: Request): string {
  return String(req.headers['x-experience-api-version'] ?? '').trim() ? '1.0.3' : '0.9';
}

/**
 * Every xAPI request names a supported version (1.0.x or 2.0.x), else 400;
 * every response carries the version it answers with.
 */
@Injectable()
export class XapiVersionInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    const req = context.switchToHttp().getRequest<Request & { xapiVersion?: XapiVersion }>();
    const res = context.switchToHttp().getResponse<Response>();
    const version = requestXapiVersion(req);
    res.setHeader('X-Experience-API-Version', version ?? fallbackResponseVersion(req));
    if (!version) {
      throw new BadRequestException(
        'X-Experience-API-Version header missing or unsupported: use 1.0.x or 2.0.x.',
      );
    }
    req.xapiVersion = version;
    return next.handle();
  }
}

/** A controller of the xAPI side: `/api/<client>/xapi/<path>`, Basic auth, version header. */
export function XapiEndpoint(path: string, tag = 'xAPI') {
  return applyDecorators(
    ClientEndpoint(`xapi/${path}`, tag),
    UseInterceptors(XapiVersionInterceptor),
    ApiHeader({ name: 'X-Experience-API-Version', required: true, example: '1.0.3' }),
  );
}

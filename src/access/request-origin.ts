import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Request } from 'express';

/** Where configureApp puts PUBLIC_URL on each request. */
export const PUBLIC_ORIGIN_KEY = 'lrsPublicOrigin';

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * `<protocol>://<host>` clients see: PUBLIC_URL when configured, else the request's
 * own (X-Forwarded-* believed only from TRUST_PROXY addresses; a malformed Host is
 * not reflected).
 */
export function requestOrigin(req: Request): string {
  const configured = (req as unknown as Record<string, unknown>)[PUBLIC_ORIGIN_KEY];
  if (typeof configured === 'string') return configured;
  const host = req.get('host') ?? '';
  const protocol = req.protocol === 'https' ? 'https' : 'http';
  return `${protocol}://${HOST.test(host) ? host : 'localhost'}`;
}

export const RequestOrigin = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  requestOrigin(ctx.switchToHttp().getRequest<Request>()),
);

import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Request } from 'express';

/** `<protocol>://<host>` of the request (X-Forwarded-* honoured: trust proxy is on). */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

export const RequestOrigin = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  requestOrigin(ctx.switchToHttp().getRequest<Request>()),
);

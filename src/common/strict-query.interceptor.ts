import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Request } from 'express';
import { validatedFields } from './dto-fields';
import { FieldErrors } from './errors';

const CLIENT_ROUTE = /^\/api\/[^/]+\//;
const XAPI_ROUTE = /^\/api\/[^/]+\/xapi\//;

/**
 * Admin and jobs routes take only the query parameters their handler declares
 * (`@Query() dto` or `@Query('name')`), each once: anything else is a 400 naming it,
 * so that a typo or `store[]=` on a DELETE cannot widen it to every record. The xAPI
 * routes check their own parameters.
 */
@Injectable()
export class StrictQueryInterceptor implements NestInterceptor {
  private readonly allowedByHandler = new WeakMap<object, Set<string>>();

  intercept(context: ExecutionContext, next: CallHandler) {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    if (!CLIENT_ROUTE.test(req.path) || XAPI_ROUTE.test(req.path)) return next.handle();
    const allowed = this.allowed(context.getClass(), context.getHandler());
    const query = req.originalUrl.includes('?') ? req.originalUrl.split('?')[1] : '';
    const errors: FieldErrors = Object.create(null);
    const seen = new Set<string>();
    for (const name of new URLSearchParams(query).keys()) {
      const shown = name.slice(0, 100);
      if (!allowed.has(name)) errors[shown] = ['is an unknown query parameter here'];
      else if (seen.has(name)) errors[shown] = ['must be given once'];
      seen.add(name);
    }
    const names = Object.keys(errors);
    if (names.length) {
      throw new BadRequestException({
        message: `Unknown or repeated query parameters: ${names.slice(0, 20).join(', ')}.`,
        errors: { ...errors },
      });
    }
    return next.handle();
  }

  private allowed(controller: new (...args: any[]) => unknown, handler: object): Set<string> {
    let names = this.allowedByHandler.get(handler);
    if (names) return names;
    names = new Set<string>();
    const method = (handler as { name: string }).name;
    const args: Record<string, { index: number; data?: unknown }> =
      Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
    const types: unknown[] =
      Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? [];
    for (const [key, arg] of Object.entries(args)) {
      if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY) continue;
      if (typeof arg.data === 'string') {
        names.add(arg.data);
        continue;
      }
      const dto = types[arg.index];
      if (typeof dto !== 'function') continue;
      for (const name of validatedFields(dto as new () => unknown)) names.add(name);
    }
    this.allowedByHandler.set(handler, names);
    return names;
  }
}

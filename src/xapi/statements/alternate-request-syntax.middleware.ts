import { BadRequestException, Injectable, NestMiddleware } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];
const HEADERS = [
  'authorization',
  'x-experience-api-version',
  'content-type',
  'if-match',
  'if-none-match',
];

/**
 * xAPI "alternate request syntax" (xAPI-Communication 1.3): `POST <resource>?method=GET`
 * with a form body carrying the headers, the parameters and `content`. The request
 * is rewritten into the one it stands for before routing, auth and handlers.
 */
@Injectable()
export class AlternateRequestSyntaxMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction) {
    const [path, query = ''] = req.url.split('?');
    const params = new URLSearchParams(query);
    const method = params.get('method');
    if (req.method !== 'POST' || method === null) return next();
    if ([...params.keys()].some((k) => k !== 'method')) {
      throw new BadRequestException(
        'With the alternate request syntax, method is the only query parameter.',
      );
    }
    if (!METHODS.includes(method.toUpperCase())) {
      throw new BadRequestException(
        `Unsupported method "${method}" in the alternate request syntax.`,
      );
    }
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
      throw new BadRequestException(
        'The alternate request syntax needs an application/x-www-form-urlencoded body.',
      );
    }
    const form = new URLSearchParams(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    const rest = new URLSearchParams();
    let content: string | null = null;
    const headers: Record<string, string> = {};
    for (const [key, value] of form) {
      const lower = key.toLowerCase();
      if (lower === 'content') content = value;
      else if (HEADERS.includes(lower)) headers[lower] = value;
      else rest.append(key, value);
    }
    for (const h of HEADERS) delete req.headers[h];
    Object.assign(req.headers, headers);
    req.method = method.toUpperCase();
    req.url = rest.size ? `${path}?${rest.toString()}` : path;
    const type = headers['content-type'] ?? 'application/json';
    if (content === null) (req as any).body = undefined;
    else if (/^application\/(.+\+)?json\b/i.test(type)) {
      try {
        (req as any).body = JSON.parse(content);
      } catch {
        throw new BadRequestException('The content field is not valid JSON.');
      }
      (req as any).rawBody = Buffer.from(content);
    } else (req as any).body = Buffer.from(content);
    next();
  }
}

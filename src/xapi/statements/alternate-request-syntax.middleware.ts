import { parseBoundedJson } from '../../common/json-limits';
import { BadRequestException, Injectable, NestMiddleware } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { fallbackResponseVersion, requestXapiVersion } from '../common/xapi-endpoint';

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];
/** Form parameters that stand for headers (xAPI-Communication 1.3). */
const HEADERS = [
  'authorization',
  'x-experience-api-version',
  'content-type',
  'content-length',
  'if-match',
  'if-none-match',
];
/**
 * A well-formed application/x-www-form-urlencoded body: name[=value] pairs joined
 * by `&`, only unreserved characters, `+` and %XX escapes.
 */
const URL_ENCODED = /^(?:[A-Za-z0-9*\-._~+%]+(?:=[A-Za-z0-9*\-._~+%!'()]*)?(?:&|$))*$/;

/**
 * xAPI "alternate request syntax" (xAPI-Communication 1.3, 1.0.x only):
 * `POST <resource>?method=GET` with a form body carrying headers, parameters and
 * `content`. The request is rewritten into the one it stands for before routing,
 * auth and handlers: form headers replace the request's, `content` becomes the
 * body, other form fields the query. Any other use of `?method=` is a 400, and
 * so is the syntax in xAPI 2.0, which dropped it.
 */
@Injectable()
export class AlternateRequestSyntaxMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction) {
    const [path, query = ''] = req.url.split('?');
    const params = new URLSearchParams(query);
    const method = params.get('method');
    if (method === null) return next();
    const fail = (message: string) => {
      res.setHeader(
        'X-Experience-API-Version',
        requestXapiVersion(req) ?? fallbackResponseVersion(req),
      );
      return new BadRequestException(message);
    };
    if (req.method !== 'POST') {
      throw fail('The alternate request syntax (method parameter) is only for POST requests.');
    }
    if ([...params.keys()].some((k) => k !== 'method')) {
      throw fail('With the alternate request syntax, method is the only query parameter.');
    }
    if (!METHODS.includes(method.toUpperCase())) {
      throw fail(`Unsupported method "${method}" in the alternate request syntax.`);
    }
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
      throw fail('The alternate request syntax needs an application/x-www-form-urlencoded body.');
    }
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8').trim() : '';
    if (!URL_ENCODED.test(raw)) {
      throw fail('The body of an alternate request is not application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(raw);
    const rest = new URLSearchParams();
    let content: string | null = null;
    const headers: Record<string, string> = {};
    for (const [key, value] of form) {
      const lower = key.toLowerCase();
      if (lower === 'content') content = value;
      else if (HEADERS.includes(lower)) headers[lower] = value;
      else rest.append(key, value);
    }
    // Form fields win over the request's own headers; the form's content type was the envelope.
    delete req.headers['content-type'];
    delete req.headers['content-length'];
    Object.assign(req.headers, headers);
    if (requestXapiVersion(req) === '2.0.0') {
      throw fail('xAPI 2.0 has no alternate request syntax: send the request itself.');
    }
    req.method = method.toUpperCase();
    req.url = rest.size ? `${path}?${rest.toString()}` : path;
    const type = headers['content-type'] ?? 'application/json';
    if (content === null) (req as any).body = undefined;
    else if (/^application\/(.+\+)?json\b/i.test(type)) {
      req.headers['content-type'] = type;
      try {
        (req as any).body = parseBoundedJson(content);
      } catch (e) {
        if (e instanceof BadRequestException) throw fail(e.message);
        throw fail('The content field is not valid JSON.');
      }
      (req as any).rawBody = Buffer.from(content);
    } else {
      req.headers['content-type'] = type;
      (req as any).body = Buffer.from(content);
    }
    next();
  }
}

import { raw, NextFunction, Request, Response } from 'express';
import { checkJsonBody, parseCheckedJson } from './json-limits';

/** The media types read as JSON. */
export const JSON_TYPES = ['application/json', 'application/*+json'];

/** The charset parameter of the request's Content-Type, lower-cased; undefined if none. */
function charsetOf(req: Request): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '');
  return m ? m[1].toLowerCase() : undefined;
}

/** An error for the exception filter: status kept, message shown, body-parser's `type`. */
function bodyError(status: number, message: string, type: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}

/**
 * Middleware for JSON request bodies (any JSON value) up to `limit`: read as bytes, checked
 * (checkJsonBody: valid UTF-8, bounded nesting), kept as `req.rawBody`, then decoded and
 * parsed into `req.body`; an empty body is `{}`. Other media types are left to the next
 * parser. It answers as body-parser's `json` did (415 for a charset other than UTF-8, 400
 * `entity.parse.failed` for malformed JSON, 413 over the limit) with less work per
 * request: parseCheckedJson (an array element by element, ASCII decoded as Latin-1).
 */
export function jsonBody(limit: string) {
  const read = raw({ limit, type: JSON_TYPES });
  return (req: Request, res: Response, next: NextFunction) => {
    const charset = charsetOf(req);
    if (req.is(JSON_TYPES) && charset && charset !== 'utf-8' && charset !== 'utf8') {
      return next(
        bodyError(415, `unsupported charset "${charset.toUpperCase()}"`, 'charset.unsupported'),
      );
    }
    read(req, res, (err?: unknown) => {
      if (err) return next(err);
      const buf: unknown = req.body;
      if (!Buffer.isBuffer(buf)) return next();
      const cuts: number[] = [];
      try {
        checkJsonBody(buf, cuts);
      } catch (e) {
        return next(e);
      }
      (req as Request & { rawBody?: Buffer }).rawBody = buf;
      if (buf.length === 0) {
        req.body = {};
        return next();
      }
      try {
        req.body = parseCheckedJson(buf, cuts);
      } catch (e) {
        return next(bodyError(400, (e as Error).message, 'entity.parse.failed'));
      }
      next();
    });
  };
}

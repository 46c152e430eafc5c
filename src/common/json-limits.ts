import { BadRequestException } from '@nestjs/common';
import { isUtf8 } from 'buffer';

/**
 * Deepest nesting of objects and arrays accepted in any JSON the API parses. Much deeper
 * values overflow the recursion of validation, copying and canonical formatting, and
 * MariaDB's JSON columns hold at most 31 levels (JSON_VALID fails beyond): a statement
 * accepted here can always be stored and read back.
 */
export const MAX_JSON_DEPTH = 31;

export const TOO_DEEP_MESSAGE = `JSON nested deeper than ${MAX_JSON_DEPTH} levels is not accepted.`;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests objects/arrays deeper than `limit`; one pass, no parsing. A string
 * is skipped to its closing quote by Buffer#indexOf (native): a quote after an odd run of
 * backslashes is escaped. Most of a statement batch is strings (IRIs, names).
 */
export function jsonNestsDeeperThan(text: Buffer | string, limit = MAX_JSON_DEPTH): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      for (;;) {
        const end = bytes.indexOf(QUOTE, i + 1);
        if (end < 0) return false; // unterminated: JSON.parse refuses it
        let slashes = 0;
        while (bytes[end - 1 - slashes] === BACKSLASH) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** A 4xx error body-parser's `verify` hook can throw (it keeps `status`). */
function badBody(message: string): Error {
  return Object.assign(new Error(message), { status: 400, statusCode: 400, expose: true });
}

/**
 * The checks every JSON request body passes before it is parsed: valid UTF-8 (never
 * silently replaced) and bounded nesting.
 */
export function checkJsonBody(buf: Buffer): void {
  if (!isUtf8(buf)) throw badBody('The JSON body is not valid UTF-8.');
  if (jsonNestsDeeperThan(buf)) throw badBody(TOO_DEEP_MESSAGE);
}

/** JSON.parse with the same limits, for JSON read from other places (multipart parts, forms). */
export function parseBoundedJson(text: Buffer | string): unknown {
  if (Buffer.isBuffer(text) && !isUtf8(text)) {
    throw new BadRequestException('The JSON content is not valid UTF-8.');
  }
  if (jsonNestsDeeperThan(text)) throw new BadRequestException(TOO_DEEP_MESSAGE);
  return JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
}

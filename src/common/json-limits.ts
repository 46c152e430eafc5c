import { BadRequestException } from '@nestjs/common';
import { isAscii, isUtf8 } from 'buffer';

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

const COMMA = 0x2c;

/**
 * Elements (plus one) up to which an array is parsed element by element. A statement batch
 * holds far fewer; a body of millions of tiny elements (`[0,0,...]`) parses faster whole,
 * one JSON.parse instead of one per element.
 */
const MAX_CUTS = 10_001;

/**
 * One pass over JSON bytes, no parsing: whether objects/arrays nest deeper than `limit`.
 * A string is skipped to its closing quote by Buffer#indexOf (native): a quote after an odd
 * run of backslashes is escaped. Most of a statement batch is strings (IRIs, names). With
 * `cuts`, it also collects the offsets of each top-level bracket and of every comma
 * directly inside a top-level value (see elementRanges), at most MAX_CUTS: past that it
 * empties them and stops (the text is parsed whole).
 */
function scanJson(bytes: Buffer, limit: number, cuts?: number[]): boolean {
  let depth = 0;
  const cut = (i: number) => {
    if (!cuts) return;
    if (cuts.push(i) > MAX_CUTS) {
      cuts.length = 0;
      cuts = undefined;
    }
  };
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
      if (depth === 0) cut(i);
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) cut(i);
    } else if (c === COMMA && depth === 1) {
      cut(i);
    }
  }
  return false;
}

/** Whether JSON text nests objects/arrays deeper than `limit` (scanJson). */
export function jsonNestsDeeperThan(text: Buffer | string, limit = MAX_JSON_DEPTH): boolean {
  return scanJson(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, limit);
}

/** JSON's whitespace (space, tab, LF, CR), as JSON.parse allows it around a value. */
function blank(bytes: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/**
 * When the bytes are one JSON array (whitespace around it only), its cuts as scanJson
 * collected them: the `[`, the commas between elements, the `]`; element k lies between
 * cuts k and k + 1. Null for any other text (an object, a scalar, two values, text left
 * over): it is parsed whole.
 */
function elementRanges(bytes: Buffer, cuts: number[]): number[] | null {
  const n = cuts.length;
  if (n < 2 || bytes[cuts[0]] !== OPEN_BRACKET || bytes[cuts[n - 1]] !== CLOSE_BRACKET) {
    return null;
  }
  for (let k = 1; k < n - 1; k++) if (bytes[cuts[k]] !== COMMA) return null;
  if (!blank(bytes, 0, cuts[0]) || !blank(bytes, cuts[n - 1] + 1, bytes.length)) return null;
  return cuts;
}

/** A 4xx error body-parser's `verify` hook can throw (it keeps `status`). */
function badBody(message: string): Error {
  return Object.assign(new Error(message), { status: 400, statusCode: 400, expose: true });
}

/**
 * The checks every JSON request body passes before it is parsed: valid UTF-8 (never
 * silently replaced) and bounded nesting. `cuts` (optional) receives what parseCheckedJson
 * needs to parse an array element by element; `what` names the JSON in the UTF-8 error.
 */
export function checkJsonBody(buf: Buffer, cuts?: number[], what = 'body'): void {
  if (!isUtf8(buf)) throw badBody(`The JSON ${what} is not valid UTF-8.`);
  if (scanJson(buf, MAX_JSON_DEPTH, cuts)) throw badBody(TOO_DEEP_MESSAGE);
}

/**
 * JSON.parse of bytes that passed checkJsonBody(buf, cuts), with the same result. An
 * array (a statement batch) is decoded and parsed element by element: the whole text of a
 * batch over 128 KB would be one string in V8's large-object space, a fresh mapping whose
 * pages fault in on every request (0.5 ms per 150 KB body on a virtual machine, against
 * 0.01 ms below that size); its elements are small strings. An ASCII body is decoded as
 * Latin-1 (a plain copy). Throws JSON.parse's SyntaxError for malformed JSON: if an
 * element does not parse alone, the whole text is parsed so that the error is the one
 * JSON.parse gives for it.
 */
export function parseCheckedJson(buf: Buffer, cuts: number[]): unknown {
  const value = parseElements(buf, cuts);
  // Valid UTF-8 holds no surrogate: only a \u escape can make a lone one.
  if (buf.includes(ESCAPE_U)) refuseLoneSurrogates(value);
  return value;
}

function parseElements(buf: Buffer, cuts: number[]): unknown {
  const encoding = isAscii(buf) ? 'latin1' : 'utf8';
  const ranges = elementRanges(buf, cuts);
  if (ranges) {
    try {
      if (ranges.length === 2 && blank(buf, ranges[0] + 1, ranges[1])) return [];
      const out: unknown[] = new Array(ranges.length - 1);
      for (let k = 0; k + 1 < ranges.length; k++) {
        out[k] = JSON.parse(buf.toString(encoding, ranges[k] + 1, ranges[k + 1]));
      }
      return out;
    } catch {
      // Parsed whole below: JSON.parse's error for the text as it came.
    }
  }
  return JSON.parse(buf.toString(encoding));
}

const ESCAPE_U = '\\u';
/** With the u flag, a surrogate matches only when it is not half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
export const LONE_SURROGATE_MESSAGE =
  'The JSON holds a lone UTF-16 surrogate (an escape such as \\ud800 without its pair): not Unicode text.';

/** True when a string or key of a parsed JSON value holds a lone UTF-16 surrogate. */
export function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (LONE_SURROGATE.test(k) || hasLoneSurrogate(v)) return true;
    }
  }
  return false;
}

/**
 * JSON allows an escaped lone surrogate; Unicode text, MySQL/MariaDB's JSON columns
 * (a CHECK that failed as a 500) and UTF-8 do not: it is malformed input (a SyntaxError,
 * a 400 where JSON.parse's errors are).
 */
function refuseLoneSurrogates(value: unknown): void {
  if (hasLoneSurrogate(value)) throw new SyntaxError(LONE_SURROGATE_MESSAGE);
}

/** JSON.parse with the same limits, for JSON read from other places (multipart parts, forms). */
export function parseBoundedJson(text: Buffer | string): unknown {
  if (typeof text === 'string') {
    if (jsonNestsDeeperThan(text)) throw new BadRequestException(TOO_DEEP_MESSAGE);
    const value: unknown = JSON.parse(text);
    if (text.includes(ESCAPE_U) && hasLoneSurrogate(value)) {
      throw new BadRequestException(LONE_SURROGATE_MESSAGE);
    }
    return value;
  }
  const cuts: number[] = [];
  try {
    checkJsonBody(text, cuts, 'content');
  } catch (e) {
    throw new BadRequestException((e as Error).message);
  }
  try {
    return parseCheckedJson(text, cuts);
  } catch (e) {
    if ((e as Error).message === LONE_SURROGATE_MESSAGE)
      throw new BadRequestException(LONE_SURROGATE_MESSAGE);
    throw e;
  }
}

/**
 * The value formats of the xAPI data model (xAPI 1.0.3 xAPI-Data, IEEE 9274.1.1 for 2.0),
 * compiled once: the validator runs for every statement of the ingest.
 */

/** RFC 4122 / RFC 9562 UUID: versions 1 to 8 of the RFC variant, any case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * An absolute IRI (RFC 3987): a scheme, a colon and something after it, without
 * whitespace, controls or the characters IRIs never hold unescaped.
 */
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`\u0000-\u001f\u007f-\u009f]+$/;

/**
 * A format test that remembers its answers: the IRIs and language tags of a store's
 * statements repeat (verbs, activities, types, extension keys, `en-US`), and a Map
 * look-up costs less than the regular expression. At most MEMO_SIZE answers each,
 * forgotten all at once when full; only strings of at most MEMO_MAX_LENGTH.
 */
function remembered(test: (value: string) => boolean): (value: string) => boolean {
  const answers = new Map<string, boolean>();
  return (value) => {
    if (value.length > MEMO_MAX_LENGTH) return test(value);
    let answer = answers.get(value);
    if (answer === undefined) {
      answer = test(value);
      if (answers.size >= MEMO_SIZE) answers.clear();
      answers.set(value, answer);
    }
    return answer;
  };
}

const MEMO_SIZE = 10_000;
const MEMO_MAX_LENGTH = 512;

export const isIri = remembered((value) => ABSOLUTE_IRI.test(value));

/** An IRL is an IRI meant to be dereferenced: an absolute IRI with a scheme and a host part. */
const IRL =
  /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s<>"{}|\\^`\u0000-\u001f\u007f-\u009f/?#]+[^\s<>"{}|\\^`\u0000-\u001f\u007f-\u009f]*$/;

export function isIrl(value: string): boolean {
  return IRL.test(value);
}

/** An absolute URI (RFC 3986): like an IRI but ASCII only. */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21\x23-\x3b\x3d\x3f-\x5b\x5d\x5f\x61-\x7a\x7e]+$/;

export function isUri(value: string): boolean {
  return ABSOLUTE_URI.test(value);
}

/** `mailto:` followed by one address (local part, @, domain). */
const MAILTO = /^mailto:[^@\s:/?#]+@[^@\s/?#]+$/;

export function isMailto(value: string): boolean {
  return MAILTO.test(value);
}

const SHA1_HEX = /^[0-9a-f]{40}$/i;

export function isSha1Hex(value: string): boolean {
  return SHA1_HEX.test(value);
}

/** The hex digest of a SHA-2 hash (SHA-224, -256, -384 or -512). */
const SHA2_HEX = /^(?:[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/i;

export function isSha2Hex(value: string): boolean {
  return SHA2_HEX.test(value);
}

/** An Internet Media Type (RFC 2046): type/subtype with optional parameters. */
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;.*)?$/;

export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value);
}

/** A language tag of RFC 5646 (BCP 47): langtag, private use or grandfathered, any case. */
const LANGUAGE_TAG = new RegExp(
  '^(?:' +
    // langtag: language (with up to three extlangs), script, region, variants, extensions, private use
    '(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})' +
    '(?:-[a-z]{4})?' +
    '(?:-(?:[a-z]{2}|[0-9]{3}))?' +
    '(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*' +
    '(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*' +
    '(?:-x(?:-[a-z0-9]{1,8})+)?' +
    // private use
    '|x(?:-[a-z0-9]{1,8})+' +
    // grandfathered
    '|en-GB-oed|i-(?:ami|bnn|default|enochian|hak|klingon|lux|mingo|navajo|pwn|tao|tay|tsu)' +
    '|sgn-(?:BE-FR|BE-NL|CH-DE)|art-lojban|cel-gaulish|no-bok|no-nyn' +
    '|zh-(?:guoyu|hakka|min|min-nan|xiang)' +
    ')$',
  'i',
);

export const isLanguageTag = remembered((value) => LANGUAGE_TAG.test(value));

/**
 * ISO 8601 duration in the format of section 4.4.3.2 (the alternative format is not
 * allowed): PnYnMnDTnHnMnS with at least one component, T only before a time component,
 * or PnW. ISO 8601 lets the lowest-order component carry a decimal fraction ("PT1.5S",
 * "P0.5D"), so a fraction is accepted only on the last component.
 */
const DURATION =
  /^P(?:\d+(?:[.,]\d+)?W|(?=\d|T\d)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?)$/;
/** A fraction followed by a further component. */
const FRACTION_NOT_LAST = /[.,]\d+[YMWDHS].*\d/;

export function isDuration(value: string): boolean {
  return DURATION.test(value) && !FRACTION_NOT_LAST.test(value);
}

/** ISO 8601 date-time as xAPI 1.0.3 uses it, extended format; timezone recommended, not required. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
/** The same in ISO 8601 basic format (20261128T101530Z), which ISO 8601 equally allows. */
const ISO_BASIC_DATE_TIME =
  /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(?:(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}(?:\d{2})?)?$/;

/** RFC 3339 date-time as xAPI 2.0 requires it: seconds and an offset are mandatory. */
const RFC3339_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Why a timestamp is invalid, or null when it is valid. */
export function timestampProblem(value: string, rfc3339: boolean): string | null {
  const m = rfc3339
    ? RFC3339_DATE_TIME.exec(value)
    : (ISO_DATE_TIME.exec(value) ?? ISO_BASIC_DATE_TIME.exec(value));
  if (!m) {
    return rfc3339
      ? 'must be an RFC 3339 date-time with a timezone offset, e.g. 2026-01-31T12:30:00.000Z'
      : 'must be an ISO 8601 date-time, e.g. 2026-01-31T12:30:00.000Z';
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const offset = m[7];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return 'is not a real calendar date';
  }
  if (hour > 23 || minute > 59 || second > 60) return 'is not a valid time of day';
  if (offset && /^-00(?::?00)?$/.test(offset)) {
    return 'must not use the offset -00:00 (unknown local offset)';
  }
  if (offset && offset.length > 1) {
    const oh = Number(offset.slice(1, 3));
    const om = offset.length > 3 ? Number(offset.slice(-2)) : 0;
    if (oh > 23 || om > 59) return 'has an invalid timezone offset';
  }
  return null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The version a statement may carry: 1.0.x always, 2.0.x when validating for 2.0. */
const VERSION_1 = /^1\.0(?:\.\d+)?$/;
const VERSION_2 = /^2\.0(?:\.\d+)?$/;

export function isStatementVersion(value: string, allow2: boolean): boolean {
  return VERSION_1.test(value) || (allow2 && VERSION_2.test(value));
}

export const INTERACTION_COMPONENT_LISTS = [
  'choices',
  'scale',
  'source',
  'target',
  'steps',
] as const;
export type InteractionComponentList = (typeof INTERACTION_COMPONENT_LISTS)[number];

/**
 * The interaction types and the component lists each may carry. A Map, not an object
 * literal, so that input such as "constructor" finds nothing.
 */
export const COMPONENTS_OF_INTERACTION: ReadonlyMap<string, readonly InteractionComponentList[]> =
  new Map<string, readonly InteractionComponentList[]>([
    ['true-false', []],
    ['choice', ['choices']],
    ['fill-in', []],
    ['long-fill-in', []],
    ['matching', ['source', 'target']],
    ['performance', ['steps']],
    ['sequencing', ['choices']],
    ['likert', ['scale']],
    ['numeric', []],
    ['other', []],
  ]);

export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';

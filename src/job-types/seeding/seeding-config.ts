import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { isIanaTimezone } from '../../config/app-config';
import { FieldErrors } from '../../common/errors';

/**
 * The seeding config format (README "Seeding"): a JSON object whose every field is
 * optional; omitted fields take the built-in default's value (objects merge field by
 * field, arrays and verb lists are replaced whole).
 */
export interface SeedVerb {
  id: string;
  display: Record<string, string>;
}

export interface WeightedVerb extends SeedVerb {
  weight: number;
}

export const IDENTIFIER_TYPES = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export const INTERACTION_TYPES = [
  'choice',
  'true-false',
  'fill-in',
  'long-fill-in',
  'matching',
  'sequencing',
  'likert',
  'numeric',
] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/** What an extension's value is made of (one generator each in the seeding generator). */
export const EXTENSION_KINDS = [
  'session-id',
  'browser',
  'device',
  'launch-mode',
  'progress',
  'attempt',
  'mastery-score',
  'ip-country',
] as const;
export type ExtensionKind = (typeof EXTENSION_KINDS)[number];

/** The verbs of the session pattern, each with a fixed role. */
export const PATTERN_VERBS = [
  'launched',
  'initialized',
  'progressed',
  'answered',
  'completed',
  'passed',
  'failed',
  'terminated',
  'commented',
  'planned',
] as const;
export type PatternVerb = (typeof PATTERN_VERBS)[number];

export interface SeedingConfig {
  /** Seed of the pseudo-random generator: the same config gives the same data. */
  seed: number;
  period: { start: string; end: string; timezone: string };
  counts: { statements: number; states: number; activity_profiles: number; agent_profiles: number };
  learners: {
    count: number;
    /** Share of learners identified by each identifier type (sums to 1). */
    identifiers: Record<IdentifierType, number>;
    /** Share of learners whose agent carries a name. */
    named: number;
    email_domain: string;
    account_home_page: string;
    openid_base: string;
  };
  /** Identified groups of learners; a team appears in the context of `share` of statements. */
  groups: { count: number; size: number; share: number };
  /** Instructors appear in the context of `share` of statements. */
  instructors: { count: number; share: number };
  courses: {
    count: number;
    modules: number;
    lessons: number;
    /** Questions of each module's assessment (0: no assessment). */
    questions: number;
    /** Scaled score at or above which an assessment is passed. */
    mastery_score: number;
    interaction_types: InteractionType[];
    base_iri: string;
    topics: string[];
    languages: string[];
  };
  /** The session pattern's verbs, and the weighted verbs of lesson steps. */
  verbs: Record<PatternVerb, SeedVerb> & { steps: WeightedVerb[] };
  /** Shares of all statements. */
  shares: {
    voiding: number;
    sub_statements: number;
    statement_refs: number;
    attachments: number;
    xapi_2: number;
  };
  /** Extension IRI -> what its value is, for context and result extensions. */
  extensions: { context: Record<string, ExtensionKind>; result: Record<string, ExtensionKind> };
}

const ADL = 'http://adlnet.gov/expapi/verbs/';
const verb = (name: string, display: Record<string, string> = {}): SeedVerb => ({
  id: ADL + name,
  display: { 'en-US': name, ...display },
});

/** The built-in default: what an empty `config` seeds (about a second of work). */
export const DEFAULT_SEEDING_CONFIG: SeedingConfig = {
  seed: 20260101,
  period: { start: '2026-01-05T00:00:00Z', end: '2026-03-29T00:00:00Z', timezone: 'Europe/Paris' },
  counts: { statements: 1000, states: 40, activity_profiles: 6, agent_profiles: 20 },
  learners: {
    count: 40,
    identifiers: { mbox: 0.4, mbox_sha1sum: 0.1, openid: 0.1, account: 0.4 },
    named: 0.9,
    email_domain: 'example.org',
    account_home_page: 'https://lms.example.org',
    openid_base: 'https://id.example.org/users/',
  },
  groups: { count: 4, size: 5, share: 0.1 },
  instructors: { count: 3, share: 0.2 },
  courses: {
    count: 2,
    modules: 3,
    lessons: 3,
    questions: 4,
    mastery_score: 0.7,
    interaction_types: ['choice', 'true-false', 'fill-in', 'matching'],
    base_iri: 'https://courses.example.org',
    topics: ['Workplace Safety', 'Data Privacy', 'First Aid', 'Negotiation', 'Spreadsheets'],
    languages: ['en-US', 'de-DE', 'fr-FR'],
  },
  verbs: {
    launched: verb('launched', { 'de-DE': 'gestartet' }),
    initialized: verb('initialized', { 'de-DE': 'initialisiert' }),
    progressed: verb('progressed', { 'de-DE': 'fortgeschritten' }),
    answered: verb('answered', { 'de-DE': 'beantwortet' }),
    completed: verb('completed', { 'de-DE': 'abgeschlossen' }),
    passed: verb('passed', { 'de-DE': 'bestanden' }),
    failed: verb('failed', { 'de-DE': 'nicht bestanden' }),
    terminated: verb('terminated', { 'de-DE': 'beendet' }),
    commented: verb('commented', { 'de-DE': 'kommentiert' }),
    planned: {
      id: 'http://activitystrea.ms/schema/1.0/schedule',
      display: { 'en-US': 'scheduled', 'de-DE': 'geplant' },
    },
    steps: [
      { ...verb('experienced', { 'de-DE': 'erlebt' }), weight: 6 },
      { ...verb('interacted', { 'de-DE': 'interagiert' }), weight: 3 },
      { id: 'https://w3id.org/xapi/video/verbs/played', display: { 'en-US': 'played' }, weight: 2 },
    ],
  },
  shares: {
    voiding: 0.01,
    sub_statements: 0.01,
    statement_refs: 0.02,
    attachments: 0.02,
    xapi_2: 0.1,
  },
  extensions: {
    context: {
      'https://w3id.org/xapi/cmi5/context/extensions/sessionid': 'session-id',
      'http://id.tincanapi.com/extension/browser-info': 'browser',
      'https://w3id.org/xapi/cmi5/context/extensions/launchmode': 'launch-mode',
    },
    result: {
      'https://w3id.org/xapi/cmi5/result/extensions/progress': 'progress',
      'http://id.tincanapi.com/extension/attempt-id': 'attempt',
    },
  },
};

// --- schema -------------------------------------------------------------------------

type Check = (value: unknown, path: string, errors: FieldErrors) => void;

function fail(errors: FieldErrors, path: string, message: string) {
  (errors[path] ??= []).push(message);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const integer =
  (min: number, max: number): Check =>
  (v, path, errors) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      fail(errors, path, `must be an integer from ${min} to ${max}`);
  };

const share: Check = (v, path, errors) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
    fail(errors, path, 'must be a number from 0 to 1');
};

const positive: Check = (v, path, errors) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1e6)
    fail(errors, path, 'must be a number above 0');
};

const text =
  (pattern?: RegExp, what = 'a non-empty string'): Check =>
  (v, path, errors) => {
    if (typeof v !== 'string' || !v.trim() || v.length > 200 || (pattern && !pattern.test(v)))
      fail(errors, path, `must be ${what}`);
  };

const IRI = /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#]+[^\s]*$/i;
const iri = text(IRI, 'an absolute IRI such as https://example.org/x');
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const instant: Check = (v, path, errors) => {
  if (typeof v !== 'string' || !ISO_INSTANT.test(v) || Number.isNaN(Date.parse(v)))
    fail(errors, path, 'must be an ISO 8601 date-time with a zone, e.g. 2026-01-05T00:00:00Z');
};
const timezone: Check = (v, path, errors) => {
  if (typeof v !== 'string' || !isIanaTimezone(v))
    fail(errors, path, 'must be an IANA time zone such as Europe/Paris');
};
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const language = text(LANGUAGE, 'a language tag such as en-US');

const languageMap: Check = (v, path, errors) => {
  if (!isPlainObject(v) || Object.keys(v).length === 0) {
    fail(errors, path, 'must be a language map such as {"en-US": "completed"}');
    return;
  }
  for (const [k, s] of Object.entries(v)) {
    if (!LANGUAGE.test(k)) fail(errors, `${path}.${k}`, 'is not a language tag');
    else if (typeof s !== 'string' || !s)
      fail(errors, `${path}.${k}`, 'must be a non-empty string');
  }
};

const oneOf =
  (values: readonly string[]): Check =>
  (v, path, errors) => {
    if (typeof v !== 'string' || !values.includes(v))
      fail(errors, path, `must be one of ${values.join(', ')}`);
  };

const list =
  (item: Check, min: number, max: number, unique = false): Check =>
  (v, path, errors) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) {
      fail(errors, path, `must be an array of ${min} to ${max} items`);
      return;
    }
    v.forEach((x, i) => item(x, `${path}[${i}]`, errors));
    if (unique && new Set(v.map((x) => JSON.stringify(x))).size !== v.length)
      fail(errors, path, 'must not repeat an item');
  };

/** An object with exactly these fields (all required once merged over the default). */
const object =
  (fields: Record<string, Check>): Check =>
  (v, path, errors) => {
    if (!isPlainObject(v)) {
      fail(errors, path, 'must be an object');
      return;
    }
    for (const k of Object.keys(v)) {
      if (!(k in fields)) fail(errors, join_(path, k), 'is not a field of the seeding config');
    }
    for (const [k, check] of Object.entries(fields)) {
      if (v[k] === undefined || v[k] === null) fail(errors, join_(path, k), 'is required');
      else check(v[k], join_(path, k), errors);
    }
  };

/** A map of free keys (extension IRIs) to checked values. */
const map =
  (key: Check, value: Check, max: number): Check =>
  (v, path, errors) => {
    if (!isPlainObject(v) || Object.keys(v).length > max) {
      fail(errors, path, `must be an object of at most ${max} entries`);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      key(k, join_(path, k), errors);
      value(x, join_(path, k), errors);
    }
  };

function join_(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

const seedVerb = object({ id: iri, display: languageMap });
const weightedVerb = object({ id: iri, display: languageMap, weight: positive });

const SCHEMA: Check = object({
  seed: integer(0, 2 ** 32 - 1),
  period: object({ start: instant, end: instant, timezone }),
  counts: object({
    statements: integer(1, 100_000_000),
    states: integer(0, 10_000_000),
    activity_profiles: integer(0, 1_000_000),
    agent_profiles: integer(0, 10_000_000),
  }),
  learners: object({
    count: integer(1, 10_000_000),
    identifiers: object(Object.fromEntries(IDENTIFIER_TYPES.map((t) => [t, share]))),
    named: share,
    email_domain: text(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'a domain name such as example.org'),
    account_home_page: iri,
    openid_base: iri,
  }),
  groups: object({ count: integer(0, 100_000), size: integer(1, 50), share }),
  instructors: object({ count: integer(0, 10_000), share }),
  courses: object({
    count: integer(1, 1000),
    modules: integer(1, 50),
    lessons: integer(0, 50),
    questions: integer(0, 100),
    mastery_score: share,
    interaction_types: list(oneOf(INTERACTION_TYPES), 1, INTERACTION_TYPES.length, true),
    base_iri: iri,
    topics: list(text(), 1, 1000),
    languages: list(language, 1, 20, true),
  }),
  verbs: object({
    ...Object.fromEntries(PATTERN_VERBS.map((v) => [v, seedVerb])),
    steps: list(weightedVerb, 1, 50),
  }),
  shares: object({
    voiding: share,
    sub_statements: share,
    statement_refs: share,
    attachments: share,
    xapi_2: share,
  }),
  extensions: object({
    context: map(iri, oneOf(EXTENSION_KINDS), 20),
    result: map(iri, oneOf(EXTENSION_KINDS), 20),
  }),
});

/** `over` merged onto `base`: objects field by field, anything else (arrays too) replaced. */
function mergeOver(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeOver(base[k], v);
  return out;
}

/** Rules across fields that the per-field schema cannot see. */
function crossChecks(c: SeedingConfig, errors: FieldErrors) {
  const ids = c.learners.identifiers;
  const sum = IDENTIFIER_TYPES.reduce((s, t) => s + (typeof ids[t] === 'number' ? ids[t] : 0), 0);
  if (Math.abs(sum - 1) > 1e-6)
    fail(errors, 'learners.identifiers', `shares must add up to 1 (they add up to ${sum})`);
  const start = Date.parse(c.period.start);
  const end = Date.parse(c.period.end);
  if (!Number.isNaN(start) && !Number.isNaN(end) && end - start < 86_400_000)
    fail(errors, 'period.end', 'must be at least a day after period.start');
  const extras =
    c.shares.voiding + c.shares.sub_statements + c.shares.statement_refs + c.shares.attachments;
  if (extras > 0.5)
    fail(
      errors,
      'shares',
      'voiding, sub-statement, reference and attachment shares must add up to at most 0.5',
    );
  if (c.groups.count * c.groups.size > c.learners.count)
    fail(
      errors,
      'groups',
      `${c.groups.count} groups of ${c.groups.size} need more learners than learners.count`,
    );
}

export interface ConfigCheck {
  config: SeedingConfig | null;
  /** Bad fields by path inside the config (`learners.count`). */
  errors: FieldErrors;
}

/** The config a JSON value describes (merged over the default), or the path of each bad field. */
export function parseSeedingConfig(raw: unknown): ConfigCheck {
  const errors: FieldErrors = {};
  if (!isPlainObject(raw)) return { config: null, errors: { '': ['must be a JSON object'] } };
  const merged = mergeOver(DEFAULT_SEEDING_CONFIG, raw);
  SCHEMA(merged, '', errors);
  if (Object.keys(errors).length) return { config: null, errors };
  const config = merged as SeedingConfig;
  crossChecks(config, errors);
  return Object.keys(errors).length ? { config: null, errors } : { config, errors };
}

// --- files ----------------------------------------------------------------------------

export const CONFIG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Names of the configs in a folder (`<name>.json`), sorted. */
export function listSeedingConfigs(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json') && CONFIG_NAME.test(f.slice(0, -5)))
    .map((f) => f.slice(0, -5))
    .sort();
}

export type LoadedConfig =
  | { ok: true; name: string; config: SeedingConfig }
  | { ok: false; field: 'config'; errors: FieldErrors };

/**
 * The config a job names: the built-in default for an empty name, else `<folder>/<name>.json`.
 * Problems come as 422 field errors: an unknown name lists the available ones; an invalid
 * file names each bad field as `config.<path>`.
 */
export function loadSeedingConfig(folder: string, name: string | null | undefined): LoadedConfig {
  if (!name) return { ok: true, name: 'default', config: DEFAULT_SEEDING_CONFIG };
  const available = listSeedingConfigs(folder);
  if (!CONFIG_NAME.test(name) || !available.includes(name)) {
    return {
      ok: false,
      field: 'config',
      errors: {
        config: [
          `No seeding config "${name}" in the seeding folder; available: ${
            available.length ? available.join(', ') : '(none)'
          } (or leave config empty for the built-in default).`,
        ],
      },
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(folder, `${name}.json`), 'utf8'));
  } catch (e) {
    return {
      ok: false,
      field: 'config',
      errors: {
        config: [`The seeding config "${name}" is not valid JSON: ${(e as Error).message}`],
      },
    };
  }
  const { config, errors } = parseSeedingConfig(raw);
  if (!config) {
    const named: FieldErrors = {};
    for (const [path, messages] of Object.entries(errors))
      named[path ? `config.${path}` : 'config'] = messages;
    return { ok: false, field: 'config', errors: named };
  }
  return { ok: true, name, config };
}

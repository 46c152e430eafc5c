import { isUuid } from '../validation/xapi-formats';

/**
 * xAPI statement comparison (xAPI-Data 2.4 "Statement Comparison Requirements"):
 * two statements are the same when they differ only in authority, stored,
 * timestamp, version, attachments, key order, the case of language tags and of
 * UUIDs, and duration precision beyond 0.01 s.
 */
const IGNORED_TOP_LEVEL = ['authority', 'stored', 'timestamp', 'version', 'attachments'];
const LANGUAGE_MAPS = new Set(['display', 'name', 'description']);

/** A duration with seconds cut to hundredths (xAPI 2.0: no precision beyond 0.01 s). */
export function comparableDuration(duration: string): string {
  return duration.replace(/(\d+)(?:\.(\d*))?S$/, (_m, whole: string, frac = '') => {
    const cut = frac.slice(0, 2).replace(/0+$/, '');
    return cut ? `${whole}.${cut}S` : `${whole}S`;
  });
}

function normalize(value: unknown, key: string | null, inDefinition: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, null, inDefinition));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const entries = Object.entries(value as Record<string, unknown>);
    const isLanguageMap =
      key !== null &&
      LANGUAGE_MAPS.has(key) &&
      (key === 'display' || inDefinition) &&
      entries.every(([, v]) => typeof v === 'string');
    for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (isLanguageMap) out[k.toLowerCase()] = v;
      else out[k] = normalize(v, k, inDefinition || k === 'definition');
    }
    return out;
  }
  if (typeof value === 'string' && isUuid(value)) return value.toLowerCase();
  if (typeof value === 'string' && key === 'duration') return comparableDuration(value);
  return value;
}

/** The comparable form of a statement: a canonical JSON string. */
export function comparableStatement(statement: Record<string, unknown>): string {
  const copy: Record<string, unknown> = { ...statement };
  for (const k of IGNORED_TOP_LEVEL) delete copy[k];
  return JSON.stringify(normalize(copy, null, false));
}

export function sameStatement(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return comparableStatement(a) === comparableStatement(b);
}

import { isISO8601 } from 'class-validator';

export const UNTIL_VALUES = [
  'now',
  'date',
  '1_hour',
  '1_day',
  '1_week',
  '1_month',
  '1_year',
] as const;
export type Until = (typeof UNTIL_VALUES)[number];

/**
 * The one reader of `until_date` (the DTOs' check and the runs' cutoff both use it):
 * an ISO 8601 date or date-time that JavaScript reads as such; a bare date means its
 * end. Null for anything else (ISO 8601 forms JavaScript cannot read, such as the basic
 * format `20260301` or week dates, included).
 */
export function parseUntilDate(value: unknown): Date | null {
  if (typeof value !== 'string' || !isISO8601(value, { strict: true })) return null;
  const parsed = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/**
 * "Data recorded until": the cutoff a run acts up to (inclusive), from its start
 * time. Calendar periods (month, year) step back in UTC calendar terms.
 */
export function untilCutoff(until: Until, runStart: Date, untilDate?: string | null): Date {
  const d = new Date(runStart.getTime());
  switch (until) {
    case 'now':
      return d;
    case 'date': {
      if (!untilDate) throw new Error('until_date is required when until is "date"');
      const parsed = parseUntilDate(untilDate);
      if (!parsed) throw new Error(`invalid until_date "${untilDate}"`);
      return parsed;
    }
    case '1_hour':
      return new Date(d.getTime() - 3_600_000);
    case '1_day':
      return new Date(d.getTime() - 86_400_000);
    case '1_week':
      return new Date(d.getTime() - 7 * 86_400_000);
    case '1_month':
      d.setUTCMonth(d.getUTCMonth() - 1);
      return d;
    case '1_year':
      d.setUTCFullYear(d.getUTCFullYear() - 1);
      return d;
  }
}

import { Repeat } from '../job-type';

/**
 * Schedule arithmetic of the Jobs API (jobs.md, "Schedule"): pure functions, wall-clock
 * times read in an IANA time zone through Intl.DateTimeFormat.
 *
 * DST: a wall-clock time that does not exist (spring-forward gap) maps to the first
 * existing minute after it, i.e. the transition instant; one that exists twice (fall-back
 * overlap) maps to its first occurrence. Because that mapping never goes backwards, the
 * next fire is the first candidate wall-clock time, walked in local order, whose instant
 * is strictly after `after`; the second pass of an overlap is thus never a fire.
 */
export interface ScheduleRule {
  repeat: Repeat;
  date?: string | null;
  time?: string | null;
  minute?: number | null;
  week_day?: number | null;
  month_day?: number | null;
  month?: number | null;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface WallClock {
  y: number;
  month: number;
  d: number;
  h: number;
  min: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall-clock time of `instant` in `timezone`, as if it were UTC (ms, whole seconds). */
function localAsUtc(instant: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal' && p.type !== 'era') parts[p.type] = Number(p.value);
  }
  return Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour % 24,
    parts.minute,
    parts.second,
  );
}

/** UTC offset of `timezone` at `instant`, in ms (local = UTC + offset). */
function offsetAt(instant: number, timezone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return localAsUtc(whole, timezone) - whole;
}

function wallClockOf(instant: Date, timezone: string): WallClock {
  const local = new Date(localAsUtc(instant.getTime(), timezone));
  return {
    y: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    d: local.getUTCDate(),
    h: local.getUTCHours(),
    min: local.getUTCMinutes(),
  };
}

/** Wall-clock arithmetic: Date.UTC normalises overflowing fields (day 32, hour 24...). */
function wall(y: number, month: number, d: number, h = 0, min = 0): WallClock {
  const t = new Date(Date.UTC(y, month - 1, d, h, min));
  return {
    y: t.getUTCFullYear(),
    month: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    h: t.getUTCHours(),
    min: t.getUTCMinutes(),
  };
}

function daysInMonth(y: number, month: number): number {
  return new Date(Date.UTC(y, month, 0)).getUTCDate();
}

/** 1 Monday .. 7 Sunday. */
function isoWeekDay(y: number, month: number, d: number): number {
  const day = new Date(Date.UTC(y, month - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

/**
 * Wall-clock local time → UTC instant. A time in a DST gap gives the first existing
 * minute after it (the transition); a time in an overlap gives its first occurrence.
 */
export function zonedTimeToUtc(
  y: number,
  month: number,
  d: number,
  h: number,
  min: number,
  timezone: string,
): Date {
  const target = Date.UTC(y, month - 1, d, h, min);
  // Offsets a day either side bracket any transition near `target`.
  const before = offsetAt(target - DAY_MS, timezone);
  const after = offsetAt(target + DAY_MS, timezone);
  const candidates = [target - before, target - after]
    .filter((t) => localAsUtc(t, timezone) === target)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]);
  // In a gap: the transition lies in (target - after, target - before]; find its instant.
  let lo = target - after; // still on the old offset
  let hi = target - before; // already on the new offset
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timezone) === before) lo = mid;
    else hi = mid;
  }
  // The first whole local minute at or after the transition.
  const local = localAsUtc(hi, timezone);
  const roundUp = (MINUTE_MS - (local % MINUTE_MS)) % MINUTE_MS;
  return new Date(hi + roundUp);
}

function parseTime(time: string | null | undefined, repeat: Repeat): { h: number; min: number } {
  const m = /^(\d{2}):(\d{2})$/.exec(time ?? '');
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) {
    throw new Error(
      time === 'now'
        ? `time "now" must be resolved with resolveNowTime() when the job is saved`
        : `repeat "${repeat}" needs time HH:MM, got ${JSON.stringify(time)}`,
    );
  }
  return { h: Number(m[1]), min: Number(m[2]) };
}

function needInt(value: number | null | undefined, name: string, lo: number, hi: number): number {
  if (
    value === null ||
    value === undefined ||
    !Number.isInteger(value) ||
    value < lo ||
    value > hi
  ) {
    throw new Error(`${name} must be an integer ${lo}-${hi}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The instant of an 'on' rule (date, with time HH:MM if given else 00:00; an ISO date-time uses its own time/offset). */
export function onInstant(rule: ScheduleRule, timezone: string): Date {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i.exec(
      rule.date ?? '',
    );
  if (!m) throw new Error(`repeat "on" needs an ISO 8601 date, got ${JSON.stringify(rule.date)}`);
  const [y, month, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || d < 1 || d > daysInMonth(y, month)) {
    throw new Error(`invalid date ${JSON.stringify(rule.date)}`);
  }
  if (m[4] === undefined) {
    const { h, min } = rule.time ? parseTime(rule.time, 'on') : { h: 0, min: 0 };
    return zonedTimeToUtc(y, month, d, h, min, timezone);
  }
  const [h, min] = [Number(m[4]), Number(m[5])];
  if (h > 23 || min > 59 || Number(m[6] ?? 0) > 59) {
    throw new Error(`invalid date ${JSON.stringify(rule.date)}`);
  }
  const extraMs = Number(m[6] ?? 0) * 1000 + Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  if (m[8] !== undefined) {
    // Its own offset: an absolute instant.
    const sign = m[8].toUpperCase() === 'Z' ? 0 : m[8][0] === '-' ? -1 : 1;
    const digits = m[8].replace(/[^0-9]/g, '');
    const offset =
      sign * (Number(digits.slice(0, 2)) * HOUR_MS + Number(digits.slice(2) || 0) * MINUTE_MS);
    return new Date(Date.UTC(y, month - 1, d, h, min) + extraMs - offset);
  }
  // A local date-time without offset: read in the job's time zone.
  return new Date(zonedTimeToUtc(y, month, d, h, min, timezone).getTime() + extraMs);
}

/** 'now' resolved to the current local HH:MM in timezone. */
export function resolveNowTime(timezone: string, now: Date = new Date()): string {
  const w = wallClockOf(now, timezone);
  return `${String(w.h).padStart(2, '0')}:${String(w.min).padStart(2, '0')}`;
}

/**
 * First fire instant strictly after `after`, read in IANA `timezone`; null when the rule
 * fires no more ('now'; 'on' already past). `minuteMs` (default 60000) shortens the minute
 * for tests: everyMinute fires at multiples of minuteMs since the epoch.
 */
export function nextFireAt(
  rule: ScheduleRule,
  after: Date,
  timezone: string,
  options: { minuteMs?: number } = {},
): Date | null {
  const t = after.getTime();
  const local = wallClockOf(after, timezone);
  // Candidate wall-clock times in increasing local order, from one at or before `after`.
  let candidate: (i: number) => WallClock | null;
  let tries: number;
  switch (rule.repeat) {
    case 'now':
      return null;
    case 'on': {
      const at = onInstant(rule, timezone);
      return at.getTime() > t ? at : null;
    }
    case 'everyMinute': {
      const step = options.minuteMs ?? MINUTE_MS;
      return new Date(Math.floor(t / step) * step + step);
    }
    case 'hourlyAt': {
      const minute = needInt(rule.minute, 'minute', 0, 59);
      candidate = (i) => wall(local.y, local.month, local.d, local.h + i, minute);
      tries = 4; // an hour of DST shift at most, plus the current hour
      break;
    }
    case 'dailyAt': {
      const { h, min } = parseTime(rule.time, rule.repeat);
      candidate = (i) => wall(local.y, local.month, local.d + i, h, min);
      tries = 3;
      break;
    }
    case 'weeklyOn': {
      const { h, min } = parseTime(rule.time, rule.repeat);
      const weekDay = needInt(rule.week_day, 'week_day', 1, 7);
      candidate = (i) => {
        const w = wall(local.y, local.month, local.d + i, h, min);
        return isoWeekDay(w.y, w.month, w.d) === weekDay ? w : null;
      };
      tries = 15;
      break;
    }
    case 'monthlyOn': {
      const { h, min } = parseTime(rule.time, rule.repeat);
      const monthDay = needInt(rule.month_day, 'month_day', 1, 31);
      candidate = (i) => {
        const first = wall(local.y, local.month + i, 1);
        return wall(
          first.y,
          first.month,
          Math.min(monthDay, daysInMonth(first.y, first.month)),
          h,
          min,
        );
      };
      tries = 3;
      break;
    }
    case 'yearlyOn': {
      const { h, min } = parseTime(rule.time, rule.repeat);
      const month = needInt(rule.month, 'month', 1, 12);
      const monthDay = needInt(rule.month_day, 'month_day', 1, 31);
      candidate = (i) =>
        wall(local.y + i, month, Math.min(monthDay, daysInMonth(local.y + i, month)), h, min);
      tries = 3;
      break;
    }
    default:
      throw new Error(`unknown repeat ${JSON.stringify(rule.repeat)}`);
  }
  for (let i = 0; i < tries; i++) {
    const w = candidate(i);
    if (!w) continue;
    const at = zonedTimeToUtc(w.y, w.month, w.d, w.h, w.min, timezone);
    if (at.getTime() > t) return at;
  }
  throw new Error(`no fire found for ${JSON.stringify(rule)} after ${after.toISOString()}`);
}

import { Job } from './job.entity';
import { nextFireAt, onInstant, ScheduleRule } from './schedule/next-fire';

/** The repeat rule of a job, in the shape the schedule arithmetic reads. */
export function ruleOf(
  job: Pick<Job, 'repeat' | 'date' | 'time' | 'minute' | 'weekDay' | 'monthDay' | 'month'>,
): ScheduleRule {
  return {
    repeat: job.repeat,
    date: job.date,
    time: job.time,
    minute: job.minute,
    week_day: job.weekDay,
    month_day: job.monthDay,
    month: job.month,
  };
}

export interface ScheduleClock {
  /** JOBS_TIMEZONE, for jobs without their own. */
  defaultTimezone: string;
  /** Length of a minute (tests shorten it). */
  minuteMs: number;
}

type Schedulable = Pick<
  Job,
  | 'repeat'
  | 'date'
  | 'time'
  | 'minute'
  | 'weekDay'
  | 'monthDay'
  | 'month'
  | 'timezone'
  | 'ran'
  | 'replay'
>;

const tzOf = (job: Schedulable, clock: ScheduleClock) => job.timezone || clock.defaultTimezone;

/** The next scheduled fire strictly after `after` (null: the rule fires no more). */
export function scheduledAfter(job: Schedulable, after: Date, clock: ScheduleClock): Date | null {
  return nextFireAt(ruleOf(job), after, tzOf(job, clock), { minuteMs: clock.minuteMs });
}

/**
 * When a job that is not running is next due, from its definition: a pending
 * replay at once; `now` at once until it has run; `on` at its date (at once when
 * that is past and it never ran); the others at their next fire.
 */
export function plannedRunAt(job: Schedulable, now: Date, clock: ScheduleClock): Date | null {
  if (job.replay) return now;
  switch (job.repeat) {
    case 'now':
      return job.ran > 0 ? null : now;
    case 'on': {
      const at = onInstant(ruleOf(job), tzOf(job, clock));
      return job.ran === 0 || at.getTime() > now.getTime() ? at : null;
    }
    default:
      return scheduledAfter(job, now, clock);
  }
}

/**
 * After a run ends at `end`: a replay asked during the run at once, `now`/`on`
 * jobs nothing more, the others their first fire after `end` (no backlog).
 */
export function runAtAfterRun(job: Schedulable, end: Date, clock: ScheduleClock): Date | null {
  if (job.replay) return end;
  if (job.repeat === 'now') return null;
  return scheduledAfter(job, end, clock);
}

/**
 * Scheduled fires that fell in (start, end]: they came while the run was going.
 * `count` counts them all (up to 10,000); `fires` lists the first `keep`.
 */
export function firesDuring(
  job: Schedulable,
  start: Date,
  end: Date,
  clock: ScheduleClock,
  keep = 1,
): { count: number; first: Date | null; fires: Date[] } {
  const fires: Date[] = [];
  if (job.repeat === 'now' || job.repeat === 'on') return { count: 0, first: null, fires };
  let count = 0;
  let at = scheduledAfter(job, start, clock);
  while (at && at.getTime() <= end.getTime() && count < 10_000) {
    if (fires.length < keep) fires.push(at);
    count += 1;
    at = scheduledAfter(job, at, clock);
  }
  return { count, first: fires[0] ?? null, fires };
}

import { LogLevel } from '../logging/log-entry.entity';
import { NewLogEntry } from '../logging/system-log.service';
import { JobRun } from './job-run';
import { JobRunResult } from './job-type';

/** A log entry of a run; the runner adds type, job and store. */
export type RunEntry = Omit<NewLogEntry, 'type' | 'job' | 'store'>;

/** Skipped fires logged one by one, at most (the last entry says how many more). */
const SKIPPED_ENTRIES_MAX = 100;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim().slice(0, 1000) || 'unknown error';
}

/**
 * The entries a run writes, in one place: `started` (after an `interrupted` for the
 * lost run it takes over), then exactly one of passed, failed, cancelled or
 * interrupted, with one `skipped` per fire that came meanwhile.
 */
export const runEntries = {
  opening(run: JobRun, takenOver: { instance: string | null } | null): RunEntry[] {
    const fireAt = run.job.fireAt?.toISOString() ?? null;
    const started: RunEntry = {
      level: LogLevel.Info,
      event: 'started',
      message: takenOver ? 'Run started (retry of an interrupted run).' : 'Run started.',
      data: { fire_at: fireAt, instance: run.owner, retry: !!takenOver },
    };
    if (!takenOver) return [started];
    const lost: RunEntry = {
      level: LogLevel.Warning,
      event: 'interrupted',
      message: 'Interrupted: its instance lost the run (stopped or stalled); retried now.',
      data: { instance: takenOver.instance, fire_at: fireAt },
    };
    return [lost, started];
  },

  /** The handler returned; one that did its work but found problems (`success: false`) ends failed. */
  passed(result: JobRunResult | undefined): { feedback: string; entry: RunEntry } {
    const feedback = (result?.feedback ?? 'done').slice(0, 1000);
    const data = result?.data ?? null;
    const success = result?.success !== false;
    return {
      feedback,
      entry: {
        level: success ? LogLevel.Info : LogLevel.Error,
        event: success ? 'passed' : 'failed',
        success,
        message: feedback,
        data,
      },
    };
  },

  failed(cause: string): { feedback: string; entry: RunEntry } {
    const feedback = `Failed: ${cause}`;
    return {
      feedback,
      entry: {
        level: LogLevel.Error,
        event: 'failed',
        success: false,
        message: feedback,
        data: { error: cause },
      },
    };
  },

  cancelled(run: JobRun): RunEntry {
    return {
      level: LogLevel.Warning,
      event: 'cancelled',
      success: false,
      message: 'Cancelled: the job was deleted while running.',
      data: { progress: run.progress },
    };
  },

  /** A shutdown stopped the run; a lost run's `interrupted` is written by the claim retrying it. */
  interrupted(run: JobRun): RunEntry {
    return {
      level: LogLevel.Warning,
      event: 'interrupted',
      message: 'Interrupted by the shutdown of its instance; it will be retried.',
      data: { instance: run.owner, progress: run.progress },
    };
  },

  progress(done: number, total: number | null): RunEntry {
    return {
      level: LogLevel.Info,
      event: 'progress',
      message: total === null ? `${done} done` : `${done} of ${total} done`,
      data: { done, total },
    };
  },

  /** One entry per skipped fire; `count` counts them all. */
  skipped(fires: Date[], count: number): RunEntry[] {
    return fires.slice(0, SKIPPED_ENTRIES_MAX).map((at, i) => {
      const more = i === SKIPPED_ENTRIES_MAX - 1 ? count - SKIPPED_ENTRIES_MAX : 0;
      return {
        level: LogLevel.Notice,
        event: 'skipped',
        message:
          `Fire of ${at.toISOString()} skipped: the previous run was still going.` +
          (more > 0 ? ` ${more} more skipped.` : ''),
        data: { fire_at: at.toISOString(), count, ...(more > 0 ? { more } : {}) },
      };
    });
  },

  /** Fires listed by firesDuring for `skipped` (one more to know whether some were left out). */
  skippedKept: SKIPPED_ENTRIES_MAX + 1,
};

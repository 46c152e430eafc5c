import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { Repository } from 'typeorm';
import { Store } from '../access/store.entity';
import { AppConfig } from '../config/app-config';
import { LogLevel } from '../logging/log-entry.entity';
import { NewLogEntry, SystemLogService } from '../logging/system-log.service';
import { JobRun } from './job-run';
import { JobRunContext, JobRunResult } from './job-type';
import { RegisteredJobType } from './job-type.registry';
import { JobLeaseStore } from './lease-store';
import { firesDuring, runAtAfterRun, ScheduleClock } from './schedule-plan';

/** After an abort, how long a handler may take to stop before the run is closed anyway. */
const ABORT_WAIT_MS = 5_000;
/** Progress is saved on the job row at most this often. */
const PROGRESS_SAVE_MS = 1_000;

type RunEntry = Omit<NewLogEntry, 'type' | 'job' | 'store'>;

type Outcome =
  | { kind: 'passed'; result: JobRunResult }
  | { kind: 'failed'; error: unknown }
  | { kind: 'cancelled' | 'lease-lost' | 'shutdown' };

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim().slice(0, 1000) || 'unknown error';
}

/**
 * One run of a claimed fire: its context (params, store, log, progress, state),
 * the handler call with its abort, and the closing of the run (log entry and
 * job row). Every write of the run goes through the lease it holds.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('Jobs');
  readonly clock: ScheduleClock;
  private readonly progressLogMs: number;

  constructor(
    private readonly leases: JobLeaseStore,
    @InjectRepository(Store) private readonly stores: Repository<Store>,
    private readonly logs: SystemLogService,
    config: AppConfig,
  ) {
    this.clock = { defaultTimezone: config.jobsTimezone, minuteMs: config.schedulerMinuteMs };
    // Every few seconds (5 s), shorter when a test shortens the minute.
    this.progressLogMs = Math.max(100, Math.min(5_000, Math.floor(config.schedulerMinuteMs / 12)));
  }

  /** Runs the handler of `run` and closes the run; `retry` when a dead instance's run is taken over. */
  async execute(run: JobRun, type: RegisteredJobType, retry: boolean): Promise<void> {
    const { job } = run;
    await this.write(run, {
      level: LogLevel.Info,
      event: 'started',
      message: retry ? 'Run started (retry of an interrupted run).' : 'Run started.',
      data: { fire_at: job.fireAt?.toISOString() ?? null, instance: run.owner, retry },
    });
    let outcome: Outcome;
    try {
      const store = job.storeId === null ? null : await this.stores.findOneBy({ id: job.storeId });
      // Never run a store's job as if it were over every store.
      if (job.storeId !== null && !store) throw new Error(`store ${job.storeId} no longer exists`);
      const params = plainToInstance(type.options.params, job.params ?? {}) as Record<
        string,
        unknown
      >;
      const result = await this.untilAborted(
        type.handler.run(this.context(run, params, store)),
        run,
      );
      outcome = run.abortReason ? { kind: run.abortReason } : { kind: 'passed', result };
    } catch (error) {
      outcome = run.abortReason ? { kind: run.abortReason } : { kind: 'failed', error };
    }
    await this.finish(run, outcome);
  }

  /** The handler's promise, or its abort: a handler that ignores the signal is not waited for long. */
  private untilAborted<T>(work: Promise<T>, run: JobRun): Promise<T> {
    work.catch(() => undefined);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const timer = setTimeout(() => reject(run.signal.reason), ABORT_WAIT_MS);
        const stopped = () => {
          clearTimeout(timer);
          reject(run.signal.reason);
        };
        work.then(stopped, stopped);
      };
      if (run.signal.aborted) onAbort();
      else run.signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject);
    });
  }

  private context(
    run: JobRun,
    params: Record<string, unknown>,
    store: Store | null,
  ): JobRunContext<any> {
    return {
      jobId: run.id,
      params,
      store,
      startedAt: run.startedAt,
      signal: run.signal,
      log: async (level, message, data) => {
        await this.write(run, { level, event: 'log', message, data: data ?? null });
      },
      progress: (done, total = null) => this.reportProgress(run, done, total),
      state: {
        get: <T>() => (run.job.state as T | null) ?? null,
        set: async (value) => {
          run.job.state = value;
          await this.leases.saveState(run, value);
        },
      },
    };
  }

  private async reportProgress(run: JobRun, done: number, total: number | null) {
    run.progress = { done, total };
    const now = Date.now();
    if (now - run.progressSavedAt >= PROGRESS_SAVE_MS) {
      run.progressSavedAt = now;
      await this.leases.saveProgress(run, run.progress);
    }
    if (now - run.progressLoggedAt >= this.progressLogMs) {
      run.progressLoggedAt = now;
      await this.write(run, {
        level: LogLevel.Info,
        event: 'progress',
        message: total === null ? `${done} done` : `${done} of ${total} done`,
        data: { done, total },
      });
    }
  }

  private async write(run: JobRun, entry: RunEntry) {
    await this.logs.log({ ...entry, type: 'job', job: run.id, store: run.job.storeId });
  }

  private async finish(run: JobRun, outcome: Outcome) {
    const end = new Date();
    switch (outcome.kind) {
      case 'passed': {
        const feedback = (outcome.result?.feedback ?? 'done').slice(0, 1000);
        // A handler that did its work but found problems (result.success false) ends failed.
        const success = outcome.result?.success !== false;
        return this.complete(run, end, success, feedback, {
          level: success ? LogLevel.Info : LogLevel.Error,
          event: success ? 'passed' : 'failed',
          success,
          message: feedback,
          data: outcome.result?.data ?? null,
        });
      }
      case 'failed': {
        const cause = errorText(outcome.error);
        const feedback = `Failed: ${cause}`;
        this.logger.warn(`job ${run.id} (${run.job.type}) failed: ${cause}`);
        return this.complete(run, end, false, feedback, {
          level: LogLevel.Error,
          event: 'failed',
          success: false,
          message: feedback,
          data: { error: cause },
        });
      }
      case 'cancelled':
        return this.complete(run, end, false, 'Cancelled.', {
          level: LogLevel.Warning,
          event: 'cancelled',
          success: false,
          message: 'Cancelled: the job was deleted while running.',
          data: { progress: run.progress },
        });
      case 'lease-lost':
        return this.write(run, {
          level: LogLevel.Warning,
          event: 'interrupted',
          message: 'Interrupted: this instance lost the lease of the run; another one holds it.',
          data: { instance: run.owner, progress: run.progress },
        });
      case 'shutdown':
        await this.write(run, {
          level: LogLevel.Warning,
          event: 'interrupted',
          message: 'Interrupted by the shutdown of its instance; it will be retried.',
          data: { instance: run.owner, progress: run.progress },
        });
        return this.leases.release(run);
    }
  }

  /** Writes the outcome entry, then closes the run on the job row and plans the next fire. */
  private async complete(
    run: JobRun,
    end: Date,
    success: boolean,
    feedback: string,
    entry: RunEntry,
  ) {
    const current = await this.leases.read(run.id);
    const ours = !!current && current.leaseOwner === run.owner;
    let next: Date | null = null;
    if (ours) {
      const skipped = this.safely(() => firesDuring(current, run.startedAt, end, this.clock), {
        count: 0,
        first: null,
      });
      if (skipped.count > 0) {
        await this.write(run, {
          level: LogLevel.Notice,
          event: 'skipped',
          message: `${skipped.count} fire(s) came while the run was still going: skipped.`,
          data: { count: skipped.count, first: skipped.first?.toISOString() ?? null },
        });
      }
      next = this.safely(() => runAtAfterRun(current, end, this.clock), null);
    }
    await this.write(run, entry);
    if (!ours) return;
    await this.leases.close(run, { success, feedback, completedAt: end, nextRunAt: next });
  }

  private safely<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (err) {
      this.logger.warn(`schedule error: ${errorText(err)}`);
      return fallback;
    }
  }
}

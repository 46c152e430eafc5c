import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { DataSource } from 'typeorm';
import { writeTogether } from '../common/db-errors';
import { Store } from '../access/store.entity';
import { AppConfig } from '../config/app-config';
import { DatabaseClock } from '../database/database-clock';
import { NewLogEntry, SystemLogService } from '../logging/system-log.service';
import { Job } from './job.entity';
import { JobRun, JobRunAbort } from './job-run';
import { JobRunContext, JobRunResult } from './job-type';
import { RegisteredJobType } from './job-type.registry';
import { JobLeaseStore, RunClosing } from './lease-store';
import { errorText, RunEntry, runEntries } from './run-entries';
import { firesDuring, runAtAfterRun, ScheduleClock } from './schedule-plan';

export { errorText };

/** On shutdown, how long a handler may take to stop before its instance leaves it. */
const SHUTDOWN_ABORT_WAIT_MS = 5_000;
/** Progress is saved on the job row at most this often. */
const PROGRESS_SAVE_MS = 1_000;
/** Closing attempts when a PUT changes the definition during the close. */
const CLOSE_ATTEMPTS = 5;

type Outcome =
  | { kind: 'passed'; result: JobRunResult }
  | { kind: 'failed'; error: unknown }
  | { kind: 'cancelled' | 'lease-lost' | 'shutdown' };

/** The run a claim took over: its instance lost it (crash, stall, lapsed lease). */
export interface TakenOver {
  instance: string | null;
  /** When the lost run started (its skipped fires are logged with its `interrupted`). */
  startedAt: Date | null;
}

/**
 * One run of a claimed fire: its context (params, store, log, progress, state),
 * the handler call with its abort, and the closing of the run. Every write of the
 * run is fenced by its lease token and its local deadline; each run ends with
 * exactly one of passed, failed, cancelled or interrupted.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('Jobs');
  readonly clock: ScheduleClock;
  /** Least time between two `progress` log entries of a run (tests set 0 to log every report). */
  progressLogMs: number;

  constructor(
    private readonly leases: JobLeaseStore,
    private readonly dataSource: DataSource,
    private readonly logs: SystemLogService,
    private readonly now: DatabaseClock,
    config: AppConfig,
  ) {
    this.clock = { defaultTimezone: config.jobsTimezone, minuteMs: config.schedulerMinuteMs };
    // Every few seconds (5 s), shorter when a test shortens the minute.
    this.progressLogMs = Math.max(100, Math.min(5_000, Math.floor(config.schedulerMinuteMs / 12)));
  }

  /** Runs the handler of `run` and closes the run; `takenOver` when a lost run is retried. */
  async execute(run: JobRun, type: RegisteredJobType, takenOver: TakenOver | null): Promise<void> {
    const { job } = run;
    // The fires that came while the lost run was going were skipped: logged before its `interrupted`.
    const lostSkipped = takenOver?.startedAt
      ? this.skippedDuring(job, takenOver.startedAt, run.startedAt)
      : [];
    await this.write(run, [...lostSkipped, ...runEntries.opening(run, takenOver)]);
    let outcome: Outcome;
    try {
      // The store came with the due query (null when it is gone).
      const store = job.storeId === null ? null : (job.store ?? null);
      // Never run a store's job as if it were over every store.
      if (job.storeId !== null && !store) throw new Error(`store ${job.storeId} no longer exists`);
      const params = plainToInstance(type.options.params, job.params ?? {}) as Record<
        string,
        unknown
      >;
      const result = await run.untilStopped(
        type.handler.run(this.context(run, params, store)),
        SHUTDOWN_ABORT_WAIT_MS,
      );
      outcome = run.abortReason ? { kind: run.abortReason } : { kind: 'passed', result };
    } catch (error) {
      outcome = run.abortReason ? { kind: run.abortReason } : { kind: 'failed', error };
    }
    // A run past its deadline is no longer ours to close, whatever the handler says.
    if ((outcome.kind === 'passed' || outcome.kind === 'failed') && !run.holdsLease()) {
      outcome = { kind: 'lease-lost' };
    }
    await this.finish(run, outcome);
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
      startedAt: run.runStart,
      signal: run.signal,
      log: async (level, message, data) => {
        if (run.holdsLease()) {
          await this.write(run, [{ level, event: 'log', message, data: data ?? null }]);
        }
      },
      progress: (done, total = null) => this.reportProgress(run, done, total),
      state: {
        get: <T>() => (run.job.state as T | null) ?? null,
        set: async (value) => {
          // A cursor saved by a run that is no longer ours would skip or repeat work.
          if (!run.holdsLease() || !(await this.leases.saveState(run, value))) {
            run.abort('lease-lost');
            throw new JobRunAbort('lease-lost');
          }
          run.job.state = value;
        },
      },
    };
  }

  private async reportProgress(run: JobRun, done: number, total: number | null) {
    run.progress = { done, total };
    if (!run.holdsLease()) return;
    const now = Date.now();
    if (now - run.progressSavedAt >= PROGRESS_SAVE_MS) {
      run.progressSavedAt = now;
      await this.leases.saveProgress(run, run.progress);
    }
    if (now - run.progressLoggedAt >= this.progressLogMs) {
      run.progressLoggedAt = now;
      await this.write(run, [runEntries.progress(done, total)]);
    }
  }

  /** The close and its entries together, so that a job never reads `ran` without its outcome. */
  private closeWithEntries(
    run: JobRun,
    version: number,
    closing: RunClosing,
    entries: NewLogEntry[],
  ): Promise<boolean> {
    return writeTogether(this.dataSource, async (em) => {
      if (!(await this.leases.close(run, version, closing, em))) return false;
      await this.logs.record(entries, em);
      return true;
    });
  }

  private async write(run: JobRun, entries: RunEntry[]) {
    await this.logs.record(this.entriesOf(run, entries));
  }

  private entriesOf(run: JobRun, entries: RunEntry[]): NewLogEntry[] {
    const stored = this.now.now();
    return entries.map((e) => ({ ...e, type: 'job', job: run.id, store: run.job.storeId, stored }));
  }

  private async finish(run: JobRun, outcome: Outcome) {
    switch (outcome.kind) {
      case 'passed': {
        const { feedback, entry } = runEntries.passed(outcome.result);
        return this.complete(run, entry.success === true, feedback, entry);
      }
      case 'failed': {
        const cause = errorText(outcome.error);
        this.logger.warn(`job ${run.id} (${run.job.type}) failed: ${cause}`);
        const { feedback, entry } = runEntries.failed(cause);
        return this.complete(run, false, feedback, entry);
      }
      case 'cancelled':
        return this.cancelled(run);
      case 'lease-lost':
        return this.lost(run);
      case 'shutdown':
        // A handler that would not stop keeps the lease until it lapses; the instance that
        // retries the run then writes its `interrupted`.
        if (run.abandoned) return;
        await this.leases.giveBack(run, { interrupted: true });
        return this.write(run, [
          ...this.skippedDuring(run.job, run.startedAt, this.now.now()),
          runEntries.interrupted(run),
        ]);
    }
  }

  /**
   * Closes the run on the job row (next fire planned from the definition it holds) and
   * writes the skipped fires and the outcome, in one transaction. A PUT in between makes the
   * conditional close fail: the row is read again and the next fire planned anew.
   */
  private async complete(run: JobRun, success: boolean, feedback: string, entry: RunEntry) {
    const end = this.now.now();
    let definition: Job = run.job;
    let version = run.version;
    for (let attempt = 1; attempt <= CLOSE_ATTEMPTS; attempt++) {
      if (!run.holdsLease()) return this.lost(run);
      const next = this.safely(() => runAtAfterRun(definition, end, this.clock), null);
      const closing = { success, feedback, completedAt: end, nextRunAt: next };
      const entries = [...this.skippedDuring(definition, run.startedAt, end), entry];
      const closed = await this.closeWithEntries(
        run,
        version,
        closing,
        this.entriesOf(run, entries),
      );
      if (closed) return;
      const current = await this.leases.read(run.id);
      if (!current) return this.cancelled(run);
      if (current.leaseToken !== run.token) return this.lost(run);
      definition = current;
      version = current.version;
    }
    this.logger.warn(`job ${run.id}: could not close the run: the definition kept changing`);
    return this.lost(run);
  }

  /**
   * This instance lost the run. It gives the fire back if its claim still names the row
   * (the lease lapsed and nobody took it yet) and writes nothing more: the claim that
   * retries the run writes its `interrupted` (one, whoever loses the run how).
   */
  private async lost(run: JobRun) {
    this.logger.warn(`job ${run.id}: this instance lost the run's lease; it stopped`);
    const found = await this.leases.giveBack(run, { interrupted: false });
    if (found === 'gone') return this.cancelled(run);
  }

  /** The job row is gone (deleted); the entries stay readable through the job's logs. */
  private cancelled(run: JobRun) {
    return this.write(run, [
      ...this.skippedDuring(run.job, run.startedAt, this.now.now()),
      runEntries.cancelled(run),
    ]);
  }

  /**
   * One `skipped` per fire of `definition` that came while a run was going (from its
   * `start` to `end`), whatever the run's outcome (jobs.md: each skipped fire is logged).
   */
  private skippedDuring(definition: Job, start: Date, end: Date): RunEntry[] {
    const skipped = this.safely(
      () => firesDuring(definition, start, end, this.clock, runEntries.skippedKept),
      { count: 0, first: null, fires: [] as Date[] },
    );
    return runEntries.skipped(skipped.fires, skipped.count);
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

import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { randomBytes } from 'crypto';
import { hostname } from 'os';
import { Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Store } from '../access/store.entity';
import { AppConfig } from '../config/app-config';
import { LogLevel } from '../logging/log-entry.entity';
import { NewLogEntry, SystemLogService } from '../logging/system-log.service';
import { Job } from './job.entity';
import { AbortReason, JobRun, JobRunAbort } from './job-run';
import { JobRunContext, JobRunResult } from './job-type';
import { JobTypeRegistry, RegisteredJobType } from './job-type.registry';
import { firesDuring, runAtAfterRun, ScheduleClock } from './schedule-plan';

/** Runs one instance carries at once; further due fires wait for the next poll. */
export const MAX_CONCURRENT_RUNS = 16;
/** After an abort, how long a handler may take to stop before the run is closed anyway. */
const ABORT_WAIT_MS = 5_000;
/** Progress is saved on the job row at most this often. */
const PROGRESS_SAVE_MS = 1_000;
/** Due rows read beyond the free slots, so that a few jobs of unknown types do not block the rest. */
const DUE_SLACK = 32;

const POLL_TIMER = 'jobs-poll';
const HEARTBEAT_TIMER = 'jobs-heartbeat';
const NEXT_FIRE_TIMER = 'jobs-next-fire';

type Outcome =
  | { kind: 'passed'; result: JobRunResult }
  | { kind: 'failed'; error: unknown }
  | { kind: AbortReason };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim().slice(0, 1000) || 'unknown error';
}

/**
 * The scheduler of this instance. The database is the truth: a fire is due when
 * `next_run_at <= now`; an instance takes it with one conditional UPDATE (the
 * lease), so that with several instances on one database each fire runs once.
 * A heartbeat extends the lease of the runs in progress; a run whose instance
 * died is still due and is taken again once its lease has lapsed.
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  readonly instanceId = `${hostname().slice(0, 30)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly runs = new Map<number, JobRun>();
  private readonly clock: ScheduleClock;
  private readonly progressLogMs: number;
  private stopping = false;
  private crashed = false;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private lastClaimMs = 0;
  private backlog = false;

  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    @InjectRepository(Store) private readonly stores: Repository<Store>,
    private readonly registry: JobTypeRegistry,
    private readonly logs: SystemLogService,
    private readonly config: AppConfig,
    private readonly timers: SchedulerRegistry,
  ) {
    this.clock = { defaultTimezone: config.jobsTimezone, minuteMs: config.schedulerMinuteMs };
    // Every few seconds (5 s), shorter when a test shortens the minute.
    this.progressLogMs = Math.max(100, Math.min(5_000, Math.floor(config.schedulerMinuteMs / 12)));
  }

  get scheduleClock(): ScheduleClock {
    return this.clock;
  }

  onApplicationBootstrap() {
    // JOBS_API=false: this instance serves the LRS only and runs no job.
    if (!this.config.jobsApi) {
      this.stopping = true;
      return;
    }
    this.timers.addInterval(
      POLL_TIMER,
      setInterval(() => this.wake(), this.config.schedulerPollMs),
    );
    this.timers.addInterval(
      HEARTBEAT_TIMER,
      setInterval(
        () => void this.heartbeat(),
        Math.max(50, Math.floor(this.config.jobLeaseMs / 3)),
      ),
    );
    this.wake();
  }

  /** Looks for due fires now (after a create or a replay), without waiting for the next poll. */
  wake() {
    if (this.stopping) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = (async () => {
      do {
        this.pollAgain = false;
        try {
          await this.claimDue();
        } catch (err) {
          if (!this.stopping) this.logger.warn(`poll failed: ${errorText(err)}`);
        }
      } while (this.pollAgain && !this.stopping);
    })().finally(() => (this.polling = null));
  }

  /** Number of runs in progress on this instance. */
  get runningCount() {
    return this.runs.size;
  }

  /** Aborts this instance's run of these jobs (they were deleted). */
  cancel(jobIds: number[]) {
    for (const id of jobIds) this.runs.get(id)?.abort('cancelled');
  }

  private async claimDue() {
    const types = this.registry.names();
    if (!types.length) return;
    const now = new Date();
    const free = MAX_CONCURRENT_RUNS - this.runs.size;
    if (free <= 0) {
      this.backlog = true;
      return;
    }
    // No type filter in SQL: it would lead SQLite to the (type, id) index and a sort of
    // every job; the next_run_at index reads only the due ones. Types this instance
    // does not know (another version) are left to the instances that do.
    const known = new Set(types);
    const due = await this.jobs
      .createQueryBuilder('j')
      .where('j.nextRunAt <= :now', { now })
      .andWhere('(j.leaseUntil IS NULL OR j.leaseUntil < :now)', { now })
      .orderBy('j.nextRunAt', 'ASC')
      .addOrderBy('j.id', 'ASC')
      .limit(free * 2 + DUE_SLACK)
      .getMany();
    const candidates = due.filter((j) => known.has(j.type) && !this.runs.has(j.id)).slice(0, free);
    if (candidates.length && !this.stopping) {
      const startedAt = this.claimInstant();
      const claimed = await this.claim(
        candidates.map((j) => j.id),
        startedAt,
      );
      for (const job of candidates) if (claimed.has(job.id)) this.start(job, startedAt);
      // More due than this batch: look again at once if there is room, else when a run ends.
      if (due.length > candidates.length) {
        if (this.runs.size < MAX_CONCURRENT_RUNS) this.pollAgain = true;
        else this.backlog = true;
      }
    }
    await this.armNextFire();
  }

  /**
   * A fire due before the next poll gets a timer of its own, so that it starts on
   * time rather than up to one poll interval late.
   */
  private async armNextFire() {
    const now = new Date();
    const next = await this.jobs
      .createQueryBuilder('j')
      .select(['j.id', 'j.nextRunAt'])
      .where('j.nextRunAt > :now', { now })
      .orderBy('j.nextRunAt', 'ASC')
      .limit(1)
      .getOne();
    this.deleteTimer(NEXT_FIRE_TIMER, 'timeout');
    if (!next?.nextRunAt || this.stopping) return;
    const delay = next.nextRunAt.getTime() - Date.now();
    if (delay >= this.config.schedulerPollMs) return;
    this.timers.addTimeout(
      NEXT_FIRE_TIMER,
      setTimeout(
        () => {
          this.deleteTimer(NEXT_FIRE_TIMER, 'timeout');
          this.wake();
        },
        Math.max(0, delay),
      ),
    );
  }

  /** Claim instants strictly increase, so that (owner, lease_until) names one claim. */
  private claimInstant(): Date {
    this.lastClaimMs = Math.max(Date.now(), this.lastClaimMs + 1);
    return new Date(this.lastClaimMs);
  }

  /**
   * The lease: one atomic conditional UPDATE over the batch. A row is taken only
   * while it is due and its lease is free, so two instances never both take one
   * fire (the database serialises the row updates). Which rows this instance got
   * is read back by its claim's unique (owner, lease_until).
   */
  private async claim(ids: number[], now: Date): Promise<Set<number>> {
    const leaseUntil = new Date(now.getTime() + this.config.jobLeaseMs);
    const res = await this.jobs
      .createQueryBuilder()
      .update(Job)
      .set({
        running: true,
        leaseOwner: this.instanceId,
        leaseUntil,
        fireAt: () => 'next_run_at',
        startedAt: now,
        replay: false,
        progress: null,
      })
      .where('id IN (:...ids)', { ids })
      .andWhere('next_run_at <= :now', { now })
      .andWhere('(lease_until IS NULL OR lease_until < :now)', { now })
      .execute();
    if (!res.affected) return new Set();
    if (res.affected === ids.length) return new Set(ids);
    const mine = await this.jobs
      .createQueryBuilder('j')
      .select(['j.id'])
      .where('j.id IN (:...ids)', { ids })
      .andWhere('j.leaseOwner = :owner AND j.leaseUntil = :leaseUntil', {
        owner: this.instanceId,
        leaseUntil,
      })
      .getMany();
    return new Set(mine.map((j) => j.id));
  }

  /** `job` as read before the claim; the claim's own changes are applied to it here. */
  private start(job: Job, startedAt: Date) {
    const type = this.registry.get(job.type);
    if (!type) return;
    // A row still marked running whose lease lapsed: its instance died mid-run.
    const retry = !!job.running;
    Object.assign(job, {
      running: true,
      leaseOwner: this.instanceId,
      leaseUntil: new Date(startedAt.getTime() + this.config.jobLeaseMs),
      fireAt: job.nextRunAt,
      startedAt,
      replay: false,
      progress: null,
    });
    const run = new JobRun(job, startedAt, this.instanceId);
    this.runs.set(job.id, run);
    run.done = this.execute(run, type, retry)
      .catch((err) => this.logger.error(`job ${job.id}: ${errorText(err)}`))
      .finally(() => {
        this.runs.delete(job.id);
        // Due fires were left waiting for a free slot: take them now, not at the next poll.
        if (this.backlog) {
          this.backlog = false;
          this.wake();
        }
      });
  }

  private async execute(run: JobRun, type: RegisteredJobType, retry: boolean) {
    const { job } = run;
    await this.write(run, {
      level: LogLevel.Info,
      event: 'started',
      message: retry ? 'Run started (retry of an interrupted run).' : 'Run started.',
      data: {
        fire_at: job.fireAt?.toISOString() ?? null,
        instance: this.instanceId,
        retry,
      },
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
        const wait = run.abortReason === 'crash' ? 0 : ABORT_WAIT_MS;
        const timer = setTimeout(() => reject(run.signal.reason), wait);
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
          if (!this.alive(run)) return;
          run.job.state = value;
          await this.jobs
            .createQueryBuilder()
            .update(Job)
            .set({ state: value as QueryDeepPartialEntity<Record<string, unknown>> })
            .where('id = :id AND lease_owner = :owner', { id: run.id, owner: run.owner })
            .execute();
        },
      },
    };
  }

  private async reportProgress(run: JobRun, done: number, total: number | null) {
    run.progress = { done, total };
    if (!this.alive(run)) return;
    const now = Date.now();
    if (now - run.progressSavedAt >= PROGRESS_SAVE_MS) {
      run.progressSavedAt = now;
      await this.saveProgress(run);
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

  private async saveProgress(run: JobRun) {
    await this.jobs
      .createQueryBuilder()
      .update(Job)
      .set({ progress: run.progress })
      .where('id = :id AND lease_owner = :owner', { id: run.id, owner: run.owner })
      .execute();
  }

  private alive(run: JobRun) {
    return !this.crashed && run.abortReason !== 'crash';
  }

  private async write(run: JobRun, entry: Omit<NewLogEntry, 'type' | 'job' | 'store'>) {
    if (!this.alive(run)) return;
    await this.logs.log({ ...entry, type: 'job', job: run.id, store: run.job.storeId });
  }

  private async finish(run: JobRun, outcome: Outcome) {
    if (!this.alive(run)) return;
    const end = new Date();
    switch (outcome.kind) {
      case 'passed': {
        const feedback = (outcome.result?.feedback ?? 'done').slice(0, 1000);
        const success = outcome.result?.success !== false;
        await this.complete(run, end, success, feedback, {
          level: success ? LogLevel.Info : LogLevel.Error,
          event: success ? 'passed' : 'failed',
          success,
          message: feedback,
          data: outcome.result?.data ?? null,
        });
        return;
      }
      case 'failed': {
        const cause = errorText(outcome.error);
        const feedback = `Failed: ${cause}`;
        this.logger.warn(`job ${run.id} (${run.job.type}) failed: ${cause}`);
        await this.complete(run, end, false, feedback, {
          level: LogLevel.Error,
          event: 'failed',
          success: false,
          message: feedback,
          data: { error: cause },
        });
        return;
      }
      case 'cancelled':
        await this.complete(run, end, false, 'Cancelled.', {
          level: LogLevel.Warning,
          event: 'cancelled',
          success: false,
          message: 'Cancelled: the job was deleted while running.',
          data: { progress: run.progress },
        });
        return;
      case 'lease-lost':
        await this.write(run, {
          level: LogLevel.Warning,
          event: 'interrupted',
          message: 'Interrupted: this instance lost the lease of the run; another one holds it.',
          data: { instance: this.instanceId, progress: run.progress },
        });
        return;
      case 'shutdown':
        await this.write(run, {
          level: LogLevel.Warning,
          event: 'interrupted',
          message: 'Interrupted by the shutdown of its instance; it will be retried.',
          data: { instance: this.instanceId, progress: run.progress },
        });
        // Still due: releasing the lease lets another instance (or the next start) retry it.
        await this.jobs
          .createQueryBuilder()
          .update(Job)
          .set({ running: false, leaseOwner: null, leaseUntil: null, progress: null })
          .where('id = :id AND lease_owner = :owner', { id: run.id, owner: run.owner })
          .execute();
        return;
      case 'crash':
        return;
    }
  }

  /** Writes the outcome entry, then closes the run on the job row and plans the next fire. */
  private async complete(
    run: JobRun,
    end: Date,
    success: boolean,
    feedback: string,
    entry: Omit<NewLogEntry, 'type' | 'job' | 'store'>,
  ) {
    const current = await this.jobs.findOneBy({ id: run.id });
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
    await this.jobs
      .createQueryBuilder()
      .update(Job)
      .set({
        running: false,
        leaseOwner: null,
        leaseUntil: null,
        fireAt: null,
        ran: () => 'ran + 1',
        success,
        feedback,
        completedAt: end,
        nextRunAt: next,
        progress: null,
      })
      .where('id = :id AND lease_owner = :owner', { id: run.id, owner: run.owner })
      .execute();
  }

  private safely<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (err) {
      this.logger.warn(`schedule error: ${errorText(err)}`);
      return fallback;
    }
  }

  /** Extends the lease of every run in progress; a run whose row is gone or taken is stopped. */
  private async heartbeat() {
    if (this.crashed) return;
    for (const run of [...this.runs.values()]) {
      if (run.signal.aborted) continue;
      try {
        const res = await this.jobs
          .createQueryBuilder()
          .update(Job)
          .set({ leaseUntil: new Date(Date.now() + this.config.jobLeaseMs) })
          .where('id = :id AND lease_owner = :owner', { id: run.id, owner: run.owner })
          .execute();
        if (res.affected === 0) {
          const exists = await this.jobs.existsBy({ id: run.id });
          run.abort(exists ? 'lease-lost' : 'cancelled');
        }
      } catch (err) {
        this.logger.warn(`heartbeat of job ${run.id} failed: ${errorText(err)}`);
      }
    }
  }

  /**
   * Graceful shutdown: stop claiming, let runs finish for JOBS_SHUTDOWN_GRACE_MS,
   * then abort the others and release their leases so that another instance retries.
   */
  async beforeApplicationShutdown() {
    if (this.crashed) return;
    this.stopping = true;
    this.deleteTimer(POLL_TIMER);
    await this.polling;
    this.deleteTimer(NEXT_FIRE_TIMER, 'timeout');
    const deadline = Date.now() + this.config.shutdownGraceMs;
    while (this.runs.size && Date.now() < deadline) await sleep(25);
    const left = [...this.runs.values()];
    left.forEach((run) => run.abort('shutdown'));
    await Promise.allSettled(left.map((run) => run.done));
    this.deleteTimer(HEARTBEAT_TIMER);
  }

  /**
   * Test hook: this instance "dies" now. Its timers stop and its runs are
   * abandoned without any further write: their leases stay until they lapse.
   */
  simulateCrash() {
    this.crashed = true;
    this.stopping = true;
    this.deleteTimer(POLL_TIMER);
    this.deleteTimer(HEARTBEAT_TIMER);
    this.deleteTimer(NEXT_FIRE_TIMER, 'timeout');
    for (const run of this.runs.values()) run.abort('crash');
  }

  private deleteTimer(name: string, kind: 'interval' | 'timeout' = 'interval') {
    if (!this.timers.doesExist(kind, name)) return;
    if (kind === 'interval') this.timers.deleteInterval(name);
    else this.timers.deleteTimeout(name);
  }
}

export { JobRunAbort };

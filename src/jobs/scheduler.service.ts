import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { randomBytes } from 'crypto';
import { hostname } from 'os';
import { AppConfig } from '../config/app-config';
import { Job } from './job.entity';
import { JobRun } from './job-run';
import { errorText, JobRunner } from './job-runner';
import { JobTypeRegistry } from './job-type.registry';
import { JobLeaseStore } from './lease-store';
import { ScheduleClock } from './schedule-plan';
import { DatabaseClock } from '../database/database-clock';

/** Runs one instance carries at once; further due fires wait for the next poll. */
export const MAX_CONCURRENT_RUNS = 16;
/** Due rows read beyond the free slots, so that a few jobs of unknown types do not block the rest. */
const DUE_SLACK = 32;

/** An idle instance polls at most this many times less often than JOBS_POLL_MS. */
export const IDLE_POLL_FACTOR = 10;
/** The spec's promise: a run whose instance died is retried within a minute. */
const RETRY_WITHIN_MS = 60_000;

const POLL_TIMER = 'jobs-poll';
const HEARTBEAT_TIMER = 'jobs-heartbeat';
const DEADLINE_TIMER = 'jobs-deadlines';
const NEXT_FIRE_TIMER = 'jobs-next-fire';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The scheduler of this instance: polling and timers, starting claimed fires,
 * heartbeats and shutdown. The database is the truth: a fire is due when
 * `next_run_at <= now`; an instance takes it through the lease store's claim, so
 * that with several instances on one database each fire runs once. A run whose
 * instance died is still due and is taken again once its lease has lapsed.
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  readonly instanceId = `${hostname().slice(0, 30)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly runs = new Map<number, JobRun>();
  private stopping = false;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private backlog = false;
  /** Heartbeats in flight: a slow one does not hold the next back, but they do not pile up. */
  private heartbeats = 0;
  /** The delay before the next poll: JOBS_POLL_MS, doubled after each idle poll up to idlePollMs. */
  private pollDelayMs = 0;
  /** When the poll timer is due (performance.now()), or null when none is armed. */
  private pollDueAt: number | null = null;
  /** A fire moved on this instance since the last poll's read (see rescheduled()). */
  private moved = false;

  constructor(
    private readonly leases: JobLeaseStore,
    private readonly runner: JobRunner,
    private readonly registry: JobTypeRegistry,
    private readonly config: AppConfig,
    private readonly timers: SchedulerRegistry,
    private readonly clock: DatabaseClock,
  ) {}

  /**
   * A run acts as the lease holder for three quarters of a lease after its claim or
   * last heartbeat was sent: the rest is the margin for the handler to stop.
   */
  private get usableLeaseMs() {
    return Math.floor((this.config.jobLeaseMs * 3) / 4);
  }

  /**
   * The longest pause between two polls of an idle instance (nothing due or soon,
   * nothing changed here): ten poll intervals, but short enough that a run whose
   * instance died (its lease lapsed unseen) is still retried within a minute.
   */
  get idlePollMs() {
    const { schedulerPollMs: poll, jobLeaseMs: lease } = this.config;
    return Math.max(poll, Math.min(IDLE_POLL_FACTOR * poll, RETRY_WITHIN_MS - lease));
  }

  get scheduleClock(): ScheduleClock {
    return this.runner.clock;
  }

  onApplicationBootstrap() {
    // JOBS_API=false: this instance serves the LRS only and runs no job.
    if (!this.config.jobsApi) {
      this.stopping = true;
      return;
    }
    this.pollDelayMs = this.config.schedulerPollMs;
    // Heartbeats at most a second apart, so that a deletion on another instance is
    // noticed within about a second; one statement for all runs of this instance.
    this.timers.addInterval(
      HEARTBEAT_TIMER,
      setInterval(
        () => void this.heartbeat(),
        Math.max(20, Math.min(1_000, Math.floor(this.config.jobLeaseMs / 3))),
      ),
    );
    // Runs past their local deadline stop even when no heartbeat answers.
    this.timers.addInterval(
      DEADLINE_TIMER,
      setInterval(
        () => this.runs.forEach((run) => run.holdsLease()),
        Math.max(20, Math.min(1_000, Math.floor(this.config.jobLeaseMs / 10))),
      ),
    );
    void this.clock
      .sync()
      .catch((err) => this.logger.warn(`database clock: ${errorText(err)}`))
      .finally(() => this.wake());
  }

  /** Looks for due fires now (after a create or a replay), without waiting for the next poll. */
  wake() {
    if (this.stopping) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.deleteTimer(POLL_TIMER, 'timeout');
    this.pollDueAt = null;
    this.polling = (async () => {
      let busy = false;
      do {
        this.pollAgain = false;
        this.moved = false;
        try {
          busy = (await this.claimDue()) || busy;
        } catch (err) {
          busy = true;
          if (!this.stopping) this.logger.warn(`poll failed: ${errorText(err)}`);
        }
      } while (this.pollAgain && !this.stopping);
      return busy;
    })()
      .then((busy) => {
        // Nothing due or soon: wait twice as long before the next look, up to idlePollMs.
        const poll = this.config.schedulerPollMs;
        this.pollDelayMs =
          busy || this.moved ? poll : Math.min(this.idlePollMs, this.pollDelayMs * 2 || poll);
      })
      .finally(() => {
        this.polling = null;
        this.armPoll(this.pollDelayMs);
      });
  }

  /**
   * A fire may have moved on this instance without a look yet (a run ended and planned
   * its next fire, a PUT changed the schedule): the next poll comes within JOBS_POLL_MS,
   * as it would without the idle backoff.
   */
  rescheduled() {
    if (this.stopping) return;
    this.moved = true;
    this.pollDelayMs = this.config.schedulerPollMs;
    if (!this.polling) this.armPoll(this.pollDelayMs);
  }

  /** The poll timer, `delay` from now unless it is already due sooner. */
  private armPoll(delay: number) {
    if (this.stopping) return;
    const dueAt = performance.now() + delay;
    if (this.pollDueAt !== null && this.pollDueAt <= dueAt) return;
    this.deleteTimer(POLL_TIMER, 'timeout');
    this.pollDueAt = dueAt;
    this.timers.addTimeout(
      POLL_TIMER,
      setTimeout(() => {
        this.deleteTimer(POLL_TIMER, 'timeout');
        this.pollDueAt = null;
        this.wake();
      }, delay),
    );
  }

  /** Number of runs in progress on this instance. */
  get runningCount() {
    return this.runs.size;
  }

  /** Aborts this instance's run of these jobs (they were deleted). */
  cancel(jobIds: number[]) {
    for (const id of jobIds) this.runs.get(id)?.abort('cancelled');
  }

  /**
   * One poll: claims the due fires and arms a timer for the first one due before the
   * next poll can come. True when it found a fire due (the instance is not idle).
   */
  private async claimDue(): Promise<boolean> {
    const types = this.registry.names();
    if (!types.length) return false;
    const free = MAX_CONCURRENT_RUNS - this.runs.size;
    if (free <= 0) {
      this.backlog = true;
      return true;
    }
    // Types this instance does not know (another version) are left to the instances that do.
    const known = new Set(types);
    await this.clock.refresh();
    const now = this.clock.now();
    // Up to the latest the next poll can come: every fire due before it gets a timer.
    const horizon = new Date(now.getTime() + this.idlePollMs);
    const rows = await this.leases.due(now, horizon, free * 2 + DUE_SLACK);
    const due = rows.filter((j) => j.nextRunAt! <= now);
    const soon = rows.find((j) => j.nextRunAt! > now)?.nextRunAt ?? null;
    const candidates = due.filter((j) => known.has(j.type) && !this.runs.has(j.id)).slice(0, free);
    if (candidates.length && !this.stopping) {
      // The local deadline counts from before the claim is sent: the lease it gets is later.
      const sentAt = performance.now();
      const startedAt = this.clock.now();
      const token = randomBytes(8).toString('hex');
      const ids = candidates.map((j) => j.id);
      const claimed = await this.leases.claim(ids, startedAt, this.instanceId, token);
      for (const job of candidates) {
        if (claimed.has(job.id)) this.start(job, { startedAt, token, sentAt });
      }
      // More due than this batch: look again at once if there is room, else when a run ends.
      if (due.length > candidates.length) {
        if (this.runs.size < MAX_CONCURRENT_RUNS) this.pollAgain = true;
        else this.backlog = true;
      }
    }
    this.armNextFire(soon);
    return due.length > 0;
  }

  /**
   * A fire due before the next poll gets a timer of its own, so that it starts on
   * time rather than up to one poll interval late.
   */
  private armNextFire(next: Date | null) {
    this.deleteTimer(NEXT_FIRE_TIMER, 'timeout');
    if (!next || this.stopping) return;
    const delay = next.getTime() - this.clock.now().getTime();
    this.timers.addTimeout(
      NEXT_FIRE_TIMER,
      setTimeout(
        () => {
          this.deleteTimer(NEXT_FIRE_TIMER, 'timeout');
          // A timer counts from the event loop's cached time and may fire a few ms before
          // the fire is due: a poll then would find nothing due and cost a query for nothing.
          if (next.getTime() > this.clock.now().getTime()) this.armNextFire(next);
          else this.wake();
        },
        Math.max(0, delay),
      ),
    );
  }

  /** `job` as read before the claim; the claim's own changes are applied to it here. */
  private start(job: Job, claim: { startedAt: Date; token: string; sentAt: number }) {
    const type = this.registry.get(job.type);
    if (!type) return;
    // A row still marked running whose lease lapsed: its instance lost the run.
    const takenOver = job.running ? { instance: job.leaseOwner, startedAt: job.startedAt } : null;
    // A run that started and never closed (interrupted or lost): this claim retries it,
    // from its start (the claim kept started_at; lease-store).
    const unclosed =
      job.startedAt != null &&
      (job.completedAt == null || job.completedAt.getTime() < job.startedAt.getTime());
    const runStart = unclosed ? job.startedAt! : claim.startedAt;
    Object.assign(job, {
      running: true,
      leaseOwner: this.instanceId,
      leaseToken: claim.token,
      leaseUntil: this.leases.leaseEnd(claim.startedAt),
      fireAt: job.nextRunAt,
      startedAt: runStart,
      replay: false,
      progress: null,
      version: job.version + 1,
    });
    const run = new JobRun(
      job,
      claim.startedAt,
      this.instanceId,
      claim.token,
      claim.sentAt,
      this.usableLeaseMs,
    );
    run.runStart = runStart;
    this.runs.set(job.id, run);
    run.done = this.runner
      .execute(run, type, takenOver)
      .catch((err) => this.logger.error(`job ${job.id}: ${errorText(err)}`))
      .finally(() => {
        this.runs.delete(job.id);
        // The run planned its next fire: look for it within a poll interval.
        this.rescheduled();
        // Due fires were left waiting for a free slot: take them now, not at the next poll.
        if (this.backlog) {
          this.backlog = false;
          this.wake();
        }
      });
  }

  /**
   * Extends the leases of the runs in progress, in one statement; a run whose row is
   * gone was deleted (cancelled), one whose lease lapsed or was taken stops.
   */
  private async heartbeat() {
    if (this.heartbeats >= 2) return;
    const held = [...this.runs.values()].filter(
      (run) => (run.abortReason === null || run.abortReason === 'shutdown') && run.holdsLease(),
    );
    if (!held.length) return;
    this.heartbeats += 1;
    try {
      const sentAt = performance.now();
      const status = await this.leases.heartbeat(held);
      for (const run of held) {
        const s = status.get(run.id);
        if (s === 'held') run.extended(sentAt);
        else run.abort(s === 'gone' ? 'cancelled' : 'lease-lost');
      }
    } catch (err) {
      this.logger.warn(`heartbeat failed: ${errorText(err)}`);
    } finally {
      this.heartbeats -= 1;
    }
  }

  /**
   * Graceful shutdown: stop claiming, let runs finish for JOBS_SHUTDOWN_GRACE_MS,
   * then abort the others and release their leases so that another instance retries.
   */
  async beforeApplicationShutdown() {
    this.stopping = true;
    this.deleteTimer(POLL_TIMER, 'timeout');
    await this.polling;
    this.deleteTimer(POLL_TIMER, 'timeout');
    this.deleteTimer(NEXT_FIRE_TIMER, 'timeout');
    const deadline = Date.now() + this.config.shutdownGraceMs;
    while (this.runs.size && Date.now() < deadline) await sleep(25);
    const left = [...this.runs.values()];
    left.forEach((run) => run.abort('shutdown'));
    await Promise.allSettled(left.map((run) => run.done));
    this.deleteTimer(HEARTBEAT_TIMER);
    this.deleteTimer(DEADLINE_TIMER);
  }

  private deleteTimer(name: string, kind: 'interval' | 'timeout' = 'interval') {
    if (!this.timers.doesExist(kind, name)) return;
    if (kind === 'interval') this.timers.deleteInterval(name);
    else this.timers.deleteTimeout(name);
  }
}

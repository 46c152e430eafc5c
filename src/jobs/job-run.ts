import { Job } from './job.entity';
import { JobProgress } from './job-type';

/** Why a run was stopped before its handler returned. */
export type AbortReason =
  /** The job was deleted (here, or on another instance: the heartbeat found no row). */
  | 'cancelled'
  /** The run is no longer this instance's: its lease lapsed, or may have, or another claim holds it. */
  | 'lease-lost'
  /** This instance shuts down: the lease is released so that another one retries. */
  | 'shutdown';

export class JobRunAbort extends Error {
  constructor(readonly reason: AbortReason) {
    super(`run stopped: ${reason}`);
  }
}

/**
 * One fire being run by this instance, held by its claim's lease token. The run
 * keeps a local deadline on the monotonic clock: the lease it was last granted
 * (claim or heartbeat), counted from before that statement was sent, less a
 * margin. Past it, the lease may have lapsed in the database, so the run stops
 * itself and writes nothing more as its own.
 */
export class JobRun {
  readonly controller = new AbortController();
  progress: JobProgress | null = null;
  progressSavedAt = 0;
  progressLoggedAt: number;
  done!: Promise<void>;
  /** Set when a shutdown stopped waiting for a handler that ignores its signal. */
  abandoned = false;
  /** The row version this run's claim left (see Job.version). */
  readonly version: number;
  /** performance.now() past which the run must not act as the lease holder. */
  private deadline: number;

  /**
   * The run's start as its handler sees it (jobs.md's "run start time", the base of
   * `until` cutoffs): this attempt's start, or for the retry of a run that never closed
   * (interrupted, lost) that run's, so that the retry acts on what one run would have.
   */
  runStart: Date;

  constructor(
    readonly job: Job,
    readonly startedAt: Date,
    /** This instance (for log entries). */
    readonly owner: string,
    /** The claim's token: every write of the run is fenced by it. */
    readonly token: string,
    /** When the claim statement was sent (performance.now()), and the usable part of a lease. */
    claimSentAt: number,
    private readonly usableLeaseMs: number,
  ) {
    this.progressLoggedAt = startedAt.getTime();
    this.runStart = startedAt;
    this.deadline = claimSentAt + usableLeaseMs;
    this.version = job.version;
  }

  get id() {
    return this.job.id;
  }

  get signal() {
    return this.controller.signal;
  }

  get abortReason(): AbortReason | null {
    if (!this.signal.aborted) return null;
    const r = this.signal.reason;
    return r instanceof JobRunAbort ? r.reason : 'cancelled';
  }

  abort(reason: AbortReason) {
    if (!this.signal.aborted) this.controller.abort(new JobRunAbort(reason));
  }

  /**
   * The handler's promise. After an abort it is still waited for, so that the run's slot
   * stays taken until the handler really returns; only a shutdown leaves a handler that
   * ignores the signal behind, `abandonAfterMs` after the abort (`abandoned`, rejected
   * with the abort). A handler that stops in time clears that wait: no timer outlives it
   * to hold the process up after a graceful shutdown.
   */
  untilStopped<T>(work: Promise<T>, abandonAfterMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let abandon: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        if (this.abortReason !== 'shutdown') return;
        abandon = setTimeout(() => {
          this.abandoned = true;
          reject(this.signal.reason);
        }, abandonAfterMs);
      };
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => {
        clearTimeout(abandon);
        this.signal.removeEventListener('abort', onAbort);
      });
    });
  }

  /** A heartbeat sent at `sentAt` (performance.now()) extended the lease. */
  extended(sentAt: number) {
    this.deadline = Math.max(this.deadline, sentAt + this.usableLeaseMs);
  }

  /** Milliseconds left before the local deadline (negative once past it). */
  get timeLeft(): number {
    return this.deadline - performance.now();
  }

  /**
   * True while the run may still act as the lease holder. Past the deadline it
   * aborts itself (lease-lost) and answers false, even if no timer could fire
   * (a blocked event loop, a paused VM).
   */
  holdsLease(): boolean {
    if (this.abortReason === 'lease-lost') return false;
    if (this.timeLeft > 0) return true;
    this.abort('lease-lost');
    return false;
  }
}

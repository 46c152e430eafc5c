import { Job } from './job.entity';
import { JobProgress } from './job-type';

/** Why a run was stopped before its handler returned. */
export type AbortReason =
  /** The job was deleted (here, or on another instance: the heartbeat found no row). */
  | 'cancelled'
  /** Another instance holds the fire now (this one's lease lapsed). */
  | 'lease-lost'
  /** This instance shuts down: the lease is released so that another one retries. */
  | 'shutdown';

export class JobRunAbort extends Error {
  constructor(readonly reason: AbortReason) {
    super(`run stopped: ${reason}`);
  }
}

/** One fire being run by this instance. */
export class JobRun {
  readonly controller = new AbortController();
  progress: JobProgress | null = null;
  progressSavedAt = 0;
  progressLoggedAt: number;
  done!: Promise<void>;

  constructor(
    readonly job: Job,
    readonly startedAt: Date,
    readonly owner: string,
  ) {
    this.progressLoggedAt = startedAt.getTime();
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
}

import { SetMetadata } from '@nestjs/common';
import { Store } from '../access/store.entity';
import { Principal } from '../access/principal';

/**
 * The contract between the shared JobsModule and each job type module.
 *
 *   @JobType({ name: 'logs-deletion', params: LogsDeletionParams, store: 'all-when-omitted' })
 *   @Injectable()
 *   export class LogsDeletionHandler implements JobHandler<LogsDeletionParams> { ... }
 *
 * The JobsModule finds every provider carrying @JobType at start-up (DiscoveryService),
 * fails fast on a duplicate name, validates a request's type-specific params with
 * `params` (a class-validator DTO) and calls `run()` for each fire.
 */
export type Repeat =
  'now' | 'on' | 'everyMinute' | 'hourlyAt' | 'dailyAt' | 'weeklyOn' | 'monthlyOn' | 'yearlyOn';
export const REPEATS: Repeat[] = [
  'now',
  'on',
  'everyMinute',
  'hourlyAt',
  'dailyAt',
  'weeklyOn',
  'monthlyOn',
  'yearlyOn',
];

/**
 * How a type treats `store`:
 * - `required`: 422 without it;
 * - `per-store`: optional, and omitted means one job per existing store (fan out);
 * - `all-when-omitted`: optional, and omitted means one job over every store;
 * - `none`: the type takes no store (e.g. stores-deletion takes store_id).
 */
export type StoreMode = 'required' | 'per-store' | 'all-when-omitted' | 'none';

export interface JobTypeOptions {
  name: string;
  /** class-validator DTO of the type's own params (not the schedule ones). */
  params: new () => object;
  store: StoreMode;
  /** Allowed repeat modes; all when omitted. */
  repeats?: Repeat[];
  /** One-line description for Swagger. */
  description?: string;
  /**
   * Params holding the id of a connection (e.g. `['connection']`): a connection named by
   * a job of this type cannot be deleted (409).
   */
  connectionParams?: string[];
}

export const JOB_TYPE_KEY = 'lrs:job-type';
export const JobType = (options: JobTypeOptions) => SetMetadata(JOB_TYPE_KEY, options);

export interface JobProgress {
  done: number;
  total: number | null;
}

export interface JobRunContext<P = Record<string, unknown>> {
  jobId: number;
  /** The type's own params, validated and transformed by the params DTO. */
  params: P;
  /** The job's store, or null for jobs over every store. */
  store: Store | null;
  /** When this run started; `until` cutoffs are computed from it. */
  startedAt: Date;
  /** Writes a system log entry of this job (type 'job', with the job id and store). */
  log(level: number, message: string, data?: Record<string, unknown>): Promise<void>;
  /** Reports progress; the engine persists it and writes periodic `progress` entries. */
  progress(done: number, total?: number | null): Promise<void>;
  /** Aborted when the job is deleted or the instance shuts down: stop between batches. */
  signal: AbortSignal;
  /** Small persisted state for cursors, kept across runs and retries. */
  state: {
    get<T = Record<string, unknown>>(): T | null;
    set(value: Record<string, unknown> | null): Promise<void>;
  };
}

export interface JobRunResult {
  /** One-line summary, e.g. "checked 1000, valid 990, invalid 10, deleted 10". */
  feedback: string;
  /** Counts and details kept with the `passed` (or `failed`) log entry. */
  data?: Record<string, unknown>;
  /**
   * False when the run did its work but found problems to report (e.g. failed
   * conformance checks): the run ends `failed` with this feedback, not a thrown cause.
   */
  success?: boolean;
}

export interface JobCreationContext<P = Record<string, unknown>> {
  params: P;
  store: Store | null;
  principal: Principal;
  /** The job a PUT replaces (a check against other jobs leaves it out); absent on POST. */
  jobId?: number;
}

export interface JobHandler<P = Record<string, unknown>> {
  /**
   * Checks that need the database at creation/update time (e.g. a connection or
   * a client exists). Throw invalidInput({...}) for a 422.
   */
  validate?(ctx: JobCreationContext<P>): Promise<void>;
  run(ctx: JobRunContext<P>): Promise<JobRunResult>;
}

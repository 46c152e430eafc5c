import { Client, PERMISSIONS, Permission } from '../../src/access/client.entity';
import { Principal } from '../../src/access/principal';
import { Store } from '../../src/access/store.entity';
import { JobCreationContext, JobProgress, JobRunContext } from '../../src/jobs/job-type';

export interface LoggedJobEntry {
  level: number;
  message: string;
  data?: Record<string, unknown>;
}

/** A run context made by hand, for calling `handler.run(ctx)` directly in a spec. */
export interface TestRunContext<P> extends JobRunContext<P> {
  /** What the handler passed to `log()`, in order. */
  logs: LoggedJobEntry[];
  /** What the handler passed to `progress()`, in order. */
  progressReports: JobProgress[];
  /** Abort it to cancel the run (as a job deletion or a shutdown would). */
  abort: AbortController;
  /** The state as last set by the handler. */
  readonly stateValue: Record<string, unknown> | null;
}

export interface RunContextOptions {
  jobId?: number;
  store?: Store | null;
  startedAt?: Date;
  state?: Record<string, unknown> | null;
  /** Aborts the signal once the handler has reported progress this many times. */
  abortAfterProgress?: number;
}

/**
 * A JobRunContext with in-memory log, progress and state, for handler specs:
 *
 *   const ctx = makeRunContext({ max_level: 3, until: 'now' }, { store });
 *   const result = await handler.run(ctx);
 *   expect(ctx.progressReports.at(-1)).toEqual({ done: 10, total: 10 });
 */
export function makeRunContext<P>(params: P, options: RunContextOptions = {}): TestRunContext<P> {
  const abort = new AbortController();
  const logs: LoggedJobEntry[] = [];
  const progressReports: JobProgress[] = [];
  let state: Record<string, unknown> | null = options.state ?? null;
  return {
    jobId: options.jobId ?? 1,
    params,
    store: options.store ?? null,
    startedAt: options.startedAt ?? new Date(),
    logs,
    progressReports,
    abort,
    signal: abort.signal,
    get stateValue() {
      return state;
    },
    async log(level, message, data) {
      logs.push(data === undefined ? { level, message } : { level, message, data });
    },
    async progress(done, total = null) {
      progressReports.push({ done, total });
      if (options.abortAfterProgress !== undefined) {
        if (progressReports.length >= options.abortAfterProgress) abort.abort();
      }
    },
    state: {
      get<T>() {
        return state as T | null;
      },
      async set(value) {
        state = value === null ? null : structuredClone(value);
      },
    },
  };
}

/** A creation context for `handler.validate(ctx)`: the principal is a client of `store`. */
export function makeCreationContext<P>(
  params: P,
  options: {
    store?: Store | null;
    principalStore: Store;
    client?: Partial<Client>;
    permissions?: Permission[];
  },
): JobCreationContext<P> {
  const principal: Principal = {
    client: {
      id: 0,
      slug: 'test-client',
      storeId: options.principalStore.id,
      ...options.client,
    } as Client,
    store: options.principalStore,
    permissions: new Set(options.permissions ?? PERMISSIONS),
  };
  return { params, store: options.store ?? null, principal };
}

import { JobRunContext } from '../../jobs/job-type';

/**
 * The run context with its cursor bound to one target (connection id and where it
 * points): a job re-pointed at another remote or folder by a PUT starts from the
 * beginning instead of skipping what only the old target received.
 */
export function targetScoped<P>(ctx: JobRunContext<P>, target: string): JobRunContext<P> {
  const saved = ctx.state.get<{ target?: string; cursor?: Record<string, unknown> }>();
  let cursor = saved?.target === target ? (saved.cursor ?? null) : null;
  return {
    ...ctx,
    state: {
      get: <T>() => cursor as T | null,
      set: async (value) => {
        cursor = value;
        await ctx.state.set(value === null ? null : { target, cursor: value });
      },
    },
  };
}

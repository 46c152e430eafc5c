import { Job } from './job.entity';
import { JobRun, JobRunAbort } from './job-run';

describe('JobRun.untilStopped', () => {
  const newRun = () =>
    new JobRun({ id: 1, version: 0 } as Job, new Date(), 'me', 'token', performance.now(), 60_000);
  /** A handler's promise that the test settles. */
  const handler = () => {
    let finish!: (v: string) => void;
    const work = new Promise<string>((resolve) => (finish = resolve));
    return { work, finish };
  };

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a handler that stops after a shutdown abort leaves no timer behind', async () => {
    const run = newRun();
    const { work, finish } = handler();
    const stopped = run.untilStopped(work, 5_000);
    run.abort('shutdown');
    expect(jest.getTimerCount()).toBe(1); // the wait for a stubborn handler
    finish('done');
    await expect(stopped).resolves.toBe('done');
    // Cleared: nothing holds the process for the rest of the 5 s.
    expect(jest.getTimerCount()).toBe(0);
    expect(run.abandoned).toBe(false);
  });

  it('a handler that ignores a shutdown abort is left behind after the wait', async () => {
    const run = newRun();
    const { work } = handler();
    const stopped = run.untilStopped(work, 5_000);
    run.abort('shutdown');
    const outcome = stopped.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    jest.advanceTimersByTime(4_999);
    expect(run.abandoned).toBe(false);
    jest.advanceTimersByTime(1);
    expect(await outcome).toEqual(new JobRunAbort('shutdown'));
    expect(run.abandoned).toBe(true);
  });

  it('after any other abort (or one before the call) the handler is waited for, without a timer', async () => {
    const cancelled = newRun();
    const first = handler();
    const stopped = cancelled.untilStopped(first.work, 5_000);
    cancelled.abort('cancelled');
    expect(jest.getTimerCount()).toBe(0);
    first.finish('late');
    await expect(stopped).resolves.toBe('late');

    const before = newRun();
    before.abort('shutdown');
    const second = handler();
    const waited = before.untilStopped(second.work, 5_000);
    expect(jest.getTimerCount()).toBe(1);
    second.finish('in time');
    await expect(waited).resolves.toBe('in time');
    expect(jest.getTimerCount()).toBe(0);
  });
});

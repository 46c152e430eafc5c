import { JobRunner } from '../../src/jobs/job-runner';
import { TestApp } from './test-app';

/**
 * Runs `fn` with every progress report of every run logged. The runner logs progress at
 * most every few seconds (JOBS_MINUTE_MS / 12 in tests), and a run that is over before
 * that logs none: on a fast machine a test of the entries would pass or fail by timing.
 */
export async function everyProgressLogged<T>(t: TestApp, fn: () => Promise<T>): Promise<T> {
  const runner = t.app.get(JobRunner);
  const interval = runner.progressLogMs;
  runner.progressLogMs = 0;
  try {
    return await fn();
  } finally {
    runner.progressLogMs = interval;
  }
}

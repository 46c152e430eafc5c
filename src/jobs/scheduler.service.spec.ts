import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config';
import { DatabaseClock } from '../database/database-clock';
import { Job } from './job.entity';
import { JobRunner } from './job-runner';
import { JobTypeRegistry } from './job-type.registry';
import { JobLeaseStore } from './lease-store';
import { JobScheduler } from './scheduler.service';

describe('JobScheduler next-fire timer', () => {
  const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  /** The database clock's estimate lags the timers by `lag` ms (an early timer, seen from it). */
  let lag = 0;
  let timers: SchedulerRegistry;
  let scheduler: JobScheduler;
  const fireAt = new Date(T0 + 1_500);
  const polls: Date[] = [];
  const started: number[] = [];

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    lag = 0;
    polls.length = 0;
    started.length = 0;
    const job = { id: 7, type: 'sleep', version: 0, nextRunAt: fireAt, running: false } as Job;
    const leases = {
      due: jest.fn(async (now: Date) => {
        polls.push(now);
        return [job];
      }),
      claim: jest.fn(async (ids: number[]) => new Set(ids)),
      leaseEnd: (from: Date) => new Date(from.getTime() + 30_000),
    } as unknown as JobLeaseStore;
    const runner = {
      execute: jest.fn(async () => {
        started.push(Date.now());
      }),
    } as unknown as JobRunner;
    const registry = {
      names: () => ['sleep'],
      get: () => ({ name: 'sleep' }),
    } as unknown as JobTypeRegistry;
    const config = {
      jobsApi: true,
      schedulerPollMs: 60_000,
      jobLeaseMs: 30_000,
      shutdownGraceMs: 0,
    } as AppConfig;
    const clock = {
      now: () => new Date(Date.now() - lag),
      sync: async () => undefined,
      refresh: async () => undefined,
    } as unknown as DatabaseClock;
    timers = new SchedulerRegistry();
    scheduler = new JobScheduler(leases, runner, registry, config, timers, clock);
  });

  afterEach(async () => {
    await scheduler.beforeApplicationShutdown();
    jest.useRealTimers();
  });

  it('a timer that fires before the fire is due waits for it instead of polling for nothing', async () => {
    scheduler.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(polls).toHaveLength(1); // the first look: the fire is 1.5 s away, a timer is armed
    expect(started).toEqual([]);

    // The timer fires on time for the event loop, 4 ms early for the database clock.
    lag = 4;
    await jest.advanceTimersByTimeAsync(1_500);
    expect(polls).toHaveLength(1);
    lag = 0;
    await jest.advanceTimersByTimeAsync(4);
    // One more look, once the fire is due, and it is claimed and started.
    expect(polls).toHaveLength(2);
    expect(polls[1].getTime()).toBeGreaterThanOrEqual(fireAt.getTime());
    expect(started).toHaveLength(1);
  });
});

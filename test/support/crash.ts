import { SchedulerRegistry } from '@nestjs/schedule';
import { TestApp } from './test-app';

/**
 * Kills an instance the way a crash would, from outside: its timers stop (no more
 * polls or heartbeats) and its database connections go, so that nothing it still
 * had in flight reaches the database. Its leases stay until they lapse.
 * `t.close()` still works afterwards.
 */
export async function crashInstance(t: TestApp): Promise<void> {
  const timers = t.app.get(SchedulerRegistry);
  for (const name of timers.getIntervals()) timers.deleteInterval(name);
  for (const name of timers.getTimeouts()) timers.deleteTimeout(name);
  await t.dataSource.destroy();
}

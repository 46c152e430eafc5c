import { Job } from './job.entity';
import { firesDuring, plannedRunAt, runAtAfterRun, ScheduleClock } from './schedule-plan';

const clock: ScheduleClock = { defaultTimezone: 'UTC', minuteMs: 60_000 };
const job = (over: Partial<Job>): Job =>
  ({
    repeat: 'now',
    date: null,
    time: null,
    minute: null,
    weekDay: null,
    monthDay: null,
    month: null,
    timezone: null,
    ran: 0,
    replay: false,
    ...over,
  }) as Job;
const at = (s: string) => new Date(s);
const now = at('2026-03-10T12:34:56.000Z');

describe('schedule plan', () => {
  it('plans a `now` job at once until it has run, then never', () => {
    expect(plannedRunAt(job({}), now, clock)).toEqual(now);
    expect(plannedRunAt(job({ ran: 1 }), now, clock)).toBeNull();
    expect(plannedRunAt(job({ ran: 1, replay: true }), now, clock)).toEqual(now);
  });

  it('plans an `on` job at its date; a past date runs at once unless it already ran', () => {
    expect(
      plannedRunAt(job({ repeat: 'on', date: '2026-04-01', time: '08:00' }), now, clock),
    ).toEqual(at('2026-04-01T08:00:00.000Z'));
    expect(plannedRunAt(job({ repeat: 'on', date: '2026-01-01' }), now, clock)).toEqual(
      at('2026-01-01T00:00:00.000Z'),
    );
    expect(plannedRunAt(job({ repeat: 'on', date: '2026-01-01', ran: 1 }), now, clock)).toBeNull();
  });

  it('plans recurring jobs at their next fire in their time zone, a replay at once', () => {
    expect(plannedRunAt(job({ repeat: 'hourlyAt', minute: 30 }), now, clock)).toEqual(
      at('2026-03-10T13:30:00.000Z'),
    );
    expect(
      plannedRunAt(job({ repeat: 'dailyAt', time: '09:00', timezone: 'Europe/Paris' }), now, clock),
    ).toEqual(at('2026-03-11T08:00:00.000Z'));
    expect(
      plannedRunAt(job({ repeat: 'dailyAt', time: '09:00', replay: true }), now, clock),
    ).toEqual(now);
  });

  it('after a run: nothing for now/on, the first fire after the end for the others (no backlog)', () => {
    const end = at('2026-03-10T15:10:00.000Z');
    expect(runAtAfterRun(job({}), end, clock)).toBeNull();
    expect(runAtAfterRun(job({ repeat: 'on', date: '2026-01-01' }), end, clock)).toBeNull();
    expect(runAtAfterRun(job({ repeat: 'hourlyAt', minute: 0 }), end, clock)).toEqual(
      at('2026-03-10T16:00:00.000Z'),
    );
    expect(runAtAfterRun(job({ repeat: 'hourlyAt', minute: 0, replay: true }), end, clock)).toEqual(
      end,
    );
  });

  it('counts the fires that came during a run', () => {
    const everyMinute = job({ repeat: 'everyMinute' });
    expect(firesDuring(everyMinute, now, at('2026-03-10T12:34:59.000Z'), clock).count).toBe(0);
    const three = firesDuring(everyMinute, now, at('2026-03-10T12:37:10.000Z'), clock);
    expect(three).toEqual({
      count: 3,
      first: at('2026-03-10T12:35:00.000Z'),
      fires: [at('2026-03-10T12:35:00.000Z')],
    });
    expect(firesDuring(everyMinute, now, at('2026-03-10T12:37:10.000Z'), clock, 10).fires).toEqual([
      at('2026-03-10T12:35:00.000Z'),
      at('2026-03-10T12:36:00.000Z'),
      at('2026-03-10T12:37:00.000Z'),
    ]);
    expect(firesDuring(job({}), now, at('2027-01-01'), clock).count).toBe(0);
  });
});

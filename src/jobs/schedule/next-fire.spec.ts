import { nextFireAt, onInstant, resolveNowTime, ScheduleRule, zonedTimeToUtc } from './next-fire';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The first `n` fires of a rule after `from`. */
function fires(rule: ScheduleRule, from: string, tz: string, n: number): (string | null)[] {
  const out: (string | null)[] = [];
  let after: Date | null = at(from);
  for (let i = 0; i < n && after; i++) {
    after = nextFireAt(rule, after, tz);
    out.push(iso(after));
  }
  return out;
}

describe('nextFireAt', () => {
  describe('everyMinute', () => {
    it('fires at the next minute boundary, strictly after', () => {
      const rule: ScheduleRule = { repeat: 'everyMinute' };
      expect(iso(nextFireAt(rule, at('2026-03-10T10:20:30.500Z'), 'UTC'))).toBe(
        '2026-03-10T10:21:00.000Z',
      );
      expect(iso(nextFireAt(rule, at('2026-03-10T10:21:00.000Z'), 'Europe/Paris'))).toBe(
        '2026-03-10T10:22:00.000Z',
      );
    });

    it('uses a shortened minute for tests', () => {
      const rule: ScheduleRule = { repeat: 'everyMinute' };
      expect(nextFireAt(rule, new Date(1_000_500), 'UTC', { minuteMs: 1000 })!.getTime()).toBe(
        1_001_000,
      );
      expect(nextFireAt(rule, new Date(1_001_000), 'UTC', { minuteMs: 1000 })!.getTime()).toBe(
        1_002_000,
      );
      expect(nextFireAt(rule, new Date(1_000_050), 'UTC', { minuteMs: 100 })!.getTime()).toBe(
        1_000_100,
      );
    });
  });

  describe('hourlyAt', () => {
    const rule: ScheduleRule = { repeat: 'hourlyAt', minute: 15 };

    it('fires at that minute of the current or next hour', () => {
      expect(iso(nextFireAt(rule, at('2026-03-10T10:14:59.999Z'), 'UTC'))).toBe(
        '2026-03-10T10:15:00.000Z',
      );
      expect(iso(nextFireAt(rule, at('2026-03-10T10:15:00.000Z'), 'UTC'))).toBe(
        '2026-03-10T11:15:00.000Z',
      );
      expect(iso(nextFireAt(rule, at('2026-12-31T23:20:00.000Z'), 'UTC'))).toBe(
        '2027-01-01T00:15:00.000Z',
      );
    });

    it('reads the minute in local time (half-hour offset zone)', () => {
      // Asia/Kolkata is UTC+05:30: local minute 0 is UTC minute 30.
      const r: ScheduleRule = { repeat: 'hourlyAt', minute: 0 };
      expect(fires(r, '2026-03-10T10:00:00.000Z', 'Asia/Kolkata', 2)).toEqual([
        '2026-03-10T10:30:00.000Z',
        '2026-03-10T11:30:00.000Z',
      ]);
    });

    it('crosses the Paris autumn overlap firing each local :30 once', () => {
      // 02:30 exists twice on 2026-10-25 (00:30Z CEST and 01:30Z CET): only the first fires.
      expect(
        fires({ repeat: 'hourlyAt', minute: 30 }, '2026-10-24T23:45:00Z', 'Europe/Paris', 3),
      ).toEqual([
        '2026-10-25T00:30:00.000Z',
        '2026-10-25T02:30:00.000Z',
        '2026-10-25T03:30:00.000Z',
      ]);
    });
  });

  describe('dailyAt', () => {
    const rule: ScheduleRule = { repeat: 'dailyAt', time: '09:30' };

    it('fires today when the time is still ahead, else tomorrow (Paris winter and summer)', () => {
      expect(iso(nextFireAt(rule, at('2026-01-15T08:00:00Z'), 'Europe/Paris'))).toBe(
        '2026-01-15T08:30:00.000Z',
      );
      expect(iso(nextFireAt(rule, at('2026-01-15T08:30:00Z'), 'Europe/Paris'))).toBe(
        '2026-01-16T08:30:00.000Z',
      );
      expect(iso(nextFireAt(rule, at('2026-07-01T10:00:00Z'), 'Europe/Paris'))).toBe(
        '2026-07-02T07:30:00.000Z',
      );
    });

    it('reads time in the JOBS time zone, UTC unless told otherwise', () => {
      const eight: ScheduleRule = { repeat: 'dailyAt', time: '08:00' };
      const from = at('2026-07-01T00:00:00Z');
      expect(iso(nextFireAt(eight, from, 'UTC'))).toBe('2026-07-01T08:00:00.000Z');
      expect(iso(nextFireAt(eight, from, 'Europe/Paris'))).toBe('2026-07-01T06:00:00.000Z');
      expect(iso(nextFireAt(eight, from, 'America/New_York'))).toBe('2026-07-01T12:00:00.000Z');
      // Local date differs from the UTC date: 23:00Z on 30 June is already 1 July in Tokyo.
      expect(iso(nextFireAt(eight, at('2026-06-30T23:00:00Z'), 'Asia/Tokyo'))).toBe(
        '2026-07-01T23:00:00.000Z',
      );
    });
  });

  describe('weeklyOn', () => {
    it('fires on the next such week day (1 Monday .. 7 Sunday)', () => {
      // 2026-01-15 is a Thursday.
      const monday: ScheduleRule = { repeat: 'weeklyOn', time: '08:00', week_day: 1 };
      expect(fires(monday, '2026-01-15T12:00:00Z', 'UTC', 2)).toEqual([
        '2026-01-19T08:00:00.000Z',
        '2026-01-26T08:00:00.000Z',
      ]);
      const sunday: ScheduleRule = { repeat: 'weeklyOn', time: '23:30', week_day: 7 };
      expect(iso(nextFireAt(sunday, at('2026-01-15T12:00:00Z'), 'UTC'))).toBe(
        '2026-01-18T23:30:00.000Z',
      );
      const thursday: ScheduleRule = { repeat: 'weeklyOn', time: '13:00', week_day: 4 };
      expect(fires(thursday, '2026-01-15T12:00:00Z', 'UTC', 2)).toEqual([
        '2026-01-15T13:00:00.000Z',
        '2026-01-22T13:00:00.000Z',
      ]);
    });

    it('takes the week day of the local date', () => {
      // Monday 00:30 in Paris (winter) is Sunday 23:30 UTC.
      const rule: ScheduleRule = { repeat: 'weeklyOn', time: '00:30', week_day: 1 };
      expect(iso(nextFireAt(rule, at('2026-01-15T12:00:00Z'), 'Europe/Paris'))).toBe(
        '2026-01-18T23:30:00.000Z',
      );
    });
  });

  describe('monthlyOn', () => {
    const rule: ScheduleRule = { repeat: 'monthlyOn', time: '10:00', month_day: 31 };

    it('runs day 31 on the last day of February (non-leap and leap) and April', () => {
      expect(fires(rule, '2026-01-31T12:00:00Z', 'UTC', 4)).toEqual([
        '2026-02-28T10:00:00.000Z',
        '2026-03-31T10:00:00.000Z',
        '2026-04-30T10:00:00.000Z',
        '2026-05-31T10:00:00.000Z',
      ]);
      expect(iso(nextFireAt(rule, at('2028-01-31T12:00:00Z'), 'UTC'))).toBe(
        '2028-02-29T10:00:00.000Z',
      );
    });

    it('fires later the same month when the day is ahead', () => {
      const fifteenth: ScheduleRule = { repeat: 'monthlyOn', time: '06:00', month_day: 15 };
      expect(fires(fifteenth, '2026-12-01T00:00:00Z', 'UTC', 2)).toEqual([
        '2026-12-15T06:00:00.000Z',
        '2027-01-15T06:00:00.000Z',
      ]);
    });
  });

  describe('yearlyOn', () => {
    const rule: ScheduleRule = { repeat: 'yearlyOn', time: '10:00', month_day: 29, month: 2 };

    it('runs 29 February on 28 February in other years and on 29 in leap years', () => {
      expect(fires(rule, '2026-03-01T00:00:00Z', 'UTC', 3)).toEqual([
        '2027-02-28T10:00:00.000Z',
        '2028-02-29T10:00:00.000Z',
        '2029-02-28T10:00:00.000Z',
      ]);
    });

    it('fires later the same year when the date is ahead', () => {
      const xmas: ScheduleRule = { repeat: 'yearlyOn', time: '18:00', month_day: 24, month: 12 };
      expect(iso(nextFireAt(xmas, at('2026-12-24T16:59:00Z'), 'Europe/Paris'))).toBe(
        '2026-12-24T17:00:00.000Z',
      );
      expect(iso(nextFireAt(xmas, at('2026-12-24T17:00:00Z'), 'Europe/Paris'))).toBe(
        '2027-12-24T17:00:00.000Z',
      );
    });
  });

  describe('DST', () => {
    it('runs a time in the spring gap at the first existing minute after it', () => {
      // Europe/Paris 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z); 02:30 does not exist.
      const rule: ScheduleRule = { repeat: 'dailyAt', time: '02:30' };
      expect(fires(rule, '2026-03-28T02:00:00Z', 'Europe/Paris', 3)).toEqual([
        '2026-03-29T01:00:00.000Z', // 03:00 CEST
        '2026-03-30T00:30:00.000Z', // 02:30 CEST
        '2026-03-31T00:30:00.000Z',
      ]);
      expect(iso(zonedTimeToUtc(2026, 3, 29, 2, 30, 'Europe/Paris'))).toBe(
        '2026-03-29T01:00:00.000Z',
      );
      // America/New_York 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
      expect(iso(zonedTimeToUtc(2026, 3, 8, 2, 15, 'America/New_York'))).toBe(
        '2026-03-08T07:00:00.000Z',
      );
    });

    it('runs a time of the autumn overlap once, at the first', () => {
      // Europe/Paris 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00Z); 02:30 is
      // 00:30Z (CEST) then 01:30Z (CET).
      const rule: ScheduleRule = { repeat: 'dailyAt', time: '02:30' };
      expect(fires(rule, '2026-10-24T12:00:00Z', 'Europe/Paris', 3)).toEqual([
        '2026-10-25T00:30:00.000Z',
        '2026-10-26T01:30:00.000Z',
        '2026-10-27T01:30:00.000Z',
      ]);
      // Asked between the two occurrences, it does not fire at the second one.
      expect(iso(nextFireAt(rule, at('2026-10-25T01:00:00Z'), 'Europe/Paris'))).toBe(
        '2026-10-26T01:30:00.000Z',
      );
      expect(iso(zonedTimeToUtc(2026, 10, 25, 2, 30, 'Europe/Paris'))).toBe(
        '2026-10-25T00:30:00.000Z',
      );
    });

    it('maps ordinary times with the offset of the day', () => {
      expect(iso(zonedTimeToUtc(2026, 1, 15, 9, 30, 'Europe/Paris'))).toBe(
        '2026-01-15T08:30:00.000Z',
      );
      expect(iso(zonedTimeToUtc(2026, 7, 15, 9, 30, 'Europe/Paris'))).toBe(
        '2026-07-15T07:30:00.000Z',
      );
      expect(iso(zonedTimeToUtc(2026, 7, 15, 9, 30, 'Asia/Kathmandu'))).toBe(
        '2026-07-15T03:45:00.000Z',
      );
      expect(iso(zonedTimeToUtc(2026, 7, 15, 9, 30, 'UTC'))).toBe('2026-07-15T09:30:00.000Z');
    });
  });

  describe('now and on', () => {
    it('now fires no more once saved (the engine runs it as soon as possible)', () => {
      expect(nextFireAt({ repeat: 'now' }, at('2026-01-01T00:00:00Z'), 'UTC')).toBeNull();
    });

    it('on fires once at its instant, then no more; in the past it is null', () => {
      const rule: ScheduleRule = { repeat: 'on', date: '2026-05-01', time: '14:45' };
      expect(iso(nextFireAt(rule, at('2026-04-30T00:00:00Z'), 'Europe/Paris'))).toBe(
        '2026-05-01T12:45:00.000Z',
      );
      expect(nextFireAt(rule, at('2026-05-01T12:45:00Z'), 'Europe/Paris')).toBeNull();
      expect(nextFireAt(rule, at('2027-01-01T00:00:00Z'), 'Europe/Paris')).toBeNull();
    });

    it('onInstant: a date alone is local midnight; a date-time uses its own time and offset', () => {
      expect(iso(onInstant({ repeat: 'on', date: '2026-05-01' }, 'Europe/Paris'))).toBe(
        '2026-04-30T22:00:00.000Z',
      );
      expect(iso(onInstant({ repeat: 'on', date: '2026-05-01' }, 'UTC'))).toBe(
        '2026-05-01T00:00:00.000Z',
      );
      expect(
        iso(onInstant({ repeat: 'on', date: '2026-05-01T10:00:00+02:00', time: '23:00' }, 'UTC')),
      ).toBe('2026-05-01T08:00:00.000Z');
      expect(
        iso(onInstant({ repeat: 'on', date: '2026-05-01T10:00:00.250Z' }, 'Europe/Paris')),
      ).toBe('2026-05-01T10:00:00.250Z');
      // Without an offset, the date-time is read in the job's time zone.
      expect(iso(onInstant({ repeat: 'on', date: '2026-05-01T10:00' }, 'Europe/Paris'))).toBe(
        '2026-05-01T08:00:00.000Z',
      );
      expect(() => onInstant({ repeat: 'on', date: '2026-02-30' }, 'UTC')).toThrow(/invalid date/);
      expect(() => onInstant({ repeat: 'on', date: 'tomorrow' }, 'UTC')).toThrow(/ISO 8601/);
    });
  });

  describe('resolveNowTime', () => {
    it('gives the current local HH:MM in the time zone', () => {
      const now = at('2026-07-01T10:07:30Z');
      expect(resolveNowTime('UTC', now)).toBe('10:07');
      expect(resolveNowTime('Europe/Paris', now)).toBe('12:07');
      expect(resolveNowTime('Asia/Kathmandu', now)).toBe('15:52');
      expect(resolveNowTime('America/New_York', at('2026-01-01T03:00:00Z'))).toBe('22:00');
      expect(resolveNowTime('UTC')).toMatch(/^\d{2}:\d{2}$/);
    });

    it('a resolved time schedules the next day at that local time', () => {
      const now = at('2026-07-01T10:07:30Z');
      const rule: ScheduleRule = { repeat: 'dailyAt', time: resolveNowTime('Europe/Paris', now) };
      expect(iso(nextFireAt(rule, now, 'Europe/Paris'))).toBe('2026-07-02T10:07:00.000Z');
    });

    it('an unresolved "now" time is a programming error', () => {
      expect(() =>
        nextFireAt({ repeat: 'dailyAt', time: 'now' }, at('2026-07-01T10:00:00Z'), 'UTC'),
      ).toThrow(/resolveNowTime/);
    });
  });
});

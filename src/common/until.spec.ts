import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ClearingParams } from '../job-types/clearing/clearing.dto';
import { LogsDeletionParams } from '../job-types/logs-deletion/logs-deletion.dto';
import { PseudoParams } from '../job-types/pseudo/pseudo.dto';
import { PullParams } from '../job-types/pull/pull.dto';
import { PushParams } from '../job-types/push/push.dto';
import { parseUntilDate, untilCutoff } from './until';

const runStart = new Date('2026-06-01T12:00:00Z');

/** Values that the DTOs' `until_date` check might see; the run must read each it accepts. */
const SAMPLES = [
  '2026-03-01',
  '2026-03-01T10:00:00Z',
  '2026-03-01T10:00Z',
  '2026-03-01T10:00:00.123Z',
  '2026-03-01T10:00:00+01:00',
  '20260301',
  '20260301T100000Z',
  '2026-W09',
  '2026-W09-1',
  '2026-060',
  '2026-03-01T10',
  '2026-03-01T10:00:00,5Z',
  '2026-02-30',
  'nope',
  '',
];

describe('parseUntilDate', () => {
  it('reads a bare date as its end, a date-time as itself', () => {
    expect(parseUntilDate('2026-03-01')?.toISOString()).toBe('2026-03-01T23:59:59.999Z');
    expect(parseUntilDate('2026-03-01T10:00:00+01:00')?.toISOString()).toBe(
      '2026-03-01T09:00:00.000Z',
    );
  });

  it('reads nothing from ISO 8601 forms JavaScript cannot parse, nor from a non-date', () => {
    for (const v of ['20260301', '2026-W09', '2026-060', '2026-02-30', 'nope', '', 5, null]) {
      expect(parseUntilDate(v)).toBeNull();
    }
  });

  it('is what the run reads: untilCutoff throws exactly for the values it cannot read', () => {
    for (const v of SAMPLES) {
      const read = parseUntilDate(v);
      if (read) expect(untilCutoff('date', runStart, v)).toEqual(read);
      else expect(() => untilCutoff('date', runStart, v)).toThrow(/until_date/);
    }
  });
});

describe('until_date of every job type that has one', () => {
  const types: [string, new () => object, Record<string, unknown>][] = [
    ['clearing', ClearingParams, { service: 'statements' }],
    ['pseudo', PseudoParams, {}],
    ['logs-deletion', LogsDeletionParams, { max_level: 3 }],
    ['push', PushParams, { service: 'statements', connection: 1 }],
    ['pull', PullParams, { service: 'statements', connection: 1 }],
  ];

  it.each(types)('%s accepts exactly the values its run can read', async (_, dto, rest) => {
    for (const value of SAMPLES) {
      const params = plainToInstance(dto, { ...rest, until: 'date', until_date: value });
      const errors = await validate(params, { whitelist: true, forbidUnknownValues: false });
      const named = errors.some((e) => e.property === 'until_date');
      expect({ value, rejected: named }).toEqual({
        value,
        rejected: parseUntilDate(value) === null,
      });
      if (!named) expect(() => untilCutoff('date', runStart, value)).not.toThrow();
    }
  });
});

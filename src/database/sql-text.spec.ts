import { placeholders, utcDatetime } from './sql-text';

describe('sql-text', () => {
  it('writes n parameter marks for an IN list', () => {
    expect(placeholders(3)).toBe('?, ?, ?');
    expect(placeholders(1)).toBe('?');
  });

  it('writes a datetime in UTC with milliseconds, as both drivers store it', () => {
    expect(utcDatetime(new Date('2026-12-06T05:04:03.021+01:00'))).toBe('2026-12-06 04:04:03.021');
  });
});

import { instantKey, justBefore } from './stored-instant';

describe('remote stored instants', () => {
  it('compares instants whatever their offset and precision', () => {
    expect(instantKey('2026-05-01T10:00:00.123Z')).toBe(
      instantKey('2026-05-01T12:00:00.123+02:00'),
    );
    expect(instantKey('2026-05-01T10:00:00.123456Z') - instantKey('2026-05-01T10:00:00.123Z')).toBe(
      456,
    );
    expect(instantKey('2026-05-01T10:00:00.1234Z')).toBeGreaterThan(
      instantKey('2026-05-01T10:00:00.123Z'),
    );
    expect(instantKey('2026-05-01T10:00:00Z')).toBeLessThan(instantKey('2026-05-01T10:00:00.001Z'));
    expect(instantKey('yesterday')).toBeNaN();
  });

  it('starts a query just before an instant, so that `since` (exclusive) includes it', () => {
    expect(justBefore('2026-05-01T10:00:00.123Z')).toBe('2026-05-01T10:00:00.122Z');
    expect(justBefore('2026-05-01T10:00:00.123456Z')).toBe('2026-05-01T10:00:00.122Z');
    expect(Date.parse(justBefore('2026-05-01T10:00:00Z'))).toBe(
      Date.parse('2026-05-01T10:00:00Z') - 1,
    );
  });
});

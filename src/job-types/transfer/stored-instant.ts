/**
 * A remote `stored` timestamp as a comparable number of microseconds since the epoch,
 * whatever its offset or precision ("2026-05-01T10:00:00.123456+02:00"); NaN when
 * unreadable.
 */
export function instantKey(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return NaN;
  const fraction = /T\d\d:\d\d:\d\d\.(\d+)/.exec(iso)?.[1] ?? '';
  const micros = Number((fraction.slice(3, 6) + '000').slice(0, 3));
  return ms * 1000 + micros;
}

/**
 * An ISO instant one millisecond before `iso`: `since` is exclusive, so a query
 * from here returns every statement stored at `iso` again (the caller skips those
 * it already has).
 */
export function justBefore(iso: string): string {
  return new Date(Math.floor(instantKey(iso) / 1000) - 1).toISOString();
}

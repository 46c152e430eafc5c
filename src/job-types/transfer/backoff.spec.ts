import { backoffDelayMs, isRetryableStatus, retryAfterMs } from './backoff';

describe('retry backoff', () => {
  it('retries 429, 408 and 5xx, not other statuses', () => {
    expect([429, 408, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 204, 400, 401, 403, 404, 409, 413].some(isRetryableStatus)).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-05-01T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Fri, 01 May 2026 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Fri, 01 May 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it('grows exponentially with jitter, honours Retry-After, and is capped', () => {
    const opts = { baseMs: 100, maxMs: 1_000 };
    expect(backoffDelayMs(1, opts, () => 0)).toBe(50);
    expect(backoffDelayMs(1, opts, () => 1)).toBe(100);
    expect(backoffDelayMs(3, opts, () => 0)).toBe(200);
    expect(backoffDelayMs(3, opts, () => 1)).toBe(400);
    expect(backoffDelayMs(10, opts, () => 1)).toBe(1_000);
    expect(backoffDelayMs(1, { ...opts, retryAfterMs: 700 }, () => 0)).toBe(700);
    expect(backoffDelayMs(1, { ...opts, retryAfterMs: 60_000 }, () => 0)).toBe(1_000);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4, opts)));
    expect(spread.size).toBeGreaterThan(5);
  });
});

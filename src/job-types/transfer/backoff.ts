/** Statuses worth another try: the remote is busy or failing for now. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3);
 * null when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/**
 * The pause before retry number `retry` (1 for the first): exponential with full
 * jitter (a random share of base * 2^(retry-1)), never shorter than the remote's
 * Retry-After, never longer than `maxMs`.
 */
export function backoffDelayMs(
  retry: number,
  options: { baseMs: number; maxMs: number; retryAfterMs?: number | null },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.min(options.maxMs, Math.max(jittered, options.retryAfterMs ?? 0));
}

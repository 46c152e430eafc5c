/** Pieces of SQL text for raw queries, the same on both drivers. */

/** `n` bound-parameter marks for a raw `IN (...)` list: `?, ?, ?`. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** A datetime as both drivers store it (UTC, milliseconds), for raw queries. */
export function utcDatetime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

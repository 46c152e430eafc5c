import { getHeapStatistics } from 'v8';

/**
 * Command-line flags of the benchmarks: `--name value` or `--name=value` for each key of
 * the defaults (camelCase keys, kebab-case flags); numbers must be positive integers
 * (underscores allowed), booleans are set by the bare flag, strings are taken as given.
 */
export function parseFlags<T extends { [K in keyof T]: number | string | boolean }>(
  argv: string[],
  defaults: T,
): T {
  const opts: Record<string, number | string | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const key = flag.replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    if (!(key in opts)) throw new Error(`Unknown flag: ${argv[i]} (see the header of the bench)`);
    if (typeof opts[key] === 'boolean') {
      opts[key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (typeof opts[key] === 'string') {
      opts[key] = value;
      continue;
    }
    const n = Number(value.replace(/_/g, ''));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
    opts[key] = n;
  }
  return opts as T;
}

/** A number with thousands separators, as the benchmarks print them. */
export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * V8's heap limit of this process in MB (node --max-old-space-size, else a default from
 * the machine's memory). Printed with memory figures: below 2 GB of old space V8 lets the
 * heap grow to at most about 1.3-2 times what survived the last major GC, above it up to
 * 4 times, so the same run shows very different RSS peaks under the two.
 */
export const heapLimitMb = () => Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);

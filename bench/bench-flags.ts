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

import { readdirSync, readFileSync } from 'fs';
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

/** The pid of the local database server, once found. */
let serverPid: string | null = null;

/** utime + stime of a process in seconds, or null when it is gone or not the server. */
function cpuOfServer(pid: string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    if (name !== 'mariadbd' && name !== 'mysqld') return null;
    // Fields after the name: state is field 3, utime 14 and stime 15 (clock ticks).
    const fields = stat.slice(close + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null; // the process ended
  }
}

/**
 * CPU seconds the local MariaDB/MySQL server process has used so far (user + system, from
 * /proc), or null when no such process is visible (a remote server, not Linux). The
 * benchmarks print the difference over a phase: the server's work per statement. The
 * process is looked for once (a scan of /proc), then read directly.
 */
export function serverCpuSeconds(): number | null {
  const known = serverPid === null ? null : cpuOfServer(serverPid);
  if (known !== null) return known;
  let dirs: string[];
  try {
    dirs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of dirs) {
    const cpu = cpuOfServer(pid);
    if (cpu !== null) {
      serverPid = pid;
      return cpu;
    }
  }
  return null;
}

/** CPU time of all the machine's CPUs, in clock ticks: all of it, and the host's steal. */
export interface MachineTicks {
  total: number;
  steal: number;
}

/** The machine's CPU time so far (/proc/stat), or null off Linux. */
export function machineTicks(): MachineTicks | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (f.length < 8 || f.some((n) => !Number.isFinite(n))) return null;
    return { total: f.reduce((s, n) => s + n, 0), steal: f[7] };
  } catch {
    return null;
  }
}

/**
 * The share of the machine's CPU time the hypervisor gave to other guests between two
 * readings (steal), in percent, or null when unknown. On a shared virtual machine both
 * paths of a benchmark slow down by it: the phases' figures say how quiet the host was.
 */
export function stealPercent(from: MachineTicks | null, to: MachineTicks | null): number | null {
  if (!from || !to || to.total <= from.total) return null;
  return (100 * (to.steal - from.steal)) / (to.total - from.total);
}

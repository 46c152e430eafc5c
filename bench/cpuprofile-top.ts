/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by
 * package or source file, and the inclusive time of a few functions of interest.
 *
 *   npx ts-node --transpile-only bench/cpuprofile-top.ts <file.cpuprofile> [rows=25]
 */
import { readFileSync } from 'fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `node_modules/<pkg>` (scoped too), `src/...` of this project, or node internals. */
function where(url: string): string {
  if (!url) return '(native / idle / gc)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return url;
  const own = /\/((?:src|bench|test)\/.*)$/.exec(url);
  return own ? own[1] : url;
}

function main() {
  const [file, rowsArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile> [rows]');
  const rows = Number(rowsArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = profile.endTime - profile.startTime;
  const idle = [...selfUs]
    .filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)')
    .reduce((s, [, us]) => s + us, 0);

  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const place = where(url);
    const fn = `${functionName || '(anonymous)'} ${place}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    // Inclusive time per own-source function (each counted once per stack).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      const p = where(frame.url);
      if (!p.startsWith('src/') && !p.startsWith('bench/')) continue;
      const key = `${frame.functionName || '(anonymous)'} ${p}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(8)} ms`;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([k, us]) => `${ms(us)} ${pct(us)}  ${k}`)
      .join('\n');
  console.log(
    `profile ${(total / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages of busy)`,
  );
  console.log(`\nself time by package / file:\n${top(byPlace)}`);
  console.log(`\nself time by function:\n${top(byFunction)}`);
  console.log(`\ninclusive time of this project's functions:\n${top(inclusive)}`);
}

main();

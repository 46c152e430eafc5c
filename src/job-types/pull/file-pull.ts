import { join } from 'path';
import { JobRunContext } from '../../jobs/job-type';
import { RecordOptions } from '../../xapi/statements/statement-recorder.service';
import { fileSize, jsonlFilesOf, readJsonlLines } from '../transfer/jsonl-files';
import { RecordLines } from '../transfer/record-lines';
import { TransferCounts } from '../transfer/statement-batches';
import { instantKey } from '../transfer/stored-instant';
import { RecordService } from '../transfer/transfer-connections';

export interface FilePull {
  ctx: JobRunContext<unknown>;
  lines: RecordLines;
  folder: string;
  prefix: string | null;
  services: RecordService[];
  storeId: number;
  options: RecordOptions;
  /** jobs.md `until`: only lines whose `stored` is at or before it are taken. */
  cutoff: Date;
  batchSize: number;
  counts: TransferCounts;
}

/**
 * Where a pull from files stands, per file: the byte offset up to which every line is
 * settled, and the end offsets of lines after it already applied (taken while an
 * earlier line was left for later).
 */
interface FileCursor {
  offsets?: Record<string, number>;
  taken?: Record<string, number[]>;
}

/**
 * Reads, for each service, every `[prefix_]<service>_<store>.jsonl` of the folder from
 * the byte offset the job reached last time, whole lines only (a line still being
 * written waits for the next run), batch by batch. Lines stored after the cutoff are
 * left for a later run, whose cutoff may take them: the offset never passes one, and
 * the lines after it that this run applies are remembered so that no run applies them
 * twice. The cursor is saved after each batch is written into the store. A file that
 * shrank (replaced) is read again from its start: lines already applied change nothing.
 */
export async function pullFromFiles(p: FilePull): Promise<void> {
  const { ctx } = p;
  const saved = ctx.state.get<FileCursor>();
  const offsets: Record<string, number> = { ...(saved?.offsets ?? {}) };
  const taken: Record<string, number[]> = { ...(saved?.taken ?? {}) };
  const files = p.services.flatMap((service) =>
    jsonlFilesOf(p.folder, p.prefix, service).map((name) => ({ service, name })),
  );
  let total = 0;
  for (const f of files) {
    total += Math.max(0, fileSize(join(p.folder, f.name)) - (offsets[f.name] ?? 0));
  }
  const cutoff = p.cutoff.getTime() * 1000;
  let done = 0;
  await ctx.progress(0, total);
  for (const { service, name } of files) {
    const path = join(p.folder, name);
    let offset = offsets[name] ?? 0;
    let applied = new Set(taken[name] ?? []);
    const size = fileSize(path);
    if ([offset, ...applied].some((end) => end > size)) {
      offset = 0;
      applied = new Set();
    }
    let pos = offset;
    let leftBehind = false;
    for (;;) {
      ctx.signal.throwIfAborted();
      const read = readJsonlLines(path, pos, p.batchSize);
      if (read.next === pos) break;
      const lines: string[] = [];
      for (const [i, line] of read.lines.entries()) {
        const end = read.ends[i];
        if (applied.has(end)) {
          if (!leftBehind) offset = end;
        } else if (storedAfter(line, cutoff)) {
          leftBehind = true;
        } else {
          lines.push(line);
          if (leftBehind) applied.add(end);
          else offset = end;
        }
      }
      if (!leftBehind) offset = read.next;
      await p.lines.apply(
        service,
        p.storeId,
        lines,
        p.options,
        p.counts,
        (level, message, data) => ctx.log(level, message, { file: name, ...data }),
        `file ${name}`,
      );
      done += read.next - pos;
      pos = read.next;
      offsets[name] = offset;
      taken[name] = [...applied].filter((end) => end > offset).sort((a, b) => a - b);
      if (!taken[name].length) delete taken[name];
      await ctx.state.set({ offsets, taken });
      await ctx.progress(Math.min(done, total), total);
    }
  }
}

/**
 * Whether a line (wrapped `{stored, ...}` or a bare statement, both with `stored`) was
 * stored after the cutoff (microseconds). A line without a readable `stored` is taken:
 * applying it logs what is wrong with it.
 */
function storedAfter(line: string, cutoff: number): boolean {
  let stored: unknown;
  try {
    stored = (JSON.parse(line) as { stored?: unknown } | null)?.stored;
  } catch {
    return false;
  }
  const at = typeof stored === 'string' ? instantKey(stored) : NaN;
  return !Number.isNaN(at) && at > cutoff;
}

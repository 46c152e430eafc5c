import { join } from 'path';
import { JobRunContext } from '../../jobs/job-type';
import { RecordOptions } from '../../xapi/statements/statement-recorder.service';
import { fileSize, jsonlFilesOf, readJsonlLines } from '../transfer/jsonl-files';
import { RecordLines } from '../transfer/record-lines';
import { TransferCounts } from '../transfer/statement-batches';
import { RecordService } from '../transfer/transfer-connections';

export interface FilePull {
  ctx: JobRunContext<unknown>;
  lines: RecordLines;
  folder: string;
  prefix: string | null;
  services: RecordService[];
  storeId: number;
  options: RecordOptions;
  batchSize: number;
  counts: TransferCounts;
}

/**
 * Reads, for each service, every `[prefix_]<service>_<store>.jsonl` of the folder from
 * the byte offset the job reached last time, whole lines only (a line still being
 * written waits for the next run), batch by batch; the offset is saved after each
 * batch is written into the store. A file that shrank (replaced) is read again from
 * its start: lines already applied change nothing.
 */
export async function pullFromFiles(p: FilePull): Promise<void> {
  const { ctx } = p;
  const offsets: Record<string, number> = {
    ...(ctx.state.get<{ offsets?: Record<string, number> }>()?.offsets ?? {}),
  };
  const files = p.services.flatMap((service) =>
    jsonlFilesOf(p.folder, p.prefix, service).map((name) => ({ service, name })),
  );
  let total = 0;
  for (const f of files) {
    total += Math.max(0, fileSize(join(p.folder, f.name)) - (offsets[f.name] ?? 0));
  }
  let done = 0;
  await ctx.progress(0, total);
  for (const { service, name } of files) {
    const path = join(p.folder, name);
    let offset = offsets[name] ?? 0;
    if (fileSize(path) < offset) offset = 0;
    for (;;) {
      ctx.signal.throwIfAborted();
      const { lines, next } = readJsonlLines(path, offset, p.batchSize);
      if (next === offset) break;
      await p.lines.apply(
        service,
        p.storeId,
        lines,
        p.options,
        p.counts,
        (level, message, data) => ctx.log(level, message, { file: name, ...data }),
        `file ${name}`,
      );
      done += next - offset;
      offset = next;
      offsets[name] = offset;
      await ctx.state.set({ offsets });
      await ctx.progress(Math.min(done, total), total);
    }
  }
}

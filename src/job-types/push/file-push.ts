import { join } from 'path';
import { walkBatches } from '../../jobs/batch-walker';
import { JobRunContext } from '../../jobs/job-type';
import { JsonlAppender, jsonlFileName } from '../transfer/jsonl-files';
import { RecordLines, Row, RowCursor } from '../transfer/record-lines';
import { TransferCounts } from '../transfer/statement-batches';
import { RecordService } from '../transfer/transfer-connections';

/** Per service: the last row written and the file's size once that batch was durable. */
type FileCursors = Record<string, { after: RowCursor; bytes: number }>;

export interface FilePush {
  ctx: JobRunContext<unknown>;
  lines: RecordLines;
  folder: string;
  prefix: string | null;
  services: RecordService[];
  storeId: number;
  storeSlug: string;
  cutoff: Date;
  batchSize: number;
  raw: boolean;
  syncUpdates: boolean;
  pseudonymize: boolean;
  counts: TransferCounts;
}

/**
 * Appends each service's records after the cursor and until the cutoff to
 * `[prefix_]<service>_<store>.jsonl`. The cursor keeps the file size after each
 * durable batch: a run that died after writing but before saving its cursor has its
 * extra lines cut by the retry, so each record is in the file exactly once. The cut is
 * safe because the job is the file's only writer (PushFileWriters, checked by the handler).
 */
export async function pushToFiles(p: FilePush): Promise<Record<string, number>> {
  const { ctx } = p;
  const cursors: FileCursors = { ...(ctx.state.get<{ files?: FileCursors }>()?.files ?? {}) };
  const perService: Record<string, number> = {};
  for (const service of p.services) {
    // Statements are selected by `stored` always (jobs.md: sync_updates is for the others).
    const byUpdated = p.syncUpdates && service !== 'statements';
    const path = join(p.folder, jsonlFileName(p.prefix, service, p.storeSlug));
    const appender = new JsonlAppender(path);
    const saved = cursors[service] ?? null;
    let bytes = appender.prepare(saved ? saved.bytes : null);
    const selection = p.lines.selection(service, p.storeId, p.cutoff, byUpdated);
    const fetch = p.lines.fetch(selection, byUpdated);
    const total = saved ? null : await selection().getCount();
    const { walked } = await walkBatches<Row>({
      ctx,
      batchSize: p.batchSize,
      total,
      // The walk starts from the saved cursor; after that, from each batch's last row.
      fetch: (last, limit) =>
        fetch(last ? p.lines.cursorOf(last, byUpdated) : (saved?.after ?? null), limit),
      act: async (rows) => {
        const text = await p.lines.toLines(service, rows, p.storeSlug, {
          raw: p.raw,
          pseudonymize: p.pseudonymize,
        });
        bytes = appender.append(text);
        return rows.length;
      },
      onBatchDone: async (last) => {
        cursors[service] = { after: p.lines.cursorOf(last, byUpdated), bytes };
        await ctx.state.set({ files: cursors });
      },
    });
    if (!saved && walked === 0) {
      // An empty service still gets its (empty) file, so a reader finds what was pushed.
      appender.append([]);
    }
    perService[service] = walked;
    p.counts.moved += walked;
  }
  return perService;
}

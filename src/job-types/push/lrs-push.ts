import { DataSource } from 'typeorm';
import { walkBatches } from '../../jobs/batch-walker';
import { JobRunContext } from '../../jobs/job-type';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { StatementQueryService } from '../../xapi/statements/statement-query.service';
import { AttachmentPart } from '../../xapi/statements/statement-recorder.service';
import { partsFor, pushIsolating, TransferCounts } from '../transfer/statement-batches';
import { XapiRemote } from '../transfer/xapi-remote';

export interface LrsPush {
  ctx: JobRunContext<unknown>;
  dataSource: DataSource;
  query: StatementQueryService;
  remote: XapiRemote;
  storeId: number;
  cutoff: Date;
  batchSize: number;
  counts: TransferCounts;
  /** A copy to send (pseudonymized when asked), from the stored statement. */
  outgoing: (stored: Record<string, any>) => Record<string, any>;
}

/** A statement row with the attachment parts its statement references. */
type Row = Pick<Statement, 'id' | 'data'> & { parts?: AttachmentPart[] };

/**
 * The store's non-voided statements after the cursor (a statement row id) and until the
 * cutoff, oldest first, POSTed in batches with their attachments. The cursor is saved
 * only past statements the remote acknowledged (or that were settled as present,
 * rejected or conflicting), also when a batch fails halfway. On a database server the
 * next batch is read while the remote records this one.
 */
export async function pushToLrs(p: LrsPush): Promise<void> {
  const { ctx, counts } = p;
  const after = ctx.state.get<{ lrs?: { after: number } }>()?.lrs?.after ?? 0;
  const selection = () =>
    p.dataSource
      .getRepository(Statement)
      .createQueryBuilder('s')
      .where('s.storeId = :storeId', { storeId: p.storeId })
      .andWhere('s.voided = :voided', { voided: false })
      .andWhere('s.stored <= :cutoff', { cutoff: p.cutoff })
      .andWhere('s.id > :start', { start: after });
  const total = await selection().getCount();
  const save = (id: number) => ctx.state.set({ lrs: { after: id } });
  await walkBatches<Row>({
    ctx,
    batchSize: p.batchSize,
    total,
    after: null,
    // The read overlaps the POST only on a database server; on SQLite (one synchronous
    // connection) it would only shift work into the remote's wait.
    readAhead: p.dataSource.options.type !== 'better-sqlite3',
    fetch: async (last, limit) => {
      const qb = selection().select(['s.id', 's.data']).orderBy('s.id', 'ASC').limit(limit);
      if (last) qb.andWhere('s.id > :last', { last: last.id });
      return withParts(p.query, await qb.getMany());
    },
    act: async (rows) => {
      const parts = [
        ...new Map(rows.flatMap((r) => r.parts ?? []).map((part) => [part.sha2, part])).values(),
      ];
      const statements = rows.map((r) => p.outgoing(r.data));
      let settled = 0;
      const before = counts.moved;
      try {
        await pushIsolating(
          p.remote,
          statements,
          parts,
          counts,
          async (n) => {
            settled += n;
          },
          (level, message, data) => ctx.log(level, message, data),
        );
      } catch (err) {
        if (settled > 0) await save(rows[settled - 1].id);
        throw err;
      } finally {
        counts.retried = p.remote.retried;
      }
      return counts.moved - before;
    },
    onBatchDone: (last) => save(last.id),
  });
}

/** The rows, each with the attachment parts (stored with it) that its statement references. */
async function withParts(query: StatementQueryService, rows: Row[]): Promise<Row[]> {
  const referencing = rows.filter(
    (r) => Array.isArray(r.data.attachments) && r.data.attachments.length > 0,
  );
  if (!referencing.length) return rows;
  const files = await query.attachments(referencing.map((r) => r.id));
  const parts: AttachmentPart[] = [...files].map(([sha2, f]) => ({
    sha2,
    contentType: f.contentType,
    content: f.content,
  }));
  for (const r of referencing) r.parts = partsFor([r.data], parts);
  return rows;
}

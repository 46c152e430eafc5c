import { DataSource } from 'typeorm';
import { walkBatches } from '../../jobs/batch-walker';
import { JobRunContext } from '../../jobs/job-type';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { StatementQueryService } from '../../xapi/statements/statement-query.service';
import { AttachmentPart } from '../../xapi/statements/statement-recorder.service';
import { pushIsolating, TransferCounts } from '../transfer/statement-batches';
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

type Row = Pick<Statement, 'id' | 'data'>;

/**
 * The store's non-voided statements after the cursor (a statement row id) and until the
 * cutoff, oldest first, POSTed in batches with their attachments. The cursor is saved
 * only past statements the remote acknowledged (or that were settled as present,
 * rejected or conflicting), also when a batch fails halfway.
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
    fetch: async (last, limit) => {
      const qb = selection().select(['s.id', 's.data']).orderBy('s.id', 'ASC').limit(limit);
      if (last) qb.andWhere('s.id > :last', { last: last.id });
      return qb.getMany();
    },
    act: async (rows) => {
      const parts = await attachmentParts(p.query, rows);
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

async function attachmentParts(
  query: StatementQueryService,
  rows: Row[],
): Promise<AttachmentPart[]> {
  const withParts = rows.filter(
    (r) => Array.isArray(r.data.attachments) && r.data.attachments.length > 0,
  );
  if (!withParts.length) return [];
  const files = await query.attachments(withParts.map((r) => r.id));
  return [...files].map(([sha2, f]) => ({ sha2, contentType: f.contentType, content: f.content }));
}

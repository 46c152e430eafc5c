import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, SelectQueryBuilder } from 'typeorm';
import { affectedRows } from '../../common/db-errors';
import { untilCutoff } from '../../common/until';
import { keysetIds, syncBudgetMs, walkBatches } from '../../jobs/batch-walker';
import { JobHandler, JobRunContext, JobRunResult, JobType } from '../../jobs/job-type';
import { LogEntry } from '../../logging/log-entry.entity';
import { LogsDeletionParams } from './logs-deletion.dto';

export const LOGS_DELETION_BATCH = 1000;

@JobType({
  name: 'logs-deletion',
  params: LogsDeletionParams,
  store: 'all-when-omitted',
  description: 'Deletes system log entries up to a level, stored until a cutoff.',
})
@Injectable()
export class LogsDeletionHandler implements JobHandler<LogsDeletionParams> {
  constructor(@InjectRepository(LogEntry) private readonly logs: Repository<LogEntry>) {}

  async run(ctx: JobRunContext<LogsDeletionParams>): Promise<JobRunResult> {
    const { max_level: maxLevel, until, until_date: untilDate } = ctx.params;
    // Never past the run start: a future until_date must not reach this run's own entries.
    const requested = untilCutoff(until, ctx.startedAt, untilDate);
    const cutoff = requested > ctx.startedAt ? ctx.startedAt : requested;
    const matching = () => this.matching(ctx, maxLevel, cutoff);

    const { affected: deleted } = await walkBatches({
      ctx,
      batchSize: LOGS_DELETION_BATCH,
      budgetMs: syncBudgetMs(this.logs.manager.connection),
      total: await matching().getCount(),
      fetch: keysetIds(matching, 'l.id'),
      act: async (ids) => affectedRows(await this.logs.delete({ id: In(ids) })),
    });

    const scope = ctx.store ? ` of store ${ctx.store.slug}` : '';
    return {
      feedback: `deleted ${deleted} log entries${scope} (level <= ${maxLevel}, stored until ${cutoff.toISOString()})`,
      data: { deleted, max_level: maxLevel, cutoff: cutoff.toISOString() },
    };
  }

  private matching(
    ctx: JobRunContext<LogsDeletionParams>,
    maxLevel: number,
    cutoff: Date,
  ): SelectQueryBuilder<LogEntry> {
    const qb = this.logs
      .createQueryBuilder('l')
      .where('l.level <= :maxLevel', { maxLevel })
      .andWhere('l.stored <= :cutoff', { cutoff })
      // This run's own entries (started, progress) stay, even when stored at startedAt.
      .andWhere('(l.job_id IS NULL OR l.job_id <> :jobId OR l.stored < :startedAt)', {
        jobId: ctx.jobId,
        startedAt: ctx.startedAt,
      });
    // Omitted store: every entry, including those of no store.
    if (ctx.store) qb.andWhere('l.store_id = :storeId', { storeId: ctx.store.id });
    return qb;
  }
}

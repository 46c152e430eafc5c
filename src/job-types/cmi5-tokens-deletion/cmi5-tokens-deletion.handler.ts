import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Cmi5Token } from '../../cmi5/cmi5-token.entity';
import { affectedRows } from '../../common/db-errors';
import { untilCutoff } from '../../common/until';
import { keysetIds, syncBudgetMs, walkBatches } from '../../jobs/batch-walker';
import { JobHandler, JobRunContext, JobRunResult, JobType } from '../../jobs/job-type';
import { Cmi5TokensDeletionParams } from './cmi5-tokens-deletion.dto';

/** Deletes the cmi5 tokens created until the cutoff, of one store or of all. */
@JobType({
  name: 'cmi5-tokens-deletion',
  params: Cmi5TokensDeletionParams,
  store: 'all-when-omitted',
  description: 'Deletes cmi5 tokens created until the cutoff (now, 1_hour, 1_day, 1_week)',
})
@Injectable()
export class Cmi5TokensDeletionHandler implements JobHandler<Cmi5TokensDeletionParams> {
  /** Rows per DELETE; a public field so that tests can shrink it. */
  batchSize = 500;

  constructor(@InjectRepository(Cmi5Token) private readonly tokens: Repository<Cmi5Token>) {}

  async run(ctx: JobRunContext<Cmi5TokensDeletionParams>): Promise<JobRunResult> {
    const cutoff = untilCutoff(ctx.params.until, ctx.startedAt);
    const scope = () => {
      const qb = this.tokens.createQueryBuilder('t').where('t.createdAt <= :cutoff', { cutoff });
      if (ctx.store) qb.andWhere('t.storeId = :storeId', { storeId: ctx.store.id });
      return qb;
    };
    const { affected: deleted } = await walkBatches({
      ctx,
      batchSize: this.batchSize,
      budgetMs: syncBudgetMs(this.tokens.manager.connection),
      total: await scope().getCount(),
      fetch: keysetIds(scope, 't.id'),
      act: async (ids) => affectedRows(await this.tokens.delete({ id: In(ids) })),
    });
    const where = ctx.store ? `store ${ctx.store.slug}` : 'every store';
    return {
      feedback: `deleted ${deleted} cmi5 tokens created until ${cutoff.toISOString()} (${where})`,
      data: { deleted, cutoff: cutoff.toISOString(), store: ctx.store?.slug ?? null },
    };
  }
}

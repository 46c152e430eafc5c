import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { affectedRows } from '../../common/db-errors';
import { syncBudgetMs, walkBatches } from '../../jobs/batch-walker';
import { deletedWord, dryRunFeedback } from '../../jobs/dry-run';
import { JobHandler, JobRunContext, JobRunResult, JobType } from '../../jobs/job-type';
import { LogLevel } from '../../logging/log-entry.entity';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { StatementDeletion } from '../../xapi/statements/statement-deletion.service';
import {
  StatementValidator,
  StatementVersion,
  Violation,
} from '../../xapi/validation/statement-validator';
import { ValidationParams } from './validation.dto';

export const VALIDATION_BATCH = 500;
/** Invalid statements whose violations a run keeps in its log data. */
export const VIOLATIONS_KEPT = 100;

type Row = Pick<Statement, 'id' | 'statementId' | 'data'>;

export interface InvalidStatement {
  id: string;
  violations: Violation[];
}

/** The rules a stored statement is checked against: those of its own xAPI version. */
export function statementVersion(data: Record<string, any>): StatementVersion {
  return typeof data.version === 'string' && data.version.startsWith('2.') ? '2.0.0' : '1.0.3';
}

@JobType({
  name: 'validation',
  params: ValidationParams,
  store: 'per-store',
  description:
    'Validates the statements stored without validation and marks each valid or invalid; ' +
    'with clear, deletes the invalid ones.',
})
@Injectable()
export class ValidateStatementsHandler implements JobHandler<ValidationParams> {
  constructor(
    @InjectRepository(Statement) private readonly statements: Repository<Statement>,
    private readonly validator: StatementValidator,
    private readonly deletion: StatementDeletion,
  ) {}

  async run(ctx: JobRunContext<ValidationParams>): Promise<JobRunResult> {
    const store = ctx.store;
    if (!store) throw new Error('a validation job needs a store');
    const { clear, dry_run: dryRun } = ctx.params;
    const counts = { checked: 0, valid: 0, invalid: 0, deleted: 0 };
    const kept: InvalidStatement[] = [];
    const pending = () => this.pending(store.id, clear);

    await walkBatches<Row>({
      ctx,
      batchSize: VALIDATION_BATCH,
      budgetMs: syncBudgetMs(this.statements.manager.connection),
      total: await pending().getCount(),
      fetch: (after, limit) => {
        const qb = pending()
          .select(['s.id', 's.statementId', 's.data'])
          .orderBy('s.id', 'ASC')
          .limit(limit);
        if (after) qb.andWhere('s.id > :after', { after: after.id });
        return qb.getMany();
      },
      act: async (rows) => {
        const valid: number[] = [];
        const invalid: number[] = [];
        const found: InvalidStatement[] = [];
        for (const row of rows) {
          const violations = this.validator.validate(row.data, statementVersion(row.data));
          if (violations.length === 0) valid.push(row.id);
          else {
            invalid.push(row.id);
            found.push({ id: row.statementId, violations });
          }
        }
        counts.checked += rows.length;
        counts.invalid += invalid.length;
        const marked = dryRun ? valid.length : await this.mark(store.id, valid, true);
        counts.valid += marked;
        let changed = marked;
        if (clear) {
          const { deleted } = await this.deletion.deleteStatements(store.id, invalid, { dryRun });
          counts.deleted += deleted;
          changed += deleted;
        } else if (!dryRun) {
          changed += await this.mark(store.id, invalid, false);
        }
        await this.keep(ctx, kept, found, clear && !dryRun);
        return dryRun ? 0 : changed;
      },
    });

    const feedback = dryRunFeedback(
      dryRun,
      `checked ${counts.checked}, valid ${counts.valid}, invalid ${counts.invalid}, ` +
        `${deletedWord(dryRun)} ${counts.deleted}`,
    );
    return {
      feedback,
      data: {
        ...counts,
        clear,
        dry_run: !!dryRun,
        invalid_statements: kept,
        invalid_statements_kept: `${kept.length} of ${counts.invalid}, at most ${VIOLATIONS_KEPT}`,
      },
    };
  }

  /** Without clear, the statements not validated yet; with clear, every one not known valid. */
  private pending(storeId: number, clear: boolean) {
    const qb = this.statements.createQueryBuilder('s').where('s.storeId = :storeId', { storeId });
    // Unvalidated statements are stored with valid = false as well (see the recorder).
    return clear ? qb.andWhere('s.valid = 0') : qb.andWhere('s.validated = 0');
  }

  private async mark(storeId: number, ids: number[], valid: boolean): Promise<number> {
    if (ids.length === 0) return 0;
    return affectedRows(
      await this.statements.update(
        // Marked valid: also a statement an earlier run found invalid (a clear run re-checks them).
        valid ? { storeId, id: In(ids), valid: false } : { storeId, id: In(ids), validated: false },
        { validated: true, valid },
      ),
    );
  }

  /**
   * Keeps the first VIOLATIONS_KEPT invalid statements for the `passed` entry, and logs
   * each batch's share as it goes, so that a run that dies later still leaves them.
   */
  private async keep(
    ctx: JobRunContext<ValidationParams>,
    kept: InvalidStatement[],
    found: InvalidStatement[],
    deleted: boolean,
  ) {
    const room = VIOLATIONS_KEPT - kept.length;
    if (room <= 0 || found.length === 0) return;
    const share = found.slice(0, room);
    kept.push(...share);
    await ctx.log(
      LogLevel.Warning,
      `${found.length} invalid statements${deleted ? ' deleted' : ''}: ` +
        share
          .slice(0, 3)
          .map(
            (s) => `${s.id} (${s.violations[0].path || 'statement'}: ${s.violations[0].message})`,
          )
          .join(', ') +
        (share.length > 3 ? ', ...' : ''),
      { statements: share },
    );
  }
}

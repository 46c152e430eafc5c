import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { untilCutoff } from '../../common/until';
import {
  JobCreationContext,
  JobHandler,
  JobRunContext,
  JobRunResult,
  JobType,
} from '../../jobs/job-type';
import { Pseudonymizer } from '../../xapi/pseudonymization/pseudonymizer.service';
import { StatementQueryService } from '../../xapi/statements/statement-query.service';
import { RecordLines } from '../transfer/record-lines';
import { emptyCounts, transferFeedback } from '../transfer/statement-batches';
import { servicesOf, TransferConnections } from '../transfer/transfer-connections';
import { targetScoped } from '../transfer/target-state';
import { TransferSettings } from '../transfer/transfer-settings';
import { pushToFiles } from './file-push';
import { pushToLrs } from './lrs-push';
import { PushParams } from './push.dto';

@JobType({
  name: 'push',
  params: PushParams,
  store: 'required',
  connectionParams: ['connection'],
  description:
    "Pushes the store's statements to a remote LRS (xAPI POST, incremental), or records of every service to JSON Lines files.",
})
@Injectable()
export class PushHandler implements JobHandler<PushParams> {
  constructor(
    private readonly connections: TransferConnections,
    private readonly dataSource: DataSource,
    private readonly query: StatementQueryService,
    private readonly lines: RecordLines,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly settings: TransferSettings,
  ) {}

  async validate(ctx: JobCreationContext<PushParams>): Promise<void> {
    await this.connections.validate(ctx.params);
  }

  async run(jobCtx: JobRunContext<PushParams>): Promise<JobRunResult> {
    const params = jobCtx.params;
    const store = jobCtx.store!;
    const connection = await this.connections.load(params);
    const ctx = targetScoped(jobCtx, this.connections.target(connection));
    const cutoff = untilCutoff(params.until, ctx.startedAt, params.until_date);
    const counts = emptyCounts();
    const pseudonymize = !!params.pseudonymize_statements;
    let to: string;
    const data: Record<string, unknown> = {};
    if (connection.type === 'lrs') {
      const remote = this.connections.open(connection, ctx);
      to = remote.label;
      await pushToLrs({
        ctx,
        dataSource: this.dataSource,
        query: this.query,
        remote,
        storeId: store.id,
        cutoff,
        batchSize: this.settings.pushBatch,
        counts,
        outgoing: (stored) => {
          // `stored` is the remote's to set; the rest goes as recorded here.
          const { stored: _stored, ...statement } = stored;
          return pseudonymize ? this.pseudonymizer.statement(statement) : statement;
        },
      });
    } else {
      to = `connection ${connection.id} (${connection.name})`;
      data.services = await pushToFiles({
        ctx,
        lines: this.lines,
        folder: this.connections.folder(connection),
        prefix: connection.prefix,
        services: servicesOf(params.service),
        storeId: store.id,
        storeSlug: store.slug,
        cutoff,
        batchSize: this.settings.fileBatch,
        raw: !!params.raw,
        syncUpdates: !!params.sync_updates,
        pseudonymize,
        counts,
      });
    }
    return {
      feedback: transferFeedback('pushed', counts, `from store ${store.slug} to ${to}`),
      data: { ...counts, ...data, cutoff: cutoff.toISOString() },
    };
  }
}

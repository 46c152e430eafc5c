import { Injectable } from '@nestjs/common';
import { basename } from 'path';
import { DataSource } from 'typeorm';
import { invalidInput } from '../../common/errors';
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
import { PushFileWriters } from './push-file-writers';
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
    private readonly writers: PushFileWriters,
  ) {}

  async validate(ctx: JobCreationContext<PushParams>): Promise<void> {
    await this.connections.validate(ctx.params);
    if (!ctx.store) return;
    const clash = await this.writers.otherWriter(
      { connection: ctx.params.connection, service: ctx.params.service, storeId: ctx.store.id },
      ctx.jobId ?? null,
    );
    if (clash) {
      throw invalidInput({
        connection: [
          `Push job ${clash.job} already writes ${basename(clash.file)} in this folder: one push job per file (another prefix, folder or service avoids it).`,
        ],
      });
    }
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
      // Checked again here: a connection changed since, or two jobs saved at once.
      const clash = await this.writers.otherWriter(
        { connection: connection.id, service: params.service, storeId: store.id },
        jobCtx.jobId,
      );
      if (clash) {
        throw new Error(
          `Push job ${clash.job} also writes ${basename(clash.file)} of connection ${connection.id}: nothing written (one push job per file).`,
        );
      }
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

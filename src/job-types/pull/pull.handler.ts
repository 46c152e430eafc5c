import { Injectable } from '@nestjs/common';
import { PIPELINE_KEYS } from '../../config/app-config';
import { untilCutoff } from '../../common/until';
import {
  JobCreationContext,
  JobHandler,
  JobRunContext,
  JobRunResult,
  JobType,
} from '../../jobs/job-type';
import { XapiVersion } from '../../xapi/common/xapi-endpoint';
import { RecordOptions, StatementRecorder } from '../../xapi/statements/statement-recorder.service';
import { RecordLines } from '../transfer/record-lines';
import { emptyCounts, transferFeedback } from '../transfer/statement-batches';
import { servicesOf, TransferConnections } from '../transfer/transfer-connections';
import { targetScoped } from '../transfer/target-state';
import { TransferSettings } from '../transfer/transfer-settings';
import { pullFromFiles } from './file-pull';
import { pullFromLrs } from './lrs-pull';
import { PullParams } from './pull.dto';

@JobType({
  name: 'pull',
  params: PullParams,
  store: 'required',
  connectionParams: ['connection'],
  description:
    'Pulls statements from a remote LRS (xAPI GET, incremental) or records of every service from JSON Lines files, through the xAPI pipeline.',
})
@Injectable()
export class PullHandler implements JobHandler<PullParams> {
  constructor(
    private readonly connections: TransferConnections,
    private readonly recorder: StatementRecorder,
    private readonly lines: RecordLines,
    private readonly settings: TransferSettings,
  ) {}

  async validate(ctx: JobCreationContext<PullParams>): Promise<void> {
    await this.connections.validate(ctx.params);
  }

  async run(jobCtx: JobRunContext<PullParams>): Promise<JobRunResult> {
    const params = jobCtx.params;
    const store = jobCtx.store!;
    const connection = await this.connections.load(params);
    const ctx = targetScoped(jobCtx, this.connections.target(connection));
    const cutoff = untilCutoff(params.until, ctx.startedAt, params.until_date);
    const counts = emptyCounts();
    const version: XapiVersion = connection.version === '2.0.0' ? '2.0.0' : '1.0.3';
    const options = this.pipelineOptions(params, version);
    let from: string;
    if (connection.type === 'lrs') {
      const remote = this.connections.open(connection, ctx);
      from = remote.label;
      await pullFromLrs({
        ctx,
        remote,
        recorder: this.recorder,
        storeId: store.id,
        options,
        cutoff,
        limit: this.settings.pullLimit,
        counts,
      }).finally(() => (counts.retried = remote.retried));
    } else {
      from = `connection ${connection.id} (${connection.name})`;
      await pullFromFiles({
        ctx,
        lines: this.lines,
        folder: this.connections.folder(connection),
        prefix: connection.prefix,
        services: servicesOf(params.service),
        storeId: store.id,
        options,
        cutoff,
        batchSize: this.settings.fileBatch,
        counts,
      });
    }
    return {
      feedback: transferFeedback('pulled', counts, `from ${from} into store ${store.slug}`),
      data: { ...counts, cutoff: cutoff.toISOString() },
    };
  }

  /** The job's pipeline options; those it leaves out take the PIPELINE_DEFAULT_* values. */
  private pipelineOptions(params: PullParams, version: XapiVersion): RecordOptions {
    const options: RecordOptions = { version };
    for (const key of PIPELINE_KEYS) if (params[key] !== undefined) options[key] = params[key];
    if (params.authority_name) options.authority_name = params.authority_name;
    if (params.authority_homepage) options.authority_homepage = params.authority_homepage;
    return options;
  }
}

import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ClientEndpoint } from '../access/client-auth.guard';
import { Permissions } from '../access/permissions';
import { StoresService } from '../access/stores/stores.service';
import { invalidInput } from '../common/errors';
import { LogListResponse, LogQueryDto, toLogView } from './dto/log-query.dto';
import { SystemLogService } from './system-log.service';

@ClientEndpoint('logs', 'logs')
@Permissions('logging/all')
export class LogsController {
  constructor(
    private readonly logs: SystemLogService,
    private readonly stores: StoresService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'System log entries, newest first' })
  @ApiOkResponse({ type: LogListResponse })
  async list(@Query() q: LogQueryDto) {
    let storeId: number | undefined;
    if (q.store !== undefined) {
      const store = await this.stores.findBySlug(q.store);
      if (!store) throw invalidInput({ store: [`No store "${q.store}".`] });
      storeId = store.id;
    }
    const entries = await this.logs.find({
      level: q.level,
      store: storeId,
      job: q.job,
      since: q.since ? new Date(q.since) : undefined,
      before: q.before,
      limit: q.limit,
    });
    const slugs = await this.stores.slugsById(entries.map((e) => e.storeId));
    return {
      data: entries.map((e) =>
        toLogView(e, e.storeId === null ? null : (slugs.get(e.storeId) ?? null)),
      ),
    };
  }
}

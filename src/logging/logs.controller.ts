import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, Max, Min } from 'class-validator';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { ClientEndpoint } from '../access/client-auth.guard';
import { Permissions } from '../access/permissions';
import { Store } from '../access/store.entity';
import { invalidInput } from '../common/errors';
import { LogEntry } from './log-entry.entity';
import { SystemLogService } from './system-log.service';

/** Newest-first keyset paging of log entries, shared by the system and job logs routes. */
export class LogPageQuery {
  @ApiPropertyOptional({ description: 'Entries with an id below this one (paging)', example: 1200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;

  @ApiPropertyOptional({
    description: 'At most this many entries (1-1000)',
    example: 100,
    default: 100,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class LogQueryDto extends LogPageQuery {
  @ApiPropertyOptional({ description: 'Minimum level, 0 (debug) to 7 (emergency)', example: 3 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(7)
  level?: number;

  @ApiPropertyOptional({ description: 'Slug of a store', example: 'default' })
  @IsOptional()
  store?: string;

  @ApiPropertyOptional({ description: 'Job id', example: 12 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  job?: number;

  @ApiPropertyOptional({
    description: 'Only entries stored at or after this ISO 8601 time',
    example: '2026-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsDateString()
  since?: string;
}

export class LogEntryView {
  @ApiProperty({ example: 42 }) id: number;
  @ApiProperty({ example: 3, description: '0 debug .. 7 emergency' }) level: number;
  @ApiProperty({ example: 'auth', enum: ['job', 'api', 'auth', 'xapi', 'exception'] }) type: string;
  @ApiProperty({ example: 'default', nullable: true }) store: string | null;
  @ApiProperty({ example: null, nullable: true }) job: number | null;
  @ApiProperty({ example: null, nullable: true }) event: string | null;
  @ApiProperty({
    example: 'Authentication failed on GET /api/admin/stores: missing Basic credentials',
  })
  message: string;
  @ApiProperty({ example: { ip: '127.0.0.1' }, nullable: true }) data: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ example: '2026-11-28T14:45:33.123Z' }) stored: string;
}

export class LogListResponse {
  @ApiProperty({ type: LogEntryView, isArray: true }) data: LogEntryView[];
}

export function toLogView(e: LogEntry, storeSlug: string | null): LogEntryView {
  return {
    id: e.id,
    level: e.level,
    type: e.type,
    store: storeSlug,
    job: e.jobId,
    event: e.event,
    message: e.message,
    data: e.data,
    stored: e.stored.toISOString(),
  };
}

@ClientEndpoint('logs', 'logs')
@Permissions('logging/all')
export class LogsController {
  constructor(
    private readonly logs: SystemLogService,
    @InjectRepository(Store) private readonly stores: Repository<Store>,
  ) {}

  @Get()
  @ApiOperation({ summary: 'System log entries, newest first' })
  @ApiOkResponse({ type: LogListResponse })
  async list(@Query() q: LogQueryDto) {
    let storeId: number | undefined;
    if (q.store !== undefined) {
      const store = await this.stores.findOne({ where: { slug: q.store } });
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
    const ids = [
      ...new Set(entries.map((e) => e.storeId).filter((id): id is number => id !== null)),
    ];
    const slugs = new Map(
      (ids.length ? await this.stores.findBy({ id: In(ids) }) : []).map((s) => [s.id, s.slug]),
    );
    return {
      data: entries.map((e) =>
        toLogView(e, e.storeId === null ? null : (slugs.get(e.storeId) ?? null)),
      ),
    };
  }
}

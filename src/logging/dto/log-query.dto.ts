import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional, Max, Min } from 'class-validator';
import { QueryInt } from '../../common/query-int';
import { LogEntry } from '../log-entry.entity';

/** Newest-first keyset paging of log entries, shared by the system and job logs routes. */
export class LogPageQuery {
  @ApiPropertyOptional({ description: 'Entries with an id below this one (paging)', example: 1200 })
  @IsOptional()
  @QueryInt()
  @Min(1)
  before?: number;

  @ApiPropertyOptional({
    description: 'At most this many entries (1-1000)',
    example: 100,
    default: 100,
  })
  @IsOptional()
  @QueryInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class LogQueryDto extends LogPageQuery {
  @ApiPropertyOptional({ description: 'Minimum level, 0 (debug) to 7 (emergency)', example: 3 })
  @IsOptional()
  @QueryInt()
  @Min(0)
  @Max(7)
  level?: number;

  @ApiPropertyOptional({ description: 'Slug of a store', example: 'default' })
  @IsOptional()
  store?: string;

  @ApiPropertyOptional({ description: 'Job id', example: 12 })
  @IsOptional()
  @QueryInt()
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
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description:
      "A job's entries: its runs' (started, progress, passed, failed, cancelled, skipped, " +
      "interrupted, log) and its definition's (created, changed, replayed, deleted)",
  })
  event: string | null;
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

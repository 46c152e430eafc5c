import { ApiProperty } from '@nestjs/swagger';
import { LogEntry } from '../../logging/log-entry.entity';
import { Job } from '../job.entity';
import { JobProgress } from '../job-type';

/**
 * The job record of jobs.md: flat, so that a GET can be edited and PUT back.
 * The type's own params are spread at the top level (see each type's POST body).
 */
export class JobView {
  @ApiProperty({ example: 12 }) id: number;
  @ApiProperty({ example: 'logs-deletion' }) type: string;
  @ApiProperty({ example: 'default', nullable: true, type: String }) store: string | null;
  @ApiProperty({
    example: 'admin',
    description: 'Slug of the client that created the job (a PUT by another client leaves it)',
  })
  client: string;
  @ApiProperty({ example: false }) replay: boolean;
  @ApiProperty({ example: 'dailyAt' }) repeat: string;
  @ApiProperty({ example: null, nullable: true, type: String }) date: string | null;
  @ApiProperty({ example: '03:30', nullable: true, type: String }) time: string | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) minute: number | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) week_day: number | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) month_day: number | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) month: number | null;
  @ApiProperty({ example: 'Europe/Paris', nullable: true, type: String }) timezone: string | null;
  @ApiProperty({ example: false }) running: boolean;
  @ApiProperty({ example: 3, description: 'Completed runs' }) ran: number;
  @ApiProperty({ example: true, nullable: true, type: Boolean }) success: boolean | null;
  @ApiProperty({ example: '2026-11-28T03:30:00.012Z', nullable: true, type: String })
  started_at: string | null;
  @ApiProperty({ example: '2026-11-28T03:30:01.402Z', nullable: true, type: String })
  completed_at: string | null;
  @ApiProperty({ example: '2026-11-29T03:30:00.000Z', nullable: true, type: String })
  next_run_at: string | null;
  @ApiProperty({ example: 'deleted 1200 log entries', nullable: true, type: String })
  feedback: string | null;
  @ApiProperty({ example: null, nullable: true, description: '{done, total} while running' })
  progress: JobProgress | null;
  @ApiProperty({ example: '2026-11-20T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-20T10:00:00.000Z' }) updated_at: string;
  [param: string]: unknown;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The flat record; `paramFields` are the type's params, shown as null when unset. */
export function toJobView(job: Job, storeSlug: string | null, paramFields: string[] = []): JobView {
  return {
    id: job.id,
    type: job.type,
    store: storeSlug,
    client: job.client,
    replay: !!job.replay,
    repeat: job.repeat,
    date: job.date,
    time: job.time,
    minute: job.minute,
    week_day: job.weekDay,
    month_day: job.monthDay,
    month: job.month,
    timezone: job.timezone,
    // The type's params; they may name a field of their own `client` (testsuite).
    ...Object.fromEntries(paramFields.map((field) => [field, null])),
    ...(job.params ?? {}),
    running: !!job.running,
    ran: job.ran,
    success: job.success === null ? null : !!job.success,
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    next_run_at: iso(job.nextRunAt),
    feedback: job.feedback,
    progress: job.running ? job.progress : null,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
  } as JobView;
}

export class JobLogEntryView {
  @ApiProperty({ example: 420 }) id: number;
  @ApiProperty({
    example: 'passed',
    description:
      'A run: started, progress, passed, failed, cancelled, skipped, interrupted or log; ' +
      'the definition: created, changed, replayed (a PUT with replay: true) or deleted',
    nullable: true,
    type: String,
  })
  event: string | null;
  @ApiProperty({ example: 1, description: '0 debug .. 7 emergency' }) level: number;
  @ApiProperty({ example: true, nullable: true, type: Boolean }) success: boolean | null;
  @ApiProperty({ example: 'deleted 1200 log entries' }) feedback: string;
  @ApiProperty({ example: { deleted: 1200 }, nullable: true }) data: Record<string, unknown> | null;
  @ApiProperty({ example: '2026-11-28T03:30:01.402Z' }) created_at: string;
}

export function toJobLogEntryView(e: LogEntry): JobLogEntryView {
  return {
    id: e.id,
    event: e.event,
    level: e.level,
    success: e.success === null ? null : !!e.success,
    feedback: e.message,
    data: e.data,
    created_at: e.stored.toISOString(),
  };
}

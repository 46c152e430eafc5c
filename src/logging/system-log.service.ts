import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { LogEntry, LogLevel, LogType } from './log-entry.entity';

export interface NewLogEntry {
  level: LogLevel;
  type: LogType;
  message: string;
  store?: number | null;
  job?: number | null;
  event?: string | null;
  success?: boolean | null;
  data?: Record<string, unknown> | null;
  /** When it happened; now (this process's clock) when omitted. */
  stored?: Date;
}

export interface LogQuery {
  level?: number;
  store?: number;
  job?: number;
  event?: string;
  since?: Date;
  before?: number;
  limit?: number;
}

/** The system log kept in the database; every module writes through this service. */
@Injectable()
export class SystemLogService {
  constructor(@InjectRepository(LogEntry) private readonly repo: Repository<LogEntry>) {}

  async log(entry: NewLogEntry): Promise<LogEntry> {
    return this.repo.save(this.row(entry));
  }

  /** Several entries in one INSERT statement (no transaction of its own), in order. */
  async record(entries: NewLogEntry[], manager?: EntityManager): Promise<void> {
    if (!entries.length) return;
    await (manager?.getRepository(LogEntry) ?? this.repo).insert(
      entries.map((e) => this.row(e)) as QueryDeepPartialEntity<LogEntry>[],
    );
  }

  private row(entry: NewLogEntry): LogEntry {
    return this.repo.create({
      level: entry.level,
      type: entry.type,
      message: entry.message.slice(0, 65000),
      storeId: entry.store ?? null,
      jobId: entry.job ?? null,
      event: entry.event ?? null,
      success: entry.success ?? null,
      data: entry.data ?? null,
      stored: entry.stored ?? new Date(),
    });
  }

  /** Newest first, keyset-paged by id. `level` is a minimum severity. */
  async find(q: LogQuery): Promise<LogEntry[]> {
    const qb = this.repo
      .createQueryBuilder('l')
      .orderBy('l.id', 'DESC')
      .limit(Math.min(q.limit ?? 100, 1000));
    if (q.level !== undefined) qb.andWhere('l.level >= :level', { level: q.level });
    if (q.store !== undefined) qb.andWhere('l.store_id = :store', { store: q.store });
    if (q.job !== undefined) qb.andWhere('l.job_id = :job', { job: q.job });
    if (q.event !== undefined) qb.andWhere('l.event = :event', { event: q.event });
    if (q.since !== undefined) qb.andWhere('l.stored >= :since', { since: q.since });
    if (q.before !== undefined) qb.andWhere('l.id < :before', { before: q.before });
    return qb.getMany();
  }
}

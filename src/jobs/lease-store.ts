import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AppConfig } from '../config/app-config';
import { Job } from './job.entity';
import { JobProgress } from './job-type';

/** Who holds a run: the job and the owner written by its claim. */
export interface Lease {
  readonly id: number;
  readonly owner: string;
}

/** How a run ends on its job row. */
export interface RunClosing {
  success: boolean;
  feedback: string;
  completedAt: Date;
  nextRunAt: Date | null;
}

/**
 * Every statement of the job lease, written once: reading due fires, the claim,
 * heartbeats, and each write of a run, fenced by the lease it holds.
 */
@Injectable()
export class JobLeaseStore {
  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    private readonly config: AppConfig,
  ) {}

  /**
   * Due fires whose lease is free, oldest first. No type filter in SQL: it would lead
   * SQLite to the (type, id) index and a sort of every job; the next_run_at index
   * reads only the due ones.
   */
  due(now: Date, limit: number): Promise<Job[]> {
    return this.jobs
      .createQueryBuilder('j')
      .where('j.nextRunAt <= :now', { now })
      .andWhere('(j.leaseUntil IS NULL OR j.leaseUntil < :now)', { now })
      .orderBy('j.nextRunAt', 'ASC')
      .addOrderBy('j.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** The first fire due after `now`, if any. */
  async nextFireAfter(now: Date): Promise<Date | null> {
    const next = await this.jobs
      .createQueryBuilder('j')
      .select(['j.id', 'j.nextRunAt'])
      .where('j.nextRunAt > :now', { now })
      .orderBy('j.nextRunAt', 'ASC')
      .limit(1)
      .getOne();
    return next?.nextRunAt ?? null;
  }

  /** When a lease taken or extended at `at` lapses. */
  leaseEnd(at: Date): Date {
    return new Date(at.getTime() + this.config.jobLeaseMs);
  }

  /**
   * The claim: one atomic conditional UPDATE over the batch. A row is taken only
   * while it is due and its lease is free, so two instances never both take one
   * fire (the database serialises the row updates). Which rows this instance got
   * is read back by its claim's unique (owner, lease_until).
   */
  async claim(ids: number[], now: Date, owner: string): Promise<Set<number>> {
    const leaseUntil = this.leaseEnd(now);
    const res = await this.jobs
      .createQueryBuilder()
      .update(Job)
      .set({
        running: true,
        leaseOwner: owner,
        leaseUntil,
        fireAt: () => 'next_run_at',
        startedAt: now,
        replay: false,
        progress: null,
      })
      .where('id IN (:...ids)', { ids })
      .andWhere('next_run_at <= :now', { now })
      .andWhere('(lease_until IS NULL OR lease_until < :now)', { now })
      .execute();
    if (!res.affected) return new Set();
    if (res.affected === ids.length) return new Set(ids);
    const mine = await this.jobs
      .createQueryBuilder('j')
      .select(['j.id'])
      .where('j.id IN (:...ids)', { ids })
      .andWhere('j.leaseOwner = :owner AND j.leaseUntil = :leaseUntil', { owner, leaseUntil })
      .getMany();
    return new Set(mine.map((j) => j.id));
  }

  /** Heartbeat: extends the lease; false when the row is gone or held by another claim. */
  async extend(lease: Lease): Promise<boolean> {
    return (await this.fenced(lease, { leaseUntil: this.leaseEnd(new Date()) })) > 0;
  }

  exists(id: number): Promise<boolean> {
    return this.jobs.existsBy({ id });
  }

  read(id: number): Promise<Job | null> {
    return this.jobs.findOneBy({ id });
  }

  async saveState(lease: Lease, state: Record<string, unknown> | null): Promise<void> {
    await this.fenced(lease, { state: state as QueryDeepPartialEntity<Record<string, unknown>> });
  }

  async saveProgress(lease: Lease, progress: JobProgress | null): Promise<void> {
    await this.fenced(lease, { progress });
  }

  /** Gives the fire back, still due, so that another instance (or the next start) retries it. */
  async release(lease: Lease): Promise<void> {
    await this.fenced(lease, { running: false, leaseOwner: null, leaseUntil: null, progress: null });
  }

  /** Closes the run on the job row: counts it and plans the next fire. */
  async close(lease: Lease, closing: RunClosing): Promise<void> {
    await this.fenced(lease, {
      running: false,
      leaseOwner: null,
      leaseUntil: null,
      fireAt: null,
      ran: () => 'ran + 1',
      success: closing.success,
      feedback: closing.feedback,
      completedAt: closing.completedAt,
      nextRunAt: closing.nextRunAt,
      progress: null,
    });
  }

  /** The one fence: a write of a run applies only while its lease is still the one it holds. */
  private async fenced(lease: Lease, changes: QueryDeepPartialEntity<Job>): Promise<number> {
    const res = await this.jobs
      .createQueryBuilder()
      .update(Job)
      .set(changes)
      .where('id = :id AND lease_owner = :owner', { id: lease.id, owner: lease.owner })
      .execute();
    return res.affected ?? 0;
  }
}

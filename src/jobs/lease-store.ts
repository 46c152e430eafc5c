import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Store } from '../access/store.entity';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { affectedRows, retryOnConflict } from '../common/db-errors';
import { AppConfig } from '../config/app-config';
import { DatabaseClock } from '../database/database-clock';
import { Job } from './job.entity';
import { JobProgress } from './job-type';

/** A run's hold on its job row: the job and the token written by its claim. */
export interface Lease {
  readonly id: number;
  readonly token: string;
}

/** How a run ends on its job row. */
export interface RunClosing {
  success: boolean;
  feedback: string;
  completedAt: Date;
  nextRunAt: Date | null;
}

/** What a heartbeat found for one run. */
export type LeaseStatus = 'held' | 'gone' | 'lost';

/** Changes that end or hand over a run also bump the row version (see Job.version). */
const bump = () => 'version + 1';

/**
 * Every statement of the job lease, written once: due fires, the claim, heartbeats,
 * and each write of a run, fenced by the lease it holds. "Now" is always the
 * database's clock (DatabaseClock).
 */
@Injectable()
export class JobLeaseStore {
  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    private readonly clock: DatabaseClock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Fires due by `horizon` whose lease is free, oldest first, each with its store (one
   * query: the ones due by `now` are claimed, the first later one arms a timer). No type
   * filter in SQL: it would lead SQLite to the (type, id) index and a sort of every job;
   * the next_run_at index reads only the due ones.
   */
  due(now: Date, horizon: Date, limit: number): Promise<Job[]> {
    return this.jobs
      .createQueryBuilder('j')
      .leftJoinAndMapOne('j.store', Store, 's', 's.id = j.storeId')
      .where('j.nextRunAt <= :horizon', { horizon })
      .andWhere('(j.leaseUntil IS NULL OR j.leaseUntil < :now)', { now })
      .orderBy('j.nextRunAt', 'ASC')
      .addOrderBy('j.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** When a lease taken or extended at `at` lapses. */
  leaseEnd(at: Date): Date {
    return new Date(at.getTime() + this.config.jobLeaseMs);
  }

  /**
   * The claim: one atomic conditional UPDATE over the batch. A row is taken only
   * while it is due and its lease is free, so two instances never both take one
   * fire (the database serialises the row updates). `token` is new for each claim;
   * the rows this claim got are the ones carrying it. Lock conflicts are retried.
   */
  async claim(ids: number[], now: Date, owner: string, token: string): Promise<Set<number>> {
    const affected = await retryOnConflict(async () =>
      affectedRows(
        await this.jobs
          .createQueryBuilder()
          .update(Job)
          .set({
            running: true,
            leaseOwner: owner,
            leaseToken: token,
            leaseUntil: this.leaseEnd(now),
            fireAt: () => 'next_run_at',
            // The retry of a run that never closed (interrupted, lost) keeps that run's start.
            startedAt: () =>
              'CASE WHEN started_at IS NOT NULL AND (completed_at IS NULL OR completed_at < started_at) THEN started_at ELSE :now END',
            replay: false,
            progress: null,
            version: bump,
          })
          .where('id IN (:...ids)', { ids })
          .andWhere('next_run_at <= :now', { now })
          .andWhere('(lease_until IS NULL OR lease_until < :now)', { now })
          .execute(),
      ),
    );
    if (!affected) return new Set();
    if (affected === ids.length) return new Set(ids);
    const mine = await this.jobs.find({ select: { id: true }, where: { leaseToken: token } });
    return new Set(mine.map((j) => j.id));
  }

  /**
   * One heartbeat for every run of this instance: a single UPDATE extends the
   * leases still held; only when some were not extended does a SELECT say which
   * rows are gone (deleted: cancel) and which are lost (lapsed or taken).
   */
  async heartbeat(leases: Lease[]): Promise<Map<number, LeaseStatus>> {
    const status = new Map<number, LeaseStatus>(leases.map((l) => [l.id, 'held']));
    if (!leases.length) return status;
    const now = this.clock.now();
    const tokens = [...new Set(leases.map((l) => l.token))];
    const extended = await retryOnConflict(async () =>
      affectedRows(
        await this.jobs
          .createQueryBuilder()
          .update(Job)
          .set({ leaseUntil: this.leaseEnd(now) })
          .where('lease_token IN (:...tokens) AND lease_until >= :now', { tokens, now })
          .execute(),
      ),
    );
    if (extended >= leases.length) return status;
    const rows = await this.jobs.find({
      select: { id: true, leaseToken: true, leaseUntil: true },
      where: { id: In(leases.map((l) => l.id)) },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const lease of leases) {
      const row = byId.get(lease.id);
      // Extended just now (lease_until is the new end), or not ours any more.
      if (!row) status.set(lease.id, 'gone');
      else if (row.leaseToken !== lease.token || !row.leaseUntil || row.leaseUntil < now) {
        status.set(lease.id, 'lost');
      }
    }
    return status;
  }

  read(id: number): Promise<Job | null> {
    return this.jobs.findOneBy({ id });
  }

  /** Saves the handler's state; false when the lease is no longer held. */
  async saveState(lease: Lease, state: Record<string, unknown> | null): Promise<boolean> {
    const changes = { state: state as QueryDeepPartialEntity<Record<string, unknown>> };
    return (await this.fenced(lease, changes)) > 0;
  }

  async saveProgress(lease: Lease, progress: JobProgress | null): Promise<void> {
    await this.fenced(lease, { progress });
  }

  /**
   * Gives the fire back, still due, so that another instance (or the next start)
   * retries it: conditional on the claim's token only, since a lapsed lease nobody
   * took is still this claim's to hand back. `interrupted: true` (a shutdown, which
   * logs its own `interrupted`) marks the row not running; otherwise it stays marked
   * running with its owner, so that the claim that retries it logs the `interrupted`
   * (exactly one, whoever gets there first). Says what it found otherwise.
   */
  async giveBack(
    lease: Lease,
    options: { interrupted: boolean },
  ): Promise<'released' | 'taken' | 'gone'> {
    const changes: QueryDeepPartialEntity<Job> = {
      leaseToken: null,
      leaseUntil: null,
      progress: null,
      version: bump,
    };
    if (options.interrupted) Object.assign(changes, { running: false, leaseOwner: null });
    const released = await retryOnConflict(async () =>
      affectedRows(
        await this.jobs
          .createQueryBuilder()
          .update(Job)
          .set(changes)
          .where('id = :id AND lease_token = :token', { id: lease.id, token: lease.token })
          .execute(),
      ),
    );
    if (released) return 'released';
    return (await this.jobs.existsBy({ id: lease.id })) ? 'taken' : 'gone';
  }

  /**
   * Closes the run on the job row: counts it and plans the next fire. Conditional on
   * the row version the next fire was planned from: false when the lease is no longer
   * held or the definition changed meanwhile (then read the row again and retry).
   */
  async close(
    lease: Lease,
    version: number,
    closing: RunClosing,
    manager?: EntityManager,
  ): Promise<boolean> {
    const changes: QueryDeepPartialEntity<Job> = {
      running: false,
      leaseOwner: null,
      leaseToken: null,
      leaseUntil: null,
      fireAt: null,
      ran: () => 'ran + 1',
      success: closing.success,
      feedback: closing.feedback,
      completedAt: closing.completedAt,
      nextRunAt: closing.nextRunAt,
      progress: null,
      version: bump,
    };
    return (await this.fenced(lease, changes, version, manager)) > 0;
  }

  /**
   * The one fence: a write of a run applies only while the run's claim still holds
   * the row and its lease has not lapsed by the database's clock.
   */
  private async fenced(
    lease: Lease,
    changes: QueryDeepPartialEntity<Job>,
    version?: number,
    manager?: EntityManager,
  ): Promise<number> {
    const qb = (manager?.getRepository(Job) ?? this.jobs)
      .createQueryBuilder()
      .update(Job)
      .set(changes)
      .where('id = :id AND lease_token = :token AND lease_until >= :now', {
        id: lease.id,
        token: lease.token,
        now: this.clock.now(),
      });
    if (version !== undefined) qb.andWhere('version = :version', { version });
    // In a transaction, a conflict rolls all of it back: the caller retries the whole.
    if (manager) return affectedRows(await qb.execute());
    return retryOnConflict(async () => affectedRows(await qb.execute()));
  }
}

import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JsonColumn, TimestampColumn } from '../common/columns';
import { StoreScoped } from '../database/store-scoped';
import { Store } from '../access/store.entity';
import { JobProgress, Repeat } from './job-type';

/**
 * One job definition and the state of its runs. The database is the truth: the
 * scheduler of every instance reads `next_run_at` and claims a due fire through
 * the lease columns (`lease_owner`, `lease_token`, `lease_until`).
 */
@Entity('jobs')
@Index(['type', 'id'])
@StoreScoped({ storeColumn: 'store_id', idColumn: 'id', order: 700 })
export class Job {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 50 })
  type: string;

  /** The store the job acts on; null for jobs over every store or of no store. */
  @Index()
  @Column({ type: 'integer', nullable: true })
  storeId: number | null;

  /** Slug of the client that created the job. */
  @Column({ type: 'varchar', length: 100 })
  client: string;

  /** True from a replay request until that run starts. */
  @Column({ type: 'boolean', default: false })
  replay: boolean;

  @Column({ type: 'varchar', length: 20 })
  repeat: Repeat;

  @Column({ type: 'varchar', length: 40, nullable: true })
  date: string | null;

  @Column({ type: 'varchar', length: 5, nullable: true })
  time: string | null;

  @Column({ type: 'smallint', nullable: true })
  minute: number | null;

  @Column({ type: 'smallint', nullable: true })
  weekDay: number | null;

  @Column({ type: 'smallint', nullable: true })
  monthDay: number | null;

  @Column({ type: 'smallint', nullable: true })
  month: number | null;

  /** IANA time zone of the schedule; null: JOBS_TIMEZONE. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  timezone: string | null;

  /** The type's own params, as validated by its DTO. */
  @JsonColumn()
  params: Record<string, unknown>;

  /** The handler's persisted cursor, kept across runs and retries. */
  @JsonColumn({ nullable: true })
  state: Record<string, unknown> | null;

  @Column({ type: 'boolean', default: false })
  running: boolean;

  /** Completed runs. */
  @Column({ type: 'integer', default: 0 })
  ran: number;

  /** Outcome of the last run; null before any. */
  @Column({ type: 'boolean', nullable: true })
  success: boolean | null;

  @TimestampColumn({ nullable: true })
  startedAt: Date | null;

  @TimestampColumn({ nullable: true })
  completedAt: Date | null;

  /** When the next fire is due; null when nothing is due. */
  @Index()
  @TimestampColumn({ nullable: true })
  nextRunAt: Date | null;

  @Column({ type: 'text', nullable: true })
  feedback: string | null;

  @JsonColumn({ nullable: true })
  progress: JobProgress | null;

  /** Instance running the current fire. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  leaseOwner: string | null;

  /** Names the claim of the current fire (new for every claim): every write of the run is fenced by it. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  leaseToken: string | null;

  /** The run's lease: past this, another instance may take the fire over. */
  @TimestampColumn({ nullable: true })
  leaseUntil: Date | null;

  /** The due time of the fire being run. */
  @TimestampColumn({ nullable: true })
  fireAt: Date | null;

  /**
   * Row version: bumped by every claim, close and definition write, so that a PUT and
   * the close of a run never overwrite each other's changes (both are conditional on it).
   */
  @Column({ type: 'integer', default: 0 })
  version: number;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;

  /** Not a column: the job's store, as the scheduler's due query reads it (null: gone or none). */
  store?: Store | null;
}

import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JsonColumn, TimestampColumn } from '../common/columns';
import { StoreScoped } from '../database/store-scoped';

/** TRAX numbering: higher is more severe (the reverse of syslog). */
export enum LogLevel {
  Debug = 0,
  Info = 1,
  Notice = 2,
  Warning = 3,
  Error = 4,
  Critical = 5,
  Alert = 6,
  Emergency = 7,
}

export type LogType = 'job' | 'api' | 'auth' | 'xapi' | 'exception';

@Entity('logs')
@Index(['jobId', 'id'])
@StoreScoped({ storeColumn: 'store_id', idColumn: 'id', order: 800 })
export class LogEntry {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column({ type: 'smallint' })
  level: LogLevel;

  @Column({ type: 'varchar', length: 20 })
  type: LogType;

  @Index()
  @Column({ type: 'integer', nullable: true })
  storeId: number | null;

  @Column({ type: 'integer', nullable: true })
  jobId: number | null;

  /** A job's events: its runs' (started, progress, passed, failed, ...) and its definition's (created, changed, replayed, deleted). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  event: string | null;

  @Column({ type: 'boolean', nullable: true })
  success: boolean | null;

  @Column({ type: 'text' })
  message: string;

  @JsonColumn({ nullable: true })
  data: Record<string, unknown> | null;

  @Index()
  @TimestampColumn()
  stored: Date;
}

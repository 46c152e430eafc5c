import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JsonColumn, TimestampColumn } from '../common/columns';
import { StoreScoped } from '../database/store-scoped';

export const PERMISSIONS = [
  'xapi/statements/write',
  'xapi/statements/read',
  'xapi/statements/read/mine',
  'xapi/state',
  'xapi/profile',
  'xapi/all/read',
  'xapi/all',
  'cmi5/tokens',
  'data/all',
  'jobs/all',
  'logging/all',
  'access/all',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Per-client xAPI pipeline options (xapi.md); unset keys fall back to PIPELINE_DEFAULT_*. */
export interface PipelineOptions {
  validate_statements?: boolean;
  check_conflicts?: boolean;
  void_statements?: boolean;
  update_activities?: boolean;
  update_agents?: boolean;
  update_vocab?: boolean;
  update_activity_ids?: boolean;
  update_agent_ids?: boolean;
  authority_name?: string;
  authority_homepage?: string;
}

@Entity('clients')
@StoreScoped({ storeColumn: 'store_id', idColumn: 'id', order: 900 })
export class Client {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 100 })
  slug: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 255 })
  username: string;

  /** scrypt hash, never the password itself. */
  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @Index()
  @Column({ type: 'integer' })
  storeId: number;

  @JsonColumn()
  permissions: Permission[];

  @JsonColumn()
  pipeline: PipelineOptions;

  /** Temporary credentials (e.g. minted for a testsuite run) expire; null: never. */
  @TimestampColumn({ nullable: true })
  expiresAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}

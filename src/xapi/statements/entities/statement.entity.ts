import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JsonColumn, TimestampColumn } from '../../../common/columns';
import { StoreScoped } from '../../../database/store-scoped';

/**
 * A stored statement. The numeric `id` is the keyset for paging (`more` links)
 * and follows the order of `stored` within STORED_ORDER_MARGIN_MS (the recorder's
 * stamping; since/until pages bound their ids by it through (storeId, stored));
 * `statementId` is the xAPI UUID.
 */
@Entity('statements')
@Index(['storeId', 'statementId'], { unique: true })
@Index(['storeId', 'id'])
@Index(['storeId', 'stored'])
@Index(['storeId', 'verbId', 'id'])
@Index(['storeId', 'activityId', 'id'])
@Index(['storeId', 'registration', 'id'])
@Index(['storeId', 'voidTarget'])
@Index(['storeId', 'statementRef'])
@Index(['storeId', 'validated', 'id'])
// The pseudo job's walk: index-only (stored is compared from the index too).
@Index(['storeId', 'pseudonymized', 'id', 'stored'])
// The validation job with clear walks the statements not known valid.
@Index(['storeId', 'valid', 'id'])
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'statements',
  storedColumn: 'stored',
  order: 300,
})
export class Statement {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  @Column({ type: 'varchar', length: 36 })
  statementId: string;

  /** The statement as stored: id, stored, timestamp, authority and version set. */
  @JsonColumn()
  data: Record<string, any>;

  @TimestampColumn()
  stored: Date;

  @TimestampColumn()
  updated: Date;

  @Column({ type: 'boolean', default: false })
  validated: boolean;

  @Column({ type: 'boolean', default: false })
  valid: boolean;

  @Column({ type: 'boolean', default: false })
  voided: boolean;

  @Column({ type: 'boolean', default: false })
  pseudonymized: boolean;

  /** The client that stored it; null for jobs (pull, seeding). */
  @Index()
  @Column({ type: 'integer', nullable: true })
  clientId: number | null;

  @Column({ type: 'varchar', length: 255 })
  verbId: string;

  /** The object's activity id, when the object is an activity. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  activityId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  registration: string | null;

  /** When the object is a StatementRef: the statement id it targets (query filters follow it). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  statementRef: string | null;

  /** For a voiding statement: the statement id it voids. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  voidTarget: string | null;

  /** For a voided statement: the id of the voiding statement. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  voidedBy: string | null;
}

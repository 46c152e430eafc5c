import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JsonColumn, TimestampColumn } from '../common/columns';
import { StoreScoped } from '../database/store-scoped';

/**
 * A cmi5 launch token: the fetch URL carries `token`, whose sha256 is kept
 * (never the token). The first fetch mints a password whose sha256 is kept too;
 * `token:password` then works as HTTP Basic on the client's xAPI endpoint,
 * for `agent` only.
 */
@Entity('cmi5_tokens')
@Index(['storeId', 'createdAt'])
@Index(['createdAt'])
@StoreScoped({ storeColumn: 'store_id', idColumn: 'id', order: 450 })
export class Cmi5Token {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  /** The client that issued it; its credentials only work on that client's endpoint. */
  @Index()
  @Column({ type: 'integer' })
  clientId: number;

  /** sha256 of the token, hex. */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  /** sha256 of the password handed out by the fetch, hex; null until fetched. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  secretHash: string | null;

  @JsonColumn()
  agent: Record<string, unknown>;

  @Column({ type: 'varchar', length: 255 })
  agentVid: string;

  @Column({ type: 'varchar', length: 2048 })
  activityId: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  registration: string | null;

  @TimestampColumn({ nullable: true })
  fetchedAt: Date | null;

  @TimestampColumn()
  createdAt: Date;
}

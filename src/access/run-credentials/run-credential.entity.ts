import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../common/columns';
import { StoreScoped } from '../../database/store-scoped';

/**
 * A credential minted for one job run (e.g. a testsuite run calling a client's own
 * endpoint): it acts as that client, with the client's permissions, until it is
 * revoked (the row deleted) or `expiresAt` passes. Only the sha256 of its
 * high-entropy secret is kept.
 */
@Entity('run_credentials')
@Index(['clientId', 'username'], { unique: true })
@Index(['expiresAt'])
@StoreScoped({ storeColumn: 'store_id', idColumn: 'id', order: 800 })
export class RunCredential {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  @Column({ type: 'integer' })
  clientId: number;

  /** The job whose run holds it; a retried run revokes what an earlier attempt left. */
  @Index()
  @Column({ type: 'integer', nullable: true })
  jobId: number | null;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  /** sha256 of the secret, hex. */
  @Column({ type: 'varchar', length: 64 })
  secretHash: string;

  @TimestampColumn()
  expiresAt: Date;

  @TimestampColumn()
  createdAt: Date;
}

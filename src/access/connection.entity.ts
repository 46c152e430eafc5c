import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../common/columns';

export type ConnectionType = 'lrs' | 'file';

@Entity('connections')
export class Connection {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 10 })
  type: ConnectionType;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  endpoint: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  username: string | null;

  /** AES-256-GCM with a key derived from APP_KEY; never returned. */
  @Column({ type: 'text', nullable: true })
  passwordEncrypted: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  version: string | null;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  folder: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  prefix: string | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}

import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { StoreScoped } from '../../../database/store-scoped';
import { Statement } from './statement.entity';

/** Size of one stored part: a portable `blob` holds 64 KiB on MySQL/MariaDB. */
export const ATTACHMENT_PART_BYTES = 60_000;

/**
 * Raw attachment content of a statement, kept in parts of at most
 * ATTACHMENT_PART_BYTES (so the column type is `blob` on both drivers and any
 * size fits): one attachment is the rows of one (statement, sha2) in `part` order.
 */
@Entity('attachments')
@Index(['statementRowId', 'sha2', 'part'])
@Index(['storeId', 'sha2'])
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'statements',
  storedColumn: 'stored',
  order: 200,
  belongsTo: { parent: () => Statement, column: 'statement_row_id' },
})
export class Attachment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  @Column({ type: 'integer' })
  statementRowId: number;

  @Column({ type: 'varchar', length: 64 })
  sha2: string;

  @Column({ type: 'varchar', length: 255 })
  contentType: string;

  /** Length of the whole attachment in bytes. */
  @Column({ type: 'integer' })
  length: number;

  @Column({ type: 'integer' })
  part: number;

  @Column({ type: 'blob' })
  content: Buffer;

  @Column({ type: 'datetime', precision: 3 })
  stored: Date;
}

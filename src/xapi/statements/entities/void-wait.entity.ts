import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { StoreScoped } from '../../../database/store-scoped';
import { Statement } from './statement.entity';

/**
 * A voiding statement waiting for its target: stored while the target was not, or
 * outliving it. A statement recorded with a waited-for id is stored voided (the recorder
 * looks a batch's ids up here, a table of a few rows, instead of among every statement's
 * void target), and its wait rows go. Deleted with the voiding statement.
 */
@Entity('void_waits')
@Index(['storeId', 'target'])
@Index(['voiderRowId'])
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'statements',
  order: 200,
  belongsTo: { parent: () => Statement, column: 'voider_row_id' },
})
export class VoidWait {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  /** The statement row id of the voiding statement. */
  @Column({ type: 'integer' })
  voiderRowId: number;

  /** The statement id it voids. */
  @Column({ type: 'varchar', length: 36 })
  target: string;
}

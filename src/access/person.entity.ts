import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../common/columns';
import { StoreScoped } from '../database/store-scoped';

/** Links several xAPI agents (rows of `agents`) into one person. */
@Entity('persons')
@StoreScoped({ storeColumn: 'store_id', idColumn: 'id', order: 600 })
export class Person {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column({ type: 'integer' })
  storeId: number;

  @TimestampColumn()
  createdAt: Date;
}

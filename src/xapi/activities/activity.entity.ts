import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JsonColumn, TimestampColumn } from '../../common/columns';
import { StoreScoped } from '../../database/store-scoped';

/** An activity of a store with its definition merged from statements (update_activities). */
@Entity('activities')
@Index(['storeId', 'activityId'], { unique: true })
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'activities',
  storedColumn: 'stored',
  order: 400,
})
export class Activity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  @Column({ type: 'varchar', length: 255 })
  activityId: string;

  @JsonColumn({ nullable: true })
  definition: Record<string, any> | null;

  @TimestampColumn()
  stored: Date;

  @TimestampColumn()
  updated: Date;
}

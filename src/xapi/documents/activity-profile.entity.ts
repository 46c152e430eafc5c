import { Column, Entity, Index } from 'typeorm';
import { StoreScoped } from '../../database/store-scoped';
import { DocumentRecord } from './document-record';

/** An xAPI activity profile document (activities/profile): activity + profileId. */
@Entity('activity_profiles')
@Index(['storeId', 'docKey'], { unique: true })
@Index(['storeId', 'contextKey', 'updated'])
@Index(['storeId', 'stored'])
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'activity-profiles',
  storedColumn: 'stored',
  order: 400,
})
export class ActivityProfile extends DocumentRecord {
  @Column({ type: 'varchar', length: 2048 })
  activityId: string;

  @Column({ type: 'varchar', length: 2048 })
  profileId: string;
}

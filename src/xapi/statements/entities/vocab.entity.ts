import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JsonColumn, TimestampColumn } from '../../../common/columns';
import { StoreScoped } from '../../../database/store-scoped';

export type VocabKind = 'verb' | 'activity-type';

/** Verbs and activity types seen in a store's statements (update_vocab). */
@Entity('vocab')
@Index(['storeId', 'kind', 'iri'], { unique: true })
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'statements',
  storedColumn: 'stored',
  order: 250,
})
export class VocabEntry {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  @Column({ type: 'varchar', length: 20 })
  kind: VocabKind;

  @Column({ type: 'varchar', length: 255 })
  iri: string;

  /** Language map of the verb display, when seen; null for activity types. */
  @JsonColumn({ nullable: true })
  display: Record<string, string> | null;

  @TimestampColumn()
  stored: Date;

  @TimestampColumn()
  updated: Date;
}

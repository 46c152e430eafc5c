import { Column, Entity, Index } from 'typeorm';
import { JsonColumn } from '../../common/columns';
import { StoreScoped } from '../../database/store-scoped';
import { DocumentRecord } from './document-record';

/** An xAPI state document (activities/state): activity + agent + registration? + stateId. */
@Entity('states')
@Index(['storeId', 'docKey'], { unique: true })
@Index(['storeId', 'contextKey', 'updated'])
@Index(['storeId', 'agentVid'])
@Index(['storeId', 'stored'])
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'states',
  storedColumn: 'stored',
  order: 400,
})
export class State extends DocumentRecord {
  @Column({ type: 'varchar', length: 2048 })
  activityId: string;

  /** Canonical identifier key of the agent (agentVid()). */
  @Column({ type: 'varchar', length: 255 })
  agentVid: string;

  /** The agent object as sent. */
  @JsonColumn()
  agent: Record<string, unknown>;

  /** Lower-case UUID, or null for a state outside any registration. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  registration: string | null;

  @Column({ type: 'varchar', length: 2048 })
  stateId: string;
}

import { Column, Entity, Index } from 'typeorm';
import { JsonColumn } from '../../common/columns';
import { StoreScoped } from '../../database/store-scoped';
import { DocumentRecord } from './document-record';

/** An xAPI agent profile document (agents/profile): agent + profileId. */
@Entity('agent_profiles')
@Index(['storeId', 'docKey'], { unique: true })
@Index(['storeId', 'contextKey', 'updated'])
@Index(['storeId', 'agentVid'])
@Index(['storeId', 'stored'])
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'agent-profiles',
  storedColumn: 'stored',
  order: 400,
})
export class AgentProfile extends DocumentRecord {
  /** Canonical identifier key of the agent (agentVid()). */
  @Column({ type: 'varchar', length: 255 })
  agentVid: string;

  /** The agent object as sent. */
  @JsonColumn()
  agent: Record<string, unknown>;

  @Column({ type: 'varchar', length: 2048 })
  profileId: string;
}

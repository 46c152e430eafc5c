import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JsonColumn, TimestampColumn } from '../../common/columns';
import { StoreScoped } from '../../database/store-scoped';

/**
 * An agent known to a store: recorded from statements (update_agents) or linked
 * to a person through the admin API. `vid` is the canonical identifier key,
 * e.g. `mbox::mailto:a@b.c` or `account::https://home::name` (see agentVid()).
 */
@Entity('agents')
@Index(['storeId', 'vid'], { unique: true })
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'agents',
  storedColumn: 'stored',
  order: 500,
})
export class Agent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  @Column({ type: 'varchar', length: 255 })
  vid: string;

  /** The agent object as seen (identifier and name). */
  @JsonColumn()
  agent: Record<string, unknown>;

  @Index()
  @Column({ type: 'integer', nullable: true })
  personId: number | null;

  @TimestampColumn()
  stored: Date;

  @TimestampColumn()
  updated: Date;
}

import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { StoreScoped } from '../../../database/store-scoped';
import { Statement } from './statement.entity';

/**
 * Agent index of statements (update_agent_ids): one row per agent or identified
 * group a statement names, by role: actor, object, authority, instructor, team,
 * member (of the actor group), and the same prefixed `sub-` inside a sub-statement.
 */
@Entity('statement_agents')
@Index(['storeId', 'vid', 'statementRowId'])
@Index(['statementRowId'])
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'statements',
  order: 200,
  belongsTo: { parent: () => Statement, column: 'statement_row_id' },
})
export class StatementAgent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  @Column({ type: 'integer' })
  statementRowId: number;

  /** agentVid() of the agent. */
  @Column({ type: 'varchar', length: 255 })
  vid: string;

  @Column({ type: 'varchar', length: 20 })
  role: string;
}

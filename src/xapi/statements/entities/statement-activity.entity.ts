import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { StoreScoped } from '../../../database/store-scoped';
import { Statement } from './statement.entity';

/**
 * Activity index of statements (update_activity_ids): the object activity and
 * every context activity (parent, grouping, category, other), `sub-` prefixed
 * inside a sub-statement.
 */
@Entity('statement_activities')
@Index(['storeId', 'activityId', 'statementRowId'])
@Index(['statementRowId'])
@StoreScoped({
  storeColumn: 'store_id',
  idColumn: 'id',
  service: 'statements',
  order: 200,
  belongsTo: { parent: () => Statement, column: 'statement_row_id' },
})
export class StatementActivity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  @Column({ type: 'integer' })
  statementRowId: number;

  @Column({ type: 'varchar', length: 255 })
  activityId: string;

  @Column({ type: 'varchar', length: 20 })
  role: string;
}

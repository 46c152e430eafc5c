import { DataSource, In } from 'typeorm';
import { affectedRows } from '../../common/db-errors';
import { Attachment } from './entities/attachment.entity';
import { StatementActivity } from './entities/statement-activity.entity';
import { StatementAgent } from './entities/statement-agent.entity';
import { Statement } from './entities/statement.entity';

/**
 * Deletes statements by row id with what hangs off them (attachments, agent and
 * activity index rows), in one transaction. Returns the statements really deleted.
 */
export async function deleteStatementRows(
  dataSource: DataSource,
  rowIds: number[],
): Promise<number> {
  if (rowIds.length === 0) return 0;
  return dataSource.transaction(async (em) => {
    for (const child of [Attachment, StatementAgent, StatementActivity]) {
      await em.getRepository(child).delete({ statementRowId: In(rowIds) });
    }
    return affectedRows(await em.getRepository(Statement).delete({ id: In(rowIds) }));
  });
}

import { Module } from '@nestjs/common';
import { StatementsModule } from '../../xapi/statements/statements.module';
import { ClearStoreRecordsHandler } from './clearing.handler';

/**
 * The clearing job type: found by the JobsModule through @JobType on its handler.
 * StatementsModule registers what deleting a statement involves (voiding).
 */
@Module({
  imports: [StatementsModule],
  providers: [ClearStoreRecordsHandler],
})
export class ClearingModule {}

import { Module } from '@nestjs/common';
import { StatementsModule } from '../../xapi/statements/statements.module';
import { StoresDeletionHandler } from './stores-deletion.handler';

/** The stores-deletion job type: found by the JobsModule through @JobType on its handler. */
@Module({
  imports: [StatementsModule],
  providers: [StoresDeletionHandler],
})
export class StoresDeletionModule {}

import { Module } from '@nestjs/common';
import { StatementsModule } from '../../xapi/statements/statements.module';
import { JobsModule } from '../../jobs/jobs.module';
import { StoresDeletionHandler } from './stores-deletion.handler';

/** The stores-deletion job type: found by the JobsModule through @JobType on its handler. */
@Module({
  imports: [StatementsModule, JobsModule],
  providers: [StoresDeletionHandler],
})
export class StoresDeletionModule {}

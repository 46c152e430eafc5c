import { Module } from '@nestjs/common';
import { StoresDeletionHandler } from './stores-deletion.handler';

/** The stores-deletion job type: found by the JobsModule through @JobType on its handler. */
@Module({
  providers: [StoresDeletionHandler],
})
export class StoresDeletionModule {}

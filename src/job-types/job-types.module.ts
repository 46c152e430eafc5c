import { Module } from '@nestjs/common';
import { Cmi5TokensDeletionModule } from './cmi5-tokens-deletion/cmi5-tokens-deletion.module';
import { LogsDeletionModule } from './logs-deletion/logs-deletion.module';
import { PullModule } from './pull/pull.module';
import { PushModule } from './push/push.module';
import { StoresDeletionModule } from './stores-deletion/stores-deletion.module';

/**
 * Every job type of the product, one module each. The JobsModule finds their handlers
 * through @JobType; adding a type is one line in this list.
 */
@Module({
  imports: [
    LogsDeletionModule,
    StoresDeletionModule,
    Cmi5TokensDeletionModule,
    PullModule,
    PushModule,
  ],
})
export class JobTypesModule {}

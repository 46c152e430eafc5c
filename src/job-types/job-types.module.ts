import { Module } from '@nestjs/common';
import { AgentDeletionModule } from './agent-deletion/agent-deletion.module';
import { ClearingModule } from './clearing/clearing.module';
import { Cmi5TokensDeletionModule } from './cmi5-tokens-deletion/cmi5-tokens-deletion.module';
import { LogsDeletionModule } from './logs-deletion/logs-deletion.module';
import { PseudoModule } from './pseudo/pseudo.module';
import { SeedingModule } from './seeding/seeding.module';
import { StoresDeletionModule } from './stores-deletion/stores-deletion.module';
import { TestsuiteModule } from './testsuite/testsuite.module';
import { ValidationJobModule } from './validation/validation.module';

/**
 * Every job type of the product, one module each. The JobsModule finds their handlers
 * through @JobType; adding a type is one line in this list.
 */
@Module({
  imports: [
    LogsDeletionModule,
    StoresDeletionModule,
    Cmi5TokensDeletionModule,
    ValidationJobModule,
    ClearingModule,
    PseudoModule,
    AgentDeletionModule,
    TestsuiteModule,
    SeedingModule,
  ],
})
export class JobTypesModule {}

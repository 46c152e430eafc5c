import { Module } from '@nestjs/common';
import { XapiDocumentsModule } from '../../xapi/documents/xapi-documents.module';
import { StatementsModule } from '../../xapi/statements/statements.module';
import { SeedingHandler } from './seeding.handler';

/** The seeding job type: found by the JobsModule through @JobType on its handler. */
@Module({
  imports: [StatementsModule, XapiDocumentsModule],
  providers: [SeedingHandler],
})
export class SeedingModule {}

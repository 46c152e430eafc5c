import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Activity } from '../activities/activity.entity';
import { ValidationModule } from '../validation/validation.module';
import { Attachment } from './entities/attachment.entity';
import { StatementActivity } from './entities/statement-activity.entity';
import { StatementAgent } from './entities/statement-agent.entity';
import { Statement } from './entities/statement.entity';
import { VocabEntry } from './entities/vocab.entity';
import { AlternateRequestSyntaxMiddleware } from './alternate-request-syntax.middleware';
import { StatementDeletion } from './statement-deletion.service';
import { StatementQueryService } from './statement-query.service';
import { AttachmentWriter } from './attachment-writer';
import { RecordCache } from './record-cache';
import { RecorderTransactions } from './recorder-transactions';
import { StatementIndexWriter } from './statement-index-writer';
import { StatementPreparer } from './statement-preparer';
import { StatementRecorder } from './statement-recorder.service';
import { StatementsController } from './statements.controller';

/** Statements, their indexes and attachments, the recording pipeline. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      Statement,
      StatementAgent,
      StatementActivity,
      Attachment,
      VocabEntry,
      Activity,
    ]),
    ValidationModule,
  ],
  controllers: [StatementsController],
  providers: [
    RecordCache,
    RecorderTransactions,
    StatementPreparer,
    StatementIndexWriter,
    AttachmentWriter,
    StatementRecorder,
    StatementQueryService,
    StatementDeletion,
  ],
  // The preparer and the index writer serve jobs that check or re-index statements.
  exports: [
    StatementRecorder,
    StatementPreparer,
    StatementIndexWriter,
    RecordCache,
    StatementQueryService,
    StatementDeletion,
  ],
})
export class StatementsModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    // Every xAPI resource accepts the alternate request syntax (POST ?method=...);
    // every method goes through it so that misuses of ?method= are rejected.
    consumer
      .apply(AlternateRequestSyntaxMiddleware)
      .forRoutes({ path: 'api/:client/xapi/*path', method: RequestMethod.ALL });
  }
}

import { Module } from '@nestjs/common';
import { XapiDocumentsModule } from '../../xapi/documents/xapi-documents.module';
import { StatementsModule } from '../../xapi/statements/statements.module';
import { AgentDeletionHandler } from './agent-deletion.handler';

@Module({ imports: [StatementsModule, XapiDocumentsModule], providers: [AgentDeletionHandler] })
export class AgentDeletionModule {}

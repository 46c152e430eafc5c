import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Connection } from '../../access/connection.entity';
import { Pseudonymizer } from '../../xapi/pseudonymization/pseudonymizer.service';
import { XapiDocumentsModule } from '../../xapi/documents/xapi-documents.module';
import { StatementsModule } from '../../xapi/statements/statements.module';
import { RecordLines } from './record-lines';
import { TransferConnections } from './transfer-connections';
import { TransferSettings } from './transfer-settings';

/** What the pull and push types share: connections, the LRS transport settings, JSON Lines. */
@Module({
  imports: [TypeOrmModule.forFeature([Connection]), StatementsModule, XapiDocumentsModule],
  providers: [TransferConnections, TransferSettings, RecordLines, Pseudonymizer],
  exports: [TransferConnections, TransferSettings, RecordLines, Pseudonymizer, StatementsModule],
})
export class TransferModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Connection } from '../../access/connection.entity';
import { Store } from '../../access/store.entity';
import { Job } from '../../jobs/job.entity';
import { TransferModule } from '../transfer/transfer.module';
import { PushFileWriters } from './push-file-writers';
import { PushHandler } from './push.handler';

/** The push job type: found by the JobsModule through @JobType on its handler. */
@Module({
  imports: [TransferModule, TypeOrmModule.forFeature([Job, Connection, Store])],
  providers: [PushHandler, PushFileWriters],
})
export class PushModule {}

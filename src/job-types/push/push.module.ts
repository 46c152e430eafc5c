import { Module } from '@nestjs/common';
import { TransferModule } from '../transfer/transfer.module';
import { PushHandler } from './push.handler';

/** The push job type: found by the JobsModule through @JobType on its handler. */
@Module({ imports: [TransferModule], providers: [PushHandler] })
export class PushModule {}

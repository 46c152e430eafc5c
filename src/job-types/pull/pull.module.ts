import { Module } from '@nestjs/common';
import { TransferModule } from '../transfer/transfer.module';
import { PullHandler } from './pull.handler';

/** The pull job type: found by the JobsModule through @JobType on its handler. */
@Module({ imports: [TransferModule], providers: [PullHandler] })
export class PullModule {}

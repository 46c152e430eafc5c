import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LogEntry } from '../../logging/log-entry.entity';
import { LogsDeletionHandler } from './logs-deletion.handler';

/** The logs-deletion job type: found by the JobsModule through @JobType on its handler. */
@Module({
  imports: [TypeOrmModule.forFeature([LogEntry])],
  providers: [LogsDeletionHandler],
})
export class LogsDeletionModule {}

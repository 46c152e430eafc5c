import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LogEntry } from './log-entry.entity';
import { LogsController } from './logs.controller';
import { SystemLogService } from './system-log.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([LogEntry])],
  controllers: [LogsController],
  providers: [SystemLogService],
  exports: [SystemLogService],
})
export class LoggingModule {}

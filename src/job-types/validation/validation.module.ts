import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { StatementsModule } from '../../xapi/statements/statements.module';
import { ValidationModule } from '../../xapi/validation/validation.module';
import { ValidateStatementsHandler } from './validation.handler';

/** The validation job type: found by the JobsModule through @JobType on its handler. */
@Module({
  imports: [TypeOrmModule.forFeature([Statement]), ValidationModule, StatementsModule],
  providers: [ValidateStatementsHandler],
})
export class ValidationJobModule {}

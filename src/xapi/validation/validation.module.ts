import { Module } from '@nestjs/common';
import { StatementValidator } from './statement-validator';

/** The one xAPI statement validator, shared by the ingest and the validation job (no DB). */
@Module({
  providers: [StatementValidator],
  exports: [StatementValidator],
})
export class ValidationModule {}

import { Module } from '@nestjs/common';
import { StatementValidator } from './statement-validator';

// PLACEHOLDER until the xapi-validator branch is merged.
@Module({ providers: [StatementValidator], exports: [StatementValidator] })
export class ValidationModule {}

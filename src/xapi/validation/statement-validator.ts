import { Injectable } from '@nestjs/common';

// PLACEHOLDER until the xapi-validator branch is merged: same interface, no rules.
export interface Violation {
  path: string;
  message: string;
}

@Injectable()
export class StatementValidator {
  validate(_statement: unknown, _version: '1.0.3' | '2.0.0'): Violation[] {
    return [];
  }
}

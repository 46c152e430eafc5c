import { Module } from '@nestjs/common';
import { Pseudonymizer } from '../../xapi/pseudonymization/pseudonymizer.service';
import { StatementsModule } from '../../xapi/statements/statements.module';
import { PseudoHandler } from './pseudo.handler';

@Module({ imports: [StatementsModule], providers: [PseudoHandler, Pseudonymizer] })
export class PseudoModule {}

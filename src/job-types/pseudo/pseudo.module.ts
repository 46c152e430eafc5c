import { Module } from '@nestjs/common';
import { Pseudonymizer } from '../../xapi/pseudonymization/pseudonymizer.service';
import { PseudoHandler } from './pseudo.handler';

@Module({ providers: [PseudoHandler, Pseudonymizer] })
export class PseudoModule {}

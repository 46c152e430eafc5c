import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Cmi5Token } from '../../cmi5/cmi5-token.entity';
import { Cmi5TokensDeletionHandler } from './cmi5-tokens-deletion.handler';

/** The cmi5-tokens-deletion job type, found by the JobsModule through @JobType. */
@Module({
  imports: [TypeOrmModule.forFeature([Cmi5Token])],
  providers: [Cmi5TokensDeletionHandler],
})
export class Cmi5TokensDeletionModule {}

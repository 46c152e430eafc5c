import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../access/client.entity';
import { Cmi5FetchController } from './cmi5-fetch.controller';
import { Cmi5Token } from './cmi5-token.entity';
import { Cmi5TokensController } from './cmi5-tokens.controller';
import { Cmi5TokensService } from './cmi5-tokens.service';

/** cmi5 launch tokens: issuing, the one-time fetch URL, and their Basic credentials. */
@Module({
  imports: [TypeOrmModule.forFeature([Cmi5Token, Client])],
  controllers: [Cmi5TokensController, Cmi5FetchController],
  providers: [Cmi5TokensService],
  exports: [Cmi5TokensService],
})
export class Cmi5Module {}

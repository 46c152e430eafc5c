import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../../access/client.entity';
import { AboutController } from './about.controller';

/** The xAPI about resource (no authentication). */
@Module({
  imports: [TypeOrmModule.forFeature([Client])],
  controllers: [AboutController],
})
export class XapiAboutModule {}

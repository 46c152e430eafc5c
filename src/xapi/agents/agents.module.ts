import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Agent } from './agent.entity';
import { AgentsController } from './agents.controller';

/** The xAPI agents resource (a Person object from the agents recorded in a store). */
@Module({
  imports: [TypeOrmModule.forFeature([Agent])],
  controllers: [AgentsController],
})
export class XapiAgentsModule {}

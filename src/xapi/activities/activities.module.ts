import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivitiesController } from './activities.controller';
import { Activity } from './activity.entity';

/** The xAPI activities resource (merged definitions kept by the recording pipeline). */
@Module({
  imports: [TypeOrmModule.forFeature([Activity])],
  controllers: [ActivitiesController],
})
export class XapiActivitiesModule {}

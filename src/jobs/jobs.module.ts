import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Store } from '../access/store.entity';
import { DatabaseClock } from '../database/database-clock';
import { Job } from './job.entity';
import { JobTypeRegistry } from './job-type.registry';
import { JobsApiGuard } from './jobs-api.guard';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { JobRunner } from './job-runner';
import { JobLeaseStore } from './lease-store';
import { JobScheduler } from './scheduler.service';

/**
 * The shared Jobs API and engine. It knows no job type by name: each type is
 * its own module whose handler carries @JobType, found here at start-up.
 */
@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature([Job, Store])],
  controllers: [JobsController],
  providers: [
    DatabaseClock,
    JobTypeRegistry,
    JobLeaseStore,
    JobRunner,
    JobScheduler,
    JobsService,
    JobsApiGuard,
  ],
  exports: [DatabaseClock, JobTypeRegistry, JobScheduler, JobsService],
})
export class JobsModule {}

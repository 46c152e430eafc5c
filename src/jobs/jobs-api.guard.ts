import { CanActivate, Injectable, NotFoundException } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/** JOBS_API=false: every jobs route answers 404, before any authentication. */
@Injectable()
export class JobsApiGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (!this.config.jobsApi) throw new NotFoundException('The Jobs API is disabled.');
    return true;
  }
}

import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ClientAuthGuard } from '../access/client-auth.guard';
import { Permissions } from '../access/permissions';
import { parsePathId } from '../common/path-id';
import { CurrentPrincipal, Principal } from '../access/principal';
import { JobDeleteQuery, JobListQuery, JobLogsQuery } from './dto/job-query.dto';
import { JobScheduleDto } from './dto/job-schedule.dto';
import { JobLogEntryView, JobView } from './dto/job.view';
import { JobsApiGuard } from './jobs-api.guard';
import { JobsService } from './jobs.service';

const TYPE_PARAM = ApiParam({
  name: 'type',
  description: 'A job type (each has its own routes in this document)',
  example: 'logs-deletion',
});
const ID_PARAM = ApiParam({ name: 'id', description: 'Job id', example: 12 });

const jobId = (raw: string) => parsePathId(raw, 'job');

/** The Jobs API (jobs.md): `<base>/jobs/<type>` for every registered type. */
@Controller('api/:client/jobs')
@UseGuards(JobsApiGuard, ClientAuthGuard)
@Permissions('jobs/all')
@ApiTags('jobs')
@ApiBasicAuth()
@ApiParam({ name: 'client', description: 'Slug of the calling client', example: 'admin' })
@ApiUnauthorizedResponse({ description: 'Missing or wrong credentials for this client endpoint' })
@ApiForbiddenResponse({ description: 'The client lacks the permission jobs/all' })
@ApiNotFoundResponse({ description: 'Unknown job type or job, or JOBS_API=false' })
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post(':type')
  @TYPE_PARAM
  @ApiOperation({
    summary: 'Create a job (one per store when the type fans out and store is omitted)',
  })
  @ApiBody({ type: JobScheduleDto })
  @ApiCreatedResponse({ type: JobView })
  @ApiUnprocessableEntityResponse({ description: 'Every offending field named' })
  async create(
    @Param('type') type: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const jobs = await this.jobs.create(type, body, principal);
    const fanOut = this.jobs.type(type).options.store === 'per-store' && isOmitted(body?.store);
    const views = await this.jobs.views(jobs);
    return { data: fanOut ? views : views[0] };
  }

  @Put(':type/:id')
  @TYPE_PARAM
  @ID_PARAM
  @ApiOperation({ summary: 'Replace a job definition (an omitted store keeps the job store)' })
  @ApiBody({ type: JobScheduleDto })
  @ApiOkResponse({ type: JobView })
  @ApiUnprocessableEntityResponse({ description: 'Every offending field named' })
  async update(
    @Param('type') type: string,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const job = await this.jobs.update(type, jobId(id), body, principal);
    return { data: await this.jobs.view(job) };
  }

  @Get(':type')
  @TYPE_PARAM
  @ApiOperation({ summary: 'The jobs of a type' })
  @ApiOkResponse({ type: JobView, isArray: true })
  async list(@Param('type') type: string, @Query() q: JobListQuery) {
    return { data: await this.jobs.views(await this.jobs.list(type, q)) };
  }

  @Get(':type/:id')
  @TYPE_PARAM
  @ID_PARAM
  @ApiOperation({ summary: 'One job' })
  @ApiOkResponse({ type: JobView })
  async get(@Param('type') type: string, @Param('id') id: string) {
    this.jobs.type(type);
    return { data: await this.jobs.view(await this.jobs.find(type, jobId(id))) };
  }

  @Delete(':type')
  @HttpCode(204)
  @TYPE_PARAM
  @ApiOperation({ summary: 'Delete every job of a type (running runs are cancelled)' })
  @ApiNoContentResponse()
  async removeAll(
    @Param('type') type: string,
    @Query() q: JobDeleteQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.jobs.removeAll(type, q, principal);
  }

  @Delete(':type/:id')
  @HttpCode(204)
  @TYPE_PARAM
  @ID_PARAM
  @ApiOperation({ summary: 'Delete a job (a running run is cancelled)' })
  @ApiNoContentResponse()
  async remove(
    @Param('type') type: string,
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.jobs.remove(type, jobId(id), principal);
  }

  @Get(':type/:id/logs')
  @TYPE_PARAM
  @ID_PARAM
  @ApiOperation({ summary: 'Log entries of a job, newest first' })
  @ApiOkResponse({ type: JobLogEntryView, isArray: true })
  async logs(@Param('type') type: string, @Param('id') id: string, @Query() q: JobLogsQuery) {
    return { data: await this.jobs.logEntries(type, jobId(id), q) };
  }
}

function isOmitted(store: unknown) {
  return store === undefined || store === null || store === '';
}

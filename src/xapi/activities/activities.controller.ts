import { BadRequestException, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Permissions } from '../../access/permissions';
import { CurrentPrincipal, Principal } from '../../access/principal';
import { XapiEndpoint } from '../common/xapi-endpoint';
import { iriKey } from '../statements/index-keys';
import { Activity } from './activity.entity';

/** GET activities?activityId=: the activity with its definition merged from statements. */
@XapiEndpoint('activities')
export class ActivitiesController {
  constructor(@InjectRepository(Activity) private readonly activities: Repository<Activity>) {}

  @Get()
  @Permissions('xapi/all/read')
  @ApiOperation({ summary: 'The Activity object of activityId, definition merged' })
  @ApiQuery({ name: 'activityId', required: true, example: 'http://example.com/activities/1' })
  async get(
    @CurrentPrincipal() p: Principal,
    @Query('activityId') activityId: unknown,
  ): Promise<Record<string, unknown>> {
    if (typeof activityId !== 'string' || !activityId) {
      throw new BadRequestException('activityId is required.');
    }
    const row = await this.activities.findOne({
      where: { storeId: p.store.id, activityId: iriKey(activityId) },
    });
    const out: Record<string, unknown> = { objectType: 'Activity', id: activityId };
    if (row?.definition && Object.keys(row.definition).length) out.definition = row.definition;
    return out;
  }
}

import { applyDecorators, Delete, Get, HttpCode, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Permissions } from '../../access/permissions';
import { CurrentPrincipal, Principal } from '../../access/principal';
import { XapiEndpoint } from '../common/xapi-endpoint';
import { ActivityProfile } from './activity-profile.entity';
import { activityIdParam, documentIdParam, QueryParams } from './document-params';
import { activityProfileAddress, activityProfileContextKey } from './document-addresses';
import { assertUnrestricted } from './document-http';
import { DocumentKind, DocumentResourceService } from './document-resource';

function ActivityProfileQuery(profileId: 'required' | 'optional', since = false) {
  return applyDecorators(
    ApiQuery({ name: 'activityId', required: true, example: 'http://example.com/activities/1' }),
    ApiQuery({ name: 'profileId', required: profileId === 'required', example: 'settings' }),
    ...(since
      ? [ApiQuery({ name: 'since', required: false, example: '2024-01-01T00:00:00Z' })]
      : []),
  );
}

const ACTIVITY_PROFILES: DocumentKind<ActivityProfile> = {
  entity: ActivityProfile,
  idParam: 'profileId',
  params: ['activityId', 'profileId'],
  notFound: 'No such activity profile document.',
  address: (query, principal) => {
    assertUnrestricted(principal);
    return activityProfileAddress(principal.store.id, {
      activityId: activityIdParam(query),
      profileId: documentIdParam(query, 'profileId', true)!,
    });
  },
  context: (query, principal) => {
    assertUnrestricted(principal);
    return { contextKey: activityProfileContextKey(activityIdParam(query)) };
  },
  putWithoutHeader: () => 'required',
};

/** xAPI Activity Profile resource (xAPI-Communication 2.5). */
@XapiEndpoint('activities/profile')
@Permissions('xapi/profile')
export class ActivityProfileController {
  constructor(private readonly resource: DocumentResourceService) {}

  @Put()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Store an activity profile document',
    description:
      'Needs If-Match (the ETag) or If-None-Match (`*` to create): without either, 409 when ' +
      'the document exists, 400 when not.',
  })
  @ActivityProfileQuery('required')
  @ApiResponse({ status: 204, description: 'Stored' })
  async put(
    @Query() query: QueryParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.resource.write(ACTIVITY_PROFILES, 'put', query, req, res, principal);
  }

  @Post()
  @HttpCode(204)
  @ApiOperation({ summary: 'Merge a JSON activity profile document into the stored one' })
  @ActivityProfileQuery('required')
  @ApiResponse({ status: 204, description: 'Merged or stored' })
  async post(
    @Query() query: QueryParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.resource.write(ACTIVITY_PROFILES, 'post', query, req, res, principal);
  }

  @Get()
  @ApiOperation({ summary: 'One activity profile document, or the profile ids of an activity' })
  @ActivityProfileQuery('optional', true)
  async get(
    @Query() query: QueryParams,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.resource.get(ACTIVITY_PROFILES, query, res, principal);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an activity profile document' })
  @ActivityProfileQuery('required')
  async delete(
    @Query() query: QueryParams,
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.resource.delete(ACTIVITY_PROFILES, query, req, principal);
  }
}

import {
  applyDecorators,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Permissions } from '../../access/permissions';
import { CurrentPrincipal, Principal } from '../../access/principal';
import { XapiEndpoint } from '../common/xapi-endpoint';
import { ActivityProfile } from './activity-profile.entity';
import {
  activityIdParam,
  documentIdParam,
  onlyParams,
  QueryParams,
  sinceParam,
} from './document-params';
import { incomingDocument, preconditionsOf, sendDocument, sendIds, setEtag } from './document-http';
import { activityProfileAddress, activityProfileContextKey } from './document-addresses';
import { DocumentAddress, DocumentsService } from './documents.service';

function ActivityProfileQuery(profileId: 'required' | 'optional', since = false) {
  return applyDecorators(
    ApiQuery({ name: 'activityId', required: true, example: 'http://example.com/activities/1' }),
    ApiQuery({ name: 'profileId', required: profileId === 'required', example: 'settings' }),
    ...(since
      ? [ApiQuery({ name: 'since', required: false, example: '2024-01-01T00:00:00Z' })]
      : []),
  );
}

const ACTIVITY_PROFILE_PARAMS = ['activityId', 'profileId'];

/** xAPI Activity Profile resource (xAPI-Communication 2.5). */
@XapiEndpoint('activities/profile')
@Permissions('xapi/profile')
export class ActivityProfileController {
  constructor(private readonly docs: DocumentsService) {}

  private address(query: QueryParams, principal: Principal): DocumentAddress<ActivityProfile> {
    return activityProfileAddress(principal.store.id, {
      activityId: activityIdParam(query),
      profileId: documentIdParam(query, 'profileId', true)!,
    });
  }

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
    onlyParams(query, ACTIVITY_PROFILE_PARAMS);
    const doc = await this.docs.write(
      this.address(query, principal),
      incomingDocument(req),
      'put',
      preconditionsOf(req, 'required'),
    );
    setEtag(res, doc);
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
    onlyParams(query, ACTIVITY_PROFILE_PARAMS);
    const doc = await this.docs.write(
      this.address(query, principal),
      incomingDocument(req),
      'post',
      preconditionsOf(req),
    );
    setEtag(res, doc);
  }

  @Get()
  @ApiOperation({ summary: 'One activity profile document, or the profile ids of an activity' })
  @ActivityProfileQuery('optional', true)
  async get(
    @Query() query: QueryParams,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    onlyParams(query, [...ACTIVITY_PROFILE_PARAMS, 'since']);
    const profileId = documentIdParam(query, 'profileId', false);
    if (profileId !== undefined) {
      const address = this.address(query, principal);
      const doc = await this.docs.findOne(ActivityProfile, address.storeId, address.docKey);
      if (!doc) throw new NotFoundException('No such activity profile document.');
      return sendDocument(res, doc);
    }
    const contextKey = activityProfileContextKey(activityIdParam(query));
    const since = sinceParam(query);
    const ids = await this.docs.listIds(
      ActivityProfile,
      'profileId',
      principal.store.id,
      contextKey,
      { since },
    );
    return sendIds(res, ids);
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
    onlyParams(query, ACTIVITY_PROFILE_PARAMS);
    const address = this.address(query, principal);
    await this.docs.deleteOne(
      ActivityProfile,
      address.storeId,
      address.docKey,
      preconditionsOf(req),
    );
  }
}

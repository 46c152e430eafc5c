import { Body, HttpCode, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Request } from 'express';
import { ClientEndpoint } from '../access/client-auth.guard';
import { Permissions } from '../access/permissions';
import { CurrentPrincipal, Principal } from '../access/principal';
import { requestOrigin } from '../access/request-origin';
import { Cmi5TokenResponse, CreateCmi5TokenDto } from './cmi5-tokens.dto';
import { Cmi5TokensService } from './cmi5-tokens.service';

@ClientEndpoint('cmi5/tokens', 'cmi5')
@Permissions('cmi5/tokens')
export class Cmi5TokensController {
  constructor(private readonly tokens: Cmi5TokensService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Issue a cmi5 launch token for an agent and an activity',
    description:
      '`fetch` is the one-time URL of the launch (cmi5 8.2): POST to it returns the ' +
      '`auth-token`, HTTP Basic credentials on `endpoint` for that agent only.',
  })
  @ApiCreatedResponse({ type: Cmi5TokenResponse })
  @ApiUnprocessableEntityResponse({ description: 'activity_id, agent or registration invalid' })
  async create(
    @Body() body: CreateCmi5TokenDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
  ): Promise<Cmi5TokenResponse> {
    const token = await this.tokens.issue(principal.client, principal.store, {
      activityId: body.activity_id,
      agent: body.agent,
      registration: body.registration ?? null,
    });
    const base = `${requestOrigin(req)}/api/${encodeURIComponent(principal.client.slug)}`;
    return {
      token,
      endpoint: `${base}/xapi/`,
      fetch: `${base}/cmi5/fetch/${token}`,
    };
  }
}

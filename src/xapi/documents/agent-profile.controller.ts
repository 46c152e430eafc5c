import { applyDecorators, Delete, Get, HttpCode, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Permissions } from '../../access/permissions';
import { CurrentPrincipal, Principal } from '../../access/principal';
import { XapiEndpoint } from '../common/xapi-endpoint';
import { AgentProfile } from './agent-profile.entity';
import { agentParam, documentIdParam, QueryParams } from './document-params';
import { assertAgentAllowed } from './document-http';
import { agentProfileAddress, agentProfileContextKey } from './document-addresses';
import { DocumentKind, DocumentResourceService } from './document-resource';

function AgentProfileQuery(profileId: 'required' | 'optional', since = false) {
  return applyDecorators(
    ApiQuery({ name: 'agent', required: true, example: '{"mbox":"mailto:learner@example.com"}' }),
    ApiQuery({ name: 'profileId', required: profileId === 'required', example: 'preferences' }),
    ...(since
      ? [ApiQuery({ name: 'since', required: false, example: '2024-01-01T00:00:00Z' })]
      : []),
  );
}

/** The `agent` param, checked against the caller. */
function allowedAgent(query: QueryParams, principal: Principal) {
  const agent = agentParam(query);
  assertAgentAllowed(principal, agent.vid);
  return agent;
}

const AGENT_PROFILES: DocumentKind<AgentProfile> = {
  entity: AgentProfile,
  idParam: 'profileId',
  params: ['agent', 'profileId'],
  notFound: 'No such agent profile document.',
  address: (query, principal) =>
    agentProfileAddress(principal.store.id, {
      agent: allowedAgent(query, principal).agent,
      profileId: documentIdParam(query, 'profileId', true)!,
    }),
  context: (query, principal) => ({
    contextKey: agentProfileContextKey(allowedAgent(query, principal).vid),
  }),
  putWithoutHeader: () => 'required',
};

/** xAPI Agent Profile resource (xAPI-Communication 2.6). */
@XapiEndpoint('agents/profile')
@Permissions('xapi/profile')
export class AgentProfileController {
  constructor(private readonly resource: DocumentResourceService) {}

  @Put()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Store an agent profile document',
    description:
      'Needs If-Match (the ETag) or If-None-Match (`*` to create): without either, 409 when ' +
      'the document exists, 400 when not.',
  })
  @AgentProfileQuery('required')
  @ApiResponse({ status: 204, description: 'Stored' })
  async put(
    @Query() query: QueryParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.resource.write(AGENT_PROFILES, 'put', query, req, res, principal);
  }

  @Post()
  @HttpCode(204)
  @ApiOperation({ summary: 'Merge a JSON agent profile document into the stored one' })
  @AgentProfileQuery('required')
  @ApiResponse({ status: 204, description: 'Merged or stored' })
  async post(
    @Query() query: QueryParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.resource.write(AGENT_PROFILES, 'post', query, req, res, principal);
  }

  @Get()
  @ApiOperation({ summary: 'One agent profile document, or the profile ids of an agent' })
  @AgentProfileQuery('optional', true)
  async get(
    @Query() query: QueryParams,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.resource.get(AGENT_PROFILES, query, res, principal);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an agent profile document' })
  @AgentProfileQuery('required')
  async delete(
    @Query() query: QueryParams,
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.resource.delete(AGENT_PROFILES, query, req, principal);
  }
}

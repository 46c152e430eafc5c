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
import { AgentProfile } from './agent-profile.entity';
import {
  agentParam,
  documentIdParam,
  onlyParams,
  QueryParams,
  sinceParam,
} from './document-params';
import {
  assertAgentAllowed,
  incomingDocument,
  preconditionsOf,
  sendDocument,
  sendIds,
  setEtag,
} from './document-http';
import { agentProfileAddress, agentProfileContextKey } from './document-addresses';
import { DocumentAddress, DocumentsService } from './documents.service';

function AgentProfileQuery(profileId: 'required' | 'optional', since = false) {
  return applyDecorators(
    ApiQuery({ name: 'agent', required: true, example: '{"mbox":"mailto:learner@example.com"}' }),
    ApiQuery({ name: 'profileId', required: profileId === 'required', example: 'preferences' }),
    ...(since
      ? [ApiQuery({ name: 'since', required: false, example: '2024-01-01T00:00:00Z' })]
      : []),
  );
}

const AGENT_PROFILE_PARAMS = ['agent', 'profileId'];

/** xAPI Agent Profile resource (xAPI-Communication 2.6). */
@XapiEndpoint('agents/profile')
@Permissions('xapi/profile')
export class AgentProfileController {
  constructor(private readonly docs: DocumentsService) {}

  private agent(query: QueryParams, principal: Principal) {
    const agent = agentParam(query);
    assertAgentAllowed(principal, agent.vid);
    return { ...agent, contextKey: agentProfileContextKey(agent.vid) };
  }

  private address(query: QueryParams, principal: Principal): DocumentAddress<AgentProfile> {
    const agent = this.agent(query, principal);
    return agentProfileAddress(principal.store.id, {
      agent: agent.agent,
      profileId: documentIdParam(query, 'profileId', true)!,
    });
  }

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
    onlyParams(query, AGENT_PROFILE_PARAMS);
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
  @ApiOperation({ summary: 'Merge a JSON agent profile document into the stored one' })
  @AgentProfileQuery('required')
  @ApiResponse({ status: 204, description: 'Merged or stored' })
  async post(
    @Query() query: QueryParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    onlyParams(query, AGENT_PROFILE_PARAMS);
    const doc = await this.docs.write(
      this.address(query, principal),
      incomingDocument(req),
      'post',
      preconditionsOf(req),
    );
    setEtag(res, doc);
  }

  @Get()
  @ApiOperation({ summary: 'One agent profile document, or the profile ids of an agent' })
  @AgentProfileQuery('optional', true)
  async get(
    @Query() query: QueryParams,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    onlyParams(query, [...AGENT_PROFILE_PARAMS, 'since']);
    const profileId = documentIdParam(query, 'profileId', false);
    if (profileId !== undefined) {
      const address = this.address(query, principal);
      const doc = await this.docs.findOne(AgentProfile, address.storeId, address.docKey);
      if (!doc) throw new NotFoundException('No such agent profile document.');
      return sendDocument(res, doc);
    }
    const agent = this.agent(query, principal);
    const since = sinceParam(query);
    const ids = await this.docs.listIds(
      AgentProfile,
      'profileId',
      principal.store.id,
      agent.contextKey,
      { since },
    );
    return sendIds(res, ids);
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
    onlyParams(query, AGENT_PROFILE_PARAMS);
    const address = this.address(query, principal);
    await this.docs.deleteOne(AgentProfile, address.storeId, address.docKey, preconditionsOf(req));
  }
}

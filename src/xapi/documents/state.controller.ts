import { applyDecorators, Delete, Get, HttpCode, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Permissions } from '../../access/permissions';
import { CurrentPrincipal, Principal } from '../../access/principal';
import { XapiEndpoint, XapiVersion } from '../common/xapi-endpoint';
import {
  activityIdParam,
  agentParam,
  documentIdParam,
  QueryParams,
  registrationParam,
} from './document-params';
import { assertAgentAllowed } from './document-http';
import { stateAddress, stateContextKey } from './document-addresses';
import { DocumentKind, DocumentResourceService } from './document-resource';
import { State } from './state.entity';

const AGENT_EXAMPLE = '{"mbox":"mailto:learner@example.com"}';
const REGISTRATION_EXAMPLE = 'ec531277-b57b-4c15-8d91-d292c5b2b8f7';

/** Swagger docs of the state params; `stateId` required for PUT and POST. */
function StateQuery(stateId: 'required' | 'optional', since = false) {
  return applyDecorators(
    ApiQuery({ name: 'activityId', required: true, example: 'http://example.com/activities/1' }),
    ApiQuery({ name: 'agent', required: true, example: AGENT_EXAMPLE }),
    ApiQuery({ name: 'registration', required: false, example: REGISTRATION_EXAMPLE }),
    ApiQuery({ name: 'stateId', required: stateId === 'required', example: 'bookmark' }),
    ...(since
      ? [ApiQuery({ name: 'since', required: false, example: '2024-01-01T00:00:00Z' })]
      : []),
  );
}

/** The context of a request (400 on missing or invalid params), checked against the caller. */
function stateContext(query: QueryParams, principal: Principal) {
  const activityId = activityIdParam(query);
  const agent = agentParam(query);
  const registration = registrationParam(query);
  assertAgentAllowed(principal, agent.vid);
  return {
    activityId,
    agent,
    registration,
    contextKey: stateContextKey(activityId, agent.vid),
  };
}

const STATES: DocumentKind<State> = {
  entity: State,
  idParam: 'stateId',
  params: ['activityId', 'agent', 'registration', 'stateId'],
  notFound: 'No such state document.',
  address: (query, principal) => {
    const c = stateContext(query, principal);
    return stateAddress(principal.store.id, {
      activityId: c.activityId,
      agent: c.agent.agent,
      registration: c.registration,
      stateId: documentIdParam(query, 'stateId', true)!,
    });
  },
  context: stateContext,
  // xAPI 2.0 extends the 409 rule of the profiles to state documents; 1.0.3 replaces.
  putWithoutHeader: (req) =>
    (req as { xapiVersion?: XapiVersion }).xapiVersion === '2.0.0' ? 'conflict' : 'replace',
  deleteWholeContext: true,
};

/** xAPI State resource (xAPI-Communication 2.3): documents per activity, agent and registration. */
@XapiEndpoint('activities/state')
@Permissions('xapi/state')
export class StateController {
  constructor(private readonly resource: DocumentResourceService) {}

  @Put()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Store a state document (replaces it)',
    description: 'Under xAPI 2.0 an existing document needs If-Match or If-None-Match (else 409).',
  })
  @StateQuery('required')
  @ApiResponse({ status: 204, description: 'Stored' })
  async put(
    @Query() query: QueryParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.resource.write(STATES, 'put', query, req, res, principal);
  }

  @Post()
  @HttpCode(204)
  @ApiOperation({ summary: 'Merge a JSON state document into the stored one' })
  @StateQuery('required')
  @ApiResponse({ status: 204, description: 'Merged or stored' })
  async post(
    @Query() query: QueryParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.resource.write(STATES, 'post', query, req, res, principal);
  }

  @Get()
  @ApiOperation({
    summary: 'One state document (with stateId), or the ids of a context (with since)',
  })
  @StateQuery('optional', true)
  async get(
    @Query() query: QueryParams,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.resource.get(STATES, query, res, principal);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one state document (stateId), or all of a context' })
  @StateQuery('optional')
  async delete(
    @Query() query: QueryParams,
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.resource.delete(STATES, query, req, principal);
  }
}

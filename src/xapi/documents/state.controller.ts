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
import { XapiEndpoint, XapiVersion } from '../common/xapi-endpoint';
import {
  activityIdParam,
  agentParam,
  documentIdParam,
  onlyParams,
  QueryParams,
  registrationParam,
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
import { stateAddress, stateContextKey } from './document-addresses';
import { DocumentAddress, DocumentsService } from './documents.service';
import { State } from './state.entity';

const AGENT_EXAMPLE = '{"mbox":"mailto:learner@example.com"}';
const REGISTRATION_EXAMPLE = 'ec531277-b57b-4c15-8d91-d292c5b2b8f7';

const STATE_PARAMS = ['activityId', 'agent', 'registration', 'stateId'];

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

/** xAPI State resource (xAPI-Communication 2.3): documents per activity, agent and registration. */
@XapiEndpoint('activities/state')
@Permissions('xapi/state')
export class StateController {
  constructor(private readonly docs: DocumentsService) {}

  /** The context of a request (400 on missing or invalid params), checked against the caller. */
  private context(query: QueryParams, principal: Principal) {
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

  private address(query: QueryParams, principal: Principal): DocumentAddress<State> {
    const c = this.context(query, principal);
    return stateAddress(principal.store.id, {
      activityId: c.activityId,
      agent: c.agent.agent,
      registration: c.registration,
      stateId: documentIdParam(query, 'stateId', true)!,
    });
  }

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
    onlyParams(query, STATE_PARAMS);
    // xAPI 2.0 extends the 409 rule of the profiles to state documents; 1.0.3 replaces.
    const rule =
      (req as { xapiVersion?: XapiVersion }).xapiVersion === '2.0.0' ? 'conflict' : 'replace';
    const doc = await this.docs.write(
      this.address(query, principal),
      incomingDocument(req),
      'put',
      preconditionsOf(req, rule),
    );
    setEtag(res, doc);
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
    onlyParams(query, STATE_PARAMS);
    const doc = await this.docs.write(
      this.address(query, principal),
      incomingDocument(req),
      'post',
      preconditionsOf(req),
    );
    setEtag(res, doc);
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
    onlyParams(query, [...STATE_PARAMS, 'since']);
    const stateId = documentIdParam(query, 'stateId', false);
    if (stateId !== undefined) {
      const address = this.address(query, principal);
      const doc = await this.docs.findOne(State, address.storeId, address.docKey);
      if (!doc) throw new NotFoundException('No such state document.');
      return sendDocument(res, doc);
    }
    const c = this.context(query, principal);
    const since = sinceParam(query);
    const ids = await this.docs.listIds(State, 'stateId', principal.store.id, c.contextKey, {
      since,
      registration: c.registration,
    });
    return sendIds(res, ids);
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
    onlyParams(query, STATE_PARAMS);
    const stateId = documentIdParam(query, 'stateId', false);
    if (stateId !== undefined) {
      const address = this.address(query, principal);
      await this.docs.deleteOne(State, address.storeId, address.docKey, preconditionsOf(req));
      return;
    }
    const c = this.context(query, principal);
    await this.docs.deleteContext(State, principal.store.id, c.contextKey, c.registration);
  }
}

import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Permissions } from '../../access/permissions';
import { CurrentPrincipal, Principal } from '../../access/principal';
import { XapiEndpoint } from '../common/xapi-endpoint';
import { agentParam, onlyParams, QueryParams } from '../documents/document-params';
import { Agent } from './agent.entity';

export interface PersonObject {
  objectType: 'Person';
  name?: string[];
  mbox?: string[];
  mbox_sha1sum?: string[];
  openid?: string[];
  account?: { homePage: string; name: string }[];
}

/** The xAPI Person object combining the identities of several agents. */
export function personOf(agents: Record<string, any>[]): PersonObject {
  const person: PersonObject = { objectType: 'Person' };
  const add = <K extends Exclude<keyof PersonObject, 'objectType'>>(
    key: K,
    value: NonNullable<PersonObject[K]>[number],
  ) => {
    const list = (person[key] ??= [] as any) as unknown[];
    if (!list.some((v) => JSON.stringify(v) === JSON.stringify(value))) list.push(value);
  };
  for (const a of agents) {
    if (typeof a.name === 'string') add('name', a.name);
    if (typeof a.mbox === 'string') add('mbox', a.mbox);
    if (typeof a.mbox_sha1sum === 'string') add('mbox_sha1sum', a.mbox_sha1sum);
    if (typeof a.openid === 'string') add('openid', a.openid);
    if (a.account && typeof a.account === 'object') {
      add('account', { homePage: String(a.account.homePage), name: String(a.account.name) });
    }
  }
  return person;
}

/** xAPI Agents resource (xAPI-Communication 2.6): the Person behind an agent. */
@XapiEndpoint('agents')
@Permissions('xapi/all/read')
export class AgentsController {
  constructor(@InjectRepository(Agent) private readonly agents: Repository<Agent>) {}

  @Get()
  @ApiOperation({
    summary: 'The Person object of an agent: every agent linked to the same person',
  })
  @ApiQuery({ name: 'agent', required: true, example: '{"mbox":"mailto:learner@example.com"}' })
  @ApiOkResponse({
    schema: {
      example: {
        objectType: 'Person',
        name: ['Ann'],
        mbox: ['mailto:ann@example.com'],
        account: [{ homePage: 'https://lms.example.com', name: 'ann' }],
      },
    },
  })
  async get(@Query() query: QueryParams, @CurrentPrincipal() principal: Principal) {
    onlyParams(query, ['agent']);
    const { agent, vid } = agentParam(query);
    const storeId = principal.store.id;
    const known = await this.agents.findOne({ where: { storeId, vid } });
    if (!known) return personOf([agent]);
    if (known.personId === null) return personOf([known.agent]);
    const linked = await this.agents.find({
      where: { storeId, personId: known.personId },
      order: { id: 'ASC' },
      take: 1000,
    });
    return personOf(linked.map((a) => a.agent));
  }
}

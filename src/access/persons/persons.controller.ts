import { Get, Param, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ErrorView } from '../../common/error-view';
import { InputBody, PendingInput } from '../../common/pending-input';
import { parsePathId } from '../../common/path-id';
import { ClientEndpoint } from '../client-auth.guard';
import { Permissions } from '../permissions';
import { LinkPersonDto, PersonResponse } from './dto/person.dto';
import { PersonsService } from './persons.service';

@ClientEndpoint('persons', 'admin: persons')
@Permissions('data/all')
export class PersonsController {
  constructor(private readonly persons: PersonsService) {}

  @Post()
  @ApiOperation({ summary: 'Link xAPI agents into one person (merging persons they had)' })
  @ApiCreatedResponse({ type: PersonResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorView, description: 'Unknown store, bad agent' })
  @ApiBody({ type: LinkPersonDto })
  async link(@InputBody(LinkPersonDto) dto: PendingInput<LinkPersonDto>): Promise<PersonResponse> {
    return { data: await this.persons.link(dto) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One person and its agents' })
  @ApiParam({ name: 'id', example: 7 })
  @ApiOkResponse({ type: PersonResponse })
  @ApiNotFoundResponse({ type: ErrorView })
  async get(@Param('id') id: string): Promise<PersonResponse> {
    return { data: await this.persons.get(parsePathId(id, 'person')) };
  }
}

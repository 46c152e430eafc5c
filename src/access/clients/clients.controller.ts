import { Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ErrorView } from '../../common/error-view';
import { InputBody, PendingInput } from '../../common/pending-input';
import { ClientEndpoint } from '../client-auth.guard';
import { Permissions } from '../permissions';
import { CurrentPrincipal, Principal } from '../principal';
import { RequestOrigin } from '../request-origin';
import { ClientsService, ClientWithStore } from './clients.service';
import {
  ClientListResponse,
  ClientResponse,
  ClientView,
  CreateClientDto,
  UpdateClientDto,
} from './dto/client.dto';

const view = (origin: string) => (c: ClientWithStore) =>
  ClientView.of(c.client, c.storeSlug, origin);

@ClientEndpoint('clients', 'admin: clients')
@Permissions('access/all')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @ApiOperation({ summary: 'Every client' })
  @ApiOkResponse({ type: ClientListResponse })
  async list(@RequestOrigin() origin: string): Promise<ClientListResponse> {
    return { data: (await this.clients.list()).map(view(origin)) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a client (its base endpoint is /api/<slug>)' })
  @ApiCreatedResponse({ type: ClientResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorView })
  @ApiBody({ type: CreateClientDto })
  async create(
    @InputBody(CreateClientDto) dto: PendingInput<CreateClientDto>,
    @RequestOrigin() origin: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<ClientResponse> {
    return { data: view(origin)(await this.clients.create(dto, p.client.slug)) };
  }

  @Get(':slug')
  @ApiOperation({ summary: 'One client' })
  @ApiParam({ name: 'slug', example: 'lms' })
  @ApiOkResponse({ type: ClientResponse })
  @ApiNotFoundResponse({ type: ErrorView })
  async get(@Param('slug') slug: string, @RequestOrigin() origin: string): Promise<ClientResponse> {
    return { data: view(origin)(await this.clients.get(slug)) };
  }

  @Put(':slug')
  @ApiOperation({ summary: 'Change a client (fields left out are kept)' })
  @ApiParam({ name: 'slug', example: 'lms' })
  @ApiOkResponse({ type: ClientResponse })
  @ApiNotFoundResponse({ type: ErrorView })
  @ApiUnprocessableEntityResponse({ type: ErrorView })
  @ApiBody({ type: UpdateClientDto })
  async update(
    @Param('slug') slug: string,
    @InputBody(UpdateClientDto) dto: PendingInput<UpdateClientDto>,
    @RequestOrigin() origin: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<ClientResponse> {
    return { data: view(origin)(await this.clients.update(slug, dto, p.client.slug)) };
  }

  @Delete(':slug')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a client (not the one making the request)' })
  @ApiParam({ name: 'slug', example: 'lms' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorView })
  @ApiConflictResponse({ type: ErrorView, description: 'The client making the request' })
  async remove(@Param('slug') slug: string, @CurrentPrincipal() p: Principal): Promise<void> {
    await this.clients.remove(slug, p.client);
  }
}

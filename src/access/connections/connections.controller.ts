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
import { parsePathId } from '../../common/path-id';
import { CurrentPrincipal, Principal } from '../principal';
import { ConnectionsService } from './connections.service';
import {
  ConnectionListResponse,
  ConnectionResponse,
  ConnectionView,
  CreateConnectionDto,
  UpdateConnectionDto,
} from './dto/connection.dto';

const parseId = (raw: string) => parsePathId(raw, 'connection');

@ClientEndpoint('connections', 'admin: connections')
@Permissions('access/all')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Get()
  @ApiOperation({ summary: 'Every connection (passwords never returned)' })
  @ApiOkResponse({ type: ConnectionListResponse })
  async list(): Promise<ConnectionListResponse> {
    return { data: (await this.connections.list()).map(ConnectionView.of) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a connection: a remote LRS or a folder under FILES_PATH' })
  @ApiCreatedResponse({ type: ConnectionResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorView })
  @ApiBody({ type: CreateConnectionDto })
  async create(
    @InputBody(CreateConnectionDto) dto: PendingInput<CreateConnectionDto>,
    @CurrentPrincipal() p: Principal,
  ): Promise<ConnectionResponse> {
    return { data: ConnectionView.of(await this.connections.create(dto, p.client.slug)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One connection' })
  @ApiParam({ name: 'id', example: 3 })
  @ApiOkResponse({ type: ConnectionResponse })
  @ApiNotFoundResponse({ type: ErrorView })
  async get(@Param('id') id: string): Promise<ConnectionResponse> {
    return { data: ConnectionView.of(await this.connections.get(parseId(id))) };
  }

  @Put(':id')
  @ApiOperation({ summary: 'Change a connection (fields left out are kept)' })
  @ApiParam({ name: 'id', example: 3 })
  @ApiOkResponse({ type: ConnectionResponse })
  @ApiNotFoundResponse({ type: ErrorView })
  @ApiUnprocessableEntityResponse({ type: ErrorView })
  @ApiBody({ type: UpdateConnectionDto })
  async update(
    @Param('id') id: string,
    @InputBody(UpdateConnectionDto) dto: PendingInput<UpdateConnectionDto>,
    @CurrentPrincipal() p: Principal,
  ): Promise<ConnectionResponse> {
    return {
      data: ConnectionView.of(await this.connections.update(parseId(id), dto, p.client.slug)),
    };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a connection no job uses' })
  @ApiParam({ name: 'id', example: 3 })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorView })
  @ApiConflictResponse({ type: ErrorView, description: 'A job uses the connection' })
  async remove(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<void> {
    await this.connections.remove(parseId(id), p.client.slug);
  }
}

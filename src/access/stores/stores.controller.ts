import { Get, Param, Post, Put } from '@nestjs/common';
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
import { ClientEndpoint } from '../client-auth.guard';
import { Permissions } from '../permissions';
import { CurrentPrincipal, Principal } from '../principal';
import {
  CreateStoreDto,
  StoreListResponse,
  StoreResponse,
  StoreView,
  UpdateStoreDto,
} from './dto/store.dto';
import { StoresService } from './stores.service';

@ClientEndpoint('stores', 'admin: stores')
@Permissions('access/all')
export class StoresController {
  constructor(private readonly stores: StoresService) {}

  @Get()
  @ApiOperation({ summary: 'Every store' })
  @ApiOkResponse({ type: StoreListResponse })
  async list(): Promise<StoreListResponse> {
    return { data: (await this.stores.list()).map(StoreView.of) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a store' })
  @ApiCreatedResponse({ type: StoreResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorView, description: 'Invalid or taken slug' })
  @ApiBody({ type: CreateStoreDto })
  async create(
    @InputBody(CreateStoreDto) dto: PendingInput<CreateStoreDto>,
    @CurrentPrincipal() p: Principal,
  ): Promise<StoreResponse> {
    return { data: StoreView.of(await this.stores.create(dto, p.client.slug)) };
  }

  @Get(':slug')
  @ApiOperation({ summary: 'One store' })
  @ApiParam({ name: 'slug', example: 'default' })
  @ApiOkResponse({ type: StoreResponse })
  @ApiNotFoundResponse({ type: ErrorView })
  async get(@Param('slug') slug: string): Promise<StoreResponse> {
    return { data: StoreView.of(await this.stores.get(slug)) };
  }

  @Put(':slug')
  @ApiOperation({ summary: 'Rename a store or change its slug (fields left out are kept)' })
  @ApiParam({ name: 'slug', example: 'default' })
  @ApiOkResponse({ type: StoreResponse })
  @ApiNotFoundResponse({ type: ErrorView })
  @ApiUnprocessableEntityResponse({ type: ErrorView })
  @ApiBody({ type: UpdateStoreDto })
  async update(
    @Param('slug') slug: string,
    @InputBody(UpdateStoreDto) dto: PendingInput<UpdateStoreDto>,
    @CurrentPrincipal() p: Principal,
  ): Promise<StoreResponse> {
    return { data: StoreView.of(await this.stores.update(slug, dto, p.client.slug)) };
  }
}

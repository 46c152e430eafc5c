import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../../common/db-errors';
import { FieldErrors, invalidInput } from '../../common/errors';
import { PendingInput } from '../../common/pending-input';
import { LogLevel } from '../../logging/log-entry.entity';
import { SystemLogService } from '../../logging/system-log.service';
import { AccessCache } from '../access-cache';
import { Client, PipelineOptions } from '../client.entity';
import { hashSecret } from '../passwords';
import { Store, storeBeingDeleted } from '../store.entity';
import { StoresService } from '../stores/stores.service';
import { CreateClientDto, PipelineOptionsDto, UpdateClientDto } from './dto/client.dto';

export interface ClientWithStore {
  client: Client;
  storeSlug: string;
}

/** The fields of a client, in the order audit messages name them. */
const CLIENT_FIELDS = [
  'slug',
  'name',
  'username',
  'password',
  'store',
  'permissions',
  'pipeline',
] as const satisfies readonly (keyof UpdateClientDto)[];

@Injectable()
export class ClientsService {
  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    @InjectRepository(Store) private readonly stores: Repository<Store>,
    private readonly logs: SystemLogService,
    private readonly storesService: StoresService,
    private readonly access: AccessCache,
  ) {}

  async list(): Promise<ClientWithStore[]> {
    const clients = await this.clients.find({ order: { id: 'ASC' } });
    const slugs = await this.storesService.slugsById(clients.map((c) => c.storeId));
    return clients.map((client) => ({ client, storeSlug: slugs.get(client.storeId) ?? '' }));
  }

  async get(slug: string): Promise<ClientWithStore> {
    const client = await this.clients.findOne({ where: { slug } });
    if (!client) throw new NotFoundException(`No client "${slug}".`);
    const store = await this.stores.findOne({ where: { id: client.storeId } });
    return { client, storeSlug: store?.slug ?? '' };
  }

  async create(input: PendingInput<CreateClientDto>, by: string): Promise<ClientWithStore> {
    const { store, errors } = await this.lookUp(input.sent('slug'), input.sent('store'));
    const dto = input.valid(errors);
    if (store?.deletingAt) throw storeBeingDeleted(store);
    const now = new Date();
    const client = this.clients.create({
      slug: dto.slug,
      name: dto.name,
      username: dto.username,
      passwordHash: await hashSecret(dto.password),
      storeId: store!.id,
      permissions: [...new Set(dto.permissions ?? [])],
      pipeline: pipelineOf(dto.pipeline),
      expiresAt: null,
      createdAt: now,
      updatedAt: now,
    });
    const saved = await this.save(client);
    await this.audit(`Client "${saved.slug}" created`, saved, by);
    return { client: saved, storeSlug: store!.slug };
  }

  async update(
    slug: string,
    input: PendingInput<UpdateClientDto>,
    by: string,
  ): Promise<ClientWithStore> {
    const { client, storeSlug } = await this.get(slug);
    const sentSlug = input.sent('slug');
    const newSlug = sentSlug !== undefined && sentSlug !== client.slug ? sentSlug : undefined;
    const { store, errors } = await this.lookUp(newSlug, input.sent('store'));
    const dto = input.valid(errors);
    if (store?.deletingAt) throw storeBeingDeleted(store);
    if (dto.name !== undefined) client.name = dto.name;
    if (dto.username !== undefined) client.username = dto.username;
    if (dto.password !== undefined) client.passwordHash = await hashSecret(dto.password);
    if (dto.permissions !== undefined) client.permissions = [...new Set(dto.permissions)];
    if (dto.pipeline !== undefined) client.pipeline = pipelineOf(dto.pipeline);
    if (newSlug) client.slug = newSlug;
    if (store) client.storeId = store.id;
    client.updatedAt = new Date();
    const saved = await this.save(client);
    this.access.forgetClient(slug, saved.slug);
    const changed = CLIENT_FIELDS.filter((k) => dto[k] !== undefined);
    await this.audit(`Client "${slug}" updated: ${changed.join(', ') || 'nothing'}`, saved, by);
    return { client: saved, storeSlug: store?.slug ?? storeSlug };
  }

  /** The calling client cannot delete itself: it would lock its caller out mid-session. */
  async remove(slug: string, caller: Client): Promise<void> {
    const { client } = await this.get(slug);
    if (client.id === caller.id) {
      throw new ConflictException(`Client "${slug}" is the one making this request.`);
    }
    await this.clients.delete({ id: client.id });
    this.access.forgetClient(slug);
    await this.audit(`Client "${slug}" deleted`, client, caller.slug);
  }

  /** Admin changes are logged: names of changed fields, never a password. */
  private async audit(message: string, client: Client, by: string) {
    await this.logs.log({
      level: LogLevel.Info,
      type: 'api',
      store: client.storeId,
      message,
      data: { client: client.slug, by },
    });
  }

  /** The look-up faults of the input: a taken slug, an unknown store. */
  private async lookUp(slug: string | undefined, storeSlug: string | undefined) {
    const errors: FieldErrors = {};
    if (slug !== undefined && (await this.clients.exists({ where: { slug } }))) {
      errors.slug = [`The slug "${slug}" is already taken.`];
    }
    let store: Store | null = null;
    if (storeSlug !== undefined) {
      store = await this.stores.findOne({ where: { slug: storeSlug } });
      if (!store) errors.store = [`No store "${storeSlug}".`];
    }
    return { store, errors };
  }

  private async save(client: Client): Promise<Client> {
    try {
      return await this.clients.save(client);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw invalidInput({ slug: [`The slug "${client.slug}" is already taken.`] });
      }
      throw err;
    }
  }
}

/** Only the set options, as plain JSON. */
function pipelineOf(dto: PipelineOptionsDto | undefined): PipelineOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(dto ?? {})) if (v !== undefined) out[k] = v;
  return out as PipelineOptions;
}

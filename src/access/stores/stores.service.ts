import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { isUniqueViolation } from '../../common/db-errors';
import { FieldErrors, invalidInput } from '../../common/errors';
import { PendingInput } from '../../common/pending-input';
import { LogLevel } from '../../logging/log-entry.entity';
import { SystemLogService } from '../../logging/system-log.service';
import { AccessCache } from '../access-cache';
import { Store } from '../store.entity';
import { CreateStoreDto, UpdateStoreDto } from './dto/store.dto';

@Injectable()
export class StoresService {
  constructor(
    @InjectRepository(Store) private readonly stores: Repository<Store>,
    private readonly logs: SystemLogService,
    private readonly access: AccessCache,
  ) {}

  list(): Promise<Store[]> {
    return this.stores.find({ order: { id: 'ASC' } });
  }

  async get(slug: string): Promise<Store> {
    const store = await this.stores.findOne({ where: { slug } });
    if (!store) throw new NotFoundException(`No store "${slug}".`);
    return store;
  }

  findBySlug(slug: string): Promise<Store | null> {
    return this.stores.findOneBy({ slug });
  }

  findById(id: number): Promise<Store | null> {
    return this.stores.findOneBy({ id });
  }

  /** Ids of the stores not being deleted, in id order (job fan-out). */
  async liveIds(): Promise<number[]> {
    const live = await this.stores.find({
      select: { id: true },
      where: { deletingAt: IsNull() },
      order: { id: 'ASC' },
    });
    return live.map((s) => s.id);
  }

  /** Slugs of the given store ids (nulls and repeats allowed), in one query. */
  async slugsById(ids: Iterable<number | null>): Promise<Map<number, string>> {
    const wanted = [...new Set([...ids].filter((id): id is number => id !== null))];
    const found = wanted.length ? await this.stores.findBy({ id: In(wanted) }) : [];
    return new Map(found.map((s) => [s.id, s.slug]));
  }

  async create(input: PendingInput<CreateStoreDto>, by: string): Promise<Store> {
    const dto = input.valid(await this.slugFaults(input.sent('slug')));
    const now = new Date();
    const store = await this.insert(
      this.stores.create({ slug: dto.slug, name: dto.name, createdAt: now, updatedAt: now }),
    );
    await this.audit(`Store "${store.slug}" created`, store, by);
    return store;
  }

  async update(slug: string, input: PendingInput<UpdateStoreDto>, by: string): Promise<Store> {
    const store = await this.get(slug);
    const sentSlug = input.sent('slug');
    const dto = input.valid(await this.slugFaults(sentSlug !== store.slug ? sentSlug : undefined));
    // Only the columns the request changes: a whole-row save would write back what another
    // instance changed since the read (a raised records_version, a deletion mark).
    const changes = {
      slug: dto.slug ?? store.slug,
      name: dto.name ?? store.name,
      updatedAt: new Date(),
    };
    try {
      await this.stores.update({ id: store.id }, changes);
    } catch (err) {
      if (isUniqueViolation(err)) throw takenSlug(changes.slug);
      throw err;
    }
    const saved = (await this.findById(store.id)) ?? { ...store, ...changes };
    this.access.forgetStore(saved.id);
    await this.audit(`Store "${slug}" updated`, saved, by);
    return saved;
  }

  private async audit(message: string, store: Store, by: string) {
    await this.logs.log({
      level: LogLevel.Info,
      type: 'api',
      store: store.id,
      message,
      data: { slug: store.slug, client: by },
    });
  }

  /** The look-up fault of a new slug: taken by another store. */
  private async slugFaults(slug: string | undefined): Promise<FieldErrors> {
    if (slug === undefined || !(await this.stores.exists({ where: { slug } }))) return {};
    return takenSlugFaults(slug);
  }

  /** The unique index has the last word when two requests race for a slug. */
  private async insert(store: Store): Promise<Store> {
    try {
      return await this.stores.save(store);
    } catch (err) {
      if (isUniqueViolation(err)) throw takenSlug(store.slug);
      throw err;
    }
  }
}

function takenSlugFaults(slug: string): FieldErrors {
  return { slug: [`The slug "${slug}" is already taken.`] };
}

function takenSlug(slug: string) {
  return invalidInput(takenSlugFaults(slug));
}

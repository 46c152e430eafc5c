import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { LruCache } from '../common/lru-cache';
import { AppConfig } from '../config/app-config';
import { Client } from './client.entity';
import { Store } from './store.entity';

/** Clients and stores an instance keeps: the active ones of a few hundred tenants at most. */
const MAX_ENTRIES = 10_000;

/**
 * The clients and stores the Basic-auth guard reads on every request, kept on this
 * instance for AUTH_CACHE_TTL_MS (5 s). A change made here drops them at once; a
 * change made on another instance (a new password, a removed permission, a renamed
 * or deleted store) takes effect here within the TTL. Unknown slugs are not kept, so
 * a client created elsewhere works at once.
 */
@Injectable()
export class AccessCache {
  private readonly clients: LruCache<Client>;
  private readonly stores: LruCache<Store>;

  constructor(
    @InjectRepository(Client) private readonly clientRepo: Repository<Client>,
    @InjectRepository(Store) private readonly storeRepo: Repository<Store>,
    config: AppConfig,
  ) {
    this.clients = new LruCache(MAX_ENTRIES, config.authCacheTtlMs);
    this.stores = new LruCache(MAX_ENTRIES, config.authCacheTtlMs);
  }

  async clientBySlug(slug: string): Promise<Client | null> {
    const cached = this.clients.get(slug);
    if (cached) return cached;
    const client = await this.clientRepo.findOne({ where: { slug } });
    if (client) this.clients.set(slug, client);
    return client;
  }

  async storeById(id: number): Promise<Store | null> {
    const cached = this.stores.get(String(id));
    if (cached) return cached;
    const store = await this.storeRepo.findOne({ where: { id } });
    if (store) this.stores.set(String(id), store);
    return store;
  }

  /** A client was changed or deleted on this instance (pass its old and new slug). */
  forgetClient(...slugs: string[]): void {
    for (const slug of slugs) this.clients.delete(slug);
  }

  /** A store was changed or deleted on this instance: it and every client are read again. */
  forgetStore(id: number): void {
    this.stores.delete(String(id));
    this.clients.clear();
  }
}

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
 * a client created elsewhere works at once. Concurrent misses of one key share one
 * read, and a read that started before a change made here is not kept.
 */
@Injectable()
export class AccessCache {
  private readonly clients: LruCache<Client>;
  private readonly stores: LruCache<Store>;
  /** Reads in flight by key (`client:<slug>`, `store:<id>`). */
  private readonly loading = new Map<string, Promise<unknown>>();
  /** Bumped by every forget: a read begun under an older generation is not kept. */
  private generation = 0;

  constructor(
    @InjectRepository(Client) private readonly clientRepo: Repository<Client>,
    @InjectRepository(Store) private readonly storeRepo: Repository<Store>,
    config: AppConfig,
  ) {
    this.clients = new LruCache(MAX_ENTRIES, config.authCacheTtlMs);
    this.stores = new LruCache(MAX_ENTRIES, config.authCacheTtlMs);
  }

  async clientBySlug(slug: string): Promise<Client | null> {
    return (
      this.clients.get(slug) ??
      this.load(`client:${slug}`, this.clients, slug, () =>
        this.clientRepo.findOne({ where: { slug } }),
      )
    );
  }

  async storeById(id: number): Promise<Store | null> {
    return (
      this.stores.get(String(id)) ??
      this.load(`store:${id}`, this.stores, String(id), () =>
        this.storeRepo.findOne({ where: { id } }),
      )
    );
  }

  /** One read for every concurrent miss of `key`; its row is kept unless a forget came meanwhile. */
  private load<T>(
    key: string,
    cache: LruCache<T>,
    cacheKey: string,
    read: () => Promise<T | null>,
  ): Promise<T | null> {
    const pending = this.loading.get(key) as Promise<T | null> | undefined;
    if (pending) return pending;
    const generation = this.generation;
    const promise = read()
      .then((row) => {
        if (row && generation === this.generation) cache.set(cacheKey, row);
        return row;
      })
      .finally(() => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
      });
    this.loading.set(key, promise);
    return promise;
  }

  /** A client was changed or deleted on this instance (pass its old and new slug). */
  forgetClient(...slugs: string[]): void {
    this.generation++;
    for (const slug of slugs) {
      this.clients.delete(slug);
      this.loading.delete(`client:${slug}`);
    }
  }

  /** A store was changed or deleted on this instance: it and every client are read again. */
  forgetStore(id: number): void {
    this.generation++;
    this.stores.delete(String(id));
    this.clients.clear();
    this.loading.clear();
  }
}

import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LruCache } from '../../common/lru-cache';
import { AppConfig } from '../../config/app-config';
import { beforeStoreRecordsDeleted } from '../../database/store-records';
import { Activity } from '../activities/activity.entity';
import { Agent } from '../agents/agent.entity';
import { VocabEntry } from './entities/vocab.entity';

/** A record as this instance last saw it committed: its JSON value (definition, display). */
export interface KnownValue {
  value: Record<string, any> | null;
  /** JSON.stringify(value): what a merge is compared with, so an unchanged one costs nothing. */
  json: string;
}

/** What one committed batch taught the recorder, applied only after its COMMIT. */
export interface RecordedKnowledge {
  storeId: number;
  agents: string[];
  activities: Map<string, Record<string, any> | null>;
  vocab: Map<string, Record<string, string> | null>;
}

/** The caches of the apps running in this process (tests start several). */
const live = new Set<RecordCache>();
const forgetEverywhere = async (_em: unknown, storeId: number) => {
  for (const cache of live) cache.forgetStore(storeId);
};
for (const entity of [Agent, Activity, VocabEntry])
  beforeStoreRecordsDeleted(entity, forgetEverywhere);

/**
 * What the recorder knows is stored, per store, on this instance: agents (by vid),
 * activities with their merged definition and vocabulary entries with their display,
 * each a bounded LRU (XAPI_CACHE_ENTRIES) whose entries lapse after XAPI_CACHE_TTL_MS.
 * A batch whose agents, activities and verbs are all known, with nothing new to merge,
 * writes only its statements and their index rows.
 *
 * Entries are set only from rows read under the batch's row locks (or, on SQLite, in
 * its serialised transaction) and only after its COMMIT, so on one instance they never
 * run behind the database. A change made through another instance (a definition merged
 * there, an agent deleted there) is seen here once the entry lapses. On this instance,
 * deleteStoreRecords() of agents, activities or vocabulary (agent-deletion, clearing)
 * forgets the store; a job that rewrites them otherwise calls forgetStore().
 */
@Injectable()
export class RecordCache implements OnModuleInit, OnModuleDestroy {
  private readonly agents: LruCache<true>;
  private readonly activities: LruCache<KnownValue>;
  private readonly vocab: LruCache<KnownValue>;

  constructor(config: AppConfig) {
    const { xapiCacheEntries: size, xapiCacheTtlMs: ttl } = config;
    this.agents = new LruCache(size, ttl);
    this.activities = new LruCache(size, ttl);
    this.vocab = new LruCache(size, ttl);
  }

  onModuleInit() {
    live.add(this);
  }

  onModuleDestroy() {
    live.delete(this);
  }

  knowsAgent(storeId: number, vid: string): boolean {
    return this.agents.get(`${storeId}\0${vid}`) === true;
  }

  activity(storeId: number, activityId: string): KnownValue | undefined {
    return this.activities.get(`${storeId}\0${activityId}`);
  }

  /** `key` is `<kind>\0<iri>`. */
  vocabEntry(storeId: number, key: string): KnownValue | undefined {
    return this.vocab.get(`${storeId}\0${key}`);
  }

  remember(k: RecordedKnowledge): void {
    for (const vid of k.agents) this.agents.set(`${k.storeId}\0${vid}`, true);
    for (const [id, value] of k.activities) {
      this.activities.set(`${k.storeId}\0${id}`, { value, json: JSON.stringify(value) });
    }
    for (const [key, value] of k.vocab) {
      this.vocab.set(`${k.storeId}\0${key}`, { value, json: JSON.stringify(value) });
    }
  }

  /** Agents, activities or vocabulary of a store were deleted or rewritten outside the recorder. */
  forgetStore(storeId: number): void {
    for (const cache of [this.agents, this.activities, this.vocab]) {
      cache.deletePrefix(`${storeId}\0`);
    }
  }
}

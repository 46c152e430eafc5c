import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { LruCache } from '../../common/lru-cache';
import { AppConfig } from '../../config/app-config';
import {
  BeforeDeleteHook,
  beforeStoreRecordsDeleted,
  removeBeforeStoreRecordsDeleted,
} from '../../database/store-records';
import { Activity } from '../activities/activity.entity';
import { Agent } from '../agents/agent.entity';
import { VocabEntry } from './entities/vocab.entity';

/** The records this cache mirrors: deleting any of them through the registry forgets the store. */
const MIRRORED = [Agent, Activity, VocabEntry];

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
 * there, an agent deleted there) is seen here once the entry lapses; jobs that delete
 * or rewrite agents, activities or vocabulary call forgetStore() on their instance.
 */
@Injectable()
export class RecordCache implements OnModuleDestroy {
  private readonly agents: LruCache<true>;
  private readonly activities: LruCache<KnownValue>;
  private readonly vocab: LruCache<KnownValue>;

  constructor(config: AppConfig) {
    const { xapiCacheEntries: size, xapiCacheTtlMs: ttl } = config;
    this.agents = new LruCache(size, ttl);
    this.activities = new LruCache(size, ttl);
    this.vocab = new LruCache(size, ttl);
    // Every deletion of these records (clearing, agent-deletion...) goes through
    // deleteStoreRecords(): forget the store there, once, for every caller.
    for (const entity of MIRRORED) beforeStoreRecordsDeleted(entity, this.forgetOnDelete);
  }

  private readonly forgetOnDelete: BeforeDeleteHook = async (_em, storeId) => {
    this.forgetStore(storeId);
  };

  onModuleDestroy(): void {
    for (const entity of MIRRORED) removeBeforeStoreRecordsDeleted(entity, this.forgetOnDelete);
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

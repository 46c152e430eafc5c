import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Store } from '../../access/store.entity';
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
  /** forgets(storeId) when the batch began: what a forgotten store taught is not kept. */
  forgets: number;
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
 * its serialised transaction) and only after its COMMIT, and never from a batch that
 * began before the store was forgotten, so on one instance they never run behind the
 * database. Every deletion or rewrite of a store's agents, activities or vocabulary
 * (deleteStoreRecords() for every job, pseudo's sweep) goes through recordsChanged():
 * it forgets the store here and raises the store's `records_version` in the same
 * transaction. Every recorder call first compares that version with the one it last saw
 * (syncStore): requests with the store row the guard read (AUTH_CACHE_TTL_MS, 5 s),
 * jobs with a fresh read. So a change made on another instance is seen here within the
 * auth cache's TTL; a definition merged elsewhere, which raises no version, within
 * XAPI_CACHE_TTL_MS.
 */
@Injectable()
export class RecordCache implements OnApplicationShutdown {
  private readonly agents: LruCache<true>;
  private readonly activities: LruCache<KnownValue>;
  private readonly vocab: LruCache<KnownValue>;
  /** The highest `records_version` seen per store. */
  private readonly versions = new Map<number, number>();
  /** How many times each store was forgotten on this instance. */
  private readonly forgotten = new Map<number, number>();

  constructor(
    config: AppConfig,
    private readonly dataSource: DataSource,
  ) {
    const { xapiCacheEntries: size, xapiCacheTtlMs: ttl } = config;
    this.agents = new LruCache(size, ttl);
    this.activities = new LruCache(size, ttl);
    this.vocab = new LruCache(size, ttl);
    // Every deletion of these records (clearing, agent-deletion...) goes through
    // deleteStoreRecords(): forget the store there, once, for every caller.
    for (const entity of MIRRORED) beforeStoreRecordsDeleted(entity, this.forgetOnDelete);
  }

  /** The hooks are per process: another application's deletion (a test's second instance) is not ours. */
  private readonly forgetOnDelete: BeforeDeleteHook = async (em, storeId) => {
    if (em.connection === this.dataSource) await this.recordsChanged(em, storeId);
  };

  /** Once the runs have stopped (after beforeApplicationShutdown): their deletions still tell the other instances. */
  onApplicationShutdown(): void {
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

  /**
   * The store's agents, activities or vocabulary are being deleted or rewritten in `em`'s
   * transaction: forget them here, and raise the version every other instance compares.
   */
  async recordsChanged(em: EntityManager, storeId: number): Promise<void> {
    this.forgetStore(storeId);
    await em.increment(Store, { id: storeId }, 'recordsVersion', 1);
  }

  /**
   * `version` is the store's `records_version` as the caller read it: higher than any seen
   * before, the records were changed elsewhere and what this instance knows is dropped.
   * A lower one (a read older than another) changes nothing.
   */
  syncStore(storeId: number, version: number): void {
    const seen = this.versions.get(storeId);
    if (seen !== undefined && version > seen) this.forgetStore(storeId);
    if (seen === undefined || version > seen) this.versions.set(storeId, version);
  }

  /** A count that forgetStore() raises: RecordedKnowledge.forgets is read from it. */
  forgets(storeId: number): number {
    return this.forgotten.get(storeId) ?? 0;
  }

  remember(k: RecordedKnowledge): void {
    // The store was forgotten while the batch ran: what it read may already be gone.
    if (k.forgets !== this.forgets(k.storeId)) return;
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
    this.forgotten.set(storeId, this.forgets(storeId) + 1);
    for (const cache of [this.agents, this.activities, this.vocab]) {
      cache.deletePrefix(`${storeId}\0`);
    }
  }
}

import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Activity } from '../activities/activity.entity';
import { Agent } from '../agents/agent.entity';
import { AGENT_IFI_KEYS } from '../agents/agent-identifier';
import { StatementActivity } from './entities/statement-activity.entity';
import { StatementAgent } from './entities/statement-agent.entity';
import { VocabEntry } from './entities/vocab.entity';
import { bulkInsert, byKey, chunks } from './bulk-insert';
import { iriKey, statementActivities, statementAgents } from './index-keys';
import { MergedTable, mergeRecords } from './merged-records';
import { KnownValue, RecordCache, RecordedKnowledge } from './record-cache';
import { EffectiveOptions, PreparedStatement } from './statement-preparer';

type Definition = Record<string, any>;

/** Definitions merge: language maps by language, everything else replaced by the newer. */
export function mergeDefinitions(old: Definition | null, next: Definition): Definition {
  const out: Definition = { ...(old ?? {}) };
  for (const [k, v] of Object.entries(next)) {
    if ((k === 'name' || k === 'description') && v && typeof v === 'object' && out[k]) {
      out[k] = { ...out[k], ...v };
    } else if (k === 'extensions' && v && typeof v === 'object' && out[k]) {
      out[k] = { ...out[k], ...v };
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * A batch's index rows in the order of their unique index: (key, role, statement row id),
 * strings compared as `<` does. The distinct keys are sorted, not the rows: a batch names
 * a few dozen agents and activities in hundreds of rows (the authority in every one), and
 * comparing long IRIs was a third of the index writer's own time.
 */
export function sortIndexRows<R extends { role?: string; statementRowId?: number }>(
  rows: R[],
  keyOf: (row: R) => string,
): R[] {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const out: R[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!;
    if (group.length > 1) {
      group.sort((a, b) =>
        a.role !== b.role ? (a.role! < b.role! ? -1 : 1) : a.statementRowId! - b.statementRowId!,
      );
    }
    for (const row of group) out.push(row);
  }
  return out;
}

/** What an agent row keeps: object type, name and identifier, nothing else. */
function pickAgent(agent: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['objectType', 'name', ...AGENT_IFI_KEYS]) {
    if (agent[k] !== undefined) out[k] = agent[k];
  }
  return out;
}

/** A value the cache knows that the batch's value would not change: nothing to write. */
function unchanged(
  known: KnownValue | undefined,
  incoming: Definition | null,
  merge: (stored: Definition | null, next: Definition) => Definition,
): boolean {
  return !!known && (!incoming || JSON.stringify(merge(known.value, incoming)) === known.json);
}

const mergeDisplay = (stored: Definition | null, next: Definition) => ({
  ...(stored ?? {}),
  ...next,
});

const ACTIVITIES = (storeId: number): MergedTable<Activity> => ({
  entity: Activity,
  where: (keys) => [{ storeId, activityId: In(keys) }],
  order: { activityId: 'ASC' },
  keyOf: (row) => row.activityId,
  valueOf: (row) => row.definition,
  freshRow: (activityId, definition, now) => ({
    storeId,
    activityId,
    definition,
    stored: now,
    updated: now,
  }),
  merge: mergeDefinitions,
  changes: (definition, now) => ({ definition, updated: now }),
});

/** Vocabulary keys are `<kind>\0<iri>`; rows lock in (kind, iri) order. */
const VOCAB = (storeId: number): MergedTable<VocabEntry> => ({
  entity: VocabEntry,
  where: (keys) =>
    (['activity-type', 'verb'] as const)
      .map((kind) => ({
        kind,
        iris: keys.filter((k) => k.startsWith(`${kind}\0`)).map((k) => k.slice(kind.length + 1)),
      }))
      .filter((g) => g.iris.length)
      .map((g) => ({ storeId, kind: g.kind, iri: In(g.iris) })),
  order: { kind: 'ASC', iri: 'ASC' },
  keyOf: (row) => `${row.kind}\0${row.iri}`,
  valueOf: (row) => row.display,
  freshRow: (key, display, now) => {
    const [kind, iri] = key.split('\0');
    return { storeId, kind, iri, display, stored: now, updated: now };
  },
  merge: mergeDisplay,
  changes: (display, now) => ({ display, updated: now }),
});

/**
 * The records a batch of written statements feeds, each under its pipeline option:
 * agent and activity id index rows, agents, activities (definitions merged) and the
 * store's vocabulary (verbs and activity types). Agents, activities and vocabulary the
 * RecordCache knows, with nothing new to merge, are not written again. Every
 * multi-row write goes in key order, so that concurrent batches take their row and
 * gap locks in the same order and cannot deadlock on them.
 */
@Injectable()
export class StatementIndexWriter {
  constructor(private readonly cache: RecordCache) {}

  /** Writes the batch's records; answers what the cache may learn once it commits. */
  async write(
    em: EntityManager,
    storeId: number,
    written: PreparedStatement[],
    rowIds: Map<string, number>,
    opts: EffectiveOptions,
    now: Date,
  ): Promise<RecordedKnowledge> {
    // Before the cache is read: a store forgotten from here on is not remembered by this batch.
    const forgets = this.cache.forgets(storeId);
    const agentRows: Partial<StatementAgent>[] = [];
    const activityRows: Partial<StatementActivity>[] = [];
    const agents = new Map<string, Record<string, unknown>>();
    const activities = new Map<string, Definition | null>();
    // Vocabulary by kind and IRI; keyed `kind\0iri` below, once per distinct entry.
    const activityTypes = new Set<string>();
    const verbs = new Map<string, Definition | null>();
    for (const p of written) {
      const statementRowId = rowIds.get(p.statementId)!;
      // A statement names a handful of agents and activities: its duplicates (the same
      // agent or activity in the same role) are found by a scan of its own rows.
      const firstAgent = agentRows.length;
      for (const a of statementAgents(p.data)) {
        let seen = false;
        for (let i = firstAgent; i < agentRows.length && !seen; i++) {
          seen = agentRows[i].vid === a.vid && agentRows[i].role === a.role;
        }
        if (!seen) agentRows.push({ storeId, statementRowId, vid: a.vid, role: a.role });
        if (a.role !== 'authority' && !agents.has(a.vid)) agents.set(a.vid, a.agent);
      }
      const firstActivity = activityRows.length;
      for (const a of statementActivities(p.data)) {
        const id = iriKey(a.activityId);
        let seen = false;
        for (let i = firstActivity; i < activityRows.length && !seen; i++) {
          seen = activityRows[i].activityId === id && activityRows[i].role === a.role;
        }
        if (!seen) activityRows.push({ storeId, statementRowId, activityId: id, role: a.role });
        const def =
          a.activity.definition && typeof a.activity.definition === 'object'
            ? a.activity.definition
            : null;
        const prev = activities.get(id) ?? null;
        // The first definition is kept as it is (nothing merged into it is ever changed).
        activities.set(id, def ? (prev ? mergeDefinitions(prev, def) : def) : prev);
        if (def && typeof def.type === 'string') activityTypes.add(iriKey(def.type));
      }
      const verb = p.data.verb;
      if (verb && typeof verb.id === 'string') {
        const display = verb.display && typeof verb.display === 'object' ? verb.display : null;
        const id = iriKey(verb.id);
        const prev = verbs.get(id) ?? null;
        verbs.set(id, display ? (prev ? mergeDisplay(prev, display) : display) : prev);
      }
    }
    const vocab = new Map<string, Definition | null>();
    for (const iri of activityTypes) vocab.set(`activity-type\0${iri}`, null);
    for (const [iri, display] of verbs) vocab.set(`verb\0${iri}`, display);
    if (opts.update_agent_ids) {
      const sorted = sortIndexRows(agentRows, (r) => r.vid!);
      for (const part of chunks(sorted, 500)) {
        await bulkInsert(em, StatementAgent, part as Record<string, unknown>[]);
      }
    }
    if (opts.update_activity_ids) {
      const sorted = sortIndexRows(activityRows, (r) => r.activityId!);
      for (const part of chunks(sorted, 500)) {
        await bulkInsert(em, StatementActivity, part as Record<string, unknown>[]);
      }
    }
    const learned: RecordedKnowledge = {
      storeId,
      forgets,
      agents: [],
      activities: new Map(),
      vocab: new Map(),
    };
    if (opts.update_agents) {
      const rows = [...agents]
        .filter(([vid]) => !this.cache.knowsAgent(storeId, vid))
        .sort(byKey(([vid]) => vid))
        .map(([vid, agent]) => ({
          storeId,
          vid,
          agent: pickAgent(agent),
          personId: null,
          stored: now,
          updated: now,
        }));
      for (const part of chunks(rows)) {
        await bulkInsert(em, Agent, part, { ignore: true });
      }
      learned.agents = rows.map((r) => r.vid);
    }
    if (opts.update_activities) {
      const todo = new Map(
        [...activities].filter(
          ([id, def]) => !unchanged(this.cache.activity(storeId, id), def, mergeDefinitions),
        ),
      );
      if (todo.size) learned.activities = await mergeRecords(em, ACTIVITIES(storeId), todo, now);
    }
    if (opts.update_vocab) {
      const todo = new Map(
        [...vocab].filter(
          ([key, display]) =>
            !unchanged(this.cache.vocabEntry(storeId, key), display, mergeDisplay),
        ),
      );
      if (todo.size) learned.vocab = await mergeRecords(em, VOCAB(storeId), todo, now);
    }
    return learned;
  }
}

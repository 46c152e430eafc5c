import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Activity } from '../activities/activity.entity';
import { Agent } from '../agents/agent.entity';
import { AGENT_IFI_KEYS } from '../agents/agent-identifier';
import { StatementActivity } from './entities/statement-activity.entity';
import { StatementAgent } from './entities/statement-agent.entity';
import { VocabEntry } from './entities/vocab.entity';
import { bulkInsert, byKey, chunks, locksRows } from './bulk-insert';
import { iriKey, statementActivities, statementAgents } from './index-keys';
import { EffectiveOptions, PreparedStatement } from './statement-preparer';

type Definition = Record<string, any>;
type VocabRow = {
  kind: 'verb' | 'activity-type';
  iri: string;
  display: Record<string, string> | null;
};

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

/** What an agent row keeps: object type, name and identifier, nothing else. */
function pickAgent(agent: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['objectType', 'name', ...AGENT_IFI_KEYS]) {
    if (agent[k] !== undefined) out[k] = agent[k];
  }
  return out;
}

/**
 * The records a batch of written statements feeds, each under its pipeline option:
 * agent and activity id index rows, agents, activities (definitions merged) and the
 * store's vocabulary (verbs and activity types). Every multi-row write goes in key
 * order, so that concurrent batches take their row and gap locks in the same order.
 */
@Injectable()
export class StatementIndexWriter {
  async write(
    em: EntityManager,
    storeId: number,
    written: PreparedStatement[],
    rowIds: Map<string, number>,
    opts: EffectiveOptions,
    now: Date,
  ): Promise<void> {
    const agentRows: Partial<StatementAgent>[] = [];
    const activityRows: Partial<StatementActivity>[] = [];
    const agents = new Map<string, Record<string, unknown>>();
    const activities = new Map<string, Definition | null>();
    const verbs = new Map<string, Record<string, string> | null>();
    const types = new Set<string>();
    for (const p of written) {
      const statementRowId = rowIds.get(p.statementId)!;
      const seenAgents = new Set<string>();
      for (const a of statementAgents(p.data)) {
        const key = `${a.role}\0${a.vid}`;
        if (!seenAgents.has(key)) {
          seenAgents.add(key);
          agentRows.push({ storeId, statementRowId, vid: a.vid, role: a.role });
        }
        if (a.role !== 'authority' && !agents.has(a.vid)) agents.set(a.vid, a.agent);
      }
      const seenActivities = new Set<string>();
      for (const a of statementActivities(p.data)) {
        const id = iriKey(a.activityId);
        const key = `${a.role}\0${id}`;
        if (!seenActivities.has(key)) {
          seenActivities.add(key);
          activityRows.push({ storeId, statementRowId, activityId: id, role: a.role });
        }
        const def =
          a.activity.definition && typeof a.activity.definition === 'object'
            ? a.activity.definition
            : null;
        const prev = activities.get(id) ?? null;
        activities.set(id, def ? mergeDefinitions(prev, def) : prev);
        if (def && typeof def.type === 'string') types.add(def.type);
      }
      const verb = p.data.verb;
      if (verb && typeof verb.id === 'string') {
        const display = verb.display && typeof verb.display === 'object' ? verb.display : null;
        const prev = verbs.get(iriKey(verb.id)) ?? null;
        verbs.set(iriKey(verb.id), display ? { ...(prev ?? {}), ...display } : prev);
      }
    }
    agentRows.sort(
      byKey((r) => `${r.vid}\0${r.role}\0${String(r.statementRowId).padStart(12, '0')}`),
    );
    activityRows.sort(
      byKey((r) => `${r.activityId}\0${r.role}\0${String(r.statementRowId).padStart(12, '0')}`),
    );
    if (opts.update_agent_ids) {
      for (const part of chunks(agentRows, 500)) {
        await bulkInsert(em, StatementAgent, part as Record<string, unknown>[]);
      }
    }
    if (opts.update_activity_ids) {
      for (const part of chunks(activityRows, 500)) {
        await bulkInsert(em, StatementActivity, part as Record<string, unknown>[]);
      }
    }
    if (opts.update_agents && agents.size) {
      const rows = [...agents].sort(byKey(([vid]) => vid)).map(([vid, agent]) => ({
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
    }
    if (opts.update_activities && activities.size) {
      await this.mergeActivities(em, storeId, activities, now);
    }
    if (opts.update_vocab) {
      const rows: VocabRow[] = [
        ...[...verbs].map(([iri, display]) => ({ kind: 'verb' as const, iri, display })),
        ...[...types].map((t) => ({
          kind: 'activity-type' as const,
          iri: iriKey(t),
          display: null,
        })),
      ].sort(byKey((r) => `${r.kind}\0${r.iri}`));
      await this.mergeVocab(em, storeId, rows, now);
    }
  }

  /**
   * Inserts the activities not stored yet and merges the definitions of the
   * others. On MySQL/MariaDB the rows to merge are re-read with a row lock
   * (SELECT ... FOR UPDATE, in key order) after the inserts, so a concurrent
   * batch cannot overwrite a merge, nor have its definition dropped by an
   * INSERT IGNORE that lost the race. SQLite serialises writers anyway.
   */
  private async mergeActivities(
    em: EntityManager,
    storeId: number,
    activities: Map<string, Definition | null>,
    now: Date,
  ): Promise<void> {
    const repo = em.getRepository(Activity);
    const keys = [...activities.keys()].sort(byKey((k) => k));
    const found = new Map<string, Activity>();
    for (const part of chunks(keys, 500)) {
      for (const row of await repo.find({ where: { storeId, activityId: In(part) } })) {
        found.set(row.activityId, row);
      }
    }
    const fresh = keys
      .filter((k) => !found.has(k))
      .map((k) => ({
        storeId,
        activityId: k,
        definition: activities.get(k)!,
        stored: now,
        updated: now,
      }));
    for (const part of chunks(fresh)) {
      await bulkInsert(em, Activity, part, { ignore: true });
    }
    let current = found;
    if (locksRows(em)) {
      current = new Map();
      const toMerge = keys.filter((k) => activities.get(k));
      for (const part of chunks(toMerge, 500)) {
        const rows = await repo.find({
          where: { storeId, activityId: In(part) },
          order: { activityId: 'ASC' },
          lock: { mode: 'pessimistic_write' },
        });
        for (const row of rows) current.set(row.activityId, row);
      }
    }
    for (const k of keys) {
      const row = current.get(k);
      const def = activities.get(k);
      if (!row || !def) continue;
      const merged = mergeDefinitions(row.definition, def);
      if (JSON.stringify(merged) !== JSON.stringify(row.definition)) {
        await repo.update({ id: row.id }, { definition: merged, updated: now });
      }
    }
  }

  /** As mergeActivities, for verbs and activity types (rows come sorted by kind and iri). */
  private async mergeVocab(
    em: EntityManager,
    storeId: number,
    rows: VocabRow[],
    now: Date,
  ): Promise<void> {
    if (!rows.length) return;
    const repo = em.getRepository(VocabEntry);
    const read = async (list: VocabRow[], lock: boolean) => {
      const out = new Map<string, VocabEntry>();
      for (const kind of ['activity-type', 'verb'] as const) {
        const iris = list.filter((r) => r.kind === kind).map((r) => r.iri);
        for (const part of chunks(iris, 500)) {
          const found = await repo.find({
            where: { storeId, kind, iri: In(part) },
            ...(lock ? { order: { iri: 'ASC' }, lock: { mode: 'pessimistic_write' } } : {}),
          });
          for (const r of found) out.set(`${r.kind}\0${r.iri}`, r);
        }
      }
      return out;
    };
    const found = await read(rows, false);
    const fresh = rows
      .filter((r) => !found.has(`${r.kind}\0${r.iri}`))
      .map((r) => ({ storeId, ...r, stored: now, updated: now }));
    for (const part of chunks(fresh)) {
      await bulkInsert(em, VocabEntry, part, { ignore: true });
    }
    const current = locksRows(em)
      ? await read(
          rows.filter((r) => r.display),
          true,
        )
      : found;
    for (const r of rows) {
      const row = current.get(`${r.kind}\0${r.iri}`);
      if (!row || !r.display) continue;
      const merged = { ...(row.display ?? {}), ...r.display };
      if (JSON.stringify(merged) !== JSON.stringify(row.display)) {
        await repo.update({ id: row.id }, { display: merged, updated: now });
      }
    }
  }
}

import { createHash } from 'crypto';
import { agentVid } from '../agents/agent-identifier';

/** An IRI as an indexed varchar(255) key: itself, or a hash when longer. */
export function iriKey(iri: string): string {
  return iri.length <= 255 ? iri : `sha256::${createHash('sha256').update(iri).digest('hex')}`;
}

export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';

export interface IndexedAgent {
  vid: string;
  role: string;
  agent: Record<string, unknown>;
}

export interface IndexedActivity {
  activityId: string;
  role: string;
  activity: Record<string, any>;
}

const CONTEXT_ACTIVITY_ROLES = ['parent', 'grouping', 'category', 'other'];

function asObject(v: unknown): Record<string, any> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : null;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/**
 * Index roles that name the client which stored a statement, not a person in it:
 * the authority and the members of an OAuth authority group.
 */
export const AUTHORITY_ROLES = ['authority', 'authority-member'];

/**
 * Every identified agent or group a statement names, with its role. A group's
 * members are `member` (`sub-member` in a sub-statement), except those of the
 * authority group, `authority-member`, so that no learner role is confused with it.
 */
export function statementAgents(statement: Record<string, any>, prefix = ''): IndexedAgent[] {
  const out: IndexedAgent[] = [];
  const add = (agent: unknown, role: string) => {
    const a = asObject(agent);
    if (!a) return;
    const vid = agentVid(a);
    if (vid) out.push({ vid, role: prefix + role, agent: a });
    if (a.objectType === 'Group') {
      for (const m of asArray(a.member)) {
        const mv = agentVid(m);
        const memberRole = role === 'authority' ? 'authority-member' : prefix + 'member';
        if (mv) out.push({ vid: mv, role: memberRole, agent: m as Record<string, unknown> });
      }
    }
  };
  add(statement.actor, 'actor');
  const object = asObject(statement.object);
  if (object && (object.objectType === 'Agent' || object.objectType === 'Group')) {
    add(object, 'object');
  }
  const context = asObject(statement.context);
  if (context) {
    add(context.instructor, 'instructor');
    add(context.team, 'team');
    for (const ca of asArray(context.contextAgents)) add(asObject(ca)?.agent, 'context');
    for (const cg of asArray(context.contextGroups)) add(asObject(cg)?.group, 'context');
  }
  if (!prefix) {
    add(statement.authority, 'authority');
    if (object && object.objectType === 'SubStatement')
      out.push(...statementAgents(object, 'sub-'));
  }
  return out;
}

/** The id of a statement's object when it is an activity (role `object` of statementActivities). */
export function objectActivityId(statement: Record<string, any>): string | null {
  const object = asObject(statement.object);
  return object &&
    (object.objectType === undefined || object.objectType === 'Activity') &&
    typeof object.id === 'string'
    ? object.id
    : null;
}

/** The object activity and every context activity of a statement, with its role. */
export function statementActivities(
  statement: Record<string, any>,
  prefix = '',
): IndexedActivity[] {
  const out: IndexedActivity[] = [];
  const add = (activity: unknown, role: string) => {
    const a = asObject(activity);
    if (a && typeof a.id === 'string')
      out.push({ activityId: a.id, role: prefix + role, activity: a });
  };
  const object = asObject(statement.object);
  if (object && (object.objectType === undefined || object.objectType === 'Activity')) {
    add(object, 'object');
  }
  const contextActivities = asObject(asObject(statement.context)?.contextActivities);
  if (contextActivities) {
    for (const role of CONTEXT_ACTIVITY_ROLES) {
      for (const a of asArray(contextActivities[role])) add(a, role);
    }
  }
  if (!prefix && object && object.objectType === 'SubStatement') {
    out.push(...statementActivities(object, 'sub-'));
  }
  return out;
}

/** The statement id a voiding statement targets, or null when it does not void. */
export function voidTarget(statement: Record<string, any>): string | null {
  const object = asObject(statement.object);
  if (asObject(statement.verb)?.id !== VOIDED_VERB) return null;
  if (!object || object.objectType !== 'StatementRef' || typeof object.id !== 'string') return null;
  return object.id.toLowerCase();
}

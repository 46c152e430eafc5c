import { agentVid } from '../agents/agent-identifier';
import { ActivityProfile } from './activity-profile.entity';
import { AgentProfile } from './agent-profile.entity';
import { DocumentAddress, keyOf } from './documents.service';
import { State } from './state.entity';

/**
 * Where each kind of document lives. The HTTP resources and the jobs (seeding,
 * pull from files) address documents through these, so the keys stay one rule.
 */
function vidOf(agent: Record<string, unknown>): string {
  const vid = agentVid(agent);
  if (!vid) throw new Error('The agent has no single identifier.');
  return vid;
}

export function stateContextKey(activityId: string, vid: string): string {
  return keyOf('state', activityId, vid);
}

export function stateAddress(
  storeId: number,
  doc: {
    activityId: string;
    agent: Record<string, unknown>;
    registration?: string | null;
    stateId: string;
  },
): DocumentAddress<State> {
  const vid = vidOf(doc.agent);
  const registration = doc.registration?.toLowerCase() ?? null;
  const contextKey = stateContextKey(doc.activityId, vid);
  return {
    entity: State,
    storeId,
    contextKey,
    docKey: keyOf(contextKey, registration, doc.stateId),
    fields: {
      activityId: doc.activityId,
      agentVid: vid,
      agent: doc.agent,
      registration,
      stateId: doc.stateId,
    },
  };
}

export function activityProfileContextKey(activityId: string): string {
  return keyOf('activity-profile', activityId);
}

export function activityProfileAddress(
  storeId: number,
  doc: { activityId: string; profileId: string },
): DocumentAddress<ActivityProfile> {
  const contextKey = activityProfileContextKey(doc.activityId);
  return {
    entity: ActivityProfile,
    storeId,
    contextKey,
    docKey: keyOf(contextKey, doc.profileId),
    fields: { activityId: doc.activityId, profileId: doc.profileId },
  };
}

export function agentProfileContextKey(vid: string): string {
  return keyOf('agent-profile', vid);
}

export function agentProfileAddress(
  storeId: number,
  doc: { agent: Record<string, unknown>; profileId: string },
): DocumentAddress<AgentProfile> {
  const vid = vidOf(doc.agent);
  const contextKey = agentProfileContextKey(vid);
  return {
    entity: AgentProfile,
    storeId,
    contextKey,
    docKey: keyOf(contextKey, doc.profileId),
    fields: { agentVid: vid, agent: doc.agent, profileId: doc.profileId },
  };
}

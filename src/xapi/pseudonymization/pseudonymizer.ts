import { createHmac } from 'crypto';
import { isDeepStrictEqual } from 'util';
import { agentVid } from '../agents/agent-identifier';
import { SIGNATURE_USAGE_TYPE } from '../statements/statement-signature';

/** What a pseudonym depends on: XAPI_PSEUDO_HASH_KEY and XAPI_PSEUDO_HOMEPAGE. */
export interface PseudonymSettings {
  hashKey: string;
  homePage: string;
}

type Json = Record<string, any>;

const IDENTITY_KEYS = ['name', 'mbox', 'mbox_sha1sum', 'openid', 'account'];

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The pseudonym of an agent: HMAC-SHA256 (hex) of its canonical identifier,
 * agentVid() (`mbox::mailto:a@b.c`, `account::<homePage>::<name>`...), so that the
 * same agent gets the same pseudonym in every statement, run and instance.
 */
export function pseudonymName(vid: string, hashKey: string): string {
  return createHmac('sha256', hashKey).update(vid).digest('hex');
}

/** Whether this agent already carries a pseudonym of these settings. */
export function isPseudonymous(agent: unknown, settings: PseudonymSettings): boolean {
  return (
    isObject(agent) &&
    isObject(agent.account) &&
    agent.account.homePage === settings.homePage &&
    agentVid(agent) !== null
  );
}

/**
 * agentVid() of the pseudonym of the agent whose agentVid() is `vid`: what its
 * statement index rows hold once pseudonymized. A pseudonym's vid is itself.
 */
export function pseudonymVid(vid: string, settings: PseudonymSettings): string {
  if (vid.startsWith(`account::${settings.homePage}::`)) return vid;
  return agentVid({
    account: { homePage: settings.homePage, name: pseudonymName(vid, settings.hashKey) },
  })!;
}

/**
 * An Agent or Group with its identity replaced: an identified agent becomes
 * `{objectType: "Agent", account: {homePage, name: P}}`; a group keeps
 * `objectType: "Group"` (an Agent may not carry members) with the pseudonym of
 * its own identifier if it has one, and its members pseudonymized. Names go.
 * An agent that already carries a pseudonym is kept, so that applying this twice
 * changes nothing.
 */
export function pseudonymizeActor(actor: unknown, settings: PseudonymSettings): unknown {
  if (!isObject(actor)) return actor;
  const vid = agentVid(actor);
  const pseudonym = !vid
    ? null
    : isPseudonymous(actor, settings)
      ? { homePage: settings.homePage, name: String(actor.account.name) }
      : { homePage: settings.homePage, name: pseudonymName(vid, settings.hashKey) };
  const out: Json = {};
  for (const [k, v] of Object.entries(actor)) if (!IDENTITY_KEYS.includes(k)) out[k] = v;
  if (actor.objectType === 'Group') {
    if (pseudonym) out.account = pseudonym;
    if (Array.isArray(actor.member)) {
      out.member = actor.member.map((m) => pseudonymizeActor(m, settings));
    }
    return out;
  }
  out.objectType = 'Agent';
  if (pseudonym) out.account = pseudonym;
  return out;
}

/** The agents of a statement's (or sub-statement's) actor, object and context. */
function pseudonymizeCore(s: Json, settings: PseudonymSettings, sub: boolean): Json {
  const out: Json = { ...s };
  if (s.actor !== undefined) out.actor = pseudonymizeActor(s.actor, settings);
  if (isObject(s.object)) {
    if (s.object.objectType === 'Agent' || s.object.objectType === 'Group') {
      out.object = pseudonymizeActor(s.object, settings);
    } else if (s.object.objectType === 'SubStatement' && !sub) {
      out.object = pseudonymizeCore(s.object, settings, true);
    }
  }
  if (isObject(s.context)) {
    const c: Json = { ...s.context };
    if (c.instructor !== undefined) c.instructor = pseudonymizeActor(c.instructor, settings);
    if (c.team !== undefined) c.team = pseudonymizeActor(c.team, settings);
    if (Array.isArray(c.contextAgents)) {
      c.contextAgents = c.contextAgents.map((ca: unknown) =>
        isObject(ca) ? { ...ca, agent: pseudonymizeActor(ca.agent, settings) } : ca,
      );
    }
    if (Array.isArray(c.contextGroups)) {
      c.contextGroups = c.contextGroups.map((cg: unknown) =>
        isObject(cg) ? { ...cg, group: pseudonymizeActor(cg.group, settings) } : cg,
      );
    }
    out.context = c;
  }
  return out;
}

function isSignature(a: unknown): boolean {
  return isObject(a) && a.usageType === SIGNATURE_USAGE_TYPE;
}

/**
 * A pseudonymized copy of a statement (the input is not changed): every agent
 * identity in actor, object, context instructor and team, xAPI 2.0 contextAgents
 * and contextGroups, group members and the same inside a sub-statement. The
 * authority is kept: it names the client that stored the statement, not a learner.
 *
 * A signed statement (xAPI Data 2.6) whose agents change loses its signature
 * attachments: their JWS payload is the original statement, identities included, and
 * they could no longer verify against the pseudonymized one. `droppedAttachments`
 * tells which attachment contents the copy no longer references.
 */
export function pseudonymizeStatement<T extends Json>(
  statement: T,
  settings: PseudonymSettings,
): T {
  const out = pseudonymizeCore(statement, settings, false);
  const list: unknown[] = Array.isArray(statement.attachments) ? statement.attachments : [];
  if (!list.some(isSignature) || isDeepStrictEqual(out, statement)) return out as T;
  const kept = list.filter((a) => !isSignature(a));
  if (kept.length) out.attachments = kept;
  else delete out.attachments;
  return out as T;
}

function attachmentHashes(statement: Json): Set<string> {
  const list: unknown[] = Array.isArray(statement.attachments) ? statement.attachments : [];
  return new Set(
    list
      .filter(isObject)
      .flatMap((a) => (typeof a.sha2 === 'string' ? [a.sha2.toLowerCase()] : [])),
  );
}

/**
 * The sha2 of the attachments that `before` references and its pseudonymized copy
 * `after` no longer does (the signatures pseudonymizeStatement dropped): their stored
 * content belongs to nothing once the copy replaces the statement.
 */
export function droppedAttachments(before: Json, after: Json): string[] {
  if (!Array.isArray(before.attachments)) return [];
  const kept = attachmentHashes(after);
  return [...attachmentHashes(before)].filter((sha2) => !kept.has(sha2));
}

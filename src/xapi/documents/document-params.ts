import { hasLoneSurrogate, LONE_SURROGATE_MESSAGE } from '../../common/json-limits';
import { BadRequestException } from '@nestjs/common';
import { AGENT_IFI_KEYS, agentIfi, agentVid } from '../agents/agent-identifier';
import { isUuid } from '../validation/xapi-formats';

/** Query params of the document resources, checked as xAPI 1.0.3 asks (400 when wrong). */
export type QueryParams = Record<string, unknown>;

const IRI = /^[a-z][a-z0-9+.-]*:[^\s]*$/i;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

function bad(message: string): BadRequestException {
  return new BadRequestException(message);
}

/** A single string value of a query param, or undefined; a repeated param is a 400. */
export function stringParam(query: QueryParams, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(`The "${name}" parameter must be given once, as a string.`);
  return v;
}

export function requiredString(query: QueryParams, name: string): string {
  const v = stringParam(query, name);
  if (v === undefined || v === '') throw bad(`The "${name}" parameter is required.`);
  return v;
}

export function activityIdParam(query: QueryParams): string {
  const v = requiredString(query, 'activityId');
  if (!IRI.test(v)) throw bad('The "activityId" parameter must be an IRI.');
  if (v.length > 2048) throw bad('The "activityId" parameter is longer than 2048 characters.');
  return v;
}

export interface AgentParam {
  agent: Record<string, unknown>;
  vid: string;
}

/** Checks an xAPI Agent object: exactly one well-formed identifier. Returns a reason or null. */
export function agentProblem(a: unknown): string | null {
  if (!a || typeof a !== 'object' || Array.isArray(a)) return 'must be a JSON object';
  const o = a as Record<string, any>;
  if (o.objectType !== undefined && o.objectType !== 'Agent' && o.objectType !== 'Group') {
    return 'objectType must be "Agent"';
  }
  const ifis = AGENT_IFI_KEYS.filter((k) => o[k] !== undefined);
  if (ifis.length !== 1) return 'must have exactly one of mbox, mbox_sha1sum, openid, account';
  if (
    o.mbox !== undefined &&
    (typeof o.mbox !== 'string' || !/^mailto:[^@\s]+@[^@\s]+$/i.test(o.mbox))
  )
    return 'mbox must be a mailto: IRI';
  if (
    o.mbox_sha1sum !== undefined &&
    (typeof o.mbox_sha1sum !== 'string' || !/^[0-9a-f]{40}$/i.test(o.mbox_sha1sum))
  )
    return 'mbox_sha1sum must be 40 hexadecimal characters';
  if (o.openid !== undefined && (typeof o.openid !== 'string' || !IRI.test(o.openid)))
    return 'openid must be an IRI';
  if (o.account !== undefined) {
    const acc = o.account;
    if (!acc || typeof acc !== 'object' || Array.isArray(acc)) return 'account must be an object';
    if (typeof acc.homePage !== 'string' || !IRI.test(acc.homePage))
      return 'account.homePage must be an IRL';
    if (typeof acc.name !== 'string' || acc.name === '') return 'account.name must be a string';
  }
  if (o.name !== undefined && typeof o.name !== 'string') return 'name must be a string';
  if (!agentIfi(o)) return 'must have exactly one identifier';
  return null;
}

/** The `agent` param: a JSON-encoded Agent with exactly one identifier. */
export function agentParam(query: QueryParams, name = 'agent'): AgentParam {
  const raw = requiredString(query, name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw bad(`The "${name}" parameter must be a JSON-encoded Agent object.`);
  }
  if (hasLoneSurrogate(parsed)) throw bad(`The "${name}" parameter: ${LONE_SURROGATE_MESSAGE}`);
  const problem = agentProblem(parsed);
  if (problem) throw bad(`The "${name}" parameter is not a valid Agent: ${problem}.`);
  return { agent: parsed as Record<string, unknown>, vid: agentVid(parsed)! };
}

/** Optional `registration`: a UUID, returned lower-case. */
export function registrationParam(query: QueryParams): string | null {
  const v = stringParam(query, 'registration');
  if (v === undefined) return null;
  if (!isUuid(v)) throw bad('The "registration" parameter must be a UUID.');
  return v.toLowerCase();
}

/** Optional `since`: an ISO 8601 timestamp with a time zone. */
export function sinceParam(query: QueryParams): Date | null {
  const v = stringParam(query, 'since');
  if (v === undefined) return null;
  const d = new Date(v);
  if (!ISO_TIMESTAMP.test(v) || Number.isNaN(d.getTime())) {
    throw bad('The "since" parameter must be an ISO 8601 timestamp with a time zone.');
  }
  return d;
}

/** A document id (stateId, profileId): required for PUT and POST, optional for GET and DELETE. */
export function documentIdParam(query: QueryParams, name: string, required: boolean) {
  const v = required ? requiredString(query, name) : stringParam(query, name);
  if (v !== undefined && v.length > 2048) {
    throw bad(`The "${name}" parameter is longer than 2048 characters.`);
  }
  return v;
}

/** xAPI-Communication 3.2: a parameter the resource does not know is a 400. */
export function onlyParams(query: QueryParams, allowed: readonly string[]) {
  const unknown = Object.keys(query).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw bad(
      `Unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}: ` +
        `this resource takes ${allowed.map((k) => `"${k}"`).join(', ')}.`,
    );
  }
}

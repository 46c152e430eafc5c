import { Injectable } from '@nestjs/common';
import { AGENT_IFI_KEYS } from '../agents/agent-identifier';
import type { XapiVersion } from '../common/xapi-endpoint';
import {
  COMPONENTS_OF_INTERACTION,
  INTERACTION_COMPONENT_LISTS,
  isDuration,
  isIri,
  isIrl,
  isLanguageTag,
  isMailto,
  isMediaType,
  isSha1Hex,
  isSha2Hex,
  isStatementVersion,
  isUri,
  isUuid,
  timestampProblem,
  VOIDED_VERB,
} from './xapi-formats';

/** One broken rule: where (`actor.mbox`, `context.contextActivities.parent[0].id`) and why. */
export interface Violation {
  path: string;
  message: string;
}

/** '1.0.3' validates for 1.0.x, '2.0.0' for 2.0.x: the version a request's header names. */
export type StatementVersion = XapiVersion;

type Json = Record<string, unknown>;

/** The state of one validate() call. */
interface Run {
  readonly v2: boolean;
  readonly out: Violation[];
}

const STATEMENT_KEYS = new Set([
  'id',
  'actor',
  'verb',
  'object',
  'result',
  'context',
  'timestamp',
  'stored',
  'authority',
  'version',
  'attachments',
]);
const SUB_STATEMENT_KEYS = new Set([
  'objectType',
  'actor',
  'verb',
  'object',
  'result',
  'context',
  'timestamp',
  'attachments',
]);
/** Statement properties a SubStatement must not have (xAPI-Data 2.4.4.3). */
const NOT_IN_SUB_STATEMENT = ['id', 'stored', 'version', 'authority'];
const AGENT_KEYS = new Set(['objectType', 'name', ...AGENT_IFI_KEYS]);
const GROUP_KEYS = new Set([...AGENT_KEYS, 'member']);
const ACCOUNT_KEYS = new Set(['homePage', 'name']);
const VERB_KEYS = new Set(['id', 'display']);
const ACTIVITY_KEYS = new Set(['objectType', 'id', 'definition']);
const DEFINITION_KEYS = new Set([
  'name',
  'description',
  'type',
  'moreInfo',
  'extensions',
  'interactionType',
  'correctResponsesPattern',
  ...INTERACTION_COMPONENT_LISTS,
]);
const COMPONENT_KEYS = new Set(['id', 'description']);
const STATEMENT_REF_KEYS = new Set(['objectType', 'id']);
const RESULT_KEYS = new Set([
  'score',
  'success',
  'completion',
  'response',
  'duration',
  'extensions',
]);
const SCORE_KEYS = new Set(['scaled', 'raw', 'min', 'max']);
const CONTEXT_KEYS_1 = new Set([
  'registration',
  'instructor',
  'team',
  'contextActivities',
  'revision',
  'platform',
  'language',
  'statement',
  'extensions',
]);
const CONTEXT_KEYS_2 = new Set([...CONTEXT_KEYS_1, 'contextAgents', 'contextGroups']);
const CONTEXT_ACTIVITIES_KEYS = new Set(['parent', 'grouping', 'category', 'other']);
const CONTEXT_AGENT_KEYS = new Set(['objectType', 'agent', 'relevantTypes']);
const CONTEXT_GROUP_KEYS = new Set(['objectType', 'group', 'relevantTypes']);
const ATTACHMENT_KEYS = new Set([
  'usageType',
  'display',
  'description',
  'contentType',
  'length',
  'sha2',
  'fileUrl',
]);
const NOT_ACTIVITY = new Set(['Agent', 'Group', 'StatementRef', 'SubStatement']);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `a.b` for plain names, `a["http://x/y"]` for map keys such as IRIs and language tags. */
function child(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The xAPI statement validator: every violation of the MUST rules of xAPI 1.0.3
 * (xAPI-Data sections 2 and 4) or 2.0.0 (IEEE 9274.1.1) for one statement, each with
 * the path of the offending property. Used by the ingest and by the validation job.
 */
@Injectable()
export class StatementValidator {
  /** Every violation of the xAPI MUST rules for one statement; [] when valid. version '1.0.3' for 1.0.x, '2.0.0' for 2.0.x. */
  validate(statement: unknown, version: StatementVersion): Violation[] {
    const run: Run = { v2: version === '2.0.0', out: [] };
    this.statement(run, statement);
    return run.out;
  }

  /**
   * Every violation of the rules for an Agent or Group, as an actor is checked (one
   * identifier, valid mbox/openid/account, group members), paths under `path`. The
   * agent-deletion job checks its `agent` param with it.
   */
  validateActor(actor: unknown, version: StatementVersion, path = ''): Violation[] {
    const run: Run = { v2: version === '2.0.0', out: [] };
    this.actor(run, actor, path);
    return run.out;
  }

  private statement(run: Run, s: unknown): void {
    if (!isObject(s)) {
      this.fail(run, '', `a statement must be a JSON object, not ${typeName(s)}`);
      return;
    }
    this.unknownKeys(run, s, STATEMENT_KEYS, '');
    if (s.id !== undefined) this.uuid(run, s.id, 'id');
    this.statementCore(run, s, '');
    if (s.stored !== undefined) this.timestamp(run, s.stored, 'stored');
    if (s.authority !== undefined) this.authority(run, s.authority, 'authority');
    if (s.version !== undefined) {
      if (typeof s.version !== 'string' || !isStatementVersion(s.version, run.v2)) {
        this.fail(
          run,
          'version',
          run.v2 ? 'must be a 1.0.x or 2.0.x version string' : 'must be a 1.0.x version string',
        );
      }
    }
  }

  /** What a Statement and a SubStatement share: actor, verb, object, result, context, timestamp, attachments. */
  private statementCore(run: Run, s: Json, path: string): void {
    if (this.required(run, s, 'actor', path)) this.actor(run, s.actor, child(path, 'actor'));
    if (this.required(run, s, 'verb', path)) this.verb(run, s.verb, child(path, 'verb'));
    const isSub = path !== '';
    if (this.required(run, s, 'object', path)) {
      this.statementObject(run, s.object, child(path, 'object'), isSub);
      if (
        !isSub &&
        isObject(s.verb) &&
        s.verb.id === VOIDED_VERB &&
        isObject(s.object) &&
        s.object.objectType !== 'StatementRef'
      ) {
        this.fail(
          run,
          child(child(path, 'object'), 'objectType'),
          'a voiding statement (verb voided) must have a StatementRef object',
        );
      }
    }
    if (s.result !== undefined) this.result(run, s.result, child(path, 'result'));
    if (s.context !== undefined) this.context(run, s.context, child(path, 'context'), s.object);
    if (s.timestamp !== undefined) this.timestamp(run, s.timestamp, child(path, 'timestamp'));
    if (s.attachments !== undefined) {
      this.attachments(run, s.attachments, child(path, 'attachments'));
    }
  }

  // ---- actors -------------------------------------------------------------------------

  /** An actor (Agent or Group), as in actor, instructor, object of type Agent/Group. */
  private actor(run: Run, a: unknown, path: string): void {
    if (!isObject(a)) {
      this.fail(run, path, `must be an Agent or Group object, not ${typeName(a)}`);
      return;
    }
    if (a.objectType === undefined || a.objectType === 'Agent') this.agent(run, a, path);
    else if (a.objectType === 'Group') this.group(run, a, path);
    else this.fail(run, child(path, 'objectType'), 'must be "Agent" or "Group"');
  }

  private agent(run: Run, a: unknown, path: string): void {
    if (!isObject(a)) {
      this.fail(run, path, `must be an Agent object, not ${typeName(a)}`);
      return;
    }
    this.unknownKeys(run, a, AGENT_KEYS, path);
    if (a.objectType !== undefined && a.objectType !== 'Agent') {
      this.fail(run, child(path, 'objectType'), 'must be "Agent"');
    }
    this.optionalString(run, a, 'name', path);
    const ifis = this.ifis(run, a, path);
    if (ifis !== 1) {
      this.fail(
        run,
        path,
        ifis === 0
          ? 'an Agent must have exactly one identifier (mbox, mbox_sha1sum, openid or account); it has none'
          : `an Agent must have exactly one identifier (mbox, mbox_sha1sum, openid or account); it has ${ifis}`,
      );
    }
  }

  private group(run: Run, g: Json, path: string): void {
    this.unknownKeys(run, g, GROUP_KEYS, path);
    this.optionalString(run, g, 'name', path);
    const ifis = this.ifis(run, g, path);
    if (ifis > 1) {
      this.fail(
        run,
        path,
        `a Group must have at most one identifier (mbox, mbox_sha1sum, openid or account); it has ${ifis}`,
      );
    }
    if (g.member === undefined) {
      if (ifis === 0) this.fail(run, child(path, 'member'), 'is required for an anonymous Group');
      return;
    }
    if (!Array.isArray(g.member)) {
      this.fail(
        run,
        child(path, 'member'),
        `must be an array of Agents, not ${typeName(g.member)}`,
      );
      return;
    }
    if (ifis === 0 && g.member.length === 0) {
      this.fail(run, child(path, 'member'), 'an anonymous Group must have at least one member');
    }
    g.member.forEach((m, i) => {
      const mp = `${path}.member[${i}]`;
      if (isObject(m) && m.objectType === 'Group') {
        this.fail(run, child(mp, 'objectType'), 'a Group member must be an Agent, not a Group');
      } else {
        this.agent(run, m, mp);
      }
    });
  }

  /** Validates the identifiers present and returns how many there are. */
  private ifis(run: Run, a: Json, path: string): number {
    let count = 0;
    for (const key of AGENT_IFI_KEYS) {
      const value = a[key];
      if (value === undefined) continue;
      count++;
      const p = child(path, key);
      if (key === 'account') {
        this.account(run, value, p);
      } else if (typeof value !== 'string') {
        this.fail(run, p, `must be a string, not ${typeName(value)}`);
      } else if (key === 'mbox' && !isMailto(value)) {
        this.fail(
          run,
          p,
          'must be a mailto: IRI with one email address, e.g. mailto:ann@example.com',
        );
      } else if (key === 'mbox_sha1sum' && !isSha1Hex(value)) {
        this.fail(run, p, 'must be the 40 hex digits of a SHA-1 hash');
      } else if (key === 'openid' && !isUri(value)) {
        this.fail(run, p, 'must be an absolute URI');
      }
    }
    return count;
  }

  private account(run: Run, acc: unknown, path: string): void {
    if (!isObject(acc)) {
      this.fail(run, path, `must be an object with homePage and name, not ${typeName(acc)}`);
      return;
    }
    this.unknownKeys(run, acc, ACCOUNT_KEYS, path);
    if (this.required(run, acc, 'homePage', path)) this.irl(run, acc.homePage, `${path}.homePage`);
    if (this.required(run, acc, 'name', path) && typeof acc.name !== 'string') {
      this.fail(run, `${path}.name`, `must be a string, not ${typeName(acc.name)}`);
    }
  }

  /** The authority: an Agent, or for OAuth an anonymous Group of exactly two Agents. */
  private authority(run: Run, a: unknown, path: string): void {
    this.actor(run, a, path);
    if (isObject(a) && a.objectType === 'Group') {
      for (const key of AGENT_IFI_KEYS) {
        if (a[key] !== undefined) {
          this.fail(run, child(path, key), 'an authority Group (OAuth) must be anonymous');
        }
      }
      if (Array.isArray(a.member) && a.member.length !== 2) {
        this.fail(
          run,
          child(path, 'member'),
          'an authority Group (OAuth consumer and user) must have exactly two members',
        );
      }
    }
  }

  // ---- verb and object ----------------------------------------------------------------

  private verb(run: Run, v: unknown, path: string): void {
    if (!isObject(v)) {
      this.fail(run, path, `must be a Verb object, not ${typeName(v)}`);
      return;
    }
    this.unknownKeys(run, v, VERB_KEYS, path);
    if (this.required(run, v, 'id', path)) this.iri(run, v.id, `${path}.id`);
    if (v.display !== undefined) this.languageMap(run, v.display, `${path}.display`);
  }

  private statementObject(run: Run, o: unknown, path: string, inSubStatement: boolean): void {
    if (!isObject(o)) {
      this.fail(run, path, `must be an object, not ${typeName(o)}`);
      return;
    }
    switch (o.objectType) {
      case undefined:
      case 'Activity':
        this.activity(run, o, path);
        return;
      case 'Agent':
        this.agent(run, o, path);
        return;
      case 'Group':
        this.group(run, o, path);
        return;
      case 'StatementRef':
        this.statementRef(run, o, path);
        return;
      case 'SubStatement':
        if (inSubStatement) {
          this.fail(run, `${path}.objectType`, 'a SubStatement must not contain a SubStatement');
        } else {
          this.subStatement(run, o, path);
        }
        return;
      default:
        this.fail(
          run,
          `${path}.objectType`,
          'must be one of "Activity", "Agent", "Group", "StatementRef", "SubStatement"',
        );
    }
  }

  private activity(run: Run, a: unknown, path: string): void {
    if (!isObject(a)) {
      this.fail(run, path, `must be an Activity object, not ${typeName(a)}`);
      return;
    }
    this.unknownKeys(run, a, ACTIVITY_KEYS, path);
    if (a.objectType !== undefined && a.objectType !== 'Activity') {
      this.fail(run, `${path}.objectType`, 'must be "Activity"');
    }
    if (this.required(run, a, 'id', path)) this.iri(run, a.id, `${path}.id`);
    if (a.definition !== undefined) this.definition(run, a.definition, `${path}.definition`);
  }

  private definition(run: Run, d: unknown, path: string): void {
    if (!isObject(d)) {
      this.fail(run, path, `must be an object, not ${typeName(d)}`);
      return;
    }
    this.unknownKeys(run, d, DEFINITION_KEYS, path);
    if (d.name !== undefined) this.languageMap(run, d.name, `${path}.name`);
    if (d.description !== undefined) this.languageMap(run, d.description, `${path}.description`);
    if (d.type !== undefined) this.iri(run, d.type, `${path}.type`);
    if (d.moreInfo !== undefined) this.irl(run, d.moreInfo, `${path}.moreInfo`);
    if (d.extensions !== undefined) this.extensions(run, d.extensions, `${path}.extensions`);

    const type = d.interactionType;
    let allowed: readonly string[] | undefined;
    if (type !== undefined) {
      allowed = typeof type === 'string' ? COMPONENTS_OF_INTERACTION.get(type) : undefined;
      if (!allowed) {
        this.fail(
          run,
          `${path}.interactionType`,
          `must be one of ${[...COMPONENTS_OF_INTERACTION.keys()].join(', ')}`,
        );
      }
    }
    if (d.correctResponsesPattern !== undefined) {
      const p = `${path}.correctResponsesPattern`;
      if (type === undefined) this.fail(run, p, 'requires an interactionType');
      if (!Array.isArray(d.correctResponsesPattern)) {
        this.fail(
          run,
          p,
          `must be an array of strings, not ${typeName(d.correctResponsesPattern)}`,
        );
      } else {
        d.correctResponsesPattern.forEach((r, i) => {
          if (typeof r !== 'string')
            this.fail(run, `${p}[${i}]`, `must be a string, not ${typeName(r)}`);
        });
      }
    }
    for (const list of INTERACTION_COMPONENT_LISTS) {
      if (d[list] === undefined) continue;
      const p = `${path}.${list}`;
      if (type === undefined) this.fail(run, p, 'requires an interactionType');
      else if (allowed && !allowed.includes(list)) {
        this.fail(run, p, `is not allowed for interactionType ${String(type)}`);
      }
      this.components(run, d[list], p);
    }
  }

  private components(run: Run, list: unknown, path: string): void {
    if (!Array.isArray(list)) {
      this.fail(run, path, `must be an array of interaction components, not ${typeName(list)}`);
      return;
    }
    const seen = new Set<string>();
    list.forEach((c, i) => {
      const p = `${path}[${i}]`;
      if (!isObject(c)) {
        this.fail(run, p, `must be an interaction component object, not ${typeName(c)}`);
        return;
      }
      this.unknownKeys(run, c, COMPONENT_KEYS, p);
      if (this.required(run, c, 'id', p)) {
        if (typeof c.id !== 'string' || c.id === '') {
          this.fail(run, `${p}.id`, 'must be a non-empty string');
        } else if (seen.has(c.id)) {
          this.fail(run, `${p}.id`, 'must be distinct within its list');
        } else {
          seen.add(c.id);
        }
      }
      if (c.description !== undefined) this.languageMap(run, c.description, `${p}.description`);
    });
  }

  private statementRef(run: Run, r: unknown, path: string): void {
    if (!isObject(r)) {
      this.fail(run, path, `must be a StatementRef object, not ${typeName(r)}`);
      return;
    }
    this.unknownKeys(run, r, STATEMENT_REF_KEYS, path);
    if (r.objectType !== 'StatementRef') {
      this.fail(run, `${path}.objectType`, 'must be "StatementRef"');
    }
    if (this.required(run, r, 'id', path)) this.uuid(run, r.id, `${path}.id`);
  }

  private subStatement(run: Run, s: Json, path: string): void {
    for (const key of Object.keys(s)) {
      if (NOT_IN_SUB_STATEMENT.includes(key)) {
        this.fail(run, `${path}.${key}`, `a SubStatement must not have ${key}`);
      } else if (!SUB_STATEMENT_KEYS.has(key)) {
        this.fail(run, child(path, key), 'is not a property of a SubStatement');
      }
    }
    this.statementCore(run, s, path);
  }

  // ---- result ---------------------------------------------------------------------------

  private result(run: Run, r: unknown, path: string): void {
    if (!isObject(r)) {
      this.fail(run, path, `must be a Result object, not ${typeName(r)}`);
      return;
    }
    this.unknownKeys(run, r, RESULT_KEYS, path);
    if (r.score !== undefined) this.score(run, r.score, `${path}.score`);
    this.optionalBoolean(run, r, 'success', path);
    this.optionalBoolean(run, r, 'completion', path);
    this.optionalString(run, r, 'response', path);
    if (r.duration !== undefined) {
      if (typeof r.duration !== 'string' || !isDuration(r.duration)) {
        this.fail(run, `${path}.duration`, 'must be an ISO 8601 duration, e.g. PT1H30M or PT12.5S');
      }
    }
    if (r.extensions !== undefined) this.extensions(run, r.extensions, `${path}.extensions`);
  }

  private score(run: Run, s: unknown, path: string): void {
    if (!isObject(s)) {
      this.fail(run, path, `must be a Score object, not ${typeName(s)}`);
      return;
    }
    this.unknownKeys(run, s, SCORE_KEYS, path);
    const num = (key: string): number | undefined => {
      const v = s[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        this.fail(run, `${path}.${key}`, `must be a number, not ${typeName(v)}`);
        return undefined;
      }
      return v;
    };
    const scaled = num('scaled');
    const raw = num('raw');
    const min = num('min');
    const max = num('max');
    if (scaled !== undefined && (scaled < -1 || scaled > 1)) {
      this.fail(run, `${path}.scaled`, 'must be between -1 and 1');
    }
    if (min !== undefined && max !== undefined && min >= max) {
      this.fail(run, `${path}.min`, 'must be less than max');
    }
    if (raw !== undefined && min !== undefined && raw < min) {
      this.fail(run, `${path}.raw`, 'must not be less than min');
    }
    if (raw !== undefined && max !== undefined && raw > max) {
      this.fail(run, `${path}.raw`, 'must not be greater than max');
    }
  }

  // ---- context --------------------------------------------------------------------------

  private context(run: Run, c: unknown, path: string, object: unknown): void {
    if (!isObject(c)) {
      this.fail(run, path, `must be a Context object, not ${typeName(c)}`);
      return;
    }
    for (const key of Object.keys(c)) {
      if (run.v2 ? CONTEXT_KEYS_2.has(key) : CONTEXT_KEYS_1.has(key)) continue;
      this.fail(
        run,
        child(path, key),
        CONTEXT_KEYS_2.has(key)
          ? 'is an xAPI 2.0 property, unknown in 1.0.x'
          : 'is not a property of a Context',
      );
    }
    if (c.registration !== undefined) this.uuid(run, c.registration, `${path}.registration`);
    if (c.instructor !== undefined) this.actor(run, c.instructor, `${path}.instructor`);
    if (c.team !== undefined) {
      if (isObject(c.team) && c.team.objectType === 'Group')
        this.group(run, c.team, `${path}.team`);
      else if (isObject(c.team)) this.fail(run, `${path}.team.objectType`, 'must be "Group"');
      else this.fail(run, `${path}.team`, `must be a Group object, not ${typeName(c.team)}`);
    }
    if (c.contextActivities !== undefined) {
      this.contextActivities(run, c.contextActivities, `${path}.contextActivities`);
    }
    // Only a valid non-Activity object makes them wrong; a broken object is reported on its own.
    const objectIsNotActivity =
      isObject(object) &&
      typeof object.objectType === 'string' &&
      NOT_ACTIVITY.has(object.objectType);
    for (const key of ['revision', 'platform']) {
      if (c[key] === undefined) continue;
      if (typeof c[key] !== 'string') {
        this.fail(run, `${path}.${key}`, `must be a string, not ${typeName(c[key])}`);
      } else if (objectIsNotActivity) {
        this.fail(run, `${path}.${key}`, 'is only allowed when the object is an Activity');
      }
    }
    if (c.language !== undefined) {
      if (typeof c.language !== 'string' || !isLanguageTag(c.language)) {
        this.fail(run, `${path}.language`, 'must be an RFC 5646 language tag, e.g. en-US');
      }
    }
    if (c.statement !== undefined) this.statementRef(run, c.statement, `${path}.statement`);
    if (c.extensions !== undefined) this.extensions(run, c.extensions, `${path}.extensions`);
    if (run.v2) {
      if (c.contextAgents !== undefined) {
        this.contextActors(run, c.contextAgents, `${path}.contextAgents`, 'agent');
      }
      if (c.contextGroups !== undefined) {
        this.contextActors(run, c.contextGroups, `${path}.contextGroups`, 'group');
      }
    }
  }

  private contextActivities(run: Run, ca: unknown, path: string): void {
    if (!isObject(ca)) {
      this.fail(run, path, `must be an object, not ${typeName(ca)}`);
      return;
    }
    this.unknownKeys(run, ca, CONTEXT_ACTIVITIES_KEYS, path);
    for (const key of CONTEXT_ACTIVITIES_KEYS) {
      const value = ca[key];
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        value.forEach((a, i) => this.activity(run, a, `${path}.${key}[${i}]`));
      } else {
        this.activity(run, value, `${path}.${key}`);
      }
    }
  }

  /** xAPI 2.0 contextAgents / contextGroups: arrays of {objectType, agent|group, relevantTypes}. */
  private contextActors(run: Run, list: unknown, path: string, kind: 'agent' | 'group'): void {
    if (!Array.isArray(list)) {
      this.fail(run, path, `must be an array, not ${typeName(list)}`);
      return;
    }
    const objectType = kind === 'agent' ? 'contextAgent' : 'contextGroup';
    list.forEach((entry, i) => {
      const p = `${path}[${i}]`;
      if (!isObject(entry)) {
        this.fail(run, p, `must be a ${objectType} object, not ${typeName(entry)}`);
        return;
      }
      this.unknownKeys(run, entry, kind === 'agent' ? CONTEXT_AGENT_KEYS : CONTEXT_GROUP_KEYS, p);
      if (entry.objectType !== objectType) {
        this.fail(run, `${p}.objectType`, `must be "${objectType}"`);
      }
      if (this.required(run, entry, kind, p)) {
        const actor = entry[kind];
        if (kind === 'agent' && isObject(actor) && actor.objectType === 'Group') {
          this.fail(run, `${p}.agent.objectType`, 'must be "Agent" (groups go in contextGroups)');
        } else if (kind === 'agent') this.agent(run, actor, `${p}.agent`);
        else if (isObject(actor) && actor.objectType === 'Group')
          this.group(run, actor, `${p}.group`);
        else if (isObject(actor)) this.fail(run, `${p}.group.objectType`, 'must be "Group"');
        else this.fail(run, `${p}.group`, `must be a Group object, not ${typeName(actor)}`);
      }
      if (entry.relevantTypes !== undefined) {
        const rp = `${p}.relevantTypes`;
        if (!Array.isArray(entry.relevantTypes) || entry.relevantTypes.length === 0) {
          this.fail(run, rp, 'must be a non-empty array of IRIs');
        } else {
          entry.relevantTypes.forEach((t, j) => this.iri(run, t, `${rp}[${j}]`));
        }
      }
    });
  }

  // ---- attachments ----------------------------------------------------------------------

  private attachments(run: Run, list: unknown, path: string): void {
    if (!Array.isArray(list)) {
      this.fail(run, path, `must be an array of attachments, not ${typeName(list)}`);
      return;
    }
    list.forEach((a, i) => {
      const p = `${path}[${i}]`;
      if (!isObject(a)) {
        this.fail(run, p, `must be an attachment object, not ${typeName(a)}`);
        return;
      }
      this.unknownKeys(run, a, ATTACHMENT_KEYS, p);
      if (this.required(run, a, 'usageType', p)) this.iri(run, a.usageType, `${p}.usageType`);
      if (this.required(run, a, 'display', p)) this.languageMap(run, a.display, `${p}.display`);
      if (a.description !== undefined) this.languageMap(run, a.description, `${p}.description`);
      if (this.required(run, a, 'contentType', p)) {
        if (typeof a.contentType !== 'string' || !isMediaType(a.contentType)) {
          this.fail(
            run,
            `${p}.contentType`,
            'must be an Internet Media Type, e.g. application/pdf',
          );
        }
      }
      if (this.required(run, a, 'length', p)) {
        if (typeof a.length !== 'number' || !Number.isInteger(a.length) || a.length < 0) {
          this.fail(run, `${p}.length`, 'must be a non-negative integer (bytes)');
        }
      }
      if (this.required(run, a, 'sha2', p)) {
        if (typeof a.sha2 !== 'string' || !isSha2Hex(a.sha2)) {
          this.fail(run, `${p}.sha2`, 'must be the hex digest of a SHA-2 hash');
        }
      }
      if (a.fileUrl !== undefined) this.irl(run, a.fileUrl, `${p}.fileUrl`);
    });
  }

  // ---- values ---------------------------------------------------------------------------

  private languageMap(run: Run, m: unknown, path: string): void {
    if (!isObject(m)) {
      this.fail(run, path, `must be a language map object, not ${typeName(m)}`);
      return;
    }
    for (const key of Object.keys(m)) {
      if (!isLanguageTag(key)) {
        this.fail(run, child(path, key), 'the key must be an RFC 5646 language tag, e.g. en-US');
      } else if (typeof m[key] !== 'string') {
        this.fail(run, child(path, key), `must be a string, not ${typeName(m[key])}`);
      }
    }
  }

  private extensions(run: Run, e: unknown, path: string): void {
    if (!isObject(e)) {
      this.fail(run, path, `must be an object with IRI keys, not ${typeName(e)}`);
      return;
    }
    for (const key of Object.keys(e)) {
      if (!isIri(key)) this.fail(run, child(path, key), 'the key must be an IRI');
    }
  }

  private iri(run: Run, v: unknown, path: string): void {
    if (typeof v !== 'string') this.fail(run, path, `must be an IRI string, not ${typeName(v)}`);
    else if (!isIri(v)) this.fail(run, path, 'must be an absolute IRI, e.g. http://example.com/x');
  }

  private irl(run: Run, v: unknown, path: string): void {
    if (typeof v !== 'string') this.fail(run, path, `must be an IRL string, not ${typeName(v)}`);
    else if (!isIrl(v)) this.fail(run, path, 'must be an IRL, e.g. http://example.com/x');
  }

  private uuid(run: Run, v: unknown, path: string): void {
    if (typeof v !== 'string' || !isUuid(v)) this.fail(run, path, 'must be a UUID');
  }

  private timestamp(run: Run, v: unknown, path: string): void {
    if (typeof v !== 'string') {
      this.fail(run, path, `must be a timestamp string, not ${typeName(v)}`);
      return;
    }
    const problem = timestampProblem(v, run.v2);
    if (problem) this.fail(run, path, problem);
  }

  private optionalString(run: Run, o: Json, key: string, path: string): void {
    if (o[key] !== undefined && typeof o[key] !== 'string') {
      this.fail(run, child(path, key), `must be a string, not ${typeName(o[key])}`);
    }
  }

  private optionalBoolean(run: Run, o: Json, key: string, path: string): void {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') {
      this.fail(run, child(path, key), `must be true or false, not ${typeName(o[key])}`);
    }
  }

  /** True when the property is there (and not null); records a violation otherwise. */
  private required(run: Run, o: Json, key: string, path: string): boolean {
    const value = o[key];
    if (value === undefined) {
      this.fail(run, child(path, key), 'is required');
      return false;
    }
    if (value === null) {
      this.fail(run, child(path, key), 'is required and must not be null');
      return false;
    }
    return true;
  }

  private unknownKeys(run: Run, o: Json, allowed: Set<string>, path: string): void {
    for (const key of Object.keys(o)) {
      if (!allowed.has(key)) this.fail(run, child(path, key), 'is not an xAPI property here');
    }
  }

  private fail(run: Run, path: string, message: string): void {
    run.out.push({ path, message });
  }
}

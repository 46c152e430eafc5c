import { AGENT_IFI_KEYS } from '../agents/agent-identifier';

/** The `format` parameter of GET statements: ids, exact (as stored) or canonical. */
export type StatementFormat = 'ids' | 'exact' | 'canonical';

function isObject(v: unknown): v is Record<string, any> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function idsOfAgent(agent: unknown): unknown {
  if (!isObject(agent)) return agent;
  const out: Record<string, unknown> = {};
  if (agent.objectType) out.objectType = agent.objectType;
  for (const k of AGENT_IFI_KEYS) {
    if (agent[k] !== undefined) out[k] = agent[k];
  }
  if (
    agent.objectType === 'Group' &&
    Array.isArray(agent.member) &&
    Object.keys(out).length === 1
  ) {
    out.member = agent.member.map(idsOfAgent);
  }
  return out;
}

function idsOfObject(object: unknown): unknown {
  if (!isObject(object)) return object;
  const type = object.objectType;
  if (type === 'Agent' || type === 'Group') return idsOfAgent(object);
  if (type === 'SubStatement') return idsOfStatement(object);
  if (type === 'StatementRef') return object;
  // An Activity is its id alone (objectType is optional and adds nothing).
  return { id: object.id };
}

function idsOfStatement(s: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...s };
  if (s.actor) out.actor = idsOfAgent(s.actor);
  if (isObject(s.verb)) out.verb = { id: s.verb.id };
  if (s.object) out.object = idsOfObject(s.object);
  if (s.authority) out.authority = idsOfAgent(s.authority);
  if (isObject(s.context)) {
    const c: Record<string, any> = { ...s.context };
    if (c.instructor) c.instructor = idsOfAgent(c.instructor);
    if (c.team) c.team = idsOfAgent(c.team);
    if (isObject(c.contextActivities)) {
      const ca: Record<string, any> = {};
      for (const [k, v] of Object.entries(c.contextActivities)) {
        ca[k] = Array.isArray(v) ? v.map(idsOfObject) : idsOfObject(v);
      }
      c.contextActivities = ca;
    }
    out.context = c;
  }
  return out;
}

/** Accept-Language as ordered tags, e.g. ['fr-ca', 'fr', 'en']. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((p) => {
      const [tag, ...params] = p.trim().split(';');
      const q = params.map((x) => /q=([\d.]+)/.exec(x)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1 };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q)
    .map((x) => x.tag);
}

function pickLanguage(map: Record<string, string>, languages: string[]): Record<string, string> {
  const keys = Object.keys(map);
  if (keys.length <= 1) return map;
  for (const lang of languages) {
    if (lang === '*') break;
    const exact = keys.find((k) => k.toLowerCase() === lang);
    if (exact) return { [exact]: map[exact] };
    const prefix = keys.find((k) => k.toLowerCase().split('-')[0] === lang.split('-')[0]);
    if (prefix) return { [prefix]: map[prefix] };
  }
  const und = keys.find((k) => k.toLowerCase() === 'und');
  const first = und ?? keys[0];
  return { [first]: map[first] };
}

function canonical(value: unknown, key: string | null, languages: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, null, languages));
  if (!isObject(value)) return value;
  const isLanguageMap =
    (key === 'display' || key === 'name' || key === 'description') &&
    Object.values(value).every((v) => typeof v === 'string');
  if (isLanguageMap) return pickLanguage(value, languages);
  // fromEntries defines own keys: a key "__proto__" stays data, never a prototype.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      // Agent names are not language maps.
      k === 'name' && typeof v === 'string' ? v : canonical(v, k, languages),
    ]),
  );
}

export function formatStatement(
  statement: Record<string, any>,
  format: StatementFormat,
  languages: string[] = [],
): Record<string, any> {
  if (format === 'ids') return idsOfStatement(statement);
  if (format === 'canonical') return canonical(statement, null, languages) as Record<string, any>;
  return statement;
}

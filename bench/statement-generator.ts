import { createHash } from 'crypto';

/**
 * Deterministic, realistic xAPI 1.0.3 statements for benchmarks: a fixed population of
 * agents (every identifier type), ADL verbs, a course catalogue of activities with
 * definitions (some interactions), contexts and results. Batch n is the same for a given
 * seed whatever order the batches are asked for.
 */

export type Json = Record<string, any>;

/**
 * sfc32 (128-bit state), seeded from (seed, stream): each batch gets its own stream.
 * A 32-bit generator (mulberry32) was tried first: with 10,000 batches some streams
 * overlapped and repeated whole statements, ids included (1,277 in a million).
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    this.a = seed >>> 0;
    this.b = stream >>> 0;
    this.c = 0x9e3779b9;
    this.d = 1;
    for (let i = 0; i < 15; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A version 4 UUID from this generator. */
  uuid(): string {
    const hex: string[] = [];
    for (let i = 0; i < 4; i++) hex.push((this.next() * 4294967296).toString(16).padStart(8, '0'));
    const h = hex.join('');
    const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

const ADL = 'http://adlnet.gov/expapi/verbs/';
/** ~20 verbs of the ADL vocabulary, with a weight (how often they occur). */
const VERBS: [string, number][] = [
  ['launched', 8],
  ['initialized', 8],
  ['experienced', 14],
  ['progressed', 8],
  ['answered', 16],
  ['attempted', 6],
  ['completed', 8],
  ['passed', 5],
  ['failed', 2],
  ['scored', 3],
  ['terminated', 7],
  ['suspended', 2],
  ['resumed', 2],
  ['exited', 2],
  ['interacted', 3],
  ['commented', 1],
  ['asked', 1],
  ['attended', 1],
  ['registered', 2],
  ['mastered', 1],
  ['shared', 1],
];
const DISPLAY_DE: Record<string, string> = {
  completed: 'abgeschlossen',
  passed: 'bestanden',
  failed: 'nicht bestanden',
  answered: 'beantwortet',
  experienced: 'erlebt',
};

const ACTIVITY_TYPE = 'http://adlnet.gov/expapi/activities/';
const LANGS = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES'];
const TOPICS = [
  'Safety',
  'Compliance',
  'Leadership',
  'Negotiation',
  'Spreadsheets',
  'First Aid',
  'Data Privacy',
  'Customer Care',
  'Project Planning',
  'Statistics',
  'Writing',
  'Onboarding',
];

export interface Population {
  agents: Json[];
  instructors: Json[];
  verbs: { verb: Json; weight: number }[];
  verbWeightTotal: number;
  courses: Json[];
  modules: { activity: Json; course: Json }[];
  /** Lessons, media, assessments: things one experiences/completes. */
  contents: { activity: Json; module: Json; course: Json }[];
  interactions: { activity: Json; module: Json; course: Json; responses: string[] }[];
  categories: Json[];
  registrations: string[];
}

function sha1(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

function agentOf(rng: Rng, kind: number, n: number): Json {
  const first = rng.pick(['Ada', 'Ben', 'Chloe', 'Dev', 'Eva', 'Femi', 'Gus', 'Hana', 'Ivo']);
  const last = rng.pick(['Ng', 'Okafor', 'Schmidt', 'Rossi', 'Kowalski', 'Silva', 'Tanaka']);
  const name = `${first} ${last} ${n}`;
  const agent: Json = { objectType: 'Agent' };
  if (rng.chance(0.7)) agent.name = name;
  const email = `mailto:${first.toLowerCase()}.${last.toLowerCase()}.${n}@example.org`;
  if (kind === 0) agent.mbox = email;
  else if (kind === 1) agent.mbox_sha1sum = sha1(email);
  else if (kind === 2) agent.openid = `https://id.example.org/users/${n}`;
  else agent.account = { homePage: 'https://lms.example.org', name: `user-${n}` };
  return agent;
}

function langMap(rng: Rng, text: string): Record<string, string> {
  const map: Record<string, string> = { 'en-US': text };
  if (rng.chance(0.3)) map[rng.pick(LANGS.slice(1))] = `${text} (tr)`;
  return map;
}

function interactionDefinition(rng: Rng, n: number): { definition: Json; responses: string[] } {
  const kind = rng.pick(['choice', 'true-false', 'fill-in', 'likert', 'matching', 'numeric']);
  const q = `Question ${n}`;
  const base: Json = {
    name: { 'en-US': q },
    description: { 'en-US': `${q}: pick the best answer.` },
    type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
    interactionType: kind,
  };
  const component = (id: string, text: string) => ({ id, description: { 'en-US': text } });
  switch (kind) {
    case 'choice': {
      const ids = ['a', 'b', 'c', 'd'];
      base.choices = ids.map((id) => component(id, `Option ${id.toUpperCase()}`));
      base.correctResponsesPattern = [rng.pick(ids)];
      return { definition: base, responses: ids };
    }
    case 'true-false':
      base.correctResponsesPattern = [rng.chance(0.5) ? 'true' : 'false'];
      return { definition: base, responses: ['true', 'false'] };
    case 'fill-in':
      base.correctResponsesPattern = ['{case_matters=false}photosynthesis'];
      return { definition: base, responses: ['photosynthesis', 'respiration', 'osmosis'] };
    case 'likert': {
      const ids = ['likert_0', 'likert_1', 'likert_2', 'likert_3', 'likert_4'];
      base.scale = ids.map((id, i) =>
        component(id, ['No', 'Rarely', 'Sometimes', 'Often', 'Yes'][i]),
      );
      base.correctResponsesPattern = ['likert_4'];
      return { definition: base, responses: ids };
    }
    case 'matching':
      base.source = [component('ben', 'Ben'), component('chris', 'Chris')];
      base.target = [component('1', 'Swimming'), component('2', 'Cycling')];
      base.correctResponsesPattern = ['ben[.]1[,]chris[.]2'];
      return { definition: base, responses: ['ben[.]1[,]chris[.]2', 'ben[.]2[,]chris[.]1'] };
    default:
      base.correctResponsesPattern = ['4[:]6'];
      return { definition: base, responses: ['3', '4', '5', '6', '7'] };
  }
}

/** The fixed world the statements are drawn from. */
export function buildPopulation(seed: number, agentsPerType = 2500): Population {
  const rng = new Rng(seed, 0xffffffff);
  const agents: Json[] = [];
  for (let kind = 0; kind < 4; kind++) {
    for (let i = 0; i < agentsPerType; i++)
      agents.push(agentOf(rng, kind, kind * agentsPerType + i));
  }
  const instructors = Array.from({ length: 40 }, (_, i) => {
    const a = agentOf(rng, i % 4, 900000 + i);
    a.name = `Instructor ${i}`;
    return a;
  });
  const verbs = VERBS.map(([name, weight]) => {
    const display: Record<string, string> = { 'en-US': name };
    if (DISPLAY_DE[name]) display['de-DE'] = DISPLAY_DE[name];
    return { verb: { id: ADL + name, display }, weight };
  });
  const courses: Json[] = [];
  const modules: Population['modules'] = [];
  const contents: Population['contents'] = [];
  const interactions: Population['interactions'] = [];
  let q = 0;
  for (let c = 0; c < 24; c++) {
    const topic = TOPICS[c % TOPICS.length];
    const course = {
      objectType: 'Activity',
      id: `https://courses.example.org/course/${c}`,
      definition: {
        name: langMap(rng, `${topic} ${100 + c}`),
        description: langMap(
          rng,
          `An introduction to ${topic.toLowerCase()}, level ${1 + (c % 3)}.`,
        ),
        type: ACTIVITY_TYPE + 'course',
        moreInfo: `https://courses.example.org/catalogue/${c}`,
      },
    };
    courses.push(course);
    for (let m = 0; m < 3; m++) {
      const module = {
        objectType: 'Activity',
        id: `${course.id}/module/${m}`,
        definition: {
          name: langMap(rng, `${topic} ${100 + c}, module ${m + 1}`),
          description: { 'en-US': `Module ${m + 1} of ${topic}.` },
          type: ACTIVITY_TYPE + 'module',
        },
      };
      modules.push({ activity: module, course });
      for (let l = 0; l < 3; l++) {
        const type = rng.pick(['lesson', 'media', 'assessment', 'simulation', 'link']);
        contents.push({
          activity: {
            objectType: 'Activity',
            id: `${module.id}/${type}/${l}`,
            definition: {
              name: langMap(rng, `${topic}: ${type} ${m + 1}.${l + 1}`),
              description: { 'en-US': `A ${type} about ${topic.toLowerCase()}.` },
              type: ACTIVITY_TYPE + type,
              extensions: { 'https://courses.example.org/ext/minutes': rng.between(5, 45) },
            },
          },
          module,
          course,
        });
      }
      for (let i = 0; i < 2; i++) {
        const { definition, responses } = interactionDefinition(rng, q);
        interactions.push({
          activity: {
            objectType: 'Activity',
            id: `${module.id}/question/${q++}`,
            definition,
          },
          module,
          course,
          responses,
        });
      }
    }
  }
  const categories = [
    { id: 'https://w3id.org/xapi/cmi5/context/categories/moveon' },
    { id: 'https://w3id.org/xapi/video' },
    {
      id: 'https://courses.example.org/profile/v1',
      definition: { type: ACTIVITY_TYPE + 'profile' },
    },
  ];
  const registrations = Array.from({ length: 20000 }, () => rng.uuid());
  return {
    agents,
    instructors,
    verbs,
    verbWeightTotal: verbs.reduce((s, v) => s + v.weight, 0),
    courses,
    modules,
    contents,
    interactions,
    categories,
    registrations,
  };
}

const YEAR_START = Date.UTC(2025, 0, 1);
const YEAR_MS = 365 * 24 * 3600 * 1000;

function duration(rng: Rng): string {
  const minutes = rng.int(90);
  const seconds = rng.int(60);
  const cents = rng.int(100);
  return minutes ? `PT${minutes}M${seconds}.${cents}S` : `PT${seconds}.${cents}S`;
}

/** Only the id, or the id with its definition (clients send either). */
function ref(rng: Rng, activity: Json, withDefinition: number): Json {
  return rng.chance(withDefinition) ? activity : { id: activity.id };
}

/** One statement drawn from the population. */
export function makeStatement(rng: Rng, pop: Population): Json {
  let w = rng.int(pop.verbWeightTotal);
  let verb = pop.verbs[0].verb;
  for (const v of pop.verbs) {
    if (w < v.weight) {
      verb = v.verb;
      break;
    }
    w -= v.weight;
  }
  const name = verb.id.slice(ADL.length);
  const statement: Json = { id: rng.uuid(), actor: rng.pick(pop.agents), verb };
  let course: Json;
  let module: Json | null = null;
  let result: Json | undefined;
  if (name === 'answered' || name === 'interacted') {
    const item = rng.pick(pop.interactions);
    statement.object = ref(rng, item.activity, 0.6);
    course = item.course;
    module = item.module;
    const success = rng.chance(0.7);
    result = {
      success,
      response: rng.pick(item.responses),
      duration: duration(rng),
    };
    if (rng.chance(0.5))
      result.score = { scaled: success ? 1 : 0, raw: success ? 1 : 0, min: 0, max: 1 };
  } else if (['registered', 'attended', 'mastered'].includes(name) || rng.chance(0.1)) {
    course = rng.pick(pop.courses);
    statement.object = ref(rng, course, 0.8);
  } else if (rng.chance(0.2)) {
    const m = rng.pick(pop.modules);
    course = m.course;
    statement.object = ref(rng, m.activity, 0.8);
  } else {
    const c = rng.pick(pop.contents);
    course = c.course;
    module = c.module;
    statement.object = ref(rng, c.activity, 0.8);
  }
  if (['completed', 'passed', 'failed', 'scored', 'mastered'].includes(name)) {
    const raw = rng.between(0, 100);
    result = {
      score: { scaled: raw / 100, raw, min: 0, max: 100 },
      success: name === 'failed' ? false : name === 'scored' ? raw >= 60 : true,
      completion: true,
      duration: duration(rng),
    };
  } else if ((name === 'terminated' || name === 'progressed') && rng.chance(0.6)) {
    result = { completion: name === 'terminated', duration: duration(rng) };
    if (name === 'progressed') {
      result.extensions = { 'https://w3id.org/xapi/cmi5/result/extensions/progress': rng.int(100) };
    }
  }
  if (result) statement.result = result;
  if (rng.chance(0.9)) {
    const contextActivities: Json = {};
    if (module && module.id !== (statement.object as Json).id)
      contextActivities.parent = [{ id: module.id }];
    if (course.id !== (statement.object as Json).id)
      contextActivities.grouping = [{ id: course.id }];
    if (rng.chance(0.3)) contextActivities.category = [rng.pick(pop.categories)];
    const context: Json = {
      registration: rng.pick(pop.registrations),
      platform: rng.pick(['Moodle 4.3', 'Articulate Storyline', 'cmi5 player', 'Mobile app']),
      language: rng.pick(LANGS),
    };
    if (Object.keys(contextActivities).length) context.contextActivities = contextActivities;
    if (rng.chance(0.2)) context.instructor = rng.pick(pop.instructors);
    if (rng.chance(0.15)) {
      context.extensions = {
        'https://w3id.org/xapi/cmi5/context/extensions/sessionid': rng.uuid(),
      };
    }
    statement.context = context;
  }
  statement.timestamp = new Date(YEAR_START + Math.floor(rng.next() * YEAR_MS)).toISOString();
  return statement;
}

/** Batch number `n` of `size` statements; the same for the same seed and n. */
export function makeBatch(seed: number, pop: Population, n: number, size: number): Json[] {
  const rng = new Rng(seed, n);
  return Array.from({ length: size }, () => makeStatement(rng, pop));
}

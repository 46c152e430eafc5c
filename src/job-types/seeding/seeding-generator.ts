import { createHash } from 'crypto';
import {
  IDENTIFIER_TYPES,
  IdentifierType,
  InteractionType,
  PatternVerb,
  SeedingConfig,
  SeedVerb,
  WeightedVerb,
} from './seeding-config';

/**
 * The deterministic seeding generator: a pure module (no database, no clock). From a
 * config it builds a world (learners, groups, instructors, courses with modules, lessons
 * and assessments) and a stream of statements, enrollment by enrollment: each learner's
 * registration in a course goes through sessions of a cmi5-like pattern (launched,
 * initialized, lesson steps and progressed, answered, completed, passed or failed,
 * terminated), timestamps increasing within a session, durations equal to the time
 * between them, scores consistent with success. Enrollment e is computed from
 * (config, e) alone, so the same config always gives the same statements, ids included.
 */

export type Json = Record<string, any>;

/**
 * sfc32 (128-bit state) seeded from (seed, stream, salt): each enrollment or document
 * gets its own stream. (A 32-bit generator, mulberry32, overlapped streams and repeated
 * whole statements in a million.)
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0, salt = 0) {
    this.a = seed >>> 0;
    this.b = stream >>> 0;
    this.c = (0x9e3779b9 ^ salt) >>> 0;
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

export interface Learner {
  index: number;
  agent: Json;
  identifier: IdentifierType;
  /** Chance of answering a question right. */
  ability: number;
  language: string;
  browser: string;
  device: string;
  country: string;
  /** The identified group the learner belongs to, if any. */
  team: Json | null;
}

export interface Question {
  activity: Json;
  correct: string;
  wrong: string[];
}

export interface CourseModule {
  index: number;
  activity: Json;
  lessons: Json[];
  assessment: Json | null;
  questions: Question[];
}

export interface Course {
  index: number;
  activity: Json;
  modules: CourseModule[];
}

export interface World {
  config: SeedingConfig;
  /** Two words from the config's hash: every stream of this config is keyed by them. */
  key: [number, number];
  learners: Learner[];
  instructors: Json[];
  groups: Json[];
  courses: Course[];
  steps: WeightedVerb[];
  stepWeightTotal: number;
  startMs: number;
  endMs: number;
}

const ACTIVITY = 'http://adlnet.gov/expapi/activities/';
const VOIDED: SeedVerb = {
  id: 'http://adlnet.gov/expapi/verbs/voided',
  display: { 'en-US': 'voided' },
};
const CMI5_CATEGORY = { id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' };
const MOVEON_CATEGORY = { id: 'https://w3id.org/xapi/cmi5/context/categories/moveon' };
const FIRST = [
  'Ada',
  'Ben',
  'Chloé',
  'Dev',
  'Eva',
  'Femi',
  'Gus',
  'Hana',
  'Ivo',
  'Jun',
  'Kira',
  'Liam',
  'Mona',
  'Nils',
  'Omar',
  'Pia',
  'Quinn',
  'Rosa',
  'Sami',
  'Tariq',
  'Uma',
  'Vera',
  'Wen',
  'Yusuf',
];
const LAST = [
  'Ng',
  'Okafor',
  'Schmidt',
  'Rossi',
  'Kowalski',
  'Silva',
  'Tanaka',
  'Dubois',
  'Novak',
  'Haddad',
  'Larsen',
  'Moreau',
  'Ivanova',
  'Mensah',
  'García',
  'Kim',
  'Fischer',
  'Costa',
  'Berg',
  'Shah',
];
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Mobile/15E148',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/131.0 Mobile',
];
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'NG', 'IN', 'BR', 'JP', 'PL', 'ES'];
const COMMENTS = [
  'Well done.',
  'Please review module notes.',
  'Good reasoning.',
  'See me after class.',
];
const STATE_IDS = ['LMS.LaunchData', 'bookmark', 'suspend_data', 'preferences'];
const ACTIVITY_PROFILE_IDS = ['syllabus', 'leaderboard', 'settings'];
const AGENT_PROFILE_IDS = ['preferences', 'learner-profile', 'badges'];

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function slugify(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Canonical JSON (sorted keys): the config's identity, whatever its key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Counts per identifier type that add up to n (largest remainders). */
export function allocate(
  n: number,
  shares: Record<IdentifierType, number>,
): Record<IdentifierType, number> {
  const exact = IDENTIFIER_TYPES.map((t) => ({ t, x: n * shares[t] }));
  const out = Object.fromEntries(exact.map(({ t, x }) => [t, Math.floor(x)])) as Record<
    IdentifierType,
    number
  >;
  let left = n - Object.values(out).reduce((a, b) => a + b, 0);
  const byRemainder = [...exact].sort((a, b) => b.x - Math.floor(b.x) - (a.x - Math.floor(a.x)));
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length, left--) out[byRemainder[i].t]++;
  return out;
}

function langMap(
  config: SeedingConfig,
  text: string,
  translations: number,
): Record<string, string> {
  const map: Record<string, string> = {};
  config.courses.languages.slice(0, Math.max(1, translations)).forEach((lang, i) => {
    map[lang] = i === 0 ? text : `${text} [${lang}]`;
  });
  return map;
}

function interaction(
  rng: Rng,
  type: InteractionType,
  id: string,
  name: Record<string, string>,
): Question {
  const definition: Json = {
    name,
    description: { 'en-US': `${name[Object.keys(name)[0]]}: choose the best answer.` },
    type: ACTIVITY + 'cmi.interaction',
    interactionType: type,
  };
  const component = (cid: string, text: string) => ({ id: cid, description: { 'en-US': text } });
  let correct: string;
  let wrong: string[];
  switch (type) {
    case 'choice': {
      const ids = ['a', 'b', 'c', 'd'];
      definition.choices = ids.map((c) => component(c, `Option ${c.toUpperCase()}`));
      correct = rng.pick(ids);
      wrong = ids.filter((c) => c !== correct);
      break;
    }
    case 'true-false':
      correct = rng.chance(0.5) ? 'true' : 'false';
      wrong = [correct === 'true' ? 'false' : 'true'];
      break;
    case 'fill-in':
      correct = rng.pick(['evacuate', 'consent', 'pressure', 'agenda']);
      wrong = ['unsure', 'wait', 'ignore'];
      break;
    case 'long-fill-in':
      correct = 'Report the incident to the supervisor and secure the area.';
      wrong = ['Carry on working.', 'Leave the building without telling anyone.'];
      break;
    case 'matching':
      definition.source = [component('ppe', 'Gloves'), component('exit', 'Exit sign')];
      definition.target = [
        component('hands', 'Protects hands'),
        component('route', 'Shows the way out'),
      ];
      correct = 'ppe[.]hands[,]exit[.]route';
      wrong = ['ppe[.]route[,]exit[.]hands'];
      break;
    case 'sequencing': {
      const ids = ['assess', 'alert', 'assist', 'record'];
      definition.choices = ids.map((c) => component(c, c[0].toUpperCase() + c.slice(1)));
      correct = ids.join('[,]');
      wrong = [[ids[1], ids[0], ids[2], ids[3]].join('[,]'), [...ids].reverse().join('[,]')];
      break;
    }
    case 'likert': {
      const ids = ['likert_0', 'likert_1', 'likert_2', 'likert_3', 'likert_4'];
      definition.scale = ids.map((c, i) =>
        component(c, ['Strongly disagree', 'Disagree', 'Neutral', 'Agree', 'Strongly agree'][i]),
      );
      correct = 'likert_4';
      wrong = ids.slice(0, 4);
      break;
    }
    default: {
      const target = rng.between(3, 9);
      definition.correctResponsesPattern = [`${target - 1}[:]${target + 1}`];
      return {
        activity: { objectType: 'Activity', id, definition },
        correct: String(target),
        wrong: [String(target + 4), String(target - 3)],
      };
    }
  }
  definition.correctResponsesPattern = [correct];
  return { activity: { objectType: 'Activity', id, definition }, correct, wrong };
}

/** The fixed population and course catalogue a config describes. */
export function buildWorld(config: SeedingConfig): World {
  const hash = createHash('sha256').update(canonical(config)).digest();
  const key: [number, number] = [hash.readUInt32BE(0), hash.readUInt32BE(4)];
  const rng = new Rng(key[0], 0xffffffff, key[1]);
  const L = config.learners;

  // Identifier types in exact shares, spread over the learners in a shuffled order.
  const counts = allocate(L.count, L.identifiers);
  const kinds: IdentifierType[] = IDENTIFIER_TYPES.flatMap((t) => Array(counts[t]).fill(t));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const learners: Learner[] = kinds.map((identifier, index) => {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const local = `${slugify(first)}.${slugify(last)}.${index + 1}`;
    const email = `mailto:${local}@${L.email_domain}`;
    const agent: Json = { objectType: 'Agent' };
    if (rng.chance(L.named)) agent.name = `${first} ${last}`;
    if (identifier === 'mbox') agent.mbox = email;
    else if (identifier === 'mbox_sha1sum') agent.mbox_sha1sum = sha1(email);
    else if (identifier === 'openid') agent.openid = `${L.openid_base}${local}`;
    else agent.account = { homePage: L.account_home_page, name: local };
    return {
      index,
      agent,
      identifier,
      ability: 0.45 + rng.next() * 0.5,
      language: rng.pick(config.courses.languages),
      browser: rng.pick(BROWSERS),
      device: rng.chance(0.7) ? 'desktop' : 'mobile',
      country: rng.pick(COUNTRIES),
      team: null,
    };
  });
  const groups: Json[] = [];
  for (let g = 0; g < config.groups.count; g++) {
    const members = learners.slice(g * config.groups.size, (g + 1) * config.groups.size);
    const group = {
      objectType: 'Group',
      name: `Team ${g + 1}`,
      mbox: `mailto:team-${g + 1}@${L.email_domain}`,
      member: members.map((m) => m.agent),
    };
    groups.push(group);
    for (const m of members) m.team = group;
  }
  const instructors = Array.from({ length: config.instructors.count }, (_, i) => ({
    objectType: 'Agent',
    name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
    mbox: `mailto:instructor.${i + 1}@${L.email_domain}`,
  }));

  const C = config.courses;
  const courses: Course[] = [];
  for (let c = 0; c < C.count; c++) {
    const base = C.topics[c % C.topics.length];
    const topic = c < C.topics.length ? base : `${base} ${Math.floor(c / C.topics.length) + 1}`;
    const courseId = `${C.base_iri}/course/${c + 1}-${slugify(topic)}`;
    const course: Course = {
      index: c,
      activity: {
        objectType: 'Activity',
        id: courseId,
        definition: {
          name: langMap(config, topic, 1 + rng.int(C.languages.length)),
          description: { 'en-US': `${topic}: ${C.modules} modules, assessed online.` },
          type: ACTIVITY + 'course',
          moreInfo: `${C.base_iri}/catalogue/${c + 1}`,
        },
      },
      modules: [],
    };
    for (let m = 0; m < C.modules; m++) {
      const moduleId = `${courseId}/module/${m + 1}`;
      const lessons = Array.from({ length: C.lessons }, (_, l) => ({
        objectType: 'Activity',
        id: `${moduleId}/lesson/${l + 1}`,
        definition: {
          name: langMap(config, `${topic} ${m + 1}.${l + 1}`, 1 + rng.int(2)),
          description: { 'en-US': `Lesson ${l + 1} of module ${m + 1} of ${topic}.` },
          type: ACTIVITY + 'lesson',
          extensions: { [`${C.base_iri}/extensions/estimated-minutes`]: rng.between(5, 30) },
        },
      }));
      const assessmentId = `${moduleId}/assessment`;
      const questions = Array.from({ length: C.questions }, (_, q) =>
        interaction(
          rng,
          rng.pick(C.interaction_types),
          `${assessmentId}/question/${q + 1}`,
          langMap(config, `${topic} ${m + 1}: question ${q + 1}`, 1),
        ),
      );
      course.modules.push({
        index: m,
        activity: {
          objectType: 'Activity',
          id: moduleId,
          definition: {
            name: langMap(config, `${topic}: module ${m + 1}`, 1 + rng.int(C.languages.length)),
            description: { 'en-US': `Module ${m + 1} of ${topic}.` },
            type: ACTIVITY + 'module',
          },
        },
        lessons,
        assessment: C.questions
          ? {
              objectType: 'Activity',
              id: assessmentId,
              definition: {
                name: langMap(config, `${topic}: module ${m + 1} assessment`, 1),
                description: { 'en-US': `${C.questions} questions; pass mark ${C.mastery_score}.` },
                type: ACTIVITY + 'assessment',
              },
            }
          : null,
        questions,
      });
    }
    courses.push(course);
  }
  return {
    config,
    key,
    learners,
    instructors,
    groups,
    courses,
    steps: config.verbs.steps,
    stepWeightTotal: config.verbs.steps.reduce((s, v) => s + v.weight, 0),
    startMs: Date.parse(config.period.start),
    endMs: Date.parse(config.period.end),
  };
}

// --- time ---------------------------------------------------------------------------

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** UTC offset of a zone at an instant, in ms (cached per hour). */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();

  constructor(readonly timezone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      timeZoneName: 'longOffset',
    });
  }

  offsetMs(t: number): number {
    const hour = Math.floor(t / HOUR);
    let off = this.cache.get(hour);
    if (off === undefined) {
      const name = this.format
        .formatToParts(new Date(hour * HOUR))
        .find((p) => p.type === 'timeZoneName')!.value;
      const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
      off = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3] ?? 0) * 60_000) : 0;
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(hour, off);
    }
    return off;
  }

  /** ISO 8601 with the zone's offset, e.g. 2026-01-05T09:12:33.120+01:00. */
  iso(t: number): string {
    const off = this.offsetMs(t);
    const local = new Date(t + off).toISOString().slice(0, 23);
    const sign = off < 0 ? '-' : '+';
    const abs = Math.abs(off);
    const hh = String(Math.floor(abs / HOUR)).padStart(2, '0');
    const mm = String(Math.floor((abs % HOUR) / 60_000)).padStart(2, '0');
    return `${local}${sign}${hh}:${mm}`;
  }

  /** The instant of local `hour` (fractional) on the local day that contains t. */
  atLocalHour(t: number, hour: number): number {
    const off = this.offsetMs(t);
    const localMidnight = Math.floor((t + off) / DAY) * DAY;
    return localMidnight - off + Math.round(hour * HOUR);
  }
}

/** An ISO 8601 duration of ms (multiples of 10 ms): PT1H2M3.45S. */
export function isoDuration(ms: number): string {
  const cs = Math.round(ms / 10);
  const h = Math.floor(cs / 360_000);
  const m = Math.floor((cs % 360_000) / 6000);
  const s = (cs % 6000) / 100;
  return `PT${h ? `${h}H` : ''}${h || m ? `${m}M` : ''}${s}S`;
}

/** Parses what isoDuration writes (for tests and checks). */
export function durationMs(d: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(d);
  if (!m) return NaN;
  return Math.round((Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000);
}

// --- enrollments and sessions -----------------------------------------------------

export interface EnrollmentHeader {
  index: number;
  learner: Learner;
  course: Course;
  registration: string;
}

function enrollmentRng(world: World, e: number): Rng {
  return new Rng(world.key[0], e, world.key[1]);
}

/** Learner l takes courses l, l+1, ... in rounds; the registration is the stream's first draw. */
export function enrollmentHeader(
  world: World,
  e: number,
  rng = enrollmentRng(world, e),
): EnrollmentHeader {
  const L = world.learners.length;
  const learner = world.learners[e % L];
  const course = world.courses[(learner.index + Math.floor(e / L)) % world.courses.length];
  return { index: e, learner, course, registration: rng.uuid() };
}

/** Which enrollment, session and xAPI version a generated statement belongs to. */
export interface SessionInfo {
  enrollment: number;
  session: number;
  version: '1.0.3' | '2.0.0';
}

/** A statement with where it comes from (kept beside the statement, not in its data). */
export interface GeneratedStatement {
  statement: Json;
  session: SessionInfo;
  /** 'pattern' for the session's own steps; the others follow a pattern statement. */
  kind: 'pattern' | 'voiding' | 'statement-ref' | 'sub-statement';
}

const clockCache = new WeakMap<World, ZoneClock>();
function clockOf(world: World): ZoneClock {
  let clock = clockCache.get(world);
  if (!clock) clockCache.set(world, (clock = new ZoneClock(world.config.period.timezone)));
  return clock;
}

/** Every statement of enrollment e, in order. */
export function enrollmentStatements(world: World, e: number): GeneratedStatement[] {
  const rng = enrollmentRng(world, e);
  const header = enrollmentHeader(world, e, rng);
  const { learner, course, registration } = header;
  const cfg = world.config;
  const clock = clockOf(world);
  const version: '1.0.3' | '2.0.0' = rng.chance(cfg.shares.xapi_2) ? '2.0.0' : '1.0.3';
  const out: GeneratedStatement[] = [];

  const s = cfg.shares;
  const extraTotal = s.voiding + s.statement_refs + s.sub_statements;
  const scale = 1 / (1 - extraTotal);
  const pVoid = s.voiding * scale;
  const pRef = s.statement_refs * scale;
  const pSub = s.sub_statements * scale;
  const pAttach = s.attachments * scale;

  const days = Math.max(1, Math.floor((world.endMs - world.startMs) / DAY));
  let t = clock.atLocalHour(
    world.startMs + rng.int(Math.max(1, days - 1)) * DAY + 12 * HOUR,
    8 + rng.next() * 11,
  );
  if (t < world.startMs) t = world.startMs + rng.int(HOUR);
  let moduleIndex = 0;
  let attempt = 1;
  let sessionNo = 0;

  while (moduleIndex < course.modules.length) {
    const module = course.modules[moduleIndex];
    const session: SessionInfo = { enrollment: e, session: sessionNo, version };
    const sessionId = rng.uuid();
    const instructor =
      world.instructors.length && rng.chance(cfg.instructors.share)
        ? rng.pick(world.instructors)
        : null;
    const withTeam = learner.team && rng.chance(cfg.groups.share) ? learner.team : null;
    let progress = 0;
    let initializedAt = 0;
    /** When the last pattern statement happened (extras come a few seconds after it). */
    let patternAt = t;

    const extensionValue = (kind: string): unknown => {
      switch (kind) {
        case 'session-id':
          return sessionId;
        case 'browser':
          return learner.browser;
        case 'device':
          return learner.device;
        case 'launch-mode':
          return 'Normal';
        case 'progress':
          return progress;
        case 'attempt':
          return attempt;
        case 'mastery-score':
          return cfg.courses.mastery_score;
        default:
          return learner.country;
      }
    };
    const extensions = (map: Record<string, string>) => {
      const entries = Object.entries(map);
      if (!entries.length) return undefined;
      return Object.fromEntries(entries.map(([iri, kind]) => [iri, extensionValue(kind)]));
    };
    const contextOf = (parent: Json[] | null, categories: Json[], aboutActivity = true): Json => {
      const contextActivities: Json = { grouping: [{ id: course.activity.id }] };
      if (parent) contextActivities.parent = parent.map((a) => ({ id: a.id }));
      if (categories.length) contextActivities.category = categories;
      const context: Json = { registration, contextActivities, language: learner.language };
      // xAPI allows platform only when the object is an activity.
      if (aboutActivity) context.platform = 'lrs-jobs seeding LMS';
      if (instructor) context.instructor = instructor;
      if (withTeam) context.team = withTeam;
      const ext = extensions(cfg.extensions.context);
      if (ext) context.extensions = ext;
      return context;
    };

    const emit = (
      role: PatternVerb | WeightedVerb,
      object: Json,
      gapMs: number,
      options: { parent?: Json[] | null; categories?: Json[]; result?: Json | null } = {},
    ): Json => {
      t += Math.round(gapMs / 10) * 10;
      const verb = typeof role === 'string' ? cfg.verbs[role] : role;
      const statement: Json = {
        id: rng.uuid(),
        actor: learner.agent,
        verb: { id: verb.id, display: verb.display },
        object,
        context: contextOf(options.parent ?? null, options.categories ?? []),
        timestamp: clock.iso(t),
      };
      if (options.result) {
        // Result extensions (progress, attempt) describe the module or assessment.
        const ext =
          typeof role === 'string' && role !== 'answered'
            ? extensions(cfg.extensions.result)
            : undefined;
        statement.result = ext ? { ...options.result, extensions: ext } : options.result;
      }
      if (version === '2.0.0') statement.version = '2.0.0';
      if (rng.chance(pAttach)) {
        const certificate = typeof role === 'string' && (role === 'completed' || role === 'passed');
        const sha2 = sha256(`${statement.id}:attachment`);
        statement.attachments = [
          {
            usageType: certificate
              ? 'http://id.tincanapi.com/attachment/certificate-of-completion'
              : 'http://id.tincanapi.com/attachment/supporting_media',
            display: { 'en-US': certificate ? 'Certificate' : 'Screenshot' },
            contentType: certificate ? 'application/pdf' : 'image/png',
            length: 20_000 + rng.int(200_000),
            sha2,
            fileUrl: `https://files.example.org/attachments/${sha2}.${certificate ? 'pdf' : 'png'}`,
          },
        ];
      }
      out.push({ statement, session, kind: 'pattern' });
      patternAt = t;
      extra(statement, object);
      return statement;
    };

    /** Now and then a pattern statement is voided, commented on, or followed by a plan. */
    const extra = (target: Json, object: Json) => {
      const u = rng.next();
      if (u >= pVoid + pRef + pSub) return;
      t += 1000 + rng.int(800) * 10;
      const base: Json = {
        id: rng.uuid(),
        actor: learner.agent,
        timestamp: clock.iso(t),
        context: contextOf(null, [], false),
      };
      if (version === '2.0.0') base.version = '2.0.0';
      let kind: GeneratedStatement['kind'];
      if (u < pVoid) {
        kind = 'voiding';
        base.actor = instructor ?? learner.agent;
        base.verb = VOIDED;
        base.object = { objectType: 'StatementRef', id: target.id };
      } else if (u < pVoid + pRef) {
        kind = 'statement-ref';
        base.actor = instructor ?? learner.agent;
        base.verb = { id: cfg.verbs.commented.id, display: cfg.verbs.commented.display };
        base.object = { objectType: 'StatementRef', id: target.id };
        base.result = { response: rng.pick(COMMENTS) };
      } else {
        kind = 'sub-statement';
        base.verb = { id: cfg.verbs.planned.id, display: cfg.verbs.planned.display };
        base.object = {
          objectType: 'SubStatement',
          actor: learner.agent,
          verb: { id: cfg.verbs.completed.id, display: cfg.verbs.completed.display },
          object: object.objectType === 'Activity' ? object : course.activity,
        };
      }
      out.push({ statement: base, session, kind });
    };

    emit('launched', module.activity, 0, { parent: null, categories: [CMI5_CATEGORY] });
    emit('initialized', module.activity, 2000 + rng.int(3000), { categories: [CMI5_CATEGORY] });
    initializedAt = patternAt;
    module.lessons.forEach((lesson, l) => {
      let w = rng.next() * world.stepWeightTotal;
      let step = world.steps[0];
      for (const v of world.steps) {
        if (w < v.weight) {
          step = v;
          break;
        }
        w -= v.weight;
      }
      const gap = 60_000 + rng.int(11 * 60) * 1000;
      emit(step, lesson, gap, {
        parent: [module.activity],
        result: { duration: isoDuration(gap) },
      });
      progress = Math.round(
        ((l + 1) / (module.lessons.length + (module.questions.length ? 1 : 0))) * 100,
      );
      emit('progressed', module.activity, 15_000 + rng.int(30) * 1000, {
        result: { completion: false },
      });
    });
    let correct = 0;
    let assessmentStart = 0;
    for (const q of module.questions) {
      const right = rng.chance(learner.ability);
      if (right) correct++;
      const gap = 15_000 + rng.int(150) * 1000;
      if (!assessmentStart) assessmentStart = t;
      emit('answered', q.activity, gap, {
        parent: [module.assessment!],
        result: {
          response: right ? q.correct : rng.pick(q.wrong),
          success: right,
          duration: isoDuration(gap),
        },
      });
    }
    progress = 100;
    emit('completed', module.activity, 15_000 + rng.int(30) * 1000, {
      categories: [CMI5_CATEGORY, MOVEON_CATEGORY],
      result: { completion: true, duration: '' },
    });
    // Durations that span several steps are set once the timestamp is known.
    fixDuration(out, initializedAt);
    let failed = false;
    if (module.assessment && module.questions.length) {
      const total = module.questions.length;
      const scaled = Math.round((correct / total) * 100) / 100;
      const success = scaled >= cfg.courses.mastery_score;
      failed = !success;
      emit(success ? 'passed' : 'failed', module.assessment, 5000 + rng.int(20) * 1000, {
        parent: [module.activity],
        categories: success ? [CMI5_CATEGORY, MOVEON_CATEGORY] : [CMI5_CATEGORY],
        result: {
          score: { scaled, raw: correct, min: 0, max: total },
          success,
          completion: true,
          duration: '',
        },
      });
      fixDuration(out, assessmentStart);
    }
    emit('terminated', module.activity, 3000 + rng.int(60) * 1000, {
      categories: [CMI5_CATEGORY],
      result: { duration: '' },
    });
    fixDuration(out, initializedAt);

    if (failed && attempt < 3) attempt++;
    else {
      moduleIndex++;
      attempt = 1;
    }
    sessionNo++;
    // The next session: 1 to 6 days later, in the learner's daytime; none past the period.
    const next = clock.atLocalHour(t + (1 + rng.int(6)) * DAY, 8 + rng.next() * 11);
    if (next + 4 * HOUR > world.endMs) break;
    t = next;
  }
  return out;
}

/** Sets the duration of the last pattern statement to its timestamp minus `fromMs`. */
function fixDuration(out: GeneratedStatement[], fromMs: number) {
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i].kind !== 'pattern') continue;
    const s = out[i].statement;
    const at = Date.parse(s.timestamp);
    if (s.result) s.result.duration = isoDuration(at - fromMs);
    return;
  }
}

/**
 * The config's statements in order, enrollment after enrollment, exactly
 * `counts.statements` of them (the last enrollment is cut short where the count ends).
 */
export class StatementStream {
  private buffer: GeneratedStatement[] = [];
  private position = 0;
  /** Statements handed out so far. */
  emitted = 0;
  /** Enrollments begun so far. */
  enrollments = 0;

  constructor(readonly world: World) {}

  get total(): number {
    return this.world.config.counts.statements;
  }

  /** The next `n` statements (fewer at the end). */
  take(n: number): GeneratedStatement[] {
    const out: GeneratedStatement[] = [];
    while (out.length < n && this.emitted < this.total) {
      if (this.position >= this.buffer.length) {
        this.buffer = enrollmentStatements(this.world, this.enrollments++);
        this.position = 0;
        continue;
      }
      out.push(this.buffer[this.position++]);
      this.emitted++;
    }
    return out;
  }
}

// --- documents ----------------------------------------------------------------------

export type SeedDocument =
  | {
      kind: 'state';
      activityId: string;
      agent: Json;
      registration: string;
      stateId: string;
      content: Json;
    }
  | { kind: 'activity-profile'; activityId: string; profileId: string; content: Json }
  | { kind: 'agent-profile'; agent: Json; profileId: string; content: Json };

const slotId = (ids: string[], slot: number) =>
  ids[slot % ids.length] + (slot >= ids.length ? `-${Math.floor(slot / ids.length) + 1}` : '');

/**
 * The config's documents, given how many enrollments the statements began: states of
 * those enrollments' learners on their course's first module (with the registration),
 * activity profiles of their courses and first modules, agent profiles of their learners.
 * Each address is distinct, so the counts are exact.
 */
export function* seedDocuments(world: World, enrollments: number): Generator<SeedDocument> {
  const cfg = world.config;
  const E = Math.max(1, enrollments);
  const docRng = (k: number, salt: number) => new Rng(world.key[0] ^ salt, k, world.key[1]);
  for (let k = 0; k < cfg.counts.states; k++) {
    const e = k % E;
    const slot = Math.floor(k / E);
    const { learner, course, registration } = enrollmentHeader(world, e);
    const rng = docRng(k, 0x57a7e);
    const module = course.modules[0];
    const stateId = slotId(STATE_IDS, slot);
    let content: Json;
    switch (slot % STATE_IDS.length) {
      case 0:
        content = {
          contextTemplate: { contextActivities: { grouping: [{ id: course.activity.id }] } },
          launchMode: 'Normal',
          moveOn: 'CompletedOrPassed',
          masteryScore: cfg.courses.mastery_score,
          returnURL: `${cfg.courses.base_iri}/return`,
        };
        break;
      case 1:
        content = {
          lesson: module.lessons.length
            ? module.lessons[rng.int(module.lessons.length)].id
            : module.activity.id,
          position: rng.int(600),
        };
        break;
      case 2:
        content = {
          answers: module.questions.map((q) =>
            rng.chance(learner.ability) ? q.correct : q.wrong[0],
          ),
        };
        break;
      default:
        content = {
          language: learner.language,
          audioLevel: rng.int(11) / 10,
          captions: rng.chance(0.3),
        };
    }
    yield {
      kind: 'state',
      activityId: module.activity.id,
      agent: learner.agent,
      registration,
      stateId,
      content,
    };
  }
  // Courses the enrollments reached, each with its first module.
  const seen = new Set<number>();
  for (let e = 0; e < Math.min(E, world.learners.length * world.courses.length); e++) {
    seen.add(enrollmentHeader(world, e).course.index);
    if (seen.size === world.courses.length) break;
  }
  const activities = [...seen]
    .sort((a, b) => a - b)
    .flatMap((c) => [world.courses[c].activity, world.courses[c].modules[0].activity]);
  for (let k = 0; k < cfg.counts.activity_profiles; k++) {
    const activity = activities[k % activities.length];
    const slot = Math.floor(k / activities.length);
    const rng = docRng(k, 0xac7);
    const profileId = slotId(ACTIVITY_PROFILE_IDS, slot);
    const content =
      slot % 3 === 0
        ? { title: activity.definition.name, outline: activity.definition.description }
        : slot % 3 === 1
          ? { top: Array.from({ length: 3 }, () => ({ score: 0.7 + rng.int(31) / 100 })) }
          : { allowRetakes: true, maxAttempts: 3, passMark: cfg.courses.mastery_score };
    yield { kind: 'activity-profile', activityId: activity.id, profileId, content };
  }
  const learnersSeen = Math.min(world.learners.length, E);
  for (let k = 0; k < cfg.counts.agent_profiles; k++) {
    const learner = world.learners[k % learnersSeen];
    const slot = Math.floor(k / learnersSeen);
    const rng = docRng(k, 0xa6e);
    const profileId = slotId(AGENT_PROFILE_IDS, slot);
    const content =
      slot % 3 === 0
        ? { language: learner.language, device: learner.device, timezone: cfg.period.timezone }
        : slot % 3 === 1
          ? {
              country: learner.country,
              jobTitle: rng.pick(['Technician', 'Nurse', 'Analyst', 'Manager']),
            }
          : {
              badges: Array.from(
                { length: 1 + rng.int(3) },
                (_, i) => `${cfg.courses.base_iri}/badges/${i + 1}`,
              ),
            };
    yield { kind: 'agent-profile', agent: learner.agent, profileId, content };
  }
}

import { StatementValidator } from '../../xapi/validation/statement-validator';
import { DEFAULT_SEEDING_CONFIG, SeedingConfig, parseSeedingConfig } from './seeding-config';
import {
  allocate,
  buildWorld,
  durationMs,
  enrollmentStatements,
  GeneratedStatement,
  isoDuration,
  seedDocuments,
  StatementStream,
  ZoneClock,
} from './seeding-generator';

function configWith(over: Record<string, unknown>): SeedingConfig {
  const { config, errors } = parseSeedingConfig(over);
  if (!config) throw new Error(JSON.stringify(errors));
  return config;
}

function generate(config: SeedingConfig): { all: GeneratedStatement[]; enrollments: number } {
  const stream = new StatementStream(buildWorld(config));
  const all: GeneratedStatement[] = [];
  for (let b = stream.take(777); b.length; b = stream.take(777)) all.push(...b);
  return { all, enrollments: stream.enrollments };
}

const verbName = (s: Record<string, any>) => s.verb.id.split('/').pop() as string;
const at = (s: Record<string, any>) => Date.parse(s.timestamp);

describe('seeding generator', () => {
  const config = configWith({ counts: { statements: 5000 } });
  const { all, enrollments } = generate(config);

  it('is deterministic: the same config gives the same statements, ids included', () => {
    const again = generate(configWith({ counts: { statements: 5000 } })).all;
    expect(again.map((g) => g.statement)).toEqual(all.map((g) => g.statement));
    // Enrollment n is the same whatever was generated before it.
    expect(enrollmentStatements(buildWorld(config), 3)).toEqual(
      enrollmentStatements(buildWorld(config), 3),
    );
    expect(new Set(all.map((g) => g.statement.id)).size).toBe(all.length);
  });

  it('another seed (or any other config change) gives other statements', () => {
    const other = generate(configWith({ seed: 7, counts: { statements: 200 } })).all;
    const ids = new Set(all.map((g) => g.statement.id));
    expect(other.some((g) => ids.has(g.statement.id))).toBe(false);
  });

  it('gives exactly counts.statements statements', () => {
    expect(all).toHaveLength(5000);
    expect(generate(configWith({ counts: { statements: 1 } })).all).toHaveLength(1);
  });

  it('every session follows the pattern in order, with increasing timestamps and consistent durations', () => {
    const sessions = new Map<string, GeneratedStatement[]>();
    for (const g of all) {
      const key = `${g.session.enrollment}/${g.session.session}`;
      if (!sessions.has(key)) sessions.set(key, []);
      sessions.get(key)!.push(g);
    }
    expect(sessions.size).toBeGreaterThan(100);
    const lessonSteps = new Set(config.verbs.steps.map((v) => v.id.split('/').pop()));
    let complete = 0;
    for (const list of sessions.values()) {
      const pattern = list.filter((g) => g.kind === 'pattern').map((g) => g.statement);
      // Timestamps strictly increase over the whole session, extras included.
      for (let i = 1; i < list.length; i++) {
        expect(at(list[i].statement)).toBeGreaterThan(at(list[i - 1].statement));
      }
      // The verb sequence: launched, initialized, (step, progressed)*, answered*, completed,
      // passed|failed, terminated (the stream's very last session may be cut short).
      const names = pattern.map(verbName).map((n) => (lessonSteps.has(n) ? 'step' : n));
      const full = [
        'launched',
        'initialized',
        ...Array.from({ length: config.courses.lessons }, () => ['step', 'progressed']).flat(),
        ...Array(config.courses.questions).fill('answered'),
        'completed',
        'outcome',
        'terminated',
      ];
      const got = names.map((n) => (n === 'passed' || n === 'failed' ? 'outcome' : n));
      expect(full.slice(0, got.length)).toEqual(got);
      if (got.length < full.length) {
        expect(list).toBe([...sessions.values()].at(-1));
        continue;
      }
      complete++;
      const initialized = at(pattern[1]);
      const byVerb = (n: string) => pattern.find((s) => verbName(s) === n)!;
      expect(durationMs(byVerb('terminated').result.duration)).toBe(
        at(byVerb('terminated')) - initialized,
      );
      expect(durationMs(byVerb('completed').result.duration)).toBe(
        at(byVerb('completed')) - initialized,
      );
      // Steps and answers last no longer than the time since the statement before them.
      for (let i = 2; i < pattern.length; i++) {
        const n = verbName(pattern[i]);
        if (n === 'answered' || lessonSteps.has(n)) {
          expect(durationMs(pattern[i].result.duration)).toBeLessThanOrEqual(
            at(pattern[i]) - at(pattern[i - 1]),
          );
        }
      }
      // Every statement of a session shares its registration and version.
      expect(new Set(list.map((g) => g.statement.context.registration)).size).toBe(1);
      expect(new Set(list.map((g) => g.statement.version ?? '1.0.3')).size).toBe(1);
    }
    expect(complete).toBeGreaterThan(100);
  });

  it('scores agree with success: passed only at or above the mastery score, score from the answers', () => {
    let passed = 0;
    let failed = 0;
    for (let i = 0; i < all.length; i++) {
      const s = all[i].statement;
      const n = verbName(s);
      if (n !== 'passed' && n !== 'failed') continue;
      const { score, success } = s.result;
      expect(success).toBe(n === 'passed');
      expect(score.scaled >= config.courses.mastery_score).toBe(success);
      expect(score.scaled).toBe(Math.round((score.raw / score.max) * 100) / 100);
      const answers = all
        .slice(0, i)
        .filter(
          (g) =>
            g.session.enrollment === all[i].session.enrollment &&
            g.session.session === all[i].session.session &&
            verbName(g.statement) === 'answered',
        );
      expect(answers.filter((g) => g.statement.result.success).length).toBe(score.raw);
      if (success) passed++;
      else failed++;
    }
    expect(passed).toBeGreaterThan(20);
    expect(failed).toBeGreaterThan(5);
  });

  it('a failed module is retaken in the next session of the same registration', () => {
    const e = all.find((g) => verbName(g.statement) === 'failed')!;
    const next = all.find(
      (g) =>
        g.session.enrollment === e.session.enrollment &&
        g.session.session === e.session.session + 1 &&
        verbName(g.statement) === 'launched',
    );
    if (!next) return; // the period or the count ended the enrollment
    const module = all.find(
      (g) =>
        g.session.enrollment === e.session.enrollment &&
        g.session.session === e.session.session &&
        verbName(g.statement) === 'launched',
    )!;
    expect(next.statement.object.id).toBe(module.statement.object.id);
    expect(next.statement.context.registration).toBe(module.statement.context.registration);
  });

  it('shares learners between identifier types as configured (exactly) and statements within tolerance', () => {
    const shares = { mbox: 0.4, mbox_sha1sum: 0.1, openid: 0.2, account: 0.3 };
    const c = configWith({
      learners: { count: 500, identifiers: shares },
      counts: { statements: 60_000 },
    });
    const world = buildWorld(c);
    const byType = (list: string[]) =>
      Object.fromEntries(
        Object.keys(shares).map((t) => [t, list.filter((x) => x === t).length / list.length]),
      );
    expect(byType(world.learners.map((l) => l.identifier))).toEqual(shares);
    const { all: many } = generate(c);
    const actorTypes = many
      .filter((g) => g.kind === 'pattern')
      .map((g) => Object.keys(shares).find((t) => t in g.statement.actor)!);
    const got = byType(actorTypes);
    for (const [t, share] of Object.entries(shares))
      expect(Math.abs(got[t] - share)).toBeLessThan(0.05);
    expect(allocate(7, shares)).toEqual({ mbox: 3, mbox_sha1sum: 1, openid: 1, account: 2 });
  });

  it('keeps the shares of voiding, references, sub-statements, attachments and xAPI 2.0 near the config', () => {
    const c = configWith({
      counts: { statements: 40_000 },
      shares: {
        voiding: 0.02,
        statement_refs: 0.05,
        sub_statements: 0.03,
        attachments: 0.04,
        xapi_2: 0.3,
      },
    });
    const { all: many } = generate(c);
    const share = (f: (g: GeneratedStatement) => boolean) => many.filter(f).length / many.length;
    expect(share((g) => g.kind === 'voiding')).toBeCloseTo(0.02, 1);
    expect(Math.abs(share((g) => g.kind === 'statement-ref') - 0.05)).toBeLessThan(0.01);
    expect(Math.abs(share((g) => g.kind === 'sub-statement') - 0.03)).toBeLessThan(0.01);
    expect(Math.abs(share((g) => !!g.statement.attachments) - 0.04)).toBeLessThan(0.01);
    expect(Math.abs(share((g) => g.session.version === '2.0.0') - 0.3)).toBeLessThan(0.1);
    // A voiding statement targets an earlier statement of the same session, never another voider.
    const byId = new Map(many.map((g, i) => [g.statement.id, { g, i }]));
    many.forEach((g, i) => {
      if (g.kind !== 'voiding') return;
      const target = byId.get(g.statement.object.id)!;
      expect(target.i).toBeLessThan(i);
      expect(target.g.kind).toBe('pattern');
      expect(target.g.session).toEqual(g.session);
    });
  });

  it('gives an activity the same definition in every statement', () => {
    const definitions = new Map<string, string>();
    for (const { statement } of all) {
      const objects = [statement.object, statement.object?.object].filter(
        (o) => o && o.objectType === 'Activity',
      );
      for (const o of objects) {
        const def = JSON.stringify(o.definition);
        expect(definitions.get(o.id) ?? def).toBe(def);
        definitions.set(o.id, def);
      }
    }
    expect(definitions.size).toBeGreaterThan(20);
  });

  it('every generated statement passes the project validator for its version (40,000 of them)', () => {
    const validator = new StatementValidator();
    const c = configWith({
      counts: { statements: 40_000 },
      courses: {
        interaction_types: [
          'choice',
          'true-false',
          'fill-in',
          'long-fill-in',
          'matching',
          'sequencing',
          'likert',
          'numeric',
        ],
      },
      shares: {
        voiding: 0.03,
        statement_refs: 0.03,
        sub_statements: 0.03,
        attachments: 0.05,
        xapi_2: 0.5,
      },
    });
    const { all: many } = generate(c);
    const bad = many
      .map((g) => ({ g, v: validator.validate(g.statement, g.session.version) }))
      .filter((x) => x.v.length);
    expect(bad.slice(0, 3).map((x) => ({ statement: x.g.statement, violations: x.v }))).toEqual([]);
    expect(new Set(many.map((g) => g.session.version))).toEqual(new Set(['1.0.3', '2.0.0']));
  });

  it('writes timestamps with the zone offset of the config, in the learners\u2019 daytime', () => {
    const clock = new ZoneClock('Europe/Paris');
    expect(clock.iso(Date.parse('2026-01-05T08:00:00Z'))).toBe('2026-01-05T09:00:00.000+01:00');
    expect(clock.iso(Date.parse('2026-07-05T08:00:00Z'))).toBe('2026-07-05T10:00:00.000+02:00');
    expect(new ZoneClock('America/New_York').iso(Date.parse('2026-01-05T08:00:00Z'))).toBe(
      '2026-01-05T03:00:00.000-05:00',
    );
    const launches = all.filter((g) => verbName(g.statement) === 'launched');
    for (const g of launches) {
      const hour = Number(g.statement.timestamp.slice(11, 13));
      expect(hour).toBeGreaterThanOrEqual(8);
      expect(hour).toBeLessThan(20);
      expect(g.statement.timestamp).toMatch(/\+0[12]:00$/);
      expect(at(g.statement)).toBeGreaterThanOrEqual(Date.parse(config.period.start));
      expect(at(g.statement)).toBeLessThan(Date.parse(config.period.end));
    }
    expect(isoDuration(3_723_450)).toBe('PT1H2M3.45S');
    expect(durationMs('PT1H2M3.45S')).toBe(3_723_450);
  });

  it('makes documents of the learners and activities of the statements, each address once', () => {
    const c = configWith({
      counts: { statements: 3000, states: 500, activity_profiles: 30, agent_profiles: 200 },
    });
    const { all: list, enrollments: n } = generate(c);
    const docs = [...seedDocuments(buildWorld(c), n)];
    expect(docs.filter((d) => d.kind === 'state')).toHaveLength(500);
    expect(docs.filter((d) => d.kind === 'activity-profile')).toHaveLength(30);
    expect(docs.filter((d) => d.kind === 'agent-profile')).toHaveLength(200);
    const actors = new Set(list.map((g) => JSON.stringify(g.statement.actor)));
    const activities = new Set(
      list.flatMap((g) => [
        g.statement.object.id,
        ...(g.statement.context.contextActivities.grouping ?? []).map((a: any) => a.id),
      ]),
    );
    const registrations = new Set(list.map((g) => g.statement.context.registration));
    const addresses = new Set<string>();
    for (const d of docs) {
      if (d.kind !== 'activity-profile') expect(actors.has(JSON.stringify(d.agent))).toBe(true);
      if (d.kind !== 'agent-profile') expect(activities.has(d.activityId)).toBe(true);
      if (d.kind === 'state') expect(registrations.has(d.registration)).toBe(true);
      const { content: _c, ...address } = d;
      addresses.add(JSON.stringify(address));
    }
    expect(addresses.size).toBe(docs.length);
    expect([...seedDocuments(buildWorld(c), n)]).toEqual(docs);
    expect(enrollments).toBeGreaterThan(0);
  });
});

describe('seeding config', () => {
  it('merges a partial config over the built-in default', () => {
    const c = configWith({ seed: 3, learners: { count: 25 } });
    expect(c.seed).toBe(3);
    expect(c.learners.count).toBe(25);
    expect(c.learners.identifiers).toEqual(DEFAULT_SEEDING_CONFIG.learners.identifiers);
    expect(configWith({})).toEqual(DEFAULT_SEEDING_CONFIG);
  });

  it('names the path of every bad field', () => {
    const { config, errors } = parseSeedingConfig({
      seed: 'x',
      period: { start: 'yesterday', timezone: 'CEST' },
      counts: { statements: 0, states: -1 },
      learners: { identifiers: { mbox: 2 } },
      courses: { languages: ['english'], interaction_types: [] },
      verbs: { launched: { id: 'launched', display: { english: 'launched' } } },
      shares: { xapi_2: 1.5 },
      extensions: { context: { 'not an iri': 'browser', 'https://x.example/e': 'colour' } },
      colour: 'blue',
    });
    expect(config).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(
      [
        'colour',
        'counts.states',
        'counts.statements',
        'courses.interaction_types',
        'courses.languages[0]',
        'extensions.context.https://x.example/e',
        'extensions.context.not an iri',
        'learners.identifiers.mbox',
        'period.start',
        'period.timezone',
        'seed',
        'shares.xapi_2',
        'verbs.launched.display.english',
        'verbs.launched.id',
      ].sort(),
    );
  });

  it('checks rules across fields: identifier shares add up to 1, the period, groups fit the learners', () => {
    const { errors } = parseSeedingConfig({
      learners: {
        count: 5,
        identifiers: { mbox: 0.5, mbox_sha1sum: 0.1, openid: 0.1, account: 0.1 },
      },
      period: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T12:00:00Z' },
      groups: { count: 3, size: 2 },
    });
    expect(Object.keys(errors).sort()).toEqual(['groups', 'learners.identifiers', 'period.end']);
    expect(parseSeedingConfig([]).errors).toEqual({ '': ['must be a JSON object'] });
  });
});

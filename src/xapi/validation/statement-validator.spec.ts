import { Test } from '@nestjs/testing';
import { fullStatement103, fullStatement200, fullSubStatement } from './statement-examples';
import { StatementValidator, StatementVersion, Violation } from './statement-validator';
import { ValidationModule } from './validation.module';

const validator = new StatementValidator();

type Statement = Record<string, any>;

function minimal(): Statement {
  return {
    actor: { mbox: 'mailto:ann@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
    object: { id: 'http://example.com/activities/1' },
  };
}

function paths(s: unknown, version: StatementVersion = '1.0.3'): string[] {
  return validator.validate(s, version).map((v) => v.path);
}

/** Applies a change to a fresh full statement and returns the violation paths. */
function pathsAfter(change: (s: Statement) => void, version: StatementVersion = '1.0.3') {
  const s = version === '2.0.0' ? fullStatement200() : fullStatement103();
  change(s);
  return paths(s, version);
}

function messageAt(s: unknown, path: string, version: StatementVersion = '1.0.3'): string {
  const v: Violation | undefined = validator.validate(s, version).find((x) => x.path === path);
  return v ? v.message : '';
}

describe('StatementValidator', () => {
  it('is provided and exported by ValidationModule', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ValidationModule] }).compile();
    expect(moduleRef.get(StatementValidator)).toBeInstanceOf(StatementValidator);
  });

  describe('valid statements', () => {
    it('accepts a full 1.0.3 statement with every optional part', () => {
      expect(validator.validate(fullStatement103(), '1.0.3')).toEqual([]);
    });

    it('accepts a full 2.0.0 statement with every optional part', () => {
      expect(validator.validate(fullStatement200(), '2.0.0')).toEqual([]);
    });

    it('accepts the 1.0.3 statement under 2.0.0 as well', () => {
      expect(validator.validate(fullStatement103(), '2.0.0')).toEqual([]);
    });

    it('accepts a minimal statement', () => {
      expect(paths(minimal())).toEqual([]);
    });

    it('accepts a statement whose object is a full SubStatement', () => {
      const s = minimal();
      s.object = fullSubStatement();
      expect(validator.validate(s, '1.0.3')).toEqual([]);
    });
  });

  describe('statement', () => {
    it('treats keys named like Object.prototype members as unknown, without crashing', () => {
      const s = JSON.parse(
        '{"actor":{"mbox":"mailto:a@example.com","__proto__":{"x":1}},' +
          '"verb":{"id":"http://x.example/v","display":{"constructor":"x"}},' +
          '"object":{"id":"http://x.example/a"},"toString":1}',
      );
      expect(paths(s)).toEqual(['toString', 'actor.__proto__', 'verb.display.constructor']);
    });

    it('rejects a non-object', () => {
      expect(paths(null)).toEqual(['']);
      expect(paths([minimal()])).toEqual(['']);
      expect(paths('{}')).toEqual(['']);
    });

    it('requires actor, verb and object and reports all missing at once', () => {
      expect(paths({})).toEqual(['actor', 'verb', 'object']);
    });

    it('rejects null where an object is required', () => {
      expect(pathsAfter((s) => (s.actor = null))).toEqual(['actor']);
      expect(pathsAfter((s) => (s.result = null))).toEqual(['result']);
      expect(pathsAfter((s) => (s.context = null))).toEqual(['context']);
      expect(pathsAfter((s) => (s.object.definition.name = null))).toEqual([
        'object.definition.name',
      ]);
    });

    it('rejects unknown properties at any level', () => {
      expect(pathsAfter((s) => (s.foo = 1))).toEqual(['foo']);
      expect(pathsAfter((s) => (s.actor.age = 3))).toEqual(['actor.age']);
      expect(pathsAfter((s) => (s.verb.name = 'x'))).toEqual(['verb.name']);
      expect(pathsAfter((s) => (s.object.definition.colour = 'red'))).toEqual([
        'object.definition.colour',
      ]);
      expect(pathsAfter((s) => (s.result.score.percent = 75))).toEqual(['result.score.percent']);
      expect(pathsAfter((s) => (s.context.contextActivities.siblings = []))).toEqual([
        'context.contextActivities.siblings',
      ]);
      expect(pathsAfter((s) => (s.attachments[1]['file-url'] = 'x'))).toEqual([
        'attachments[1]["file-url"]',
      ]);
      expect(pathsAfter((s) => (s.objectType = 'Statement'))).toEqual(['objectType']);
    });

    it('checks the id is a UUID of any RFC version and case', () => {
      const ok = [
        'c9f4bc5e-9f0f-11ee-8c90-0242ac120002', // v1
        '6690E6C9-3EF0-4ED3-8B37-7F3964730BEE', // v4 upper case
        '21f7f8de-8051-5b89-8680-0195ef798b6a', // v5
        '01890a5d-ac96-774b-bcce-b302099a8057', // v7
      ];
      for (const id of ok) expect(pathsAfter((s) => (s.id = id))).toEqual([]);
      for (const id of ['not-a-uuid', '6690e6c93ef04ed38b377f3964730bee', 42, null]) {
        expect(pathsAfter((s) => (s.id = id))).toEqual(['id']);
      }
    });

    it('checks version: 1.0.x for 1.0.3, 1.0.x or 2.0.x for 2.0.0', () => {
      expect(pathsAfter((s) => (s.version = '1.0'))).toEqual([]);
      expect(pathsAfter((s) => (s.version = '1.0.9'))).toEqual([]);
      expect(pathsAfter((s) => (s.version = '2.0.0'))).toEqual(['version']);
      expect(pathsAfter((s) => (s.version = '0.95'))).toEqual(['version']);
      expect(pathsAfter((s) => (s.version = 1))).toEqual(['version']);
      expect(pathsAfter((s) => (s.version = '2.0.0'), '2.0.0')).toEqual([]);
      expect(pathsAfter((s) => (s.version = '1.0.3'), '2.0.0')).toEqual([]);
      expect(pathsAfter((s) => (s.version = '3.0.0'), '2.0.0')).toEqual(['version']);
    });

    it('requires a voiding statement to point at a StatementRef', () => {
      const s = minimal();
      s.verb = { id: 'http://adlnet.gov/expapi/verbs/voided' };
      expect(paths(s)).toEqual(['object.objectType']);
      s.object = { objectType: 'StatementRef', id: '9e13cefd-53d3-4eac-b5ed-2cf6693903bb' };
      expect(paths(s)).toEqual([]);
    });

    it('does not apply the voiding rule inside a SubStatement (it voids nothing)', () => {
      const s = minimal();
      s.object = fullSubStatement();
      s.object.verb = { id: 'http://adlnet.gov/expapi/verbs/voided' };
      expect(paths(s)).toEqual([]);
    });
  });

  describe('actor: Agent', () => {
    it('requires exactly one identifier', () => {
      expect(pathsAfter((s) => (s.actor = { name: 'Nobody' }))).toEqual(['actor']);
      expect(
        pathsAfter(
          (s) =>
            (s.actor = {
              mbox: 'mailto:a@example.com',
              openid: 'https://openid.example.com/a',
            }),
        ),
      ).toEqual(['actor']);
      const s = minimal();
      s.actor = { name: 'Nobody' };
      expect(messageAt(s, 'actor')).toMatch(/exactly one identifier/);
    });

    it('accepts each identifier kind alone', () => {
      for (const actor of [
        { mbox: 'mailto:a@example.com' },
        { mbox_sha1sum: 'EBD31E95054C018B10727CCFFD2EF2EC3A016EE9' },
        { openid: 'https://openid.example.com/a' },
        { account: { homePage: 'https://lms.example.com', name: '' } },
      ]) {
        expect(pathsAfter((s) => (s.actor = actor))).toEqual([]);
      }
    });

    it('checks mbox is a mailto IRI', () => {
      for (const mbox of [
        'ann@example.com',
        'mailto:',
        'mailto:ann',
        'mailto:a b@example.com',
        7,
      ]) {
        expect(pathsAfter((s) => (s.actor = { mbox }))).toEqual(['actor.mbox']);
      }
    });

    it('checks mbox_sha1sum is 40 hex digits', () => {
      for (const sum of ['abc', 'zbd31e95054c018b10727ccffd2ef2ec3a016ee9', '']) {
        expect(pathsAfter((s) => (s.actor = { mbox_sha1sum: sum }))).toEqual([
          'actor.mbox_sha1sum',
        ]);
      }
    });

    it('checks openid is an absolute URI', () => {
      for (const openid of ['openid.example.com/a', 'https://exämple.com/a', '']) {
        expect(pathsAfter((s) => (s.actor = { openid }))).toEqual(['actor.openid']);
      }
    });

    it('checks account has an IRL homePage and a name, nothing else', () => {
      expect(pathsAfter((s) => (s.actor = { account: { name: 'x' } }))).toEqual([
        'actor.account.homePage',
      ]);
      expect(pathsAfter((s) => (s.actor = { account: { homePage: 'https://x.example' } }))).toEqual(
        ['actor.account.name'],
      );
      expect(
        pathsAfter((s) => (s.actor = { account: { homePage: 'not an irl', name: 'x' } })),
      ).toEqual(['actor.account.homePage']);
      expect(
        pathsAfter((s) => (s.actor = { account: { homePage: 'https://x.example', name: 5 } })),
      ).toEqual(['actor.account.name']);
      expect(
        pathsAfter(
          (s) => (s.actor = { account: { homePage: 'https://x.example', name: 'x', id: 1 } }),
        ),
      ).toEqual(['actor.account.id']);
      expect(pathsAfter((s) => (s.actor = { account: 'x' }))).toEqual(['actor.account']);
    });

    it('checks objectType and name', () => {
      expect(pathsAfter((s) => (s.actor.objectType = 'Person'))).toEqual(['actor.objectType']);
      expect(pathsAfter((s) => (s.actor.name = 12))).toEqual(['actor.name']);
      expect(pathsAfter((s) => (s.actor.name = null))).toEqual(['actor.name']);
    });
  });

  describe('actor: Group', () => {
    it('accepts an anonymous group with members and an identified group without', () => {
      expect(
        pathsAfter(
          (s) => (s.actor = { objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }] }),
        ),
      ).toEqual([]);
      expect(
        pathsAfter((s) => (s.actor = { objectType: 'Group', mbox: 'mailto:g@example.com' })),
      ).toEqual([]);
      expect(
        pathsAfter(
          (s) =>
            (s.actor = {
              objectType: 'Group',
              openid: 'https://openid.example.com/g',
              member: [{ mbox: 'mailto:a@example.com' }],
            }),
        ),
      ).toEqual([]);
    });

    it('requires member for an anonymous group, non-empty', () => {
      expect(pathsAfter((s) => (s.actor = { objectType: 'Group', name: 'G' }))).toEqual([
        'actor.member',
      ]);
      expect(pathsAfter((s) => (s.actor = { objectType: 'Group', member: [] }))).toEqual([
        'actor.member',
      ]);
      expect(pathsAfter((s) => (s.actor = { objectType: 'Group', member: {} }))).toEqual([
        'actor.member',
      ]);
    });

    it('allows at most one identifier', () => {
      expect(
        pathsAfter(
          (s) =>
            (s.actor = {
              objectType: 'Group',
              mbox: 'mailto:g@example.com',
              openid: 'https://openid.example.com/g',
            }),
        ),
      ).toEqual(['actor']);
    });

    it('requires members to be valid Agents, not Groups', () => {
      expect(
        pathsAfter(
          (s) =>
            (s.actor = {
              objectType: 'Group',
              member: [
                { mbox: 'mailto:a@example.com' },
                { objectType: 'Group', member: [{ mbox: 'mailto:b@example.com' }] },
                { name: 'no id' },
                { mbox: 'bad' },
              ],
            }),
        ),
      ).toEqual(['actor.member[1].objectType', 'actor.member[2]', 'actor.member[3].mbox']);
    });
  });

  describe('verb', () => {
    it('requires an IRI id', () => {
      expect(pathsAfter((s) => delete s.verb.id)).toEqual(['verb.id']);
      expect(pathsAfter((s) => (s.verb.id = 'answered'))).toEqual(['verb.id']);
      expect(pathsAfter((s) => (s.verb.id = 'http://example.com/a b'))).toEqual(['verb.id']);
      expect(pathsAfter((s) => (s.verb = 'http://x.example/v'))).toEqual(['verb']);
    });

    it('checks display is a language map with RFC 5646 keys and string values', () => {
      expect(pathsAfter((s) => (s.verb.display = 'answered'))).toEqual(['verb.display']);
      expect(pathsAfter((s) => (s.verb.display = { en_US: 'answered' }))).toEqual([
        'verb.display.en_US',
      ]);
      expect(pathsAfter((s) => (s.verb.display = { 'en-US': 1 }))).toEqual([
        'verb.display["en-US"]',
      ]);
      expect(pathsAfter((s) => (s.verb.display = { 'not a tag': 'x' }))).toEqual([
        'verb.display["not a tag"]',
      ]);
      for (const tag of [
        'en',
        'zh-Hant-TW',
        'es-419',
        'sl-rozaj-biske',
        'x-private',
        'i-klingon',
        'und',
      ]) {
        expect(pathsAfter((s) => (s.verb.display = { [tag]: 'x' }))).toEqual([]);
      }
    });
  });

  describe('object: Activity', () => {
    it('requires an IRI id', () => {
      expect(pathsAfter((s) => delete s.object.id)).toEqual(['object.id']);
      expect(pathsAfter((s) => (s.object.id = 'quiz-1'))).toEqual(['object.id']);
    });

    it('checks the definition fields', () => {
      expect(pathsAfter((s) => (s.object.definition = 'x'))).toEqual(['object.definition']);
      expect(pathsAfter((s) => (s.object.definition.description = { en: 3 }))).toEqual([
        'object.definition.description.en',
      ]);
      expect(pathsAfter((s) => (s.object.definition.type = 'quiz'))).toEqual([
        'object.definition.type',
      ]);
      expect(pathsAfter((s) => (s.object.definition.moreInfo = 'example.com/x'))).toEqual([
        'object.definition.moreInfo',
      ]);
      expect(
        pathsAfter((s) => (s.object.definition.extensions = { difficulty: 3, 'http://ok': 1 })),
      ).toEqual(['object.definition.extensions.difficulty']);
      expect(pathsAfter((s) => (s.object.definition.extensions = []))).toEqual([
        'object.definition.extensions',
      ]);
    });

    it('checks interactionType against the allowed list', () => {
      expect(pathsAfter((s) => (s.object.definition.interactionType = 'multiple-choice'))).toEqual([
        'object.definition.interactionType',
      ]);
      for (const type of ['constructor', '__proto__', 'toString', 3, null]) {
        expect(pathsAfter((s) => (s.object.definition.interactionType = type))).toEqual([
          'object.definition.interactionType',
        ]);
      }
    });

    it('allows only the component lists of the interaction type', () => {
      expect(pathsAfter((s) => (s.object.definition.interactionType = 'likert'))).toEqual([
        'object.definition.choices',
      ]);
      expect(
        pathsAfter((s) => {
          const d = s.object.definition;
          d.interactionType = 'matching';
          d.source = [{ id: 'a', description: { en: 'A' } }];
          d.target = [{ id: '1' }];
          delete d.choices;
        }),
      ).toEqual([]);
      expect(
        pathsAfter((s) => {
          const d = s.object.definition;
          d.interactionType = 'performance';
          d.steps = [{ id: 's1' }];
          d.scale = [{ id: 'x' }];
          delete d.choices;
        }),
      ).toEqual(['object.definition.scale']);
    });

    it('requires an interactionType for component lists and correctResponsesPattern', () => {
      expect(pathsAfter((s) => delete s.object.definition.interactionType)).toEqual([
        'object.definition.correctResponsesPattern',
        'object.definition.choices',
      ]);
    });

    it('checks each component has a distinct string id and a language map description', () => {
      expect(
        pathsAfter((s) => {
          s.object.definition.choices = [
            { id: 'a', description: { 'en-US': 'A' } },
            { description: { 'en-US': 'B' } },
            { id: 'c', description: 'C' },
            { id: 'a' },
            { id: 7 },
            'd',
            { id: 'e', label: 'E' },
          ];
        }),
      ).toEqual([
        'object.definition.choices[1].id',
        'object.definition.choices[2].description',
        'object.definition.choices[3].id',
        'object.definition.choices[4].id',
        'object.definition.choices[5]',
        'object.definition.choices[6].label',
      ]);
    });

    it('checks correctResponsesPattern is an array of strings', () => {
      expect(pathsAfter((s) => (s.object.definition.correctResponsesPattern = 'a'))).toEqual([
        'object.definition.correctResponsesPattern',
      ]);
      expect(pathsAfter((s) => (s.object.definition.correctResponsesPattern = ['a', 1]))).toEqual([
        'object.definition.correctResponsesPattern[1]',
      ]);
    });

    it('rejects an unknown objectType', () => {
      expect(pathsAfter((s) => (s.object.objectType = 'Course'))).toEqual(['object.objectType']);
      expect(pathsAfter((s) => (s.object.objectType = 'activity'))).toEqual(['object.objectType']);
    });
  });

  describe('object: Agent, Group, StatementRef', () => {
    it('validates an Agent object, which needs objectType', () => {
      const s = minimal();
      s.object = { objectType: 'Agent', mbox: 'mailto:b@example.com' };
      expect(paths(s)).toEqual([]);
      s.object = { objectType: 'Agent' };
      expect(paths(s)).toEqual(['object']);
      s.object = { mbox: 'mailto:b@example.com' }; // no objectType: an Activity without id
      expect(paths(s)).toEqual(['object.mbox', 'object.id']);
    });

    it('validates a Group object', () => {
      const s = minimal();
      s.object = { objectType: 'Group', member: [{ mbox: 'mailto:b@example.com' }] };
      expect(paths(s)).toEqual([]);
      s.object = { objectType: 'Group' };
      expect(paths(s)).toEqual(['object.member']);
    });

    it('validates a StatementRef: UUID id, nothing else', () => {
      const s = minimal();
      s.object = { objectType: 'StatementRef', id: '9e13cefd-53d3-4eac-b5ed-2cf6693903bb' };
      expect(paths(s)).toEqual([]);
      s.object = { objectType: 'StatementRef', id: 'http://example.com/s/1' };
      expect(paths(s)).toEqual(['object.id']);
      s.object = { objectType: 'StatementRef' };
      expect(paths(s)).toEqual(['object.id']);
      s.object = {
        objectType: 'StatementRef',
        id: '9e13cefd-53d3-4eac-b5ed-2cf6693903bb',
        definition: {},
      };
      expect(paths(s)).toEqual(['object.definition']);
    });
  });

  describe('object: SubStatement', () => {
    function withSub(change: (sub: Statement) => void): string[] {
      const s = minimal();
      s.object = fullSubStatement();
      change(s.object);
      return paths(s);
    }

    it('must not have id, stored, version or authority', () => {
      expect(
        withSub((sub) => {
          sub.id = '6690e6c9-3ef0-4ed3-8b37-7f3964730bee';
          sub.stored = '2026-11-28T09:15:31.000Z';
          sub.version = '1.0.3';
          sub.authority = { mbox: 'mailto:a@example.com' };
        }),
      ).toEqual(['object.id', 'object.stored', 'object.version', 'object.authority']);
    });

    it('must not contain a SubStatement', () => {
      expect(
        withSub((sub) => {
          sub.object = fullSubStatement();
          delete sub.context; // its revision would be wrong too, with a non-Activity object
        }),
      ).toEqual(['object.object.objectType']);
    });

    it('requires actor, verb, object and validates them', () => {
      expect(
        withSub((sub) => {
          delete sub.actor;
          sub.verb = { id: 'nope' };
          delete sub.object;
        }),
      ).toEqual(['object.actor', 'object.verb.id', 'object.object']);
    });

    it('validates its result, context, timestamp and attachments, and rejects unknown keys', () => {
      expect(
        withSub((sub) => {
          sub.result = { success: 'yes' };
          sub.context = { registration: 'x' };
          sub.timestamp = 'yesterday';
          sub.attachments = [{}];
          sub.extra = true;
        }),
      ).toEqual([
        'object.extra',
        'object.result.success',
        'object.context.registration',
        'object.timestamp',
        'object.attachments[0].usageType',
        'object.attachments[0].display',
        'object.attachments[0].contentType',
        'object.attachments[0].length',
        'object.attachments[0].sha2',
      ]);
    });

    it('applies revision/platform to the SubStatement object', () => {
      expect(
        withSub((sub) => (sub.object = { objectType: 'Agent', mbox: 'mailto:a@example.com' })),
      ).toEqual(['object.context.revision', 'object.context.platform']);
    });
  });

  describe('result', () => {
    it('checks score ranges', () => {
      expect(pathsAfter((s) => (s.result.score.scaled = 1.5))).toEqual(['result.score.scaled']);
      expect(pathsAfter((s) => (s.result.score.scaled = -1))).toEqual([]);
      expect(pathsAfter((s) => (s.result.score = { raw: 5, min: 0, max: 4 }))).toEqual([
        'result.score.raw',
      ]);
      expect(pathsAfter((s) => (s.result.score = { raw: -1, min: 0 }))).toEqual([
        'result.score.raw',
      ]);
      expect(pathsAfter((s) => (s.result.score = { min: 4, max: 4 }))).toEqual([
        'result.score.min',
      ]);
      expect(pathsAfter((s) => (s.result.score = { raw: '3' }))).toEqual(['result.score.raw']);
      expect(pathsAfter((s) => (s.result.score = { raw: 100 }))).toEqual([]);
    });

    it('checks success, completion, response and extensions types', () => {
      expect(
        pathsAfter((s) => {
          s.result.success = 'true';
          s.result.completion = 1;
          s.result.response = 42;
          s.result.extensions = { attempt: 2 };
        }),
      ).toEqual([
        'result.success',
        'result.completion',
        'result.response',
        'result.extensions.attempt',
      ]);
    });

    it('checks duration is ISO 8601', () => {
      for (const d of [
        'PT1H',
        'P1D',
        'PT0.5S',
        'P1Y2M3DT4H5M6.789S',
        'P3W',
        'PT1M30S',
        'P0.5D',
        'PT1H0M0.1S',
      ]) {
        expect(pathsAfter((s) => (s.result.duration = d))).toEqual([]);
      }
      for (const d of [
        '1 hour',
        'P',
        'PT',
        'P1H',
        'PT1D',
        'P1.5Y2M',
        'PT1.5H30M',
        '90',
        'PT-1S',
        'PA1H0M0S',
        'P0001-02-03T04:05:06',
      ]) {
        expect(pathsAfter((s) => (s.result.duration = d))).toEqual(['result.duration']);
      }
    });
  });

  describe('context', () => {
    it('checks registration is a UUID', () => {
      expect(pathsAfter((s) => (s.context.registration = 'reg-1'))).toEqual([
        'context.registration',
      ]);
    });

    it('checks instructor is an Agent or Group and team is a Group', () => {
      expect(pathsAfter((s) => (s.context.instructor = { name: 'I' }))).toEqual([
        'context.instructor',
      ]);
      expect(
        pathsAfter((s) => (s.context.instructor = { objectType: 'Group', member: [] })),
      ).toEqual(['context.instructor.member']);
      expect(pathsAfter((s) => (s.context.team = { mbox: 'mailto:t@example.com' }))).toEqual([
        'context.team.objectType',
      ]);
      expect(pathsAfter((s) => (s.context.team = 'blue'))).toEqual(['context.team']);
    });

    it('checks contextActivities: Activity or array of Activities', () => {
      expect(
        pathsAfter((s) => {
          s.context.contextActivities.parent = [{ id: 'http://ok.example/a' }, { id: 'bad' }];
          s.context.contextActivities.other = { id: 'bad' };
          s.context.contextActivities.category = [{ objectType: 'Agent', id: 'http://x.example' }];
          s.context.contextActivities.grouping = 'x';
        }),
      ).toEqual([
        'context.contextActivities.parent[1].id',
        'context.contextActivities.grouping',
        'context.contextActivities.category[0].objectType',
        'context.contextActivities.other.id',
      ]);
    });

    it('allows revision and platform only when the object is an Activity', () => {
      expect(
        pathsAfter(
          (s) =>
            (s.object = {
              objectType: 'StatementRef',
              id: '9e13cefd-53d3-4eac-b5ed-2cf6693903bb',
            }),
        ),
      ).toEqual(['context.revision', 'context.platform']);
      expect(pathsAfter((s) => (s.context.revision = 3))).toEqual(['context.revision']);
    });

    it('checks language is an RFC 5646 tag', () => {
      expect(pathsAfter((s) => (s.context.language = 'e'))).toEqual(['context.language']);
      expect(pathsAfter((s) => (s.context.language = 'en_US'))).toEqual(['context.language']);
    });

    it('checks statement is a StatementRef', () => {
      expect(
        pathsAfter((s) => (s.context.statement = { id: '9e13cefd-53d3-4eac-b5ed-2cf6693903bb' })),
      ).toEqual(['context.statement.objectType']);
      expect(
        pathsAfter((s) => (s.context.statement = { objectType: 'StatementRef', id: 'x' })),
      ).toEqual(['context.statement.id']);
    });

    it('checks extension keys are IRIs', () => {
      expect(pathsAfter((s) => (s.context.extensions = { session: 'x' }))).toEqual([
        'context.extensions.session',
      ]);
    });

    it('treats the 2.0 contextAgents and contextGroups as unknown in 1.0.3', () => {
      const s = fullStatement200();
      s.version = '1.0.3';
      expect(paths(s, '1.0.3')).toEqual(['context.contextAgents', 'context.contextGroups']);
      expect(messageAt(s, 'context.contextAgents')).toMatch(/2\.0/);
    });
  });

  describe('context (2.0.0): contextAgents and contextGroups', () => {
    it('checks contextAgents entries', () => {
      expect(
        pathsAfter((s) => {
          s.context.contextAgents = [
            { agent: { mbox: 'mailto:a@example.com' } },
            { objectType: 'contextAgent' },
            { objectType: 'contextAgent', agent: { name: 'x' }, relevantTypes: ['nope'] },
            {
              objectType: 'contextAgent',
              agent: { mbox: 'mailto:a@example.com' },
              relevantTypes: [],
            },
            {
              objectType: 'contextAgent',
              agent: { objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }] },
            },
            { objectType: 'contextAgent', agent: { mbox: 'mailto:a@example.com' }, role: 'x' },
          ];
        }, '2.0.0'),
      ).toEqual([
        'context.contextAgents[0].objectType',
        'context.contextAgents[1].agent',
        'context.contextAgents[2].agent',
        'context.contextAgents[2].relevantTypes[0]',
        'context.contextAgents[3].relevantTypes',
        'context.contextAgents[4].agent.objectType',
        'context.contextAgents[5].role',
      ]);
      expect(pathsAfter((s) => (s.context.contextAgents = {}), '2.0.0')).toEqual([
        'context.contextAgents',
      ]);
    });

    it('checks contextGroups entries', () => {
      expect(
        pathsAfter((s) => {
          s.context.contextGroups = [
            { objectType: 'contextGroup', group: { mbox: 'mailto:g@example.com' } },
            { objectType: 'contextAgent', group: { objectType: 'Group', member: [] } },
            { objectType: 'contextGroup' },
          ];
        }, '2.0.0'),
      ).toEqual([
        'context.contextGroups[0].group.objectType',
        'context.contextGroups[1].objectType',
        'context.contextGroups[1].group.member',
        'context.contextGroups[2].group',
      ]);
    });
  });

  describe('timestamp and stored', () => {
    it('accepts ISO 8601 date-times in 1.0.3, timezone optional', () => {
      for (const t of [
        '2026-11-28T10:15:30Z',
        '2026-11-28T10:15:30.123456+05:30',
        '2026-11-28T10:15:30+0530',
        '2026-11-28T10:15',
        '2026-11-28T10:15:30',
        '2024-02-29T00:00:00Z',
        '20261128T101530Z',
        '20261128T101530.5+0100',
      ]) {
        expect(pathsAfter((s) => (s.timestamp = t))).toEqual([]);
      }
    });

    it('rejects malformed, impossible or -00:00 timestamps', () => {
      for (const t of [
        '28.11.2026',
        '2026-11-28',
        '2026-13-01T00:00:00Z',
        '2025-02-29T00:00:00Z',
        '2026-11-28T24:00:00Z',
        '2026-11-28T10:15:30-00:00',
        '2026-11-28T10:15:30-0000',
        '2026-11-28T10:15:30-00',
        '20261128T101530-0000',
        '2026-1128T10:15:30Z',
        1732789530,
      ]) {
        expect(pathsAfter((s) => (s.timestamp = t))).toEqual(['timestamp']);
      }
      expect(pathsAfter((s) => (s.stored = 'now'))).toEqual(['stored']);
    });

    it('requires RFC 3339 with an offset in 2.0.0', () => {
      expect(pathsAfter((s) => (s.timestamp = '2026-11-28T10:15:30.1+05:30'), '2.0.0')).toEqual([]);
      expect(pathsAfter((s) => (s.timestamp = '2026-11-28t10:15:30z'), '2.0.0')).toEqual([]);
      expect(pathsAfter((s) => (s.timestamp = '2026-11-28 10:15:30Z'), '2.0.0')).toEqual([]);
      for (const t of ['2026-11-28T10:15:30', '2026-11-28T10:15Z', '2026-11-28T10:15:30+0530']) {
        expect(pathsAfter((s) => (s.timestamp = t), '2.0.0')).toEqual(['timestamp']);
        expect(pathsAfter((s) => (s.stored = t), '2.0.0')).toEqual(['stored']);
      }
    });
  });

  describe('authority', () => {
    it('accepts an Agent or a two-member Group', () => {
      expect(pathsAfter((s) => (s.authority = { mbox: 'mailto:a@example.com' }))).toEqual([]);
    });

    it('rejects a Group authority without exactly two members, and invalid agents', () => {
      expect(
        pathsAfter(
          (s) =>
            (s.authority = { objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }] }),
        ),
      ).toEqual(['authority.member']);
      expect(pathsAfter((s) => (s.authority = { name: 'x' }))).toEqual(['authority']);
      expect(pathsAfter((s) => (s.authority.mbox = 'mailto:g@example.com'))).toEqual([
        'authority.mbox',
      ]);
      expect(pathsAfter((s) => (s.authority.member[0] = { mbox: 'x' }))).toEqual([
        'authority.member[0].mbox',
      ]);
    });
  });

  describe('attachments', () => {
    it('requires usageType, display, contentType, length and sha2', () => {
      expect(pathsAfter((s) => (s.attachments = [{ fileUrl: 'https://x.example/f' }]))).toEqual([
        'attachments[0].usageType',
        'attachments[0].display',
        'attachments[0].contentType',
        'attachments[0].length',
        'attachments[0].sha2',
      ]);
    });

    it('checks the types and formats of each field', () => {
      expect(
        pathsAfter((s) => {
          const a = s.attachments[1];
          a.usageType = 'signature';
          a.display = { 'en-US': 5 };
          a.description = 'x';
          a.contentType = 'pdf';
          a.length = 1.5;
          a.sha2 = 'abc';
          a.fileUrl = 'files/ann.pdf';
        }),
      ).toEqual([
        'attachments[1].usageType',
        'attachments[1].display["en-US"]',
        'attachments[1].description',
        'attachments[1].contentType',
        'attachments[1].length',
        'attachments[1].sha2',
        'attachments[1].fileUrl',
      ]);
      expect(pathsAfter((s) => (s.attachments[0].length = -1))).toEqual(['attachments[0].length']);
      expect(pathsAfter((s) => (s.attachments = {}))).toEqual(['attachments']);
      expect(pathsAfter((s) => (s.attachments = [null]))).toEqual(['attachments[0]']);
    });
  });
});

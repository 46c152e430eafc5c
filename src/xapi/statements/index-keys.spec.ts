import {
  iriKey,
  objectActivityId,
  statementActivities,
  statementAgents,
  voidTarget,
} from './index-keys';
import { mergeDefinitions } from './statement-index-writer';

describe('statement index keys', () => {
  const statement = {
    actor: {
      objectType: 'Group',
      mbox: 'mailto:team@example.com',
      member: [{ mbox: 'mailto:a@example.com' }, { name: 'no identifier' }],
    },
    verb: { id: 'http://example.com/v' },
    object: {
      objectType: 'SubStatement',
      actor: { mbox: 'mailto:sub@example.com' },
      verb: { id: 'http://example.com/v2' },
      object: { id: 'http://example.com/inner' },
      context: { contextActivities: { parent: { id: 'http://example.com/inner-parent' } } },
    },
    context: {
      instructor: { account: { homePage: 'http://lms.example.com', name: 'teacher' } },
      contextActivities: { grouping: [{ id: 'http://example.com/g' }] },
    },
    authority: { mbox: 'mailto:lrs@example.com' },
  };

  it('tells the members of an authority group from those of a learner group', () => {
    const oauth = {
      ...statement,
      authority: {
        objectType: 'Group',
        member: [
          { account: { homePage: 'https://lrs.example.com/oauth', name: 'app' } },
          { mbox: 'mailto:a@example.com' },
        ],
      },
    };
    expect(
      statementAgents(oauth)
        .filter((a) => a.vid === 'mbox::mailto:a@example.com')
        .map((a) => a.role),
    ).toEqual(['member', 'authority-member']);
  });

  it('names every identified agent with its role', () => {
    expect(statementAgents(statement).map((a) => `${a.role} ${a.vid}`)).toEqual([
      'actor mbox::mailto:team@example.com',
      'member mbox::mailto:a@example.com',
      'instructor account::http://lms.example.com::teacher',
      'authority mbox::mailto:lrs@example.com',
      'sub-actor mbox::mailto:sub@example.com',
    ]);
  });

  it('names the object and context activities, sub-statement ones prefixed', () => {
    expect(statementActivities(statement).map((a) => `${a.role} ${a.activityId}`)).toEqual([
      'grouping http://example.com/g',
      'sub-object http://example.com/inner',
      'sub-parent http://example.com/inner-parent',
    ]);
  });

  it('finds the target of a voiding statement only', () => {
    const ref = { objectType: 'StatementRef', id: 'AAAAAAAA-0000-4000-8000-000000000000' };
    expect(voidTarget({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: ref })).toBe(
      'aaaaaaaa-0000-4000-8000-000000000000',
    );
    expect(voidTarget({ verb: { id: 'http://example.com/v' }, object: ref })).toBeNull();
  });

  it('objectActivityId is the id of the object activity of statementActivities', () => {
    const objects = [
      { id: 'http://a/1' },
      { objectType: 'Activity', id: 'http://a/2' },
      { objectType: 'Agent', mbox: 'mailto:a@b.c' },
      { objectType: 'StatementRef', id: '6f1c5b1e-6a43-4c49-9f0e-3c7a2f1d2b11' },
      { objectType: 'SubStatement', object: { id: 'http://a/3' } },
      { id: 7 },
      [{ id: 'http://a/4' }],
      null,
    ];
    for (const object of objects) {
      const s = { verb: { id: 'http://v' }, object } as Record<string, any>;
      const expected = statementActivities(s).find((a) => a.role === 'object')?.activityId;
      expect(objectActivityId(s)).toBe(expected ?? null);
    }
  });

  it('shortens long IRIs to a hash key', () => {
    expect(iriKey('http://example.com/a')).toBe('http://example.com/a');
    expect(iriKey(`http://example.com/${'x'.repeat(300)}`)).toMatch(/^sha256::[0-9a-f]{64}$/);
  });

  it('merges activity definitions language by language', () => {
    expect(
      mergeDefinitions(
        { name: { en: 'A' }, type: 'http://t/1', extensions: { 'http://e/1': 1 } },
        { name: { fr: 'Un' }, type: 'http://t/2', extensions: { 'http://e/2': 2 } },
      ),
    ).toEqual({
      name: { en: 'A', fr: 'Un' },
      type: 'http://t/2',
      extensions: { 'http://e/1': 1, 'http://e/2': 2 },
    });
  });
});

import { identitiesIn } from '../../../test/support/identities';
import { agentVid } from '../agents/agent-identifier';
import { AUTHORITY_ROLES, statementAgents } from '../statements/index-keys';
import {
  fullStatement103,
  fullStatement200,
  fullSubStatement,
} from '../validation/statement-examples';
import { StatementValidator } from '../validation/statement-validator';
import { SIGNATURE_USAGE_TYPE } from '../statements/statement-signature';
import {
  droppedAttachments,
  PseudonymSettings,
  pseudonymizeActor,
  pseudonymizeStatement,
  pseudonymName,
  pseudonymVid,
} from './pseudonymizer';

const settings: PseudonymSettings = {
  hashKey: 'spec-key',
  homePage: 'https://lrs.example.com/pseudo',
};

/** A 2.0.0 statement naming an agent in every role, with a sub-statement doing the same. */
function everyRole(): Record<string, any> {
  const s = fullStatement200();
  // revision and platform are only allowed with an Activity object.
  delete s.context.revision;
  delete s.context.platform;
  s.object = fullSubStatement();
  s.object.object = { objectType: 'Agent', name: 'Obi', openid: 'https://id.example.com/obi' };
  s.object.context = {
    instructor: { objectType: 'Agent', mbox: 'mailto:sub-instructor@example.com' },
    team: {
      objectType: 'Group',
      account: { homePage: 'https://lms.example.com', name: 'team-9' },
      member: [{ mbox: 'mailto:sub-member@example.com', name: 'Sue' }],
    },
  };
  s.actor = {
    objectType: 'Group',
    name: 'Pair',
    member: [
      { name: 'Ann Learner', mbox: 'mailto:ann.learner@example.com' },
      { account: { homePage: 'https://lms.example.com', name: 'bob' } },
    ],
  };
  return s;
}

describe('pseudonymizeStatement', () => {
  it('leaves no mbox, mbox_sha1sum, openid, name or original account outside the authority', () => {
    const s = everyRole();
    expect(identitiesIn(s, settings.homePage).length).toBeGreaterThan(10);
    expect(identitiesIn(pseudonymizeStatement(s, settings), settings.homePage)).toEqual([]);
    expect(
      identitiesIn(pseudonymizeStatement(fullStatement103(), settings), settings.homePage),
    ).toEqual([]);
  });

  it('replaces an agent with an account of the pseudo homePage named by HMAC-SHA256 of its identifier', () => {
    const p = pseudonymizeStatement(fullStatement103(), settings);
    const name = pseudonymName('mbox::mailto:ann.learner@example.com', 'spec-key');
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect(p.actor).toEqual({
      objectType: 'Agent',
      account: { homePage: settings.homePage, name },
    });
    expect(p.context.instructor).toEqual({
      objectType: 'Agent',
      account: {
        homePage: settings.homePage,
        name: pseudonymName('account::https://lms.example.com::ian-42', 'spec-key'),
      },
    });
  });

  it('keeps groups as groups: members pseudonymized, an identified group its own pseudonym', () => {
    const p = pseudonymizeStatement(everyRole(), settings);
    expect(p.actor.objectType).toBe('Group');
    expect(p.actor.account).toBeUndefined();
    expect(p.actor.member).toHaveLength(2);
    expect(p.actor.member.map((m: any) => m.account.homePage)).toEqual([
      settings.homePage,
      settings.homePage,
    ]);
    expect(p.context.team.member).toHaveLength(2);
    expect(p.context.contextGroups[0].group).toEqual({
      objectType: 'Group',
      account: {
        homePage: settings.homePage,
        name: pseudonymName('mbox::mailto:cohort7@example.com', 'spec-key'),
      },
    });
    expect(p.object.context.team.objectType).toBe('Group');
    expect(p.object.context.team.account.homePage).toBe(settings.homePage);
    expect(p.context.contextAgents[0].relevantTypes).toEqual(['https://example.com/roles/mentor']);
  });

  it('pseudonymizes inside a sub-statement and keeps everything that is not an identity', () => {
    const s = everyRole();
    const p = pseudonymizeStatement(s, settings);
    expect(p.object.objectType).toBe('SubStatement');
    expect(p.object.actor.account.homePage).toBe(settings.homePage);
    expect(p.object.object.objectType).toBe('Agent');
    expect(p.object.object.account.homePage).toBe(settings.homePage);
    expect(p.object.verb).toEqual(s.object.verb);
    expect(p.verb).toEqual(s.verb);
    expect(p.result).toEqual(s.result);
    expect(p.context.contextActivities).toEqual(s.context.contextActivities);
    expect(p.context.registration).toBe(s.context.registration);
    // The signature goes (see 'signed statements'), the other attachment stays.
    expect(p.attachments).toEqual(
      s.attachments.filter((a: any) => a.usageType !== SIGNATURE_USAGE_TYPE),
    );
    expect(p.attachments).toHaveLength(1);
    expect(p.id).toBe(s.id);
    expect(p.stored).toBe(s.stored);
  });

  it('keeps the authority as it is', () => {
    const s = fullStatement103();
    expect(pseudonymizeStatement(s, settings).authority).toEqual(s.authority);
  });

  it('gives one agent one pseudonym everywhere, two agents two, another key others', () => {
    const a = fullStatement103();
    const b = fullStatement103();
    b.actor = { mbox: 'mailto:ann.learner@example.com', name: 'Ann (another name)' };
    b.context.instructor = { mbox: 'mailto:ann.learner@example.com' };
    const pa = pseudonymizeStatement(a, settings);
    const pb = pseudonymizeStatement(b, settings);
    expect(pb.actor).toEqual(pa.actor);
    expect(pb.context.instructor).toEqual(pa.actor);
    expect(pa.context.instructor).not.toEqual(pa.actor);
    const other = pseudonymizeStatement(a, { ...settings, hashKey: 'other-key' });
    expect(other.actor.account.name).not.toBe(pa.actor.account.name);
  });

  it('does not change its input, and applying it twice changes nothing more', () => {
    const s = everyRole();
    const before = JSON.parse(JSON.stringify(s));
    const once = pseudonymizeStatement(s, settings);
    expect(s).toEqual(before);
    expect(pseudonymizeStatement(once, settings)).toEqual(once);
  });

  it('turns a valid statement into a valid one, for 1.0.3 and 2.0.0', () => {
    const validator = new StatementValidator();
    const s103 = fullStatement103();
    s103.object = fullSubStatement();
    delete s103.context.revision;
    delete s103.context.platform;
    expect(validator.validate(pseudonymizeStatement(s103, settings), '1.0.3')).toEqual([]);
    const s200 = everyRole();
    expect(validator.validate(s200, '2.0.0')).toEqual([]);
    expect(validator.validate(pseudonymizeStatement(s200, settings), '2.0.0')).toEqual([]);
  });

  it('indexes the pseudonymized statement under pseudonymVid() of each original agent', () => {
    const s = everyRole();
    const original = statementAgents(s).map((a) =>
      AUTHORITY_ROLES.includes(a.role) ? a : { ...a, vid: pseudonymVid(a.vid, settings) },
    );
    const after = statementAgents(pseudonymizeStatement(s, settings));
    expect(after.map((a) => [a.role, a.vid])).toEqual(original.map((a) => [a.role, a.vid]));
    expect(after.length).toBeGreaterThan(12);
  });

  it('maps a pseudonym to itself and an unidentified agent to an agent without identity', () => {
    const vid = pseudonymVid('mbox::mailto:x@example.com', settings);
    expect(vid.startsWith(`account::${settings.homePage}::`)).toBe(true);
    expect(pseudonymVid(vid, settings)).toBe(vid);
    expect(pseudonymizeActor({ name: 'No Id' }, settings)).toEqual({ objectType: 'Agent' });
    expect(agentVid(pseudonymizeActor({ mbox: 'mailto:x@example.com' }, settings))).toBe(vid);
  });

  describe('signed statements', () => {
    const signature = {
      usageType: SIGNATURE_USAGE_TYPE,
      display: { 'en-US': 'Signature' },
      contentType: 'application/octet-stream',
      length: 700,
      sha2: 'AB'.repeat(32),
    };
    const photo = {
      usageType: 'http://example.com/attachments/photo',
      display: { 'en-US': 'Photo' },
      contentType: 'image/png',
      length: 10,
      sha2: 'cd'.repeat(32),
    };

    it('drops the signature of a statement whose agents change, keeps its other attachments', () => {
      const s = { ...fullStatement103(), attachments: [signature, photo] };
      const p = pseudonymizeStatement(s, settings);
      expect(p.attachments).toEqual([photo]);
      expect(droppedAttachments(s, p)).toEqual(['ab'.repeat(32)]);
      expect(s.attachments).toEqual([signature, photo]);
      const alone = pseudonymizeStatement(
        { ...fullStatement103(), attachments: [signature] },
        settings,
      );
      expect('attachments' in alone).toBe(false);
    });

    it('keeps the signature of a statement it leaves as it is (it still verifies)', () => {
      const already = pseudonymizeStatement(fullStatement103(), settings);
      const s = { ...already, attachments: [signature, photo] };
      const p = pseudonymizeStatement(s, settings);
      expect(p.attachments).toEqual([signature, photo]);
      expect(droppedAttachments(s, p)).toEqual([]);
    });

    it('drops nothing from an unsigned statement', () => {
      const s = { ...fullStatement103(), attachments: [photo] };
      const p = pseudonymizeStatement(s, settings);
      expect(p.attachments).toEqual([photo]);
      expect(droppedAttachments(s, p)).toEqual([]);
    });
  });
});

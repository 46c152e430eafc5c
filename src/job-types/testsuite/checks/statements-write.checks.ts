import { isUuid } from '../../../xapi/validation/xapi-formats';
import { Check, section } from './check';
import { XapiProbe } from './xapi-probe';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** A valid statement shape the LRS must accept (and keep). */
function accepts(
  id: string,
  description: string,
  make: (x: XapiProbe) => Record<string, any>,
  verify?: (x: XapiProbe, stored: Record<string, any>, sent: Record<string, any>) => void,
) {
  return {
    id,
    description,
    async run(x: XapiProbe) {
      const s = make(x);
      const res = await x.postStatements(s);
      x.status(res, 200);
      const stored = await x.fetchStatement(s.id);
      if (verify) verify(x, stored, s);
    },
  };
}

/** An invalid statement the LRS must reject with 400 (Data 2.x MUST rules). */
function rejects(id: string, description: string, make: (x: XapiProbe) => unknown) {
  return {
    id,
    description,
    async run(x: XapiProbe) {
      x.status(await x.postStatements(make(x)), 400);
    },
  };
}

/** The run's statement with one part replaced. */
const withPart = (part: Record<string, unknown>) => (x: XapiProbe) => x.statement(part);
const withActor = (actor: unknown) => (x: XapiProbe) => x.statement({ actor });
const withObject = (object: unknown) => (x: XapiProbe) => x.statement({ object });
const withResult = (result: unknown) => withPart({ result });
const withContext = (context: Record<string, unknown>) => (x: XapiProbe) =>
  x.statement({ context });
const definition = (x: XapiProbe, def: Record<string, unknown>) => ({
  objectType: 'Activity',
  id: x.data.activity('defined'),
  definition: def,
});
const without = (key: string) => (x: XapiProbe) => {
  const s = x.statement();
  delete s[key];
  return s;
};

const VALID: Check[] = section('statements-write', [
  {
    id: 'post-single',
    description: 'POST of one statement answers 200 with an array holding its id',
    async run(x) {
      const s = x.statement();
      const res = await x.postStatements(s);
      x.status(res, 200);
      x.equal(res.body, [s.id], 'body');
    },
  },
  {
    id: 'post-batch-order',
    description: 'POST of several statements answers their ids in the order sent',
    async run(x) {
      const list = [x.statement(), x.statement(), x.statement()];
      const res = await x.postStatements(list);
      x.status(res, 200);
      x.equal(
        res.body,
        list.map((s) => s.id),
        'body',
      );
    },
  },
  {
    id: 'post-assigns-id',
    description: 'A statement posted without an id gets a UUID assigned by the LRS',
    async run(x) {
      const s = x.statement();
      delete s.id;
      const res = await x.postStatements(s);
      x.status(res, 200);
      const id = res.body?.[0];
      x.expect(typeof id === 'string' && isUuid(id), 'a UUID', res.text);
      x.data.statementIds.add(id);
      await x.fetchStatement(id);
    },
  },
  {
    id: 'put-204',
    description: 'PUT statements?statementId= stores the statement and answers 204',
    async run(x) {
      const s = x.statement();
      x.status(await x.putStatement(s), 204);
      const stored = await x.fetchStatement(s.id);
      x.equal(stored.id, s.id, 'id');
    },
  },
  {
    id: 'put-without-id-param',
    description: 'PUT statements without the statementId parameter is a 400',
    async run(x) {
      x.status(await x.request('PUT', 'statements', { json: x.statement() }), 400);
    },
  },
  {
    id: 'put-id-mismatch',
    description: 'PUT with a statement id that differs from statementId is a 400',
    async run(x) {
      const s = x.statement();
      x.status(
        await x.request('PUT', 'statements', {
          query: { statementId: x.data.statementId() },
          json: s,
        }),
        400,
      );
    },
  },
  {
    id: 'put-invalid-id-param',
    description: 'PUT with a statementId that is not a UUID is a 400',
    async run(x) {
      const s = x.statement();
      delete s.id;
      x.status(
        await x.request('PUT', 'statements', { query: { statementId: 'not-a-uuid' }, json: s }),
        400,
      );
    },
  },
  accepts(
    'sets-stored',
    'The LRS sets "stored" (an ISO 8601 timestamp) on every statement',
    (x) => x.statement(),
    (x, st) =>
      x.expect(
        typeof st.stored === 'string' && ISO.test(st.stored),
        'stored: ISO 8601 timestamp',
        st.stored,
      ),
  ),
  accepts(
    'sets-timestamp',
    'The LRS sets "timestamp" when the statement has none',
    (x) => x.statement(),
    (x, st) =>
      x.expect(
        typeof st.timestamp === 'string' && ISO.test(st.timestamp),
        'timestamp: ISO 8601',
        st.timestamp,
      ),
  ),
  accepts(
    'keeps-timestamp',
    'The LRS keeps the timestamp the statement was sent with',
    (x) => x.statement({ timestamp: '2020-02-02T10:20:30.400Z' }),
    (x, st) =>
      x.expect(
        new Date(st.timestamp).getTime() === Date.parse('2020-02-02T10:20:30.400Z'),
        'timestamp 2020-02-02T10:20:30.400Z',
        st.timestamp,
      ),
  ),
  accepts(
    'sets-authority',
    'The LRS sets "authority" to an Agent or Group',
    (x) => x.statement(),
    (x, st) =>
      x.expect(
        st.authority && ['Agent', 'Group', undefined].includes(st.authority.objectType),
        'an authority Agent or Group',
        st.authority,
      ),
  ),
  accepts(
    'sets-version',
    'The LRS sets "version" of a statement sent without one',
    (x) => x.statement(),
    (x, st) =>
      x.expect(
        typeof st.version === 'string' && /^\d+\.\d+\.\d+$/.test(st.version),
        'version like 1.0.3',
        st.version,
      ),
  ),
  accepts(
    'keeps-actor-verb-object',
    'The stored statement has the actor, verb and object as sent',
    (x) => x.statement(),
    (x, st, s) => {
      x.equal(st.actor?.mbox, s.actor.mbox, 'actor.mbox');
      x.equal(st.verb?.id, s.verb.id, 'verb.id');
      x.equal(st.object?.id, s.object.id, 'object.id');
    },
  ),
  accepts('ifi-mbox-sha1sum', 'An actor identified by mbox_sha1sum is accepted', (x) =>
    x.statement({ actor: x.data.agent('sha1', 'mbox_sha1sum') }),
  ),
  accepts('ifi-openid', 'An actor identified by openid is accepted', (x) =>
    x.statement({ actor: x.data.agent('openid', 'openid') }),
  ),
  accepts('ifi-account', 'An actor identified by an account (homePage, name) is accepted', (x) =>
    x.statement({ actor: x.data.agent('account', 'account') }),
  ),
  accepts('actor-identified-group', 'An identified Group actor with members is accepted', (x) => {
    const group = {
      ...x.data.agent('team', 'account'),
      objectType: 'Group',
      member: [x.data.agent('m1'), x.data.agent('m2', 'openid')],
    };
    return x.statement({ actor: group });
  }),
  accepts(
    'actor-anonymous-group',
    'An anonymous Group actor (members, no identifier) is accepted',
    (x) =>
      x.statement({
        actor: {
          objectType: 'Group',
          name: 'anonymous',
          member: [x.data.agent('a1'), x.data.agent('a2')],
        },
      }),
  ),
  accepts('object-agent', 'A statement whose object is an Agent is accepted', (x) =>
    x.statement({ object: x.data.agent('object') }),
  ),
  accepts('object-statementref', 'A statement whose object is a StatementRef is accepted', (x) =>
    x.statement({ object: { objectType: 'StatementRef', id: x.data.statementId() } }),
  ),
  accepts('object-substatement', 'A statement whose object is a SubStatement is accepted', (x) =>
    x.statement({
      object: {
        objectType: 'SubStatement',
        actor: x.data.agent('sub'),
        verb: x.data.verb('planned'),
        object: { id: x.data.activity('sub') },
      },
    }),
  ),
  accepts(
    'full-result',
    'A result with score, success, completion, response, duration and extensions is accepted',
    (x) =>
      x.statement({
        result: {
          score: { scaled: 0.5, raw: 5, min: 0, max: 10 },
          success: true,
          completion: true,
          response: 'yes',
          duration: 'PT1H2M3.5S',
          extensions: { [x.data.iriBase + 'ext/r']: 1 },
        },
      }),
    (x, st) => x.equal(st.result?.score?.raw, 5, 'result.score.raw'),
  ),
  accepts(
    'full-context',
    'A context with instructor, team, contextActivities, revision, platform, language, statement and extensions is accepted',
    (x) =>
      x.statement({
        context: {
          instructor: x.data.agent('instructor'),
          team: { objectType: 'Group', member: [x.data.agent('t1')] },
          contextActivities: {
            parent: [{ id: x.data.activity('parent') }],
            grouping: [{ id: x.data.activity('grouping') }],
            category: [{ id: x.data.activity('category') }],
            other: [{ id: x.data.activity('other') }],
          },
          revision: 'r1',
          platform: 'testsuite',
          language: 'en-US',
          statement: { objectType: 'StatementRef', id: x.data.statementId() },
          extensions: { [x.data.iriBase + 'ext/c']: { a: 1 } },
        },
      }),
  ),
  accepts(
    'interaction-definition',
    'An activity definition of a choice interaction with choices is accepted',
    (x) =>
      x.statement({
        object: definition(x, {
          name: { 'en-US': 'Q1' },
          type: x.data.activityType('cmi.interaction'),
          interactionType: 'choice',
          correctResponsesPattern: ['a'],
          choices: [
            { id: 'a', description: { 'en-US': 'A' } },
            { id: 'b', description: { 'en-US': 'B' } },
          ],
        }),
      }),
  ),
  accepts('timestamp-offset', 'A timestamp with a time zone offset is accepted', (x) =>
    x.statement({ timestamp: '2021-03-04T05:06:07+02:00' }),
  ),
  accepts(
    'language-map',
    'Verb display and activity names as language maps of several tags are accepted',
    (x) =>
      x.statement({
        verb: {
          ...x.data.verb('lang'),
          display: { 'en-US': 'tried', 'fr-FR': 'essayé', 'zh-Hans-CN': '尝试' },
        },
      }),
  ),
]);

const INVALID: Check[] = section('statements-write', [
  rejects('no-actor', 'A statement without an actor is rejected (400)', without('actor')),
  rejects('no-verb', 'A statement without a verb is rejected (400)', without('verb')),
  rejects('no-object', 'A statement without an object is rejected (400)', without('object')),
  rejects('id-not-uuid', 'A statement id that is not a UUID is rejected (400)', (x) => ({
    ...x.statement(),
    id: 'not-a-uuid',
  })),
  rejects(
    'unknown-property',
    'A statement with an unknown top-level property is rejected (400)',
    (x) => ({ ...x.statement(), colour: 'blue' }),
  ),
  {
    id: 'not-json',
    description: 'A statements body that is not JSON is rejected (400)',
    async run(x) {
      const res = await x.request('POST', 'statements', {
        body: '{"actor": ',
        headers: { 'Content-Type': 'application/json' },
      });
      x.status(res, 400);
    },
  },
  rejects(
    'actor-two-ifis',
    'An actor with two inverse functional identifiers is rejected (400)',
    (x) =>
      x.statement({ actor: { ...x.data.agent('two'), openid: x.data.iriBase + 'openid/two' } }),
  ),
  rejects(
    'actor-no-ifi',
    'An Agent actor without an identifier is rejected (400)',
    withActor({ objectType: 'Agent', name: 'nobody' }),
  ),
  rejects(
    'mbox-not-mailto',
    'An mbox that is not a mailto: IRI is rejected (400)',
    withActor({ mbox: 'learner@example.com' }),
  ),
  rejects(
    'sha1-not-hex',
    'An mbox_sha1sum that is not 40 hex digits is rejected (400)',
    withActor({ mbox_sha1sum: 'xyz' }),
  ),
  rejects(
    'openid-not-uri',
    'An openid that is not a URI is rejected (400)',
    withActor({ openid: 'not a uri' }),
  ),
  rejects(
    'account-no-homepage',
    'An account without homePage is rejected (400)',
    withActor({ account: { name: 'x' } }),
  ),
  rejects(
    'account-no-name',
    'An account without name is rejected (400)',
    withActor({ account: { homePage: 'http://example.com' } }),
  ),
  rejects(
    'account-homepage-not-iri',
    'An account homePage that is not an IRL is rejected (400)',
    withActor({ account: { homePage: 'not a url', name: 'x' } }),
  ),
  rejects(
    'actor-objecttype-case',
    'An actor objectType other than "Agent" or "Group" (e.g. "agent") is rejected (400)',
    (x) => x.statement({ actor: { ...x.data.agent('case'), objectType: 'agent' } }),
  ),
  rejects('group-member-not-array', 'A Group whose member is not an array is rejected (400)', (x) =>
    x.statement({ actor: { objectType: 'Group', member: x.data.agent('single') } }),
  ),
  rejects(
    'anonymous-group-no-member',
    'An anonymous Group without members is rejected (400)',
    withActor({ objectType: 'Group', name: 'empty' }),
  ),
  rejects('group-member-group', 'A Group whose member is a Group is rejected (400)', (x) =>
    x.statement({
      actor: {
        objectType: 'Group',
        member: [{ objectType: 'Group', member: [x.data.agent('inner')] }],
      },
    }),
  ),
  rejects(
    'verb-no-id',
    'A verb without an id is rejected (400)',
    withPart({ verb: { display: { 'en-US': 'did' } } }),
  ),
  rejects(
    'verb-id-not-iri',
    'A verb id that is not an IRI is rejected (400)',
    withPart({ verb: { id: 'did' } }),
  ),
  rejects(
    'verb-display-not-map',
    'A verb display that is not a language map is rejected (400)',
    (x) => x.statement({ verb: { id: x.data.verb('v').id, display: 'did' } }),
  ),
  rejects(
    'verb-display-bad-tag',
    'A language map key that is not an RFC 5646 tag is rejected (400)',
    (x) => x.statement({ verb: { id: x.data.verb('v').id, display: { 'not a tag!': 'did' } } }),
  ),
  rejects(
    'activity-no-id',
    'An Activity object without an id is rejected (400)',
    withObject({ objectType: 'Activity' }),
  ),
  rejects(
    'activity-id-not-iri',
    'An activity id that is not an IRI is rejected (400)',
    withObject({ objectType: 'Activity', id: 'course one' }),
  ),
  rejects('object-type-unknown', 'An object with an unknown objectType is rejected (400)', (x) =>
    x.statement({ object: { objectType: 'Thing', id: x.data.activity('thing') } }),
  ),
  rejects(
    'definition-name-not-map',
    'An activity definition name that is not a language map is rejected (400)',
    (x) => x.statement({ object: definition(x, { name: 'Course' }) }),
  ),
  rejects(
    'definition-type-not-iri',
    'An activity definition type that is not an IRI is rejected (400)',
    (x) => x.statement({ object: definition(x, { type: 'course' }) }),
  ),
  rejects('interaction-type-unknown', 'An unknown interactionType is rejected (400)', (x) =>
    x.statement({ object: definition(x, { interactionType: 'essay' }) }),
  ),
  rejects(
    'definition-extension-key',
    'An activity definition extension key that is not an IRI is rejected (400)',
    (x) => x.statement({ object: definition(x, { extensions: { color: 1 } }) }),
  ),
  rejects(
    'statementref-id-not-uuid',
    'A StatementRef whose id is not a UUID is rejected (400)',
    withObject({ objectType: 'StatementRef', id: 'nope' }),
  ),
  rejects('substatement-with-id', 'A SubStatement with an id is rejected (400)', (x) =>
    x.statement({
      object: {
        objectType: 'SubStatement',
        id: x.data.statementId(),
        actor: x.data.agent('sub'),
        verb: x.data.verb('v'),
        object: { id: x.data.activity('sub') },
      },
    }),
  ),
  rejects('substatement-nested', 'A SubStatement inside a SubStatement is rejected (400)', (x) => {
    const inner = {
      objectType: 'SubStatement',
      actor: x.data.agent('sub'),
      verb: x.data.verb('v'),
      object: { id: x.data.activity('sub') },
    };
    return x.statement({ object: { ...inner, object: inner } });
  }),
  rejects(
    'substatement-with-authority',
    'A SubStatement with an authority is rejected (400)',
    (x) =>
      x.statement({
        object: {
          objectType: 'SubStatement',
          actor: x.data.agent('sub'),
          verb: x.data.verb('v'),
          object: { id: x.data.activity('sub') },
          authority: x.data.agent('auth'),
        },
      }),
  ),
  rejects(
    'score-scaled-range',
    'A result score.scaled outside -1..1 is rejected (400)',
    withResult({ score: { scaled: 1.5 } }),
  ),
  rejects(
    'score-raw-above-max',
    'A result score.raw above score.max is rejected (400)',
    withResult({ score: { raw: 11, min: 0, max: 10 } }),
  ),
  rejects(
    'score-min-above-max',
    'A result score.min above score.max is rejected (400)',
    withResult({ score: { min: 10, max: 1 } }),
  ),
  rejects(
    'duration-not-iso',
    'A result duration that is not an ISO 8601 duration is rejected (400)',
    withResult({ duration: '1 hour' }),
  ),
  rejects(
    'success-not-boolean',
    'A result success that is not a boolean is rejected (400)',
    withResult({ success: 'yes' }),
  ),
  rejects(
    'result-extension-key',
    'A result extension key that is not an IRI is rejected (400)',
    withResult({ extensions: { mood: 'good' } }),
  ),
  rejects(
    'registration-not-uuid',
    'A context registration that is not a UUID is rejected (400)',
    withContext({ registration: 'reg-1' }),
  ),
  rejects(
    'revision-non-activity',
    'A context revision on a statement whose object is not an Activity is rejected (400)',
    (x) => x.statement({ object: x.data.agent('o'), context: { revision: 'r1' } }),
  ),
  rejects(
    'platform-non-activity',
    'A context platform on a statement whose object is not an Activity is rejected (400)',
    (x) => x.statement({ object: x.data.agent('o'), context: { platform: 'web' } }),
  ),
  rejects(
    'context-activities-key',
    'A contextActivities key other than parent, grouping, category, other is rejected (400)',
    (x) => withContext({ contextActivities: { sibling: [{ id: x.data.activity('sib') }] } })(x),
  ),
  rejects(
    'context-instructor-invalid',
    'A context instructor without an identifier is rejected (400)',
    withContext({ instructor: { name: 'teacher' } }),
  ),
  rejects(
    'context-language-tag',
    'A context language that is not an RFC 5646 tag is rejected (400)',
    withContext({ language: 'english please' }),
  ),
  rejects(
    'context-statement-not-ref',
    'A context statement that is not a StatementRef is rejected (400)',
    (x) => withContext({ statement: { objectType: 'Activity', id: x.data.activity('a') } })(x),
  ),
  rejects(
    'context-extension-key',
    'A context extension key that is not an IRI is rejected (400)',
    withContext({ extensions: { k: 1 } }),
  ),
  rejects(
    'timestamp-not-iso',
    'A timestamp that is not ISO 8601 is rejected (400)',
    withPart({ timestamp: 'yesterday' }),
  ),
  rejects(
    'version-unsupported',
    'A statement version outside 1.0.x / 2.0.x is rejected (400)',
    withPart({ version: '0.95' }),
  ),
  rejects(
    'attachment-no-usage-type',
    'An attachment without usageType is rejected (400)',
    withPart({
      attachments: [
        {
          display: { 'en-US': 'a' },
          contentType: 'text/plain',
          length: 1,
          sha2: 'a'.repeat(64),
          fileUrl: 'http://example.com/a',
        },
      ],
    }),
  ),
  {
    id: 'batch-duplicate-ids',
    description: 'A batch holding two statements with the same id is rejected (400)',
    async run(x) {
      const s = x.statement();
      x.status(await x.postStatements([s, { ...s }]), 400);
    },
  },
  {
    id: 'batch-atomic',
    description: 'A batch with one invalid statement is rejected whole: none of it is stored',
    async run(x) {
      const good = x.statement();
      const bad = x.statement({ verb: { id: 'not an iri' } });
      x.status(await x.postStatements([good, bad]), 400);
      x.status(await x.get('statements', { statementId: good.id }), 404);
    },
  },
  {
    id: 'rejected-not-stored',
    description: 'A rejected statement is not stored (GET by its id is a 404)',
    async run(x) {
      const s = x.statement({ result: { score: { scaled: 7 } } });
      x.status(await x.postStatements(s), 400);
      x.status(await x.get('statements', { statementId: s.id }), 404);
    },
  },
]);

/** Data 2.x (1.0.3) / 4.2 (2.0.0): what a statement must be, what the LRS sets. */
export const STATEMENTS_WRITE_CHECKS: Check[] = [...VALID, ...INVALID];

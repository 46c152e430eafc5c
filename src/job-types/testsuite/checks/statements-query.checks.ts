import { section } from './check';
import { XapiProbe } from './xapi-probe';

const ids = (list: Record<string, any>[]) => list.map((s) => s.id).sort();

/** Stores `match` and `other`, then expects the query to return exactly `match`. */
async function filters(
  x: XapiProbe,
  query: Record<string, string>,
  match: Record<string, any>[],
  other: Record<string, any>[],
) {
  await x.store(...match, ...other);
  x.equal(ids(await x.query(query)), ids(match), 'ids returned');
}

/** xAPI-Communication 2.1.3 (1.0.3) / 4.1.6.1 (2.0.0): statement query filters. */
export const STATEMENTS_QUERY_CHECKS = section('statements-query', [
  {
    id: 'verb',
    description: 'The verb filter returns only statements with that verb',
    async run(x) {
      const v = x.data.verb('q-verb');
      await filters(x, { verb: v.id }, [x.statement({ verb: v })], [x.statement()]);
    },
  },
  {
    id: 'activity',
    description: 'The activity filter returns only statements whose object is that activity',
    async run(x) {
      const a = x.data.activity('q-activity');
      await filters(x, { activity: a }, [x.statement({ object: { id: a } })], [x.statement()]);
    },
  },
  {
    id: 'agent-actor',
    description: 'The agent filter returns the statements whose actor is that agent',
    async run(x) {
      const agent = x.data.agent('q-actor');
      await filters(
        x,
        { agent: JSON.stringify(agent) },
        [x.statement({ actor: agent })],
        [x.statement()],
      );
    },
  },
  {
    id: 'agent-object',
    description: 'The agent filter also returns the statements whose object is that agent',
    async run(x) {
      const agent = x.data.agent('q-object', 'account');
      await filters(
        x,
        { agent: JSON.stringify(agent) },
        [x.statement({ object: agent })],
        [x.statement()],
      );
    },
  },
  {
    id: 'registration',
    description: 'The registration filter returns only statements of that registration',
    async run(x) {
      const r = x.data.newRegistration();
      await filters(
        x,
        { registration: r },
        [x.statement({ context: { registration: r } })],
        [x.statement()],
      );
    },
  },
  {
    id: 'related-activities',
    description: 'related_activities=true makes the activity filter match context activities too',
    async run(x) {
      const a = x.data.activity('q-related');
      const inContext = x.statement({ context: { contextActivities: { parent: [{ id: a }] } } });
      await x.store(inContext, x.statement());
      x.equal(ids(await x.query({ activity: a })), [], 'ids without related_activities');
      x.equal(
        ids(await x.query({ activity: a, related_activities: 'true' })),
        [inContext.id],
        'ids with related_activities',
      );
    },
  },
  {
    id: 'related-agents',
    description: 'related_agents=true makes the agent filter match a context instructor too',
    async run(x) {
      const teacher = x.data.agent('q-instructor');
      const taught = x.statement({ context: { instructor: teacher } });
      await x.store(taught, x.statement());
      x.equal(
        ids(await x.query({ agent: JSON.stringify(teacher) })),
        [],
        'ids without related_agents',
      );
      x.equal(
        ids(await x.query({ agent: JSON.stringify(teacher), related_agents: 'true' })),
        [taught.id],
        'ids with related_agents',
      );
    },
  },
  {
    id: 'since-until',
    description: 'since is exclusive and until inclusive of the stored time',
    async run(x) {
      const r = x.data.newRegistration();
      const a = x.statement({ context: { registration: r } });
      await x.store(a);
      const storedA = (await x.fetchStatement(a.id)).stored as string;
      await new Promise((resolve) => setTimeout(resolve, 15));
      const b = x.statement({ context: { registration: r } });
      await x.store(b);
      x.equal(
        ids(await x.query({ registration: r, since: storedA })),
        [b.id],
        'ids since stored(a)',
      );
      x.equal(
        ids(await x.query({ registration: r, until: storedA })),
        [a.id],
        'ids until stored(a)',
      );
    },
  },
  {
    id: 'limit',
    description: 'limit caps the number of statements returned',
    async run(x) {
      const r = x.data.newRegistration();
      await x.store(...[1, 2, 3].map(() => x.statement({ context: { registration: r } })));
      x.equal((await x.query({ registration: r, limit: '2' })).length, 2, 'statements returned');
    },
  },
  {
    id: 'ascending',
    description: 'ascending=true returns the oldest stored first',
    async run(x) {
      const r = x.data.newRegistration();
      const a = x.statement({ context: { registration: r } });
      await x.store(a);
      const b = x.statement({ context: { registration: r } });
      await x.store(b);
      x.equal(
        (await x.query({ registration: r, ascending: 'true' })).map((s) => s.id),
        [a.id, b.id],
        'ids in order',
      );
    },
  },
  {
    id: 'combined',
    description: 'Several filters combine with AND',
    async run(x) {
      const v = x.data.verb('q-and');
      const a = x.data.activity('q-and');
      const both = x.statement({ verb: v, object: { id: a } });
      await filters(
        x,
        { verb: v.id, activity: a },
        [both],
        [x.statement({ verb: v }), x.statement({ object: { id: a } })],
      );
    },
  },
  {
    id: 'statement-ref-target',
    description:
      'A filter also returns statements whose StatementRef object targets a matching statement',
    async run(x) {
      const a = x.data.activity('q-target');
      const target = x.statement({ object: { id: a } });
      const ref = x.statement({ object: { objectType: 'StatementRef', id: target.id } });
      await x.store(target);
      await x.store(ref);
      x.equal(ids(await x.query({ activity: a })), ids([target, ref]), 'ids returned');
    },
  },
  {
    id: 'agent-invalid-400',
    description: 'An agent filter that is not a JSON Agent is a 400',
    async run(x) {
      x.status(await x.get('statements', { agent: 'mailto:someone@example.com' }), 400);
    },
  },
  {
    id: 'since-invalid-400',
    description: 'A since that is not an ISO 8601 timestamp is a 400',
    async run(x) {
      x.status(await x.get('statements', { since: 'last week' }), 400);
    },
  },
  {
    id: 'registration-invalid-400',
    description: 'A registration filter that is not a UUID is a 400',
    async run(x) {
      x.status(await x.get('statements', { registration: 'reg-1' }), 400);
    },
  },
]);

import { Check, section, SectionName } from './check';
import { ProbeRequest, XapiProbe } from './xapi-probe';

type Query = Record<string, string>;

/** What sets one document resource apart: its path, context params and document id param. */
interface DocumentKind {
  section: Extract<SectionName, 'state' | 'activity-profile' | 'agent-profile'>;
  resource: string;
  idParam: 'stateId' | 'profileId';
  /** Context params of a fresh context (its own activity / agent), named after the check. */
  context(x: XapiProbe, name: string): Query;
}

const STATE: DocumentKind = {
  section: 'state',
  resource: 'activities/state',
  idParam: 'stateId',
  context: (x, name) => ({
    activityId: x.data.activity(`state-${name}`),
    agent: JSON.stringify(x.data.agent(`state-${name}`)),
  }),
};
const ACTIVITY_PROFILE: DocumentKind = {
  section: 'activity-profile',
  resource: 'activities/profile',
  idParam: 'profileId',
  context: (x, name) => ({ activityId: x.data.activity(`profile-${name}`) }),
};
const AGENT_PROFILE: DocumentKind = {
  section: 'agent-profile',
  resource: 'agents/profile',
  idParam: 'profileId',
  context: (x, name) => ({ agent: JSON.stringify(x.data.agent(`profile-${name}`, 'account')) }),
};

/** Requests on one document resource, with the documents written remembered for deletion. */
class Documents {
  constructor(
    readonly kind: DocumentKind,
    readonly x: XapiProbe,
    readonly context: Query,
  ) {}

  query(id?: string, extra: Query = {}): Query {
    return { ...this.context, ...(id === undefined ? {} : { [this.kind.idParam]: id }), ...extra };
  }

  send(method: string, id: string | undefined, req: ProbeRequest & { extra?: Query } = {}) {
    const query = this.query(id, req.extra);
    if ((method === 'PUT' || method === 'POST') && id !== undefined) {
      this.x.data.documents.push({ resource: this.kind.resource, query });
    }
    return this.x.request(method, this.kind.resource, { ...req, query });
  }

  /** Creates a JSON document (If-None-Match: * makes it a create on every resource). */
  async create(id: string, doc: unknown, extra: Query = {}) {
    const res = await this.send('PUT', id, { json: doc, headers: { 'If-None-Match': '*' }, extra });
    this.x.status(res, 204);
    return res;
  }

  async read(id: string, extra: Query = {}) {
    const res = await this.send('GET', id, { extra });
    this.x.status(res, 200);
    return res;
  }
}

type DocCheck = {
  id: string;
  description: string;
  versions?: Check['versions'];
  run(d: Documents): Promise<void>;
};

/** The rules every document resource shares (xAPI-Communication 2.2 / 4.1.6.2-6). */
function commonChecks(label: string): DocCheck[] {
  return [
    {
      id: 'put-get',
      description: `A ${label} stored with PUT is returned by GET as sent`,
      async run(d) {
        await d.create('doc', { score: 1, text: 'héllo' });
        d.x.equal((await d.read('doc')).body, { score: 1, text: 'héllo' }, 'document');
      },
    },
    {
      id: 'content-type',
      description: `GET of a ${label} answers the Content-Type it was stored with`,
      async run(d) {
        await d.create('doc', { a: 1 });
        const res = await d.read('doc');
        d.x.contentType(res, 'application/json');
      },
    },
    {
      id: 'etag',
      description: `GET of a ${label} carries an ETag header`,
      async run(d) {
        await d.create('doc', { a: 1 });
        d.x.header(await d.read('doc'), 'ETag');
      },
    },
    {
      id: 'last-modified',
      description: `GET of a ${label} carries a Last-Modified header`,
      async run(d) {
        await d.create('doc', { a: 1 });
        const v = d.x.header(await d.read('doc'), 'Last-Modified');
        d.x.expect(!Number.isNaN(Date.parse(v)), 'an HTTP date', v);
      },
    },
    {
      id: 'if-none-match-412',
      description: `PUT with If-None-Match: * over an existing ${label} is a 412`,
      async run(d) {
        await d.create('doc', { a: 1 });
        d.x.status(
          await d.send('PUT', 'doc', { json: { a: 2 }, headers: { 'If-None-Match': '*' } }),
          412,
        );
      },
    },
    {
      id: 'if-match-wrong-412',
      description: `PUT with an If-Match that is not the current ETag of the ${label} is a 412`,
      async run(d) {
        await d.create('doc', { a: 1 });
        d.x.status(
          await d.send('PUT', 'doc', {
            json: { a: 2 },
            headers: { 'If-Match': '"0000000000000000000000000000000000000000"' },
          }),
          412,
        );
      },
    },
    {
      id: 'if-match-right',
      description: `PUT with the current ETag in If-Match replaces the ${label}`,
      async run(d) {
        await d.create('doc', { a: 1 });
        const etag = d.x.header(await d.read('doc'), 'ETag');
        d.x.status(
          await d.send('PUT', 'doc', { json: { b: 2 }, headers: { 'If-Match': etag } }),
          204,
        );
        d.x.equal((await d.read('doc')).body, { b: 2 }, 'document');
      },
    },
    {
      id: 'post-merge',
      description: `POST of a JSON object merges its top-level properties into the stored ${label}`,
      async run(d) {
        d.x.status(await d.send('POST', 'doc', { json: { a: 1 } }), 204);
        d.x.status(await d.send('POST', 'doc', { json: { b: 2 } }), 204);
        d.x.equal((await d.read('doc')).body, { a: 1, b: 2 }, 'document');
      },
    },
    {
      id: 'post-overwrites-keys',
      description: `POST overwrites the top-level properties of the ${label} it repeats`,
      async run(d) {
        d.x.status(await d.send('POST', 'doc', { json: { a: 1, c: { d: 1 } } }), 204);
        d.x.status(await d.send('POST', 'doc', { json: { c: { e: 2 } } }), 204);
        d.x.equal((await d.read('doc')).body, { a: 1, c: { e: 2 } }, 'document');
      },
    },
    {
      id: 'post-non-json-400',
      description: `POST of a non-JSON document over a JSON ${label} is a 400`,
      async run(d) {
        await d.create('doc', { a: 1 });
        d.x.status(
          await d.send('POST', 'doc', {
            body: 'plain text',
            headers: { 'Content-Type': 'text/plain' },
          }),
          400,
        );
      },
    },
    {
      id: 'binary',
      description: `A non-JSON ${label} is returned byte for byte with its Content-Type`,
      async run(d) {
        const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
        const res = await d.send('PUT', 'bin', {
          body: bytes,
          headers: { 'Content-Type': 'application/octet-stream', 'If-None-Match': '*' },
        });
        d.x.status(res, 204);
        const got = await d.read('bin');
        d.x.expect(got.bytes.equals(bytes), 'the bytes sent', got.bytes.toString('hex'));
        d.x.contentType(got, 'application/octet-stream');
      },
    },
    {
      id: 'delete',
      description: `DELETE of a ${label} answers 204 and the document is gone (404)`,
      async run(d) {
        await d.create('doc', { a: 1 });
        d.x.status(await d.send('DELETE', 'doc'), 204);
        d.x.status(await d.send('GET', 'doc'), 404);
      },
    },
    {
      id: 'missing-404',
      description: `GET of a ${label} that does not exist is a 404`,
      async run(d) {
        d.x.status(await d.send('GET', 'never-stored'), 404);
      },
    },
    {
      id: 'ids',
      description: `GET without the document id lists the ids of the ${label}s of the context`,
      async run(d) {
        await d.create('one', { a: 1 });
        await d.create('two', { a: 2 });
        const res = await d.send('GET', undefined);
        d.x.status(res, 200);
        d.x.equal([...(res.body ?? [])].sort(), ['one', 'two'], 'ids');
      },
    },
    {
      id: 'ids-since',
      description: `since lists only the ${label}s stored after that time`,
      async run(d) {
        await d.create('old', { a: 1 });
        await new Promise((r) => setTimeout(r, 20));
        const since = new Date().toISOString();
        await new Promise((r) => setTimeout(r, 20));
        await d.create('new', { a: 2 });
        const res = await d.send('GET', undefined, { extra: { since } });
        d.x.status(res, 200);
        d.x.equal(res.body, ['new'], 'ids');
      },
    },
    {
      id: 'unknown-param-400',
      description: `A ${label} request with an unknown parameter is a 400`,
      async run(d) {
        d.x.status(await d.send('GET', 'doc', { extra: { colour: 'blue' } }), 400);
      },
    },
    {
      id: 'put-needs-id-400',
      description: `PUT of a ${label} without its document id is a 400`,
      async run(d) {
        d.x.status(
          await d.send('PUT', undefined, { json: { a: 1 }, headers: { 'If-None-Match': '*' } }),
          400,
        );
      },
    },
  ];
}

const STATE_ONLY: DocCheck[] = [
  {
    id: 'registration',
    description: 'States of the same id under different registrations are separate documents',
    async run(d) {
      const r1 = d.x.data.newRegistration();
      const r2 = d.x.data.newRegistration();
      await d.create('doc', { r: 1 }, { registration: r1 });
      await d.create('doc', { r: 2 }, { registration: r2 });
      d.x.equal(
        (await d.read('doc', { registration: r1 })).body,
        { r: 1 },
        'state of registration 1',
      );
      d.x.equal(
        (await d.read('doc', { registration: r2 })).body,
        { r: 2 },
        'state of registration 2',
      );
    },
  },
  {
    id: 'delete-context',
    description: 'DELETE without stateId removes every state of the activity and agent',
    async run(d) {
      await d.create('one', { a: 1 });
      await d.create('two', { a: 2 });
      d.x.status(await d.send('DELETE', undefined), 204);
      const res = await d.send('GET', undefined);
      d.x.status(res, 200);
      d.x.equal(res.body, [], 'ids');
    },
  },
  {
    id: 'registration-invalid-400',
    description: 'A state request with a registration that is not a UUID is a 400',
    async run(d) {
      d.x.status(await d.send('GET', 'doc', { extra: { registration: 'reg-1' } }), 400);
    },
  },
  {
    id: 'agent-invalid-400',
    description: 'A state request whose agent is not a JSON Agent is a 400',
    async run(d) {
      d.x.status(await d.send('GET', 'doc', { extra: { agent: 'learner' } }), 400);
    },
  },
  {
    id: 'activity-missing-400',
    description: 'A state request without activityId is a 400',
    async run(d) {
      const { activityId: _drop, ...rest } = d.context;
      void _drop;
      d.x.status(
        await d.x.request('GET', d.kind.resource, { query: { ...rest, stateId: 'doc' } }),
        400,
      );
    },
  },
  {
    id: 'put-replaces',
    description: 'Under 1.0.3, PUT of a state without precondition headers replaces the stored one',
    versions: ['1.0.3'],
    async run(d) {
      await d.create('doc', { a: 1 });
      d.x.status(await d.send('PUT', 'doc', { json: { b: 2 } }), 204);
      d.x.equal((await d.read('doc')).body, { b: 2 }, 'document');
    },
  },
  {
    id: 'put-existing-409',
    description:
      'Under 2.0.0, PUT over an existing state without If-Match or If-None-Match is a 409',
    versions: ['2.0.0'],
    async run(d) {
      await d.create('doc', { a: 1 });
      d.x.status(await d.send('PUT', 'doc', { json: { b: 2 } }), 409);
    },
  },
];

const PROFILE_ONLY = (label: string): DocCheck[] => [
  {
    id: 'put-existing-409',
    description: `PUT over an existing ${label} without If-Match or If-None-Match is a 409`,
    async run(d) {
      await d.create('doc', { a: 1 });
      d.x.status(await d.send('PUT', 'doc', { json: { b: 2 } }), 409);
      d.x.equal((await d.read('doc')).body, { a: 1 }, 'document (unchanged)');
    },
  },
];

const ACTIVITY_PROFILE_ONLY: DocCheck[] = [
  ...PROFILE_ONLY('activity profile'),
  {
    id: 'activity-invalid-400',
    description: 'An activity profile request whose activityId is not an IRI is a 400',
    async run(d) {
      d.x.status(
        await d.x.request('GET', d.kind.resource, {
          query: { activityId: 'not an iri', profileId: 'doc' },
        }),
        400,
      );
    },
  },
];

const AGENT_PROFILE_ONLY: DocCheck[] = [
  ...PROFILE_ONLY('agent profile'),
  {
    id: 'agent-two-ifis-400',
    description: 'An agent profile request whose agent has two identifiers is a 400',
    async run(d) {
      const agent = { ...d.x.data.agent('two-ifis'), openid: d.x.data.iriBase + 'openid/two' };
      d.x.status(
        await d.x.request('GET', d.kind.resource, {
          query: { agent: JSON.stringify(agent), profileId: 'doc' },
        }),
        400,
      );
    },
  },
];

function checksOf(kind: DocumentKind, checks: DocCheck[]): Check[] {
  return section(
    kind.section,
    checks.map((c) => ({
      id: c.id,
      description: c.description,
      versions: c.versions,
      run: (x: XapiProbe) => c.run(new Documents(kind, x, kind.context(x, c.id))),
    })),
  );
}

export const STATE_CHECKS = checksOf(STATE, [...commonChecks('state document'), ...STATE_ONLY]);
export const ACTIVITY_PROFILE_CHECKS = checksOf(ACTIVITY_PROFILE, [
  ...commonChecks('activity profile'),
  ...ACTIVITY_PROFILE_ONLY,
]);
export const AGENT_PROFILE_CHECKS = checksOf(AGENT_PROFILE, [
  ...commonChecks('agent profile'),
  ...AGENT_PROFILE_ONLY,
]);

import { section } from './check';

/** xAPI-Communication 2.1 (1.0.3) / 4.1.6.1 (2.0.0): GET and HEAD of statements. */
export const STATEMENTS_READ_CHECKS = section('statements-read', [
  {
    id: 'by-id',
    description: 'GET statements?statementId= returns that statement',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      const got = await x.fetchStatement(s.id);
      x.equal(got.id, s.id, 'id');
      x.equal(got.verb?.id, s.verb.id, 'verb.id');
    },
  },
  {
    id: 'by-id-unknown-404',
    description: 'GET of an unknown statementId is a 404',
    async run(x) {
      x.status(await x.get('statements', { statementId: x.data.statementId() }), 404);
    },
  },
  {
    id: 'by-id-not-uuid-400',
    description: 'GET with a statementId that is not a UUID is a 400',
    async run(x) {
      x.status(await x.get('statements', { statementId: 'abc' }), 400);
    },
  },
  {
    id: 'both-ids-400',
    description: 'GET with both statementId and voidedStatementId is a 400',
    async run(x) {
      x.status(
        await x.get('statements', {
          statementId: x.data.statementId(),
          voidedStatementId: x.data.statementId(),
        }),
        400,
      );
    },
  },
  {
    id: 'id-with-filter-400',
    description: 'GET with statementId and a query filter (e.g. verb) is a 400',
    async run(x) {
      x.status(
        await x.get('statements', { statementId: x.data.statementId(), verb: x.data.verb('v').id }),
        400,
      );
    },
  },
  {
    id: 'unknown-param-400',
    description: 'GET statements with an unknown parameter is a 400',
    async run(x) {
      x.status(
        await x.get('statements', { registration: x.data.registration, colour: 'blue' }),
        400,
      );
    },
  },
  {
    id: 'statement-result',
    description:
      'A statements query answers a StatementResult: a statements array and a more string',
    async run(x) {
      await x.store(x.statement());
      const res = await x.get('statements', { registration: x.data.registration });
      x.status(res, 200);
      x.expect(Array.isArray(res.body?.statements), 'statements: an array', res.text);
      x.expect(
        res.body?.more === undefined || typeof res.body.more === 'string',
        'more: a string when present',
        res.text,
      );
    },
  },
  {
    id: 'json-content-type',
    description: 'A statements query answers Content-Type application/json',
    async run(x) {
      const res = await x.get('statements', { registration: x.data.registration });
      x.status(res, 200);
      x.contentType(res, 'application/json');
    },
  },
  {
    id: 'consistent-through',
    description: 'GET statements carries an X-Experience-API-Consistent-Through header (ISO 8601)',
    async run(x) {
      const res = await x.get('statements', { registration: x.data.registration });
      x.status(res, 200);
      const v = x.header(res, 'X-Experience-API-Consistent-Through');
      x.expect(!Number.isNaN(Date.parse(v)), 'an ISO 8601 timestamp', v);
    },
  },
  {
    id: 'newest-first',
    description: 'A query returns statements newest stored first by default',
    async run(x) {
      const a = x.statement();
      await x.store(a);
      const b = x.statement();
      await x.store(b);
      const list = await x.query({ limit: 2 });
      x.equal(
        list.map((s) => s.id),
        [b.id, a.id],
        'ids (newest first)',
      );
    },
  },
  {
    id: 'head-no-body',
    description: 'HEAD statements answers like GET (200) without a body',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      const res = await x.request('HEAD', 'statements', { query: { statementId: s.id } });
      x.status(res, 200);
      x.expect(res.bytes.length === 0, 'an empty body', res.text);
    },
  },
  {
    id: 'head-unknown-404',
    description: 'HEAD of an unknown statementId is a 404',
    async run(x) {
      x.status(
        await x.request('HEAD', 'statements', { query: { statementId: x.data.statementId() } }),
        404,
      );
    },
  },
  {
    id: 'stored-properties',
    description: 'A fetched statement carries the stored, authority and version the LRS set',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      const got = await x.fetchStatement(s.id);
      x.expect(got.stored && got.authority && got.version, 'stored, authority and version', got);
    },
  },
]);

import { section } from './check';
import { XapiProbe } from './xapi-probe';

/** POST <resource>?method=<m> with headers and params as form fields (xAPI-Communication 1.3). */
function alternate(
  x: XapiProbe,
  resource: string,
  method: string,
  form: Record<string, string>,
  extraQuery: Record<string, string> = {},
) {
  const body = new URLSearchParams({ 'X-Experience-API-Version': x.version, ...form }).toString();
  return x.request('POST', resource, {
    query: { method, ...extraQuery },
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    version: null,
    auth: 'run',
  });
}

/** The form field a request puts its credentials in, as the syntax asks. */
const credentialField = (x: XapiProbe) => ({ Authorization: x.authorization });

/** xAPI-Communication 1.3 (1.0.3 only; 2.0.0 dropped the syntax). */
export const ALTERNATE_SYNTAX_CHECKS = section('alternate-syntax', [
  {
    id: 'get-statements',
    description:
      'POST statements?method=GET with form params answers like GET (200, StatementResult)',
    versions: ['1.0.3'],
    async run(x) {
      await x.store(x.statement());
      const res = await alternate(x, 'statements', 'GET', {
        ...credentialField(x),
        registration: x.data.registration,
      });
      x.status(res, 200);
      x.expect(
        Array.isArray(res.body?.statements) && res.body.statements.length > 0,
        'a StatementResult with statements',
        res.text,
      );
    },
  },
  {
    id: 'put-statement',
    description:
      'POST statements?method=PUT with statementId and content stores the statement (204)',
    versions: ['1.0.3'],
    async run(x) {
      const s = x.statement();
      const res = await alternate(x, 'statements', 'PUT', {
        ...credentialField(x),
        statementId: s.id,
        'Content-Type': 'application/json',
        content: JSON.stringify(s),
      });
      x.status(res, 204);
      await x.fetchStatement(s.id);
    },
  },
  {
    id: 'form-authorization',
    description: 'The Authorization form field authenticates the request (no header needed)',
    versions: ['1.0.3'],
    async run(x) {
      const body = new URLSearchParams({
        'X-Experience-API-Version': x.version,
        ...credentialField(x),
        registration: x.data.registration,
      }).toString();
      const res = await x.request('POST', 'statements', {
        query: { method: 'GET' },
        body,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        version: null,
        auth: 'none',
      });
      x.status(res, 200);
    },
  },
  {
    id: 'documents',
    description: 'The syntax works on a document resource (method=GET on activities/profile ids)',
    versions: ['1.0.3'],
    async run(x) {
      const res = await alternate(x, 'activities/profile', 'GET', {
        ...credentialField(x),
        activityId: x.data.activity('alternate'),
      });
      x.status(res, 200);
      x.equal(res.body, [], 'ids');
    },
  },
  {
    id: 'other-query-params-400',
    description: 'With the syntax, method must be the only query parameter (else 400)',
    versions: ['1.0.3'],
    async run(x) {
      x.status(
        await alternate(x, 'statements', 'GET', credentialField(x), {
          registration: x.data.registration,
        }),
        400,
      );
    },
  },
  {
    id: 'unknown-method-400',
    description: 'An unknown method in the syntax is a 400',
    versions: ['1.0.3'],
    async run(x) {
      x.status(await alternate(x, 'statements', 'PATCH', credentialField(x)), 400);
    },
  },
  {
    id: 'not-form-400',
    description: 'A ?method= request whose body is not application/x-www-form-urlencoded is a 400',
    versions: ['1.0.3'],
    async run(x) {
      x.status(
        await x.request('POST', 'statements', {
          query: { method: 'GET' },
          json: { registration: x.data.registration },
        }),
        400,
      );
    },
  },
  {
    id: 'refused-in-2.0',
    description: 'Under xAPI 2.0.0 the alternate request syntax is refused (400)',
    versions: ['2.0.0'],
    async run(x) {
      x.status(await alternate(x, 'statements', 'GET', credentialField(x)), 400);
    },
  },
]);

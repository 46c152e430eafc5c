import { section } from './check';
import { XapiProbe } from './xapi-probe';

/** xAPI-Communication 4.0 (1.0.3) / 4.1.5 (2.0.0): authentication and authorization. */
export const AUTHENTICATION_CHECKS = section('authentication', [
  {
    id: 'credentials-accepted',
    description: 'A request with valid Basic credentials of the client is served (200)',
    async run(x) {
      x.status(await x.get('statements', { limit: 1, registration: x.data.registration }), 200);
    },
  },
  {
    id: 'missing-401',
    description: 'A request without credentials is refused with 401',
    async run(x) {
      x.status(await x.get('statements', { limit: 1 }, { auth: 'none' }), 401);
    },
  },
  {
    id: 'www-authenticate',
    description: 'A 401 answer carries a WWW-Authenticate: Basic challenge',
    async run(x) {
      const res = await x.get('statements', { limit: 1 }, { auth: 'none' });
      x.status(res, 401);
      x.expect(
        /^Basic\b/i.test(res.headers.get('www-authenticate') ?? ''),
        'WWW-Authenticate: Basic realm=...',
        res.headers.get('www-authenticate') ?? 'none',
      );
    },
  },
  {
    id: 'wrong-password-401',
    description: 'Credentials with a wrong password are refused with 401',
    async run(x) {
      const res = await x.get(
        'statements',
        { limit: 1 },
        { auth: XapiProbe.basic(`run-${x.data.token}`, 'not-the-password') },
      );
      x.status(res, 401);
    },
  },
  {
    id: 'malformed-401',
    description: 'A malformed Authorization header is refused with 401, never a 5xx',
    async run(x) {
      x.status(await x.get('statements', { limit: 1 }, { auth: 'Basic %%%not-base64%%%' }), 401);
    },
  },
  {
    id: 'documents-need-auth',
    description: 'The document resources refuse requests without credentials (401)',
    async run(x) {
      const res = await x.get(
        'agents/profile',
        { agent: JSON.stringify(x.data.agent('auth')) },
        { auth: 'none' },
      );
      x.status(res, 401);
    },
  },
  {
    id: 'write-needs-auth',
    description: 'Storing a statement without credentials is refused with 401 and stores nothing',
    async run(x) {
      const s = x.statement();
      x.status(await x.postStatements(s, { auth: 'none' }), 401);
      x.status(await x.get('statements', { statementId: s.id }), 404);
    },
  },
]);

import { section } from './check';

/** xAPI-Communication 3.3 (1.0.3) / 4.1.2 (2.0.0): the X-Experience-API-Version header. */
export const VERSION_HEADER_CHECKS = section('version-header', [
  {
    id: 'missing-400',
    description: 'A statements request without X-Experience-API-Version is a 400',
    async run(x) {
      x.status(
        await x.get('statements', { registration: x.data.registration }, { version: null }),
        400,
      );
    },
  },
  {
    id: 'unsupported-400',
    description: 'A request naming an unsupported version (e.g. 0.9, 3.0.0) is a 400',
    async run(x) {
      x.status(
        await x.get('statements', { registration: x.data.registration }, { version: '0.9' }),
        400,
      );
      x.status(
        await x.get('statements', { registration: x.data.registration }, { version: '3.0.0' }),
        400,
      );
    },
  },
  {
    id: 'response-header',
    description: 'A successful response carries an X-Experience-API-Version header',
    async run(x) {
      const res = await x.get('statements', { registration: x.data.registration });
      x.status(res, 200);
      x.header(res, 'X-Experience-API-Version');
    },
  },
  {
    id: 'response-header-on-error',
    description: 'An error response carries the X-Experience-API-Version header too',
    async run(x) {
      const res = await x.get('statements', { statementId: 'not-a-uuid' });
      x.status(res, 400);
      x.header(res, 'X-Experience-API-Version');
    },
  },
  {
    id: 'patch-accepted',
    description: 'Any patch version of the major.minor (e.g. 1.0.1 for 1.0.3) is accepted',
    async run(x) {
      const v = x.version === '2.0.0' ? '2.0.1' : '1.0.1';
      x.status(
        await x.get('statements', { registration: x.data.registration }, { version: v }),
        200,
      );
    },
  },
  {
    id: 'statement-version-set',
    description: 'A statement stored without version gets one of the version family requested',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      const got = await x.fetchStatement(s.id);
      x.expect(
        typeof got.version === 'string' && got.version.startsWith(x.version.slice(0, 2)),
        `version ${x.version.slice(0, 2)}x`,
        got.version,
      );
    },
  },
  {
    id: 'documents-need-header',
    description: 'A document request without X-Experience-API-Version is a 400',
    async run(x) {
      const res = await x.get(
        'activities/profile',
        { activityId: x.data.activity('version') },
        { version: null },
      );
      x.status(res, 400);
    },
  },
  {
    id: 'about-without-header',
    description: 'The About resource answers without X-Experience-API-Version (200)',
    async run(x) {
      x.status(await x.get('about', {}, { version: null }), 200);
    },
  },
]);

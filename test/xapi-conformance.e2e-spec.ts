import { createHash, createHmac, createSign, generateKeyPairSync } from 'crypto';
import { buildMultipart } from '../src/xapi/statements/multipart';
import { createTestApp, TestApp } from './support/test-app';
import { makeStatement } from './support/xapi-fixtures';

const V1 = { 'X-Experience-API-Version': '1.0.3' };
const STATEMENTS = '/api/admin/xapi/statements';

/** Behaviours the ADL LRS conformance suite checks, one block per requirement. */
describe('xAPI conformance details (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const post = (body: unknown, headers: Record<string, string> = V1) =>
    t
      .http()
      .post(STATEMENTS)
      .set(headers)
      .set('Authorization', t.adminAuth)
      .send(body as object);
  const get = (query: Record<string, string>, headers: Record<string, string> = V1) =>
    t.http().get(STATEMENTS).set(headers).set('Authorization', t.adminAuth).query(query);

  describe('contextActivities (XAPI-00096)', () => {
    it('stores and returns a single context activity as an array, also in a sub-statement', async () => {
      const single = (id: string) => ({ objectType: 'Activity', id });
      const context = {
        contextActivities: {
          parent: single('http://example.com/parent'),
          grouping: single('http://example.com/grouping'),
          category: [single('http://example.com/category')],
          other: single('http://example.com/other'),
        },
      };
      const s = makeStatement({
        context,
        object: {
          objectType: 'SubStatement',
          actor: { mbox: 'mailto:sub@example.com' },
          verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' },
          object: { id: 'http://example.com/sub' },
          context,
        },
      });
      await post(s).expect(200);
      const res = await get({ statementId: s.id }).expect(200);
      const expected = {
        parent: [single('http://example.com/parent')],
        grouping: [single('http://example.com/grouping')],
        category: [single('http://example.com/category')],
        other: [single('http://example.com/other')],
      };
      expect(res.body.context.contextActivities).toEqual(expected);
      expect(res.body.object.context.contextActivities).toEqual(expected);
      const [row] = await t.dataSource.query('SELECT data FROM statements WHERE statement_id = ?', [
        s.id,
      ]);
      const data = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
      expect(data.context.contextActivities.parent).toEqual(expected.parent);
      // Posting the same statement again is not a conflict.
      await post(s).expect(200);
    });
  });

  describe('signed statements (Data 2.6)', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const b64 = (x: unknown) =>
      Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
    const jws = (alg: string, payload: unknown) => {
      const input = `${b64({ alg })}.${b64(payload)}`;
      const sig = alg.startsWith('RS')
        ? createSign(`RSA-SHA${alg.slice(2)}`)
            .update(input)
            .sign(privateKey)
        : createHmac('sha256', 'secret').update(input).digest();
      return `${input}.${sig.toString('base64url')}`;
    };
    /** POSTs `statement` with `signature` attached as its signature (multipart/mixed). */
    const postSigned = (
      statement: Record<string, any>,
      signature: string,
      contentType = 'application/octet-stream',
    ) => {
      const content = Buffer.from(signature);
      const sha2 = createHash('sha256').update(content).digest('hex');
      const signed = {
        ...statement,
        attachments: [
          {
            usageType: 'http://adlnet.gov/expapi/attachments/signature',
            display: { 'en-US': 'Signature' },
            contentType,
            length: content.length,
            sha2,
          },
        ],
      };
      const boundary = 'sig-boundary';
      const body = buildMultipart(boundary, [
        {
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.from(JSON.stringify(signed)),
        },
        {
          headers: {
            'Content-Type': contentType,
            'Content-Transfer-Encoding': 'binary',
            'X-Experience-API-Hash': sha2,
          },
          body: content,
        },
      ]);
      return t
        .http()
        .post(STATEMENTS)
        .set(V1)
        .set('Authorization', t.adminAuth)
        .set('Content-Type', `multipart/mixed; boundary=${boundary}`)
        .send(body);
    };

    it('accepts RS256, RS384 and RS512 signatures of the statement', async () => {
      for (const alg of ['RS256', 'RS384', 'RS512']) {
        const s = makeStatement();
        const res = await postSigned(s, jws(alg, s)).expect(200);
        expect(res.body).toEqual([s.id]);
      }
    });

    it('compares the signed payload with durations cut to hundredths of a second', async () => {
      const s = makeStatement({ result: { duration: 'P1DT12H36M0.1237S' } });
      const payload = { ...s, result: { duration: 'P1DT12H36M0.12S' } };
      await postSigned(s, jws('RS256', payload)).expect(200);
      const s2 = makeStatement({ result: { duration: 'PT0.1237S' } });
      await postSigned(s2, jws('RS256', { ...s2, result: { duration: 'PT0.13S' } })).expect(400);
    });

    it('rejects another algorithm, a wrong content type, a broken JWS and a payload of another statement', async () => {
      const cases: [Record<string, any>, string, string?][] = [];
      const s1 = makeStatement();
      cases.push([s1, jws('HS256', s1)]);
      const s2 = makeStatement();
      cases.push([s2, jws('RS256', s2), 'text/plain; charset=ascii']);
      const s3 = makeStatement();
      cases.push([s3, jws('RS256', JSON.stringify(s3).replace('"', "'"))]);
      const s4 = makeStatement();
      cases.push([s4, jws('RS256', { ...s4, verb: { id: 'http://example.com/other-verb' } })]);
      const s5 = makeStatement();
      cases.push([s5, 'not a jws']);
      for (const [s, sig, type] of cases) {
        const res = await postSigned(s, sig, type).expect(400);
        expect(JSON.stringify(res.body.errors)).toMatch(/attachments\[0\]/);
        await get({ statementId: s.id }).expect(404);
      }
    });
  });

  describe('alternate request syntax (Communication 1.3)', () => {
    const alt = (method: string, body: string, headers: Record<string, string> = {}) =>
      t
        .http()
        .post(`${STATEMENTS}?method=${method}`)
        .set(headers)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(body);
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

    it('keeps real headers the form does not give, form fields override them', async () => {
      const s = makeStatement();
      await post(s).expect(200);
      const res = await alt('GET', form({ limit: '1' }), {
        ...V1,
        Authorization: t.adminAuth,
      }).expect(200);
      expect(res.body.statements).toHaveLength(1);
      expect(res.body).toHaveProperty('more');
      const id = makeStatement().id;
      await alt(
        'PUT',
        form({ statementId: id, 'X-Experience-API-Version': '0.8', content: JSON.stringify(s) }),
        { ...V1, Authorization: t.adminAuth },
      ).expect(400);
      await get({ statementId: id }).expect(404);
    });

    it('rejects a body that is not url-encoded, ?method on other methods, and 2.0 requests', async () => {
      const s = makeStatement();
      const auth = { ...V1, Authorization: t.adminAuth };
      await alt('PUT', JSON.stringify({ statementId: s.id, content: JSON.stringify(s) }), auth)
        .expect(400)
        .expect('X-Experience-API-Version', '1.0.3');
      await t
        .http()
        .put(`${STATEMENTS}?method=POST`)
        .set(auth)
        .type('form')
        .send(form({ statementId: s.id, content: JSON.stringify(s) }))
        .expect(400);
      const res = await alt(
        'PUT',
        form({
          statementId: s.id,
          content: JSON.stringify(s),
          'X-Experience-API-Version': '2.0.0',
        }),
        auth,
      ).expect(400);
      expect(res.body.message).toMatch(/2\.0/);
      await alt('GET', form({ limit: '1' }), {
        'X-Experience-API-Version': '2.0.0',
        Authorization: t.adminAuth,
      }).expect(400);
      await get({ statementId: s.id }).expect(404);
      // The same request in 1.0.3 is recorded.
      await alt('PUT', form({ statementId: s.id, content: JSON.stringify(s) }), auth).expect(204);
      await get({ statementId: s.id }).expect(200);
    });
  });

  describe('multipart/mixed (XAPI-00135)', () => {
    it('rejects an attachment part without Content-Transfer-Encoding: binary', async () => {
      const content = Buffer.from('hello attachment');
      const sha2 = createHash('sha256').update(content).digest('hex');
      const s = makeStatement({
        attachments: [
          {
            usageType: 'http://example.com/usage',
            display: { en: 'A file' },
            contentType: 'text/plain',
            length: content.length,
            sha2,
          },
        ],
      });
      const send = (encoding?: string) =>
        t
          .http()
          .post(STATEMENTS)
          .set(V1)
          .set('Authorization', t.adminAuth)
          .set('Content-Type', 'multipart/mixed; boundary=b0')
          .send(
            buildMultipart('b0', [
              {
                headers: { 'Content-Type': 'application/json' },
                body: Buffer.from(JSON.stringify(s)),
              },
              {
                headers: {
                  'Content-Type': 'text/plain',
                  'X-Experience-API-Hash': sha2,
                  ...(encoding ? { 'Content-Transfer-Encoding': encoding } : {}),
                },
                body: content,
              },
            ]),
          );
      const res = await send().expect(400);
      expect(res.body.message).toMatch(/Content-Transfer-Encoding/);
      await send('base64').expect(400);
      await get({ statementId: s.id }).expect(404);
      await send('binary').expect(200);
      await get({ statementId: s.id }).expect(200);
    });
  });

  describe('GET statements formats and filters', () => {
    it('format=ids gives an activity as its id alone', async () => {
      const s = makeStatement({
        object: {
          objectType: 'SubStatement',
          actor: { objectType: 'Group', mbox: 'mailto:group@example.com', name: 'G' },
          verb: { id: 'http://example.com/verbs/sub', display: { en: 'sub' } },
          object: {
            objectType: 'Activity',
            id: 'http://example.com/sub-activity',
            definition: { name: { en: 'Sub' } },
          },
        },
      });
      await post(s).expect(200);
      const res = await get({ statementId: s.id, format: 'ids' }).expect(200);
      expect(res.body.object.object).toEqual({ id: 'http://example.com/sub-activity' });
      expect(res.body.object.actor).toEqual({
        objectType: 'Group',
        mbox: 'mailto:group@example.com',
      });
      expect(res.body.object.verb).toEqual({ id: 'http://example.com/verbs/sub' });
    });

    it('a voiding statement matches the filters through the statement it voids (XAPI-00162)', async () => {
      const verb = `http://example.com/verbs/${makeStatement().id}`;
      const since = new Date(Date.now() - 1000).toISOString();
      const voided = makeStatement({ verb: { id: verb } });
      const voiding = makeStatement({
        verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
        object: { objectType: 'StatementRef', id: voided.id },
      });
      const ref = makeStatement({
        verb: { id: verb },
        object: { objectType: 'StatementRef', id: voided.id },
      });
      await post(voided).expect(200);
      await post(voiding).expect(200);
      await post(ref).expect(200);
      const until = new Date(Date.now() + 1000).toISOString();
      for (const extra of [{}, { since }, { until }] as Record<string, string>[]) {
        const res = await get({ verb, ...extra }).expect(200);
        expect(res.body.statements.map((x: any) => x.id)).toEqual([ref.id, voiding.id]);
      }
      const limited = await get({ verb, limit: '1' }).expect(200);
      expect(limited.body.statements.map((x: any) => x.id)).toEqual([ref.id]);
      // Other voiding statements do not match.
      const other = await get({ verb: 'http://adlnet.gov/expapi/verbs/voided' }).expect(200);
      expect(other.body.statements.map((x: any) => x.id)).toContain(voiding.id);
      const byAgent = await get({ agent: JSON.stringify(voided.actor), verb }).expect(200);
      expect(byAgent.body.statements.map((x: any) => x.id)).toContain(voiding.id);
    });
  });

  describe('version header (Communication 3.3)', () => {
    it('rejects a request without X-Experience-API-Version as a 0.9 request', async () => {
      const s = makeStatement();
      const res = await post(s, {}).expect(400);
      expect(res.headers['x-experience-api-version']).toBe('0.9');
      await get({ statementId: s.id }, {}).expect(400).expect('X-Experience-API-Version', '0.9');
      await get({ statementId: s.id }, { 'X-Experience-API-Version': '0.8' })
        .expect(400)
        .expect('X-Experience-API-Version', '1.0.3');
      await get({ statementId: s.id }).expect(404).expect('X-Experience-API-Version', '1.0.3');
    });
  });
});

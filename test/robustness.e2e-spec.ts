import { RecorderTransactions } from '../src/xapi/statements/recorder-transactions';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Bad input on every documented route never produces a 5xx: each path of the
 * OpenAPI document, with each method, malformed bodies, wrong content types and
 * nonsense query values.
 */
describe('robustness (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const bodies = [
    '{',
    '[]',
    'null',
    JSON.stringify({
      repeat: 'dailyAt',
      time: '99:99',
      store: {},
      max_level: 'x',
      until: [],
      until_date: 'nope',
      store_id: 'abc',
      slug: {},
      permissions: 'all',
      pipeline: [],
      type: 'ftp',
      folder: 123,
      agents: 'x',
      activity_id: 5,
    }),
    JSON.stringify([{ actor: { mbox: 5 }, verb: {}, object: null }]),
  ];
  const contentTypes = ['application/json', 'text/plain', 'multipart/mixed; boundary=zz'];
  const queries = [
    '',
    '?limit=abc&before=x&level=99&since=zz&store=nope',
    '?agent={&verb=x&activity=&since=x&format=zz&ascending=maybe&statementId=abc&more=zz',
    '?activityId=http://a&agent=%7B%7D&stateId=s&registration=bad&profileId=p',
  ];

  it('answers 503 with Retry-After, not 500, when the database dropped the connection', async () => {
    const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), {
      code: 'PROTOCOL_CONNECTION_LOST',
      fatal: true,
    });
    const spy = jest.spyOn(t.app.get(RecorderTransactions), 'run').mockRejectedValue(lost);
    try {
      const res = await t
        .http()
        .post('/api/admin/xapi/statements')
        .set('X-Experience-API-Version', '1.0.3')
        .set('Authorization', t.adminAuth)
        .send({
          actor: { mbox: 'mailto:a@example.com' },
          verb: { id: 'http://example.com/v' },
          object: { id: 'http://example.com/a' },
        });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toEqual({ message: 'The database is unavailable; retry the request.' });
    } finally {
      spy.mockRestore();
    }
  });

  it('answers every malformed request on every documented route without a 5xx', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const failures: string[] = [];
    let count = 0;
    for (const path of Object.keys(doc.paths)) {
      for (const method of ['get', 'post', 'put', 'delete', 'head'] as const) {
        for (const [qi, query] of queries.entries()) {
          const url =
            path
              .replace('{client}', 'admin')
              .replace('{id}', ['1', 'abc', '99999999999999999999', '-1'][qi])
              .replace('{slug}', ['default', 'nope', 'x%00', 'default'][qi]) + query;
          const variants: [string | undefined, string | undefined][] =
            method === 'get' || method === 'head' || method === 'delete'
              ? [[undefined, undefined]]
              : bodies.flatMap((b) => contentTypes.map((c) => [b, c] as [string, string]));
          for (const [body, contentType] of variants) {
            count += 1;
            let req = t
              .http()
              [method](url)
              .set('Authorization', t.adminAuth)
              .set('X-Experience-API-Version', count % 2 ? '1.0.3' : '2.0.0');
            if (contentType) req = req.set('Content-Type', contentType);
            const res = body === undefined ? await req : await req.send(body);
            if (res.status >= 500)
              failures.push(`${res.status} ${method.toUpperCase()} ${url} ${contentType} ${body}`);
          }
        }
      }
    }
    expect(count).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  }, 300_000);

  // Issue 13: prototype keys, deep nesting, unknown and array query parameters, invalid
  // UTF-8, on every documented route and method.
  const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const hostileBodies: (string | Buffer)[] = [
    '{"constructor":1,"toString":2,"__proto__":{"x":1},"valueOf":3,"hasOwnProperty":4}',
    '[{"__proto__":{"slug":"x"}},{"constructor":{"prototype":{"polluted":1}}}]',
    JSON.stringify({
      actor: { mbox: 'mailto:a@example.com' },
      verb: { id: 'http://e.x/v' },
      object: { id: 'http://e.x/o' },
      result: { extensions: { 'http://e.x/x': JSON.parse(nested(25)) } },
    }),
    nested(3000),
    '['.repeat(5000) + ']'.repeat(5000),
    Buffer.concat([
      Buffer.from('{"slug":"u","name":"'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from('"}'),
    ]),
  ];
  const hostileQueries = [
    '?store[]=default&stores=default&limit[]=1',
    '?__proto__=1&constructor=x&toString=1&store=default&store=other',
    '?agent=' + encodeURIComponent(nested(3000)) + '&activityId=http://a&stateId=s',
    '?statementId=%ff%fe&agent=%7B%22__proto__%22%3A1%7D&before=-1&limit=1e400',
  ];

  it('answers hostile bodies and query strings on every documented route without a 5xx', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const failures: string[] = [];
    let count = 0;
    for (const path of Object.keys(doc.paths)) {
      for (const method of ['get', 'post', 'put', 'delete'] as const) {
        for (const [qi, query] of hostileQueries.entries()) {
          const url =
            path
              .replace('{client}', 'admin')
              .replace('{id}', ['1', '__proto__', 'constructor', '1'][qi])
              .replace('{slug}', ['default', '__proto__', 'toString', 'default'][qi]) + query;
          const bodies = method === 'get' || method === 'delete' ? [undefined] : hostileBodies;
          for (const body of bodies) {
            count += 1;
            let req = t
              .http()
              [method](url)
              .set('Authorization', t.adminAuth)
              .set('X-Experience-API-Version', '1.0.3');
            if (body !== undefined) {
              req = req
                .set('Content-Type', 'application/json')
                .serialize((b: unknown) => b as string);
            }
            const res = body === undefined ? await req : await req.send(body as string);
            if (res.status >= 500) {
              failures.push(
                `${res.status} ${method.toUpperCase()} ${url.slice(0, 120)} ${String(body).slice(0, 60)}`,
              );
            }
          }
        }
      }
    }
    expect(count).toBeGreaterThan(500);
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).slug).toBeUndefined();
  }, 300_000);
});

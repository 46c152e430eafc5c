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
});

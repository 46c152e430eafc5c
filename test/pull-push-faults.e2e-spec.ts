import { createHash } from 'crypto';
import { Store } from '../src/access/store.entity';
import { PullHandler } from '../src/job-types/pull/pull.handler';
import { PushHandler } from '../src/job-types/push/push.handler';
import { TransferSettings } from '../src/job-types/transfer/transfer-settings';
import { Statement } from '../src/xapi/statements/entities/statement.entity';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { FakeLrs } from './support/fake-lrs';
import { makeRunContext } from './support/job-context';
import { createTestApp, TestApp } from './support/test-app';
import { makeStatement } from './support/xapi-fixtures';

/**
 * Pull and push against a scripted fake remote LRS (test/support/fake-lrs.ts): the
 * fault list of issue 11. The handlers run with a hand-made context; the store is real.
 */
jest.setTimeout(60_000);

describe('pull and push against a faulty remote LRS', () => {
  let t: TestApp;
  let fake: FakeLrs;
  let store: Store;
  let push: PushHandler;
  let pull: PullHandler;
  let recorder: StatementRecorder;
  const PASSWORD = 'remote-Secret-9f3';

  beforeAll(async () => {
    t = await createTestApp();
    const settings = t.app.get(TransferSettings);
    Object.assign(settings, { baseDelayMs: 20, maxDelayMs: 2_000, timeoutMs: 800, attempts: 4 });
    push = t.app.get(PushHandler);
    pull = t.app.get(PullHandler);
    recorder = t.app.get(StatementRecorder);
  });
  afterAll(async () => t.close());

  beforeEach(async () => {
    fake = await new FakeLrs().start();
    // A fresh store per test: its statements are the test's own.
    const stores = t.dataSource.getRepository(Store);
    const now = new Date();
    const slug = `s${Math.random().toString(36).slice(2, 10)}`;
    store = await stores.save(stores.create({ slug, name: slug, createdAt: now, updatedAt: now }));
  });
  afterEach(async () => fake.stop());

  async function connection(endpoint = fake.endpoint): Promise<number> {
    const res = await t
      .http()
      .post(`${t.base}/connections`)
      .set('Authorization', t.adminAuth)
      .send({
        name: 'remote',
        type: 'lrs',
        endpoint,
        username: 'pusher',
        password: PASSWORD,
        version: '1.0.3',
      })
      .expect(201);
    return res.body.data.id;
  }

  async function seedStore(n: number): Promise<Record<string, any>[]> {
    const statements = Array.from({ length: n }, () => makeStatement());
    await recorder.record(store, null, statements, { version: '1.0.3' });
    return statements;
  }

  function pushCtx(connectionId: number, state: Record<string, unknown> | null = null) {
    return makeRunContext(
      { service: 'statements', until: 'now', connection: connectionId } as any,
      { store, state },
    );
  }

  function noSecretIn(logs: unknown) {
    const text = JSON.stringify(logs);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(`pusher:${PASSWORD}`).toString('base64'));
  }

  it('one bad statement in a batch of 100: 99 arrive, the bad one is logged with its id', async () => {
    const statements = await seedStore(100);
    const bad = statements[37].id;
    fake.invalidIds.add(bad);
    const id = await connection();
    const ctx = pushCtx(id);
    const result = await push.run(ctx);
    expect(fake.stored.size).toBe(99);
    expect(fake.stored.has(bad)).toBe(false);
    expect(result.data).toMatchObject({ moved: 99, rejected: 1, already_present: 0 });
    expect(result.feedback).toMatch(
      /^pushed 99, already present 0, rejected 1, conflicts 0, retried 0/,
    );
    expect(ctx.progressReports[0]).toEqual({ done: 0, total: 100 });
    expect(ctx.progressReports.at(-1)).toEqual({ done: 100, total: 100 });
    const logged = ctx.logs.filter((l) => l.message.includes(bad));
    expect(logged).toHaveLength(1);
    expect(logged[0].data).toMatchObject({ statement: bad, status: 400 });
    expect(String(logged[0].data!.answer)).toContain('score.scaled');
    // Every POST carried the version header and the connection's credentials.
    for (const r of fake.posts()) {
      expect(r.headers['x-experience-api-version']).toBe('1.0.3');
      expect(r.headers.authorization).toBe(
        'Basic ' + Buffer.from(`pusher:${PASSWORD}`).toString('base64'),
      );
    }
    // The cursor passed every settled statement: a second run sends nothing.
    const posts = fake.posts().length;
    const second = await push.run(pushCtx(id, ctx.stateValue));
    expect(second.data).toMatchObject({ moved: 0, rejected: 0 });
    expect(fake.posts()).toHaveLength(posts);
    // Re-pointed at another connection (a PUT), the job starts over for that target.
    const repointed = await push.run(pushCtx(await connection(), ctx.stateValue));
    expect(repointed.data).toMatchObject({ moved: 99, rejected: 1 });
    noSecretIn(ctx.logs);
  });

  it('a 409 (the remote already has the id) counts as pushed, a differing copy is logged', async () => {
    const statements = await seedStore(10);
    fake.conflictOnExisting = true;
    // The remote holds 3 of them already, identical.
    const rows = await t.dataSource
      .getRepository(Statement)
      .find({ where: { storeId: store.id }, order: { id: 'ASC' } });
    fake.seed(
      rows.slice(0, 3).map((r) => {
        const { stored: _s, ...rest } = r.data;
        return rest;
      }),
      new Date().toISOString(),
    );
    // And one with other content under the same id: kept by the remote, logged.
    fake.seed(
      [{ ...statements[5], verb: { id: 'http://example.com/other' } }],
      new Date().toISOString(),
    );
    const id = await connection();
    const ctx = pushCtx(id);
    const result = await push.run(ctx);
    // jobs.md: a statement the remote already has (204/409) counts as pushed.
    expect(result.data).toMatchObject({
      moved: 10,
      already_present: 0,
      conflicts: 0,
      rejected: 0,
    });
    expect(result.feedback).toMatch(/^pushed 10, already present 0, rejected 0, conflicts 0/);
    expect(fake.stored.size).toBe(10);
    expect(fake.stored.get(statements[5].id)!.verb.id).toBe('http://example.com/other');
    const logged = ctx.logs.filter((l) => l.data?.status === 409);
    expect(logged.map((l) => l.data!.statement)).toEqual([statements[5].id]);
    expect(logged[0].message).toContain('409');
    // Settled: a second run sends nothing.
    const posts = fake.posts().length;
    const second = await push.run(pushCtx(id, ctx.stateValue));
    expect(second.data).toMatchObject({ moved: 0 });
    expect(fake.posts()).toHaveLength(posts);
  });

  it('500 twice then 200: retried with backoff, nothing doubled', async () => {
    await seedStore(20);
    fake.script.POST.push({ status: 500 }, { status: 503, body: { message: 'busy' } });
    const ctx = pushCtx(await connection());
    const result = await push.run(ctx);
    expect(result.data).toMatchObject({ moved: 20, retried: 2 });
    expect(fake.stored.size).toBe(20);
    // Three POSTs of the same 20 statements; the remote holds each once.
    expect(fake.posts().map((p) => p.statements!.length)).toEqual([20, 20, 20]);
    expect(ctx.logs.filter((l) => l.message.includes('try '))).toHaveLength(2);
  });

  it('429 with Retry-After waits at least that long', async () => {
    await seedStore(5);
    fake.script.POST.push({ status: 429, headers: { 'Retry-After': '1' } });
    const ctx = pushCtx(await connection());
    const started = Date.now();
    await push.run(ctx);
    const [first, second] = fake.requests.filter((r) => r.method === 'POST');
    expect(first && second).toBeTruthy();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    const notice = ctx.logs.find((l) => l.message.includes('429'));
    expect(notice?.data).toMatchObject({ delayMs: 1000 });
    expect(fake.stored.size).toBe(5);
  });

  it('a timeout is retried; a remote that keeps failing ends the run with a cause, cursor kept', async () => {
    await seedStore(4);
    fake.script.POST.push({ hang: true });
    const id = await connection();
    const ctx = pushCtx(id);
    await push.run(ctx);
    expect(ctx.logs.some((l) => l.message.includes('timeout'))).toBe(true);
    expect(fake.stored.size).toBe(4);
    // Now every try fails: the run fails naming the connection, the cursor stays.
    await seedStore(3);
    const before = ctx.stateValue;
    for (let i = 0; i < 4; i++) fake.script.POST.push({ status: 502 });
    const failing = pushCtx(id, before);
    await expect(push.run(failing)).rejects.toThrow(
      /connection \d+ \(remote\) still failing after 4 tries/,
    );
    expect(failing.stateValue).toEqual(before);
    expect(fake.stored.size).toBe(4);
  });

  it('401 fails the run at once, naming the connection, without retrying', async () => {
    await seedStore(3);
    fake.script.POST.push({ status: 401 }, { status: 401 });
    const id = await connection();
    const ctx = pushCtx(id);
    await expect(push.run(ctx)).rejects.toThrow(
      new RegExp(`connection ${id} \\(remote\\) refused the credentials \\(401\\)`),
    );
    expect(fake.posts()).toHaveLength(1);
    expect(ctx.stateValue).toBeNull();
  });

  it('sends attachments as multipart/mixed', async () => {
    const content = Buffer.from('a small attached text');
    const sha2 = createHash('sha256').update(content).digest('hex');
    const s = makeStatement({
      attachments: [
        {
          usageType: 'http://example.com/attachment',
          display: { 'en-US': 'note' },
          contentType: 'text/plain',
          length: content.length,
          sha2,
        },
      ],
    });
    await recorder.record(store, null, [s], { version: '1.0.3' }, [
      { sha2, contentType: 'text/plain', content },
    ]);
    await push.run(pushCtx(await connection()));
    const [post] = fake.posts();
    expect(String(post.headers['content-type'])).toMatch(/^multipart\/mixed; boundary=/);
    expect(post.parts).toEqual([sha2]);
  });

  function pullCtx(connectionId: number, state: Record<string, unknown> | null = null) {
    return makeRunContext(
      { service: 'statements', until: 'now', connection: connectionId } as any,
      { store, state },
    );
  }

  it('pull refuses a more link to another origin', async () => {
    const stored = new Date(Date.now() - 60_000).toISOString();
    fake.seed(
      Array.from({ length: 5 }, () => makeStatement()),
      stored,
    );
    fake.pageSize = 2;
    fake.moreOverride = 'http://evil.example.com/xapi/statements?page=2';
    const ctx = pullCtx(await connection());
    await expect(pull.run(ctx)).rejects.toThrow(
      /more link to another origin \(http:\/\/evil.example.com\)/,
    );
    // The first page was recorded and its cursor kept; nothing went to the other origin.
    expect(await t.dataSource.getRepository(Statement).countBy({ storeId: store.id })).toBe(2);
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
  });

  it('pull misses none at a page and run boundary among statements sharing one stored instant', async () => {
    const same = new Date(Date.now() - 60_000).toISOString();
    const batch = Array.from({ length: 7 }, () => makeStatement());
    fake.seed(batch, same);
    fake.pageSize = 3;
    const id = await connection();
    // First run: page 1 is recorded, then every GET answers 500 and the run fails.
    fake.failGetsFrom = 1;
    const first = pullCtx(id);
    await expect(pull.run(first)).rejects.toThrow(/still failing after 4 tries/);
    const rows = () => t.dataSource.getRepository(Statement).countBy({ storeId: store.id });
    expect(await rows()).toBe(3);
    expect(first.stateValue).toMatchObject({ cursor: { lrs: { since: same } } });
    // Second run: resumes just before that instant and takes the four left.
    fake.failGetsFrom = null;
    const before = fake.requests.length;
    const second = pullCtx(id, first.stateValue);
    const result = await pull.run(second);
    expect(result.data).toMatchObject({ moved: 4, already_present: 0 });
    expect(await rows()).toBe(7);
    const resumed = new URL(fake.requests[before].url, fake.origin);
    expect(Date.parse(resumed.searchParams.get('since')!)).toBe(Date.parse(same) - 1);
    expect(resumed.searchParams.get('ascending')).toBe('true');
    expect(resumed.searchParams.get('format')).toBe('exact');
    expect(resumed.searchParams.get('attachments')).toBe('true');
    // A third run finds nothing new and records nothing twice.
    const third = await pull.run(pullCtx(id, second.stateValue));
    expect(third.data).toMatchObject({ moved: 0 });
    expect(await rows()).toBe(7);
  });

  it('pull stops at X-Experience-API-Consistent-Through and takes the rest next time', async () => {
    const old = new Date(Date.now() - 120_000).toISOString();
    const recent = new Date(Date.now() - 10_000).toISOString();
    fake.seed(
      Array.from({ length: 3 }, () => makeStatement()),
      old,
    );
    fake.seed(
      Array.from({ length: 2 }, () => makeStatement()),
      recent,
    );
    fake.consistentThrough = new Date(Date.now() - 60_000).toISOString();
    const id = await connection();
    const first = pullCtx(id);
    expect((await pull.run(first)).data).toMatchObject({ moved: 3 });
    fake.consistentThrough = null;
    expect((await pull.run(pullCtx(id, first.stateValue))).data).toMatchObject({ moved: 2 });
  });

  it('pull records through the pipeline with the job options and authority', async () => {
    const stored = new Date(Date.now() - 60_000).toISOString();
    const invalid: Record<string, any> = { ...makeStatement(), result: { score: { scaled: 7 } } };
    fake.seed([makeStatement(), invalid], stored);
    const id = await connection();
    const strict = makeRunContext({ service: 'statements', until: 'now', connection: id } as any, {
      store,
    });
    // Validation on (the default): the invalid one is isolated, logged, skipped.
    expect((await pull.run(strict)).data).toMatchObject({ moved: 1, rejected: 1 });
    expect(strict.logs.some((l) => l.message.includes(invalid.id))).toBe(true);
    const lax = makeRunContext(
      {
        service: 'statements',
        until: 'now',
        connection: id,
        validate_statements: false,
        authority_name: 'archive',
        authority_homepage: 'https://archive.example.org',
      } as any,
      { store },
    );
    // Another run from the start with validation off takes it, unvalidated, with our authority.
    expect((await pull.run(lax)).data).toMatchObject({ moved: 1, already_present: 1 });
    const row = await t.dataSource
      .getRepository(Statement)
      .findOneByOrFail({ storeId: store.id, statementId: invalid.id });
    expect(row.validated).toBe(false);
    expect(row.data.authority).toEqual({
      objectType: 'Agent',
      account: { homePage: 'https://archive.example.org', name: 'archive' },
    });
  });

  it('pull from an lrs connection takes statements only (422 for another service)', async () => {
    const id = await connection();
    const res = await t
      .http()
      .post(`${t.base}/jobs/pull`)
      .set('Authorization', t.adminAuth)
      .send({ repeat: 'now', service: 'states', until: 'now', connection: id, store: store.slug });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toEqual(['service']);
    const missing = await t
      .http()
      .post(`${t.base}/jobs/pull`)
      .set('Authorization', t.adminAuth)
      .send({
        repeat: 'now',
        service: 'statements',
        until: 'now',
        connection: 999999,
        store: store.slug,
      });
    expect(missing.status).toBe(422);
    expect(Object.keys(missing.body.errors)).toEqual(['connection']);
  });
});

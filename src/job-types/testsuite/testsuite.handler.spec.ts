import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { makeCreationContext, makeRunContext } from '../../../test/support/job-context';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { Store } from '../../access/store.entity';
import { RunCredential } from '../../access/run-credentials/run-credential.entity';
import { JOB_TYPE_KEY, JobTypeOptions } from '../../jobs/job-type';
import { SECTIONS } from './checks';
import { TestsuiteParams } from './testsuite.dto';
import { TestsuiteHandler } from './testsuite.handler';

async function errorsOf(plain: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(TestsuiteParams, plain), { whitelist: true });
  return errors.map((e) => e.property).sort();
}

describe('TestsuiteParams', () => {
  it('takes a client slug, an optional section and an optional xAPI version', async () => {
    expect(await errorsOf({ client: 'admin' })).toEqual([]);
    expect(await errorsOf({ client: 'lms', section: 'state', version: '2.0.0' })).toEqual([]);
    expect(await errorsOf({})).toEqual(['client']);
    expect(await errorsOf({ client: 'Not A Slug', section: '', version: '1.0' })).toEqual([
      'client',
      'section',
      'version',
    ]);
  });

  it('is declared as the testsuite type with a required store', () => {
    const options: JobTypeOptions = Reflect.getMetadata(JOB_TYPE_KEY, TestsuiteHandler);
    expect(options).toMatchObject({
      name: 'testsuite',
      params: TestsuiteParams,
      store: 'required',
    });
  });
});

describe('TestsuiteHandler (database)', () => {
  let t: TestApp;
  let handler: TestsuiteHandler;
  let store: Store;

  beforeAll(async () => {
    t = await createTestApp();
    handler = t.app.get(TestsuiteHandler);
    store = await t.dataSource.getRepository(Store).findOneByOrFail({ slug: 'default' });
  });
  afterAll(async () => t.close());

  const creation = (params: TestsuiteParams) =>
    handler.validate(makeCreationContext(params, { store, principalStore: store }));

  it('accepts a client of the store and a known section', async () => {
    await expect(creation({ client: 'admin', section: 'about' })).resolves.toBeUndefined();
  });

  it('names the client when it is unknown, and lists the sections for an unknown one', async () => {
    const err = await creation({ client: 'ghost', section: 'everything' }).catch((e) => e);
    expect(err.getStatus()).toBe(422);
    const body = err.getResponse();
    expect(Object.keys(body.errors).sort()).toEqual(['client', 'section']);
    expect(body.errors.section[0]).toBe(
      `Unknown section "everything": use one of ${SECTIONS.join(', ')}.`,
    );
  });

  it('fails a run clearly when the instance does not listen and PUBLIC_URL is unset, revoking nothing left', async () => {
    const ctx = makeRunContext<TestsuiteParams>({ client: 'admin' }, { store, jobId: 5 });
    await expect(handler.run(ctx)).rejects.toThrow(
      'this instance does not listen on a TCP port: set PUBLIC_URL',
    );
    expect(await t.dataSource.getRepository(RunCredential).count()).toBe(0);
  });

  it('fails a run whose client left the store since the job was saved', async () => {
    const ctx = makeRunContext<TestsuiteParams>({ client: 'gone' }, { store, jobId: 6 });
    await expect(handler.run(ctx)).rejects.toThrow(
      'client "gone" is not a client of store "default"',
    );
  });

  it('calls the endpoint under PUBLIC_URL when it is set', async () => {
    const other = await createTestApp({ env: { PUBLIC_URL: 'http://127.0.0.1:9/' } });
    try {
      const h = other.app.get(TestsuiteHandler);
      const s = await other.dataSource.getRepository(Store).findOneByOrFail({ slug: 'default' });
      const ctx = makeRunContext<TestsuiteParams>(
        { client: 'admin', section: 'about' },
        { store: s },
      );
      const result = await h.run(ctx);
      expect(result.success).toBe(false);
      expect(result.feedback).toBe('passed 0 / failed 7 of 7 (section about)');
      expect(ctx.logs[0].message).toMatch(
        /^Checking http:\/\/127\.0\.0\.1:9\/api\/admin\/xapi\/ as client admin/,
      );
      const failure = ctx.logs.find((l) => l.data?.check === 'about.no-auth')!;
      expect(failure.data).toMatchObject({ sent: { method: 'GET', url: 'about' } });
      expect(String(failure.data!.got)).toMatch(/^an error: /);
    } finally {
      await other.close();
    }
  });
});

describe('TestsuiteHandler retried after a crash (database, over HTTP)', () => {
  let t: TestApp;
  let handler: TestsuiteHandler;
  let store: Store;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    handler = t.app.get(TestsuiteHandler);
    store = await t.dataSource.getRepository(Store).findOneByOrFail({ slug: 'default' });
  });
  afterAll(async () => t.close());

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of [
      'statements',
      'statement_agents',
      'statement_activities',
      'attachments',
      'states',
      'activity_profiles',
      'agent_profiles',
      'activities',
      'agents',
      'vocab',
      'run_credentials',
    ]) {
      out[table] = Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
    }
    return out;
  };

  it('removes what the dead attempt left, then runs clean', async () => {
    const before = await counts();
    // The first attempt "dies" (hangs for ever, its finally never runs) after 120 checks.
    const first = makeRunContext<TestsuiteParams>({ client: 'admin' }, { store, jobId: 77 });
    let died = false;
    first.progress = async (done) => {
      if (done >= 120) {
        died = true;
        await new Promise(() => undefined);
      }
    };
    void handler.run(first);
    for (let i = 0; i < 600 && !died; i++) await new Promise((r) => setTimeout(r, 50));
    expect(died).toBe(true);
    const left = await counts();
    expect(left.statements).toBeGreaterThan(before.statements + 50);
    expect(left.run_credentials).toBe(1);
    expect(first.stateValue).toMatchObject({ pending: { token: expect.any(String) } });

    const retry = makeRunContext<TestsuiteParams>(
      { client: 'admin' },
      { store, jobId: 77, state: first.stateValue },
    );
    const result = await handler.run(retry);
    expect(result.success).toBe(true);
    const cleaned = retry.logs.find((l) =>
      l.message.startsWith('Removed what an interrupted run left'),
    );
    expect((cleaned!.data as any).removed.statements).toBe(left.statements - before.statements);
    expect(await counts()).toEqual(before);
    expect(retry.stateValue).toBeNull();
  }, 120_000);
});

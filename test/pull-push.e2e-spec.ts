import { createHash } from 'crypto';
import { Statement } from '../src/xapi/statements/entities/statement.entity';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { Attachment } from '../src/xapi/statements/entities/attachment.entity';
import { createTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait';
import { makeStatement } from './support/xapi-fixtures';

/**
 * Push from store A to store B and pull from B into store C, over real HTTP: the
 * application listens, B is reached through its own client's xAPI endpoint, as a
 * remote LRS would be. Jobs are created and run through the Jobs API.
 */
jest.setTimeout(120_000);

describe('push A -> B, pull B -> C over HTTP (e2e)', () => {
  let t: TestApp;
  let recorder: StatementRecorder;
  const ids: Record<string, number> = {};

  const api = () => t.http();
  const auth = (r: any) => r.set('Authorization', t.adminAuth);

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    recorder = t.app.get(StatementRecorder);
    for (const slug of ['store-a', 'store-b', 'store-c']) {
      const res = await auth(api().post(`${t.base}/stores`))
        .send({ slug, name: slug })
        .expect(201);
      ids[slug] = res.body.data.id;
    }
    await auth(api().post(`${t.base}/clients`))
      .send({
        slug: 'b-remote',
        name: 'B as a remote LRS',
        username: 'b-user',
        password: 'b-password-123',
        store: 'store-b',
        permissions: ['xapi/statements/write', 'xapi/statements/read'],
      })
      .expect(201);
  });
  afterAll(async () => t.close());

  async function lrsConnection(): Promise<number> {
    const res = await auth(api().post(`${t.base}/connections`))
      .send({
        name: 'store B',
        type: 'lrs',
        endpoint: `${t.origin}/api/b-remote/xapi/`,
        username: 'b-user',
        password: 'b-password-123',
        version: '1.0.3',
      })
      .expect(201);
    return res.body.data.id;
  }

  /** Creates the job (repeat now) or replays it, and waits for the run to end. */
  async function run(type: string, body: Record<string, unknown>, id?: number) {
    let jobId = id;
    if (jobId === undefined) {
      const res = await auth(api().post(`${t.base}/jobs/${type}`)).send({ repeat: 'now', ...body });
      expect(res.status).toBe(201);
      jobId = res.body.data.id as number;
    } else {
      const current = (await auth(api().get(`${t.base}/jobs/${type}/${jobId}`)).expect(200)).body
        .data;
      await auth(api().put(`${t.base}/jobs/${type}/${jobId}`))
        .send({ repeat: 'now', ...body, replay: true })
        .expect(200);
      await waitFor(
        async () => {
          const j = (await auth(api().get(`${t.base}/jobs/${type}/${jobId}`))).body.data;
          return j.ran > current.ran && !j.running;
        },
        60_000,
        `${type} job ${jobId} replayed`,
      );
    }
    return waitFor(
      async () => {
        const j = (await auth(api().get(`${t.base}/jobs/${type}/${jobId}`))).body.data;
        return j.ran >= 1 && !j.running && j.replay === false ? j : null;
      },
      60_000,
      `${type} job ${jobId}`,
    );
  }

  async function bodies(slug: string) {
    const rows = await t.dataSource
      .getRepository(Statement)
      .find({ where: { storeId: ids[slug] }, order: { statementId: 'ASC' } });
    return rows.map((r) => {
      const { stored: _s, authority: _a, ...rest } = r.data;
      return rest;
    });
  }

  async function attachmentsOf(slug: string) {
    const rows = await t.dataSource
      .getRepository(Attachment)
      .find({ where: { storeId: ids[slug] }, order: { sha2: 'ASC', part: 'ASC' } });
    return rows.map((r) => ({ sha2: r.sha2, content: Buffer.from(r.content).toString('utf8') }));
  }

  it('moves every statement with its attachments, then only what is new, within the cutoff', async () => {
    const content = Buffer.from('attached to the push');
    const sha2 = createHash('sha256').update(content).digest('hex');
    const withAttachment = makeStatement({
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
    const store = { id: ids['store-a'] };
    await recorder.record(store, null, [withAttachment], { version: '1.0.3' }, [
      { sha2, contentType: 'text/plain', content },
    ]);
    await recorder.record(
      store,
      null,
      Array.from({ length: 250 }, () => makeStatement()),
      {
        version: '1.0.3',
      },
    );
    const connection = await lrsConnection();
    const pushBody = { service: 'statements', until: 'now', connection, store: 'store-a' };
    const pushed = await run('push', pushBody);
    expect(pushed).toMatchObject({ success: true });
    expect(pushed.feedback).toMatch(/^pushed 251, already present 0, rejected 0/);
    expect(await bodies('store-b')).toEqual(await bodies('store-a'));
    expect(await attachmentsOf('store-b')).toEqual([{ sha2, content: 'attached to the push' }]);

    const pullBody = { service: 'statements', until: 'now', connection, store: 'store-c' };
    const pulled = await run('pull', pullBody);
    expect(pulled).toMatchObject({ success: true });
    expect(pulled.feedback).toMatch(/^pulled 251, already present 0, rejected 0/);
    expect(await bodies('store-c')).toEqual(await bodies('store-a'));
    expect(await attachmentsOf('store-c')).toEqual([{ sha2, content: 'attached to the push' }]);

    // A second run of each moves nothing.
    const again = await run('push', pushBody, pushed.id);
    expect(again.feedback).toMatch(/^pushed 0, /);
    const againPull = await run('pull', pullBody, pulled.id);
    expect(againPull.feedback).toMatch(/^pulled 0, already present 0/);

    // Statements added between runs move on the next run; a cutoff keeps newer ones back.
    const older = Array.from({ length: 5 }, () => makeStatement());
    const newer = Array.from({ length: 3 }, () => makeStatement());
    await recorder.record(store, null, older, { version: '1.0.3' });
    await new Promise((r) => setTimeout(r, 1_100));
    const cut = new Date(Date.now() - 500).toISOString();
    await recorder.record(store, null, newer, { version: '1.0.3' });
    const cutRun = await run('push', { ...pushBody, until: 'date', until_date: cut }, pushed.id);
    expect(cutRun.feedback).toMatch(/^pushed 5, /);
    const bIds = new Set((await bodies('store-b')).map((s) => s.id));
    expect(older.every((s) => bIds.has(s.id))).toBe(true);
    expect(newer.some((s) => bIds.has(s.id))).toBe(false);
    const rest = await run('push', pushBody, pushed.id);
    expect(rest.feedback).toMatch(/^pushed 3, /);
    const restPull = await run('pull', pullBody, pulled.id);
    expect(restPull.feedback).toMatch(/^pulled 8, /);
    expect(await bodies('store-c')).toEqual(await bodies('store-a'));
    expect((await bodies('store-c')).length).toBe(259);

    // The logs of the runs never hold the connection's password.
    const logs = await t.dataSource.query('SELECT message, data FROM logs WHERE job_id IN (?, ?)', [
      pushed.id,
      pulled.id,
    ]);
    expect(JSON.stringify(logs)).not.toContain('b-password-123');
  });

  it('refuses to delete a connection a pull or push job uses (409), and frees it after', async () => {
    const connection = await lrsConnection();
    const res = await auth(api().post(`${t.base}/jobs/push`))
      .send({
        repeat: 'dailyAt',
        time: '03:00',
        service: 'statements',
        until: 'now',
        connection,
        store: 'store-a',
      })
      .expect(201);
    const refused = await auth(api().delete(`${t.base}/connections/${connection}`));
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(`job ${res.body.data.id} (push)`);
    await auth(api().delete(`${t.base}/jobs/push/${res.body.data.id}`)).expect(204);
    await auth(api().delete(`${t.base}/connections/${connection}`)).expect(204);
  });
});

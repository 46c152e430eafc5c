import { createHash } from 'crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'fs';
import { join } from 'path';
import { ObjectLiteral } from 'typeorm';
import { Store } from '../src/access/store.entity';
import { PullHandler } from '../src/job-types/pull/pull.handler';
import { PushHandler } from '../src/job-types/push/push.handler';
import { Activity } from '../src/xapi/activities/activity.entity';
import { Agent } from '../src/xapi/agents/agent.entity';
import { ActivityProfile } from '../src/xapi/documents/activity-profile.entity';
import { AgentProfile } from '../src/xapi/documents/agent-profile.entity';
import { State } from '../src/xapi/documents/state.entity';
import { Attachment } from '../src/xapi/statements/entities/attachment.entity';
import { Statement } from '../src/xapi/statements/entities/statement.entity';
import { StatementRecorder } from '../src/xapi/statements/statement-recorder.service';
import { makeRunContext } from './support/job-context';
import { createTestApp, TestApp } from './support/test-app';
import { makeStatement } from './support/xapi-fixtures';

/** Push to and pull from JSON Lines files, every service, raw, sync_updates, torn lines. */
jest.setTimeout(60_000);

describe('push and pull with file connections', () => {
  let t: TestApp;
  let push: PushHandler;
  let pull: PullHandler;
  let recorder: StatementRecorder;
  const stores: Record<string, Store> = {};

  beforeAll(async () => {
    t = await createTestApp();
    push = t.app.get(PushHandler);
    pull = t.app.get(PullHandler);
    recorder = t.app.get(StatementRecorder);
    const repo = t.dataSource.getRepository(Store);
    for (const slug of ['src', 'copy', 'raw-copy']) {
      const now = new Date();
      stores[slug] = await repo.save(
        repo.create({ slug, name: slug, createdAt: now, updatedAt: now }),
      );
    }
    await t
      .http()
      .post(`${t.base}/clients`)
      .set('Authorization', t.adminAuth)
      .send({
        slug: 'src-docs',
        name: 'documents of src',
        username: 'src-docs',
        password: 'src-docs-password',
        store: 'src',
        permissions: ['xapi/all'],
      })
      .expect(201);
  });
  afterAll(async () => t.close());

  async function fileConnection(folder: string, prefix = ''): Promise<number> {
    const res = await t
      .http()
      .post(`${t.base}/connections`)
      .set('Authorization', t.adminAuth)
      .send({ name: `files ${folder}`, type: 'file', folder, prefix })
      .expect(201);
    return res.body.data.id;
  }

  const docs = () => t.http();
  const srcAuth = 'Basic ' + Buffer.from('src-docs:src-docs-password').toString('base64');
  const agent = { objectType: 'Agent', mbox: 'mailto:learner@example.com', name: 'Learner' };

  async function putDocument(
    path: string,
    query: Record<string, string>,
    body: string,
    type = 'application/json',
  ) {
    const q = new URLSearchParams(query).toString();
    await docs()
      .put(`/api/src-docs/xapi/${path}?${q}`)
      .set('Authorization', srcAuth)
      .set('X-Experience-API-Version', '1.0.3')
      .set('Content-Type', type)
      .set('If-None-Match', '*')
      .send(body)
      .expect(204);
  }

  async function rowsOf(entity: new () => ObjectLiteral, store: string, pick: (r: any) => unknown) {
    const rows = await t.dataSource
      .getRepository(entity)
      .find({ where: { storeId: stores[store].id } });
    return rows
      .map(pick)
      .sort((a: any, b: any) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }

  const withoutStored = (r: Statement) => {
    const { stored: _s, ...rest } = r.data;
    return rest;
  };

  async function everything(store: string) {
    return {
      statements: await rowsOf(Statement, store, withoutStored),
      attachments: await rowsOf(Attachment, store, (r) => [
        r.sha2,
        Buffer.from(r.content).toString(),
      ]),
      activities: await rowsOf(Activity, store, (r) => [r.activityId, r.definition]),
      agents: await rowsOf(Agent, store, (r) => [r.vid, r.agent]),
      states: await rowsOf(State, store, (r) => [r.docKey, r.content, r.contentType]),
      activityProfiles: await rowsOf(ActivityProfile, store, (r) => [r.docKey, r.content]),
      agentProfiles: await rowsOf(AgentProfile, store, (r) => [r.docKey, r.content]),
    };
  }

  function ctxOf(
    params: Record<string, unknown>,
    store: string,
    state: Record<string, unknown> | null = null,
  ) {
    return makeRunContext({ until: 'now', ...params } as any, { store: stores[store], state });
  }

  it('round-trips every service through files, then moves only what changed', async () => {
    const content = Buffer.from('file attachment');
    const sha2 = createHash('sha256').update(content).digest('hex');
    await recorder.record(
      stores.src,
      null,
      [
        makeStatement({
          attachments: [
            {
              usageType: 'http://example.com/a',
              display: { en: 'a' },
              contentType: 'text/plain',
              length: content.length,
              sha2,
            },
          ],
        }),
        ...Array.from({ length: 30 }, () => makeStatement()),
      ],
      { version: '1.0.3' },
      [{ sha2, contentType: 'text/plain', content }],
    );
    const activityId = 'http://example.com/activities/course-1';
    await putDocument(
      'activities/state',
      { activityId, agent: JSON.stringify(agent), stateId: 'bookmark' },
      '{"page":3}',
    );
    await putDocument(
      'activities/profile',
      { activityId, profileId: 'settings' },
      'binary \u00ff',
      'text/plain',
    );
    await putDocument(
      'agents/profile',
      { agent: JSON.stringify(agent), profileId: 'prefs' },
      '{"lang":"fr"}',
    );

    const connection = await fileConnection('backup', 'nightly');
    const pushed = ctxOf({ service: 'all', connection }, 'src');
    const result = await push.run(pushed);
    expect(result.data!.services).toMatchObject({
      statements: 31,
      states: 1,
      'activity-profiles': 1,
      'agent-profiles': 1,
    });
    const folder = join(t.config.filesPath, 'backup');
    const statementsFile = join(folder, 'nightly_statements_src.jsonl');
    const lines = readFileSync(statementsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(31);
    expect(Object.keys(lines[0]).sort()).toEqual(
      ['attachments', 'data', 'id', 'pseudonymized', 'store', 'stored', 'updated'].sort(),
    );
    expect(lines[0]).toMatchObject({ store: 'src', pseudonymized: false });
    for (const s of ['activities', 'agents', 'states', 'activity-profiles', 'agent-profiles']) {
      expect(existsSync(join(folder, `nightly_${s}_src.jsonl`))).toBe(true);
    }

    const pulled = ctxOf({ service: 'all', connection }, 'copy');
    await pull.run(pulled);
    expect(await everything('copy')).toEqual(await everything('src'));

    // Nothing new: both directions move nothing.
    expect(
      (await push.run(ctxOf({ service: 'all', connection }, 'src', pushed.stateValue))).data,
    ).toMatchObject({ moved: 0 });
    expect(
      (await pull.run(ctxOf({ service: 'all', connection }, 'copy', pulled.stateValue))).data,
    ).toMatchObject({ moved: 0, already_present: 0 });

    // A changed state: pushed again only with sync_updates, and pulled over the old one.
    await docs()
      .put(
        `/api/src-docs/xapi/activities/state?${new URLSearchParams({ activityId, agent: JSON.stringify(agent), stateId: 'bookmark' })}`,
      )
      .set('Authorization', srcAuth)
      .set('X-Experience-API-Version', '1.0.3')
      .set('Content-Type', 'application/json')
      .send('{"page":9}')
      .expect(204);
    const plain = ctxOf({ service: 'states', connection }, 'src', pushed.stateValue);
    expect((await push.run(plain)).data).toMatchObject({ moved: 0 });
    const sync = ctxOf({ service: 'states', connection, sync_updates: true }, 'src');
    expect((await push.run(sync)).data).toMatchObject({ moved: 1 });
    const again = ctxOf({ service: 'states', connection }, 'copy', pulled.stateValue);
    expect((await pull.run(again)).data).toMatchObject({ moved: 1 });
    expect(await everything('copy')).toEqual(await everything('src'));
  });

  it('raw pushes bare statements; a pull takes them; a torn last line waits', async () => {
    await recorder.record(stores.src, null, [makeStatement(), makeStatement()], {
      version: '1.0.3',
    });
    const connection = await fileConnection('raw');
    const ctx = ctxOf({ service: 'statements', connection, raw: true }, 'src');
    await push.run(ctx);
    const file = join(t.config.filesPath, 'raw', 'statements_src.jsonl');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const srcCount = await t.dataSource
      .getRepository(Statement)
      .countBy({ storeId: stores.src.id });
    expect(lines).toHaveLength(srcCount);
    expect(lines[0].actor).toBeDefined();
    expect(lines[0].data).toBeUndefined();

    // A crash mid-write leaves half a line: the pull takes only whole lines.
    const extra = makeStatement();
    const half = JSON.stringify(extra).slice(0, 40);
    appendFileSync(file, half);
    const pulled = ctxOf({ service: 'statements', connection }, 'raw-copy');
    const result = await pull.run(pulled);
    // A bare statement carries no attachment bytes: the one with an attachment is refused
    // by the pipeline and logged; every other whole line is recorded, the torn one waits.
    expect(result.data).toMatchObject({ moved: srcCount - 1, rejected: 1 });
    expect(pulled.logs.filter((l) => l.message.includes('refused by the pipeline'))).toHaveLength(
      1,
    );
    // The next push cuts the torn line before appending, so every line is whole.
    await recorder.record(stores.src, null, [extra], { version: '1.0.3' });
    await push.run(ctxOf({ service: 'statements', connection, raw: true }, 'src', ctx.stateValue));
    const after = readFileSync(file, 'utf8');
    expect(after.endsWith('\n')).toBe(true);
    const ids = after
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(extra.id);
    const next = await pull.run(
      ctxOf({ service: 'statements', connection }, 'raw-copy', pulled.stateValue),
    );
    expect(next.data).toMatchObject({ moved: 1, rejected: 0 });
  });

  it('a retried push after a crash between write and cursor leaves each line once', async () => {
    const connection = await fileConnection('crash');
    await recorder.record(stores.src, null, [makeStatement()], { version: '1.0.3' });
    const first = ctxOf({ service: 'statements', connection }, 'src');
    await push.run(first);
    const file = join(t.config.filesPath, 'crash', 'statements_src.jsonl');
    const durable = readFileSync(file, 'utf8');
    // The dead run wrote lines (one torn) and never saved its cursor.
    appendFileSync(file, durable.split('\n')[0] + '\n' + '{"id":"torn');
    await push.run(ctxOf({ service: 'statements', connection }, 'src', first.stateValue));
    expect(readFileSync(file, 'utf8')).toBe(durable);
  });

  it('restores xAPI 2.0.0 statements from a pushed file as 2.0.0 statements', async () => {
    const repo = t.dataSource.getRepository(Store);
    const now = new Date();
    const [from, into] = await Promise.all(
      ['v2-src', 'v2-copy'].map((slug) =>
        repo.save(repo.create({ slug, name: slug, createdAt: now, updatedAt: now })),
      ),
    );
    stores[from.slug] = from;
    stores[into.slug] = into;
    // Stored as a POST with X-Experience-API-Version 2.0.0 stores them, among 1.0.x ones.
    const v2 = [makeStatement({ version: '2.0.0' }), makeStatement({ version: '2.0.0' })];
    await recorder.record(from, null, [makeStatement()], { version: '1.0.3' });
    await recorder.record(from, null, v2, { version: '2.0.0' });
    await recorder.record(from, null, [makeStatement()], { version: '1.0.3' });
    const connection = await fileConnection('v2');
    await push.run(ctxOf({ service: 'statements', connection }, 'v2-src'));
    const pulled = ctxOf({ service: 'statements', connection }, 'v2-copy');
    const result = await pull.run(pulled);
    expect(result.data).toMatchObject({ moved: 4, rejected: 0 });
    expect(pulled.logs.filter((l) => l.level <= 3)).toEqual([]); // no warning or worse
    const versions = (await rowsOf(Statement, 'v2-copy', (r) => [r.statementId, r.data.version]))
      .map(([id, version]: any) => ({ id, version }))
      .filter((r: any) => v2.some((s) => s.id === r.id));
    expect(versions.map((r: any) => r.version)).toEqual(['2.0.0', '2.0.0']);
    expect(await everything('v2-copy')).toEqual(await everything('v2-src'));
  });

  it('pull from a file takes only lines stored until the cutoff, and the rest on a later run', async () => {
    const repo = t.dataSource.getRepository(Store);
    const now = new Date();
    for (const slug of ['cut-src', 'cut-copy']) {
      stores[slug] = await repo.save(
        repo.create({ slug, name: slug, createdAt: now, updatedAt: now }),
      );
    }
    const statements = Array.from({ length: 4 }, () => makeStatement());
    await recorder.record(stores['cut-src'], null, statements, { version: '1.0.3' });
    const connection = await fileConnection('cutoff');
    await push.run(ctxOf({ service: 'statements', connection }, 'cut-src'));
    const file = join(t.config.filesPath, 'cutoff', 'statements_cut-src.jsonl');
    // Every line stored within the last hour: an `until: 1_hour` pull takes none.
    const pullAt = (startedAt: Date, state: Record<string, unknown> | null) => {
      const ctx = makeRunContext({ service: 'statements', until: '1_hour', connection } as any, {
        store: stores['cut-copy'],
        state,
        startedAt,
      });
      return pull.run(ctx).then((result) => ({ result, state: ctx.stateValue }));
    };
    const none = await pullAt(new Date(), null);
    expect(none.result.data).toMatchObject({ moved: 0, already_present: 0, rejected: 0 });
    const copied = () =>
      t.dataSource
        .getRepository(Statement)
        .find({ where: { storeId: stores['cut-copy'].id } })
        .then((rows) => rows.map((r) => r.statementId).sort());
    expect(await copied()).toEqual([]);

    // Out of order (as sync_updates or several writers leave a file): old, recent, old, recent.
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    lines.forEach((line, i) => (line.stored = i % 2 === 0 ? hoursAgo(3) : hoursAgo(0.2)));
    writeFileSync(file, lines.map((l) => JSON.stringify(l) + '\n').join(''));
    const old = [lines[0].id, lines[2].id].sort();

    const first = await pullAt(new Date(), null);
    expect(first.result.data).toMatchObject({ moved: 2, already_present: 0, rejected: 0 });
    expect(await copied()).toEqual(old);
    // The same cutoff again: nothing taken twice, nothing skipped.
    const again = await pullAt(new Date(), first.state);
    expect(again.result.data).toMatchObject({ moved: 0, already_present: 0 });
    // An hour later the recent lines fall before the cutoff: taken, once.
    const later = await pullAt(new Date(Date.now() + 3_600_000), again.state);
    expect(later.result.data).toMatchObject({ moved: 2, already_present: 0, rejected: 0 });
    expect(await copied()).toEqual(lines.map((l) => l.id).sort());
    const last = await pullAt(new Date(Date.now() + 3_600_000), later.state);
    expect(last.result.data).toMatchObject({ moved: 0, already_present: 0 });
  });

  it('one push job per file: a second writer is refused (422), a run that finds one writes nothing', async () => {
    const jobs = () => t.http();
    const post = (body: Record<string, unknown>) =>
      jobs()
        .post(`${t.base}/jobs/push`)
        .set('Authorization', t.adminAuth)
        .send({ repeat: 'on', date: '2099-01-01', until: 'now', store: 'src', ...body });
    const shared = await fileConnection('shared');
    const first = (await post({ service: 'statements', connection: shared }).expect(201)).body.data;
    // The same file (statements_src.jsonl in folder shared), also through another
    // connection naming that folder: a 422 naming the connection and the other job.
    for (const body of [
      { service: 'all', connection: shared },
      { service: 'statements', connection: await fileConnection('./shared/') },
    ]) {
      const refused = await post(body);
      expect(refused.status).toBe(422);
      expect(Object.keys(refused.body.errors)).toEqual(['connection']);
      expect(refused.body.errors.connection[0]).toContain(`Push job ${first.id}`);
      expect(refused.body.errors.connection[0]).toContain('statements_src.jsonl');
    }
    // Other files: another service, prefix or store; and the job itself on a PUT.
    await post({ service: 'states', connection: shared }).expect(201);
    const prefixed = await fileConnection('shared', 'other');
    const second = (await post({ service: 'statements', connection: prefixed }).expect(201)).body
      .data;
    await post({ service: 'statements', connection: shared, store: 'copy' }).expect(201);
    await jobs()
      .put(`${t.base}/jobs/push/${first.id}`)
      .set('Authorization', t.adminAuth)
      .send({
        repeat: 'on',
        date: '2099-01-01',
        until: 'now',
        service: 'statements',
        connection: shared,
      })
      .expect(200);

    // The first job pushes; then the second job's connection is changed to write the
    // same file and appends a line. The first job's next run must not cut that line.
    await recorder.record(stores.src, null, [makeStatement()], { version: '1.0.3' });
    const run = (state: Record<string, unknown> | null) =>
      makeRunContext({ service: 'statements', until: 'now', connection: shared } as any, {
        store: stores.src,
        state,
        jobId: first.id,
      });
    const pushed = run(null);
    await push.run(pushed);
    await jobs()
      .put(`${t.base}/connections/${prefixed}`)
      .set('Authorization', t.adminAuth)
      .send({ prefix: '' })
      .expect(200);
    const file = join(t.config.filesPath, 'shared', 'statements_src.jsonl');
    appendFileSync(file, readFileSync(file, 'utf8').split('\n')[0] + '\n');
    const before = readFileSync(file, 'utf8');
    await expect(push.run(run(pushed.stateValue))).rejects.toThrow(
      `Push job ${second.id} also writes statements_src.jsonl`,
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('refuses a folder outside FILES_PATH, at creation and through a link at run time', async () => {
    const res = await t
      .http()
      .post(`${t.base}/connections`)
      .set('Authorization', t.adminAuth)
      .send({ name: 'escape', type: 'file', folder: '../../etc' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toEqual(['folder']);
    const connection = await fileConnection('later-link');
    const outside = join(t.config.filesPath, '..', 'outside');
    mkdirSync(outside, { recursive: true });
    const link = join(t.config.filesPath, 'later-link');
    rmSync(link, { recursive: true });
    symlinkSync(outside, link);
    await expect(push.run(ctxOf({ service: 'statements', connection }, 'src'))).rejects.toThrow(
      /inside FILES_PATH/,
    );
    expect(readdirSync(outside)).toEqual([]);
  });
});

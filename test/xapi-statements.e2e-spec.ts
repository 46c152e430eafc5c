import { createHash, randomUUID } from 'crypto';
import { buildMultipart, parseMultipart } from '../src/xapi/statements/multipart';
import { CredentialVerifiers } from '../src/access/credential-verifiers';
import { grants } from '../src/access/permissions';
import {
  STAMP_TO_INSERT_MAX_MS,
  StatementRecorder,
} from '../src/xapi/statements/statement-recorder.service';
import { basic, createTestApp, TestApp } from './support/test-app';
import { createClient, makeStatement } from './support/xapi-fixtures';

const V = { 'X-Experience-API-Version': '1.0.3' };
const STATEMENTS = '/api/admin/xapi/statements';

describe('xAPI statements (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const post = (body: unknown, auth = t.adminAuth, path = STATEMENTS) =>
    t
      .http()
      .post(path)
      .set(V)
      .set('Authorization', auth)
      .send(body as object);
  const get = (query: Record<string, string>, auth = t.adminAuth, path = STATEMENTS) =>
    t.http().get(path).set(V).set('Authorization', auth).query(query);

  it('stores a batch of 100 statements in one POST and indexes them', async () => {
    const batch = Array.from({ length: 100 }, () => makeStatement());
    const res = await post(batch).expect(200);
    expect(res.body).toEqual(batch.map((s) => s.id));
    expect(res.headers['x-experience-api-consistent-through']).toBeDefined();
    const [{ c }] = await t.dataSource.query(
      'SELECT COUNT(*) AS c FROM statements WHERE statement_id IN (' +
        batch.map(() => '?').join(',') +
        ')',
      batch.map((s) => s.id),
    );
    expect(Number(c)).toBe(100);
    const one = await get({ statementId: batch[5].id }).expect(200);
    expect(one.body.id).toBe(batch[5].id);
    expect(one.body.stored).toBeDefined();
    expect(one.body.authority.account.name).toBe('admin');
    expect(one.body.version).toBe('1.0.0');
    expect(one.headers['last-modified']).toBeDefined();
    const agents = await t.dataSource.query(
      "SELECT COUNT(*) AS c FROM statement_agents WHERE role = 'actor'",
    );
    expect(Number(agents[0].c)).toBeGreaterThanOrEqual(100);
    const activity = await t
      .http()
      .get('/api/admin/xapi/activities')
      .set(V)
      .set('Authorization', t.adminAuth)
      .query({ activityId: batch[0].object.id })
      .expect(200);
    expect(activity.body).toEqual({
      objectType: 'Activity',
      id: batch[0].object.id,
      definition: batch[0].object.definition,
    });
    const vocab = await t.dataSource.query('SELECT kind, iri FROM vocab ORDER BY kind, iri');
    expect(vocab).toEqual(
      expect.arrayContaining([
        { kind: 'verb', iri: 'http://adlnet.gov/expapi/verbs/completed' },
        { kind: 'activity-type', iri: 'http://adlnet.gov/expapi/activities/course' },
      ]),
    );
    const known = await t.dataSource.query('SELECT vid FROM agents WHERE vid = ?', [
      `mbox::${batch[0].actor.mbox}`,
    ]);
    expect(known).toHaveLength(1);
  });

  it('PUT of an existing id: 204 when equal, 409 when different', async () => {
    const s = makeStatement();
    const put = (body: unknown) =>
      t
        .http()
        .put(STATEMENTS)
        .set(V)
        .set('Authorization', t.adminAuth)
        .query({ statementId: s.id })
        .send(body as object);
    await put(s).expect(204);
    // Equal by the comparison rules: other timestamp, key order, language tag case.
    const same = {
      ...s,
      timestamp: '2020-01-01T00:00:00Z',
      verb: { display: { 'EN-us': 'completed' }, id: s.verb.id },
    };
    await put(same).expect(204);
    await post(same).expect(200);
    const different = { ...s, result: { completion: false } };
    const conflict = await put(different).expect(409);
    expect(conflict.body.message).toMatch(/different content/);
    const stored = await get({ statementId: s.id }).expect(200);
    expect(stored.body.result).toEqual(s.result);
    await t.http().put(STATEMENTS).set(V).set('Authorization', t.adminAuth).send(s).expect(400);
  });

  it('voids a statement: only voidedStatementId returns it, queries skip it', async () => {
    const target = makeStatement();
    await post(target).expect(200);
    const voiding = makeStatement({
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } },
      object: { objectType: 'StatementRef', id: target.id },
    });
    await post(voiding).expect(200);
    await get({ statementId: target.id }).expect(404);
    const voided = await get({ voidedStatementId: target.id }).expect(200);
    expect(voided.body.id).toBe(target.id);
    await get({ voidedStatementId: voiding.id }).expect(404);
    const list = await get({ activity: target.object.id, limit: '0' }).expect(200);
    expect(list.body.statements.map((s: any) => s.id)).not.toContain(target.id);
    // A voiding statement cannot itself be voided.
    const voidTheVoider = makeStatement({
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id: voiding.id },
    });
    await post(voidTheVoider).expect(400);
    await get({ statementId: voiding.id }).expect(200);
  });

  it('pages through 1,000 statements with more while new ones arrive', async () => {
    const activity = `http://example.com/activities/paging-${randomUUID()}`;
    const first = Array.from({ length: 1000 }, () =>
      makeStatement({ object: { objectType: 'Activity', id: activity } }),
    );
    for (let i = 0; i < first.length; i += 100) await post(first.slice(i, i + 100)).expect(200);
    // Everything stored before the first page, oldest first.
    const stored = first.map((x) => x.id);
    for (const ascending of ['false', 'true']) {
      const before = [...stored];
      const seen: string[] = [];
      let res = await get({ activity, limit: '90', ascending }).expect(200);
      for (;;) {
        seen.push(...res.body.statements.map((x: any) => x.id));
        // New statements keep arriving between pages: they must not shift the pages.
        const late = makeStatement({ object: { objectType: 'Activity', id: activity } });
        await post([late]).expect(200);
        stored.push(late.id);
        if (!res.body.more) break;
        expect(res.body.more).toMatch(/^\/api\/admin\/xapi\/statements\?/);
        res = await t
          .http()
          .get(res.body.more)
          .set(V)
          .set('Authorization', t.adminAuth)
          .expect(200);
        expect(res.headers['x-experience-api-consistent-through']).toBeDefined();
      }
      expect(seen).toEqual(ascending === 'true' ? before : [...before].reverse());
    }
  });

  it('filters by agent, verb, registration, related activities and since', async () => {
    const who = { mbox: `mailto:${randomUUID()}@example.com` };
    const registration = randomUUID();
    const a = makeStatement({ actor: who, context: { registration } });
    const b = makeStatement({
      context: {
        instructor: who,
        contextActivities: { grouping: [{ id: 'http://example.com/g1' }] },
      },
    });
    await post([a, b]).expect(200);
    const byAgent = await get({ agent: JSON.stringify(who) }).expect(200);
    expect(byAgent.body.statements.map((s: any) => s.id)).toEqual([a.id]);
    const related = await get({ agent: JSON.stringify(who), related_agents: 'true' }).expect(200);
    expect(related.body.statements.map((s: any) => s.id)).toEqual([b.id, a.id]);
    const byReg = await get({ registration }).expect(200);
    expect(byReg.body.statements.map((s: any) => s.id)).toEqual([a.id]);
    const grouped = await get({
      activity: 'http://example.com/g1',
      related_activities: 'true',
    }).expect(200);
    expect(grouped.body.statements.map((s: any) => s.id)).toEqual([b.id]);
    const none = await get({ activity: 'http://example.com/g1' }).expect(200);
    expect(none.body.statements).toEqual([]);
    const future = await get({ since: new Date(Date.now() + 60_000).toISOString() }).expect(200);
    expect(future.body.statements).toEqual([]);
    const ids = await get({ registration, format: 'ids' }).expect(200);
    expect(ids.body.statements[0].verb).toEqual({ id: a.verb.id });
    expect(ids.body.statements[0].object).toEqual({ id: a.object.id });
    await get({ agent: 'not json' }).expect(400);
    await get({ unknown: 'x' }).expect(400);
  });

  it('answers canonical format in the asked language', async () => {
    const s = makeStatement({
      verb: { id: 'http://example.com/verbs/did', display: { 'en-US': 'did', 'fr-FR': 'a fait' } },
    });
    await post(s).expect(200);
    const res = await t
      .http()
      .get(STATEMENTS)
      .set(V)
      .set('Authorization', t.adminAuth)
      .set('Accept-Language', 'fr')
      .query({ statementId: s.id, format: 'canonical' })
      .expect(200);
    expect(res.body.verb.display).toEqual({ 'fr-FR': 'a fait' });
  });

  it('round-trips attachments in multipart/mixed', async () => {
    const content = Buffer.alloc(150_000, 7);
    content.write('hello attachment');
    const sha2 = createHash('sha256').update(content).digest('hex');
    const s = makeStatement({
      attachments: [
        {
          usageType: 'http://example.com/usage',
          display: { 'en-US': 'A file' },
          contentType: 'application/octet-stream',
          length: content.length,
          sha2,
        },
      ],
    });
    const boundary = 'abc123boundary';
    const body = buildMultipart(boundary, [
      { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(s)) },
      {
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Transfer-Encoding': 'binary',
          'X-Experience-API-Hash': sha2,
        },
        body: content,
      },
    ]);
    await t
      .http()
      .post(STATEMENTS)
      .set(V)
      .set('Authorization', t.adminAuth)
      .set('Content-Type', `multipart/mixed; boundary=${boundary}`)
      .send(body)
      .expect(200);
    const res = await t
      .http()
      .get(STATEMENTS)
      .set(V)
      .set('Authorization', t.adminAuth)
      .query({ statementId: s.id, attachments: 'true' })
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const ct = res.headers['content-type'];
    expect(ct).toMatch(/^multipart\/mixed; boundary=/);
    const parts = parseMultipart(res.body as Buffer, ct.split('boundary=')[1]);
    expect(parts).toHaveLength(2);
    expect(JSON.parse(parts[0].body.toString()).id).toBe(s.id);
    expect(parts[1].headers['x-experience-api-hash']).toBe(sha2);
    expect(Buffer.compare(parts[1].body, content)).toBe(0);
    // attachments=true answers multipart/mixed even when nothing matches.
    const empty = await t
      .http()
      .get(STATEMENTS)
      .set(V)
      .set('Authorization', t.adminAuth)
      .query({ registration: randomUUID(), attachments: 'true' })
      .expect(200);
    expect(empty.headers['content-type']).toMatch(/^multipart\/mixed; boundary=/);
    // A part whose content does not match its hash is refused.
    const bad = buildMultipart(boundary, [
      {
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify({ ...s, id: randomUUID() })),
      },
      {
        headers: { 'Content-Type': 'application/octet-stream', 'X-Experience-API-Hash': sha2 },
        body: Buffer.from('other'),
      },
    ]);
    await t
      .http()
      .post(STATEMENTS)
      .set(V)
      .set('Authorization', t.adminAuth)
      .set('Content-Type', `multipart/mixed; boundary=${boundary}`)
      .send(bad)
      .expect(400);
    // A statement attachment without its part is refused.
    await post({ ...s, id: randomUUID() }).expect(400);
  });

  it('refuses invalid statements with 400 naming each path', async () => {
    const bad = makeStatement({ verb: { id: 'not an iri' } });
    delete bad.object;
    const res = await post([makeStatement(), bad]).expect(400);
    expect(Object.keys(res.body.errors)).toEqual(
      expect.arrayContaining(['[1].verb.id', '[1].object']),
    );
    expect(Object.keys(res.body.errors).every((p) => p.startsWith('[1]'))).toBe(true);
    const [{ c }] = await t.dataSource.query(
      'SELECT COUNT(*) AS c FROM statements WHERE statement_id = ?',
      [bad.id],
    );
    expect(Number(c)).toBe(0);
    const single = await post({ ...bad, id: undefined }).expect(400);
    expect(single.body.errors['verb.id']).toBeDefined();
  });

  it('read/mine sees only its own statements; write needs its permission', async () => {
    const writer = await createClient(t, 'writer', [
      'xapi/statements/write',
      'xapi/statements/read/mine',
    ]);
    const reader = await createClient(t, 'reader', ['xapi/statements/read/mine']);
    const mine = makeStatement();
    await post(mine, writer.auth, `${writer.base}/xapi/statements`).expect(200);
    const other = makeStatement();
    await post(other).expect(200);
    const list = await get({ limit: '0' }, writer.auth, `${writer.base}/xapi/statements`).expect(
      200,
    );
    expect(list.body.statements.map((s: any) => s.id)).toEqual([mine.id]);
    await get({ statementId: other.id }, writer.auth, `${writer.base}/xapi/statements`).expect(404);
    await get({ statementId: mine.id }, writer.auth, `${writer.base}/xapi/statements`).expect(200);
    await post(makeStatement(), reader.auth, `${reader.base}/xapi/statements`).expect(403);
    const empty = await get({}, reader.auth, `${reader.base}/xapi/statements`).expect(200);
    expect(empty.body.statements).toEqual([]);
  });

  it('follows the client pipeline: validate_statements false stores unvalidated', async () => {
    const loose = await createClient(t, 'loose', ['xapi/all'], {
      validate_statements: false,
      authority_name: 'importer',
      authority_homepage: 'http://importer.example.com',
    });
    const s = makeStatement({ verb: { id: 'not an iri' } });
    await post(s).expect(400);
    await post(s, loose.auth, `${loose.base}/xapi/statements`).expect(200);
    const rows = await t.dataSource.query(
      'SELECT validated, valid FROM statements WHERE statement_id = ?',
      [s.id],
    );
    expect(Number(rows[0].validated)).toBe(0);
    const back = await get(
      { statementId: s.id },
      loose.auth,
      `${loose.base}/xapi/statements`,
    ).expect(200);
    expect(back.body.authority.account).toEqual({
      homePage: 'http://importer.example.com',
      name: 'importer',
    });
    const good = makeStatement();
    await post(good).expect(200);
    const checked = await t.dataSource.query(
      'SELECT validated, valid FROM statements WHERE statement_id = ?',
      [good.id],
    );
    expect(Number(checked[0].validated)).toBe(1);
    expect(Number(checked[0].valid)).toBe(1);
  });

  it('answers HEAD and needs the version header', async () => {
    const head = await t
      .http()
      .head(STATEMENTS)
      .set(V)
      .set('Authorization', t.adminAuth)
      .expect(200);
    expect(head.headers['x-experience-api-consistent-through']).toBeDefined();
    await t.http().get(STATEMENTS).set('Authorization', t.adminAuth).expect(400);
  });

  it('restricted credentials read and write only their own agent statements', async () => {
    const agent = { objectType: 'Agent', mbox: `mailto:${randomUUID()}@example.com` };
    t.app
      .get(CredentialVerifiers)
      .register(async (_client, username, password) =>
        username === 'token' && password === 'token-secret'
          ? { permissions: grants(['xapi/statements/write', 'xapi/statements/read']), agent }
          : null,
      );
    const auth = basic('token', 'token-secret');
    const own = makeStatement({ actor: agent });
    await post(own, auth).expect(200);
    await post(makeStatement(), auth).expect(403);
    const other = makeStatement();
    await post(other).expect(200);
    const list = await get({ limit: '0' }, auth).expect(200);
    expect(list.body.statements.map((x: any) => x.id)).toEqual([own.id]);
    await get({ statementId: other.id }, auth).expect(404);
  });

  it('voids a statement that arrives after its voiding statement', async () => {
    const target = makeStatement();
    const voiding = makeStatement({
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id: target.id },
    });
    await post(voiding).expect(200);
    await post(target).expect(200);
    await get({ statementId: target.id }).expect(404);
    await get({ voidedStatementId: target.id }).expect(200);
  });

  it('records a batch that repeats stored statements and meets a stored voiding statement', async () => {
    // Repeats skipped, the rest recorded once, the target of the stored voiding statement
    // stored voided.
    const stored = makeStatement();
    const target = makeStatement();
    const voiding = makeStatement({
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id: target.id },
    });
    const fresh = makeStatement();
    await post(stored).expect(200);
    await post(voiding).expect(200);
    const res = await post([stored, fresh, target]).expect(200);
    expect(res.body).toEqual([stored.id, fresh.id, target.id]);
    const rows = await t.dataSource.query(
      `SELECT s.statement_id AS id, s.voided AS voided, s.voided_by AS voidedBy,
          (SELECT COUNT(*) FROM statement_agents a WHERE a.statement_row_id = s.id AND a.role = 'actor') AS actors
        FROM statements s WHERE s.statement_id IN (?, ?, ?) ORDER BY s.statement_id`,
      [stored.id, fresh.id, target.id],
    );
    expect(
      rows.map((r: any) => ({
        id: r.id,
        voided: !!Number(r.voided),
        voidedBy: r.voidedBy,
        actors: Number(r.actors),
      })),
    ).toEqual(
      [
        { id: stored.id, voided: false, voidedBy: null, actors: 1 },
        { id: fresh.id, voided: false, voidedBy: null, actors: 1 },
        { id: target.id, voided: true, voidedBy: voiding.id, actors: 1 },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    await get({ statementId: target.id }).expect(404);
    await get({ voidedStatementId: target.id }).expect(200);
    // A batch holding a voiding statement and its target, sent again: nothing new.
    const pair = makeStatement();
    const pairVoider = makeStatement({
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id: pair.id },
    });
    await post([pair, pairVoider]).expect(200);
    await post([pair, pairVoider]).expect(200);
    const [{ n }] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM statements WHERE statement_id IN (?, ?)',
      [pair.id, pairVoider.id],
    );
    expect(Number(n)).toBe(2);
    // A stored id with other content is still a conflict, and nothing of the batch is kept.
    const other = makeStatement();
    await post([other, { ...fresh, result: { completion: true } }]).expect(409);
    await get({ statementId: other.id }).expect(404);
  });

  it('replaces a stored statement when check_conflicts is false', async () => {
    const replacer = await createClient(t, 'replacer', ['xapi/all'], { check_conflicts: false });
    const s = makeStatement();
    const path = `${replacer.base}/xapi/statements`;
    await post(s, replacer.auth, path).expect(200);
    await post({ ...s, result: { completion: false } }, replacer.auth, path).expect(200);
    const back = await get({ statementId: s.id }).expect(200);
    expect(back.body.result).toEqual({ completion: false });
    const rows = await t.dataSource.query(
      "SELECT COUNT(*) AS c FROM statement_agents a JOIN statements s ON s.id = a.statement_row_id WHERE s.statement_id = ? AND a.role = 'actor'",
      [s.id],
    );
    expect(Number(rows[0].c)).toBe(1);
  });

  it('moves the voiding when a voiding statement is replaced by one with another target', async () => {
    const replacer = await createClient(t, 'revoider', ['xapi/all'], { check_conflicts: false });
    const path = `${replacer.base}/xapi/statements`;
    const first = makeStatement();
    const second = makeStatement();
    const voids = (id: string) => ({
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id },
    });
    await post([first, second], replacer.auth, path).expect(200);
    const voiding = makeStatement(voids(first.id));
    await post(voiding, replacer.auth, path).expect(200);
    await get({ statementId: first.id }).expect(404);
    // The same id, now voiding the second statement: the first is no longer voided.
    await post({ ...voiding, ...voids(second.id) }, replacer.auth, path).expect(200);
    await get({ statementId: first.id }).expect(200);
    await get({ statementId: second.id }).expect(404);
    await get({ voidedStatementId: second.id }).expect(200);
    const rows = await t.dataSource.query(
      `SELECT statement_id AS id, voided, voided_by AS voidedBy FROM statements
        WHERE statement_id IN (?, ?) ORDER BY statement_id`,
      [first.id, second.id],
    );
    expect(
      rows.map((r: any) => ({ id: r.id, voided: !!Number(r.voided), voidedBy: r.voidedBy })),
    ).toEqual(
      [
        { id: first.id, voided: false, voidedBy: null },
        { id: second.id, voided: true, voidedBy: voiding.id },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    // Replaced by the same voiding statement again: its target stays voided.
    await post(
      { ...voiding, ...voids(second.id), result: { success: true } },
      replacer.auth,
      path,
    ).expect(200);
    await get({ statementId: second.id }).expect(404);
  });

  it('records concurrent batches without losing any', async () => {
    const batches = Array.from({ length: 6 }, () =>
      Array.from({ length: 50 }, () => makeStatement()),
    );
    const results = await Promise.all(batches.map((b) => post(b)));
    expect(results.map((r) => r.status)).toEqual(batches.map(() => 200));
    const ids = batches.flat().map((x) => x.id);
    const [{ c }] = await t.dataSource.query(
      `SELECT COUNT(*) AS c FROM statements WHERE statement_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    expect(Number(c)).toBe(300);
  });

  it('indexes IRIs longer than 255 characters', async () => {
    const long = `http://example.com/${'a'.repeat(400)}`;
    const s = makeStatement({
      object: { objectType: 'Activity', id: long, definition: { name: { en: 'Long' } } },
    });
    await post(s).expect(200);
    const list = await get({ activity: long }).expect(200);
    expect(list.body.statements.map((x: any) => x.id)).toEqual([s.id]);
    const activity = await t
      .http()
      .get('/api/admin/xapi/activities')
      .set(V)
      .set('Authorization', t.adminAuth)
      .query({ activityId: long })
      .expect(200);
    expect(activity.body.definition).toEqual({ name: { en: 'Long' } });
  });

  it('accepts the alternate request syntax (POST ?method=...)', async () => {
    const s = makeStatement();
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    await t
      .http()
      .post(STATEMENTS)
      .query({ method: 'PUT' })
      .type('form')
      .send(
        form({
          statementId: s.id,
          Authorization: t.adminAuth,
          'X-Experience-API-Version': '1.0.3',
          'Content-Type': 'application/json',
          content: JSON.stringify(s),
        }),
      )
      .expect(204);
    const res = await t
      .http()
      .post(STATEMENTS)
      .query({ method: 'GET' })
      .type('form')
      .send(
        form({
          statementId: s.id,
          Authorization: t.adminAuth,
          'X-Experience-API-Version': '1.0.3',
        }),
      )
      .expect(200);
    expect(res.body.id).toBe(s.id);
    await t
      .http()
      .post(STATEMENTS)
      .query({ method: 'GET' })
      .type('form')
      .send(form({ statementId: s.id, 'X-Experience-API-Version': '1.0.3' }))
      .expect(401);
    await t
      .http()
      .post(STATEMENTS)
      .query({ method: 'GET', statementId: s.id })
      .type('form')
      .send(form({ Authorization: t.adminAuth, 'X-Experience-API-Version': '1.0.3' }))
      .expect(400);
  });

  it('skips agents, activities, vocab and id indexes when the pipeline says so', async () => {
    const bare = await createClient(t, 'bare', ['xapi/all'], {
      update_activities: false,
      update_agents: false,
      update_vocab: false,
      update_activity_ids: false,
      update_agent_ids: false,
    });
    const s = makeStatement({
      actor: { mbox: `mailto:${randomUUID()}@example.com` },
      verb: { id: `http://example.com/verbs/${randomUUID()}` },
      object: {
        objectType: 'Activity',
        id: `http://example.com/a/${randomUUID()}`,
        definition: { name: { en: 'x' } },
      },
    });
    await post(s, bare.auth, `${bare.base}/xapi/statements`).expect(200);
    const count = async (sql: string, args: unknown[]) =>
      Number((await t.dataSource.query(sql, args))[0].c);
    const [row] = await t.dataSource.query('SELECT id FROM statements WHERE statement_id = ?', [
      s.id,
    ]);
    expect(
      await count('SELECT COUNT(*) AS c FROM statement_agents WHERE statement_row_id = ?', [
        row.id,
      ]),
    ).toBe(0);
    expect(
      await count('SELECT COUNT(*) AS c FROM statement_activities WHERE statement_row_id = ?', [
        row.id,
      ]),
    ).toBe(0);
    expect(
      await count('SELECT COUNT(*) AS c FROM agents WHERE vid = ?', [`mbox::${s.actor.mbox}`]),
    ).toBe(0);
    expect(
      await count('SELECT COUNT(*) AS c FROM activities WHERE activity_id = ?', [s.object.id]),
    ).toBe(0);
    expect(await count('SELECT COUNT(*) AS c FROM vocab WHERE iri = ?', [s.verb.id])).toBe(0);
    // The statement itself is still found by its object activity.
    const list = await get({ activity: s.object.id }).expect(200);
    expect(list.body.statements.map((x: any) => x.id)).toEqual([s.id]);
  });

  it('records for jobs with their own options, keeping a pulled authority', async () => {
    const recorder = t.app.get(StatementRecorder);
    const [store] = await t.dataSource.query("SELECT id FROM stores WHERE slug = 'default'");
    const remote = {
      objectType: 'Agent',
      account: { homePage: 'http://remote.example.com', name: 'lrs' },
    };
    const s = makeStatement({ authority: remote });
    const result = await recorder.record({ id: store.id }, null, [s], { version: '2.0.0' });
    expect(result).toEqual({ ids: [s.id], recorded: 1 });
    const back = await get({ statementId: s.id }).expect(200);
    expect(back.body.authority).toEqual(remote);
    expect(back.body.version).toBe('2.0.0');
    const again = await recorder.record({ id: store.id }, null, [s], { version: '2.0.0' });
    expect(again.recorded).toBe(0);
    const [row] = await t.dataSource.query(
      'SELECT client_id FROM statements WHERE statement_id = ?',
      [s.id],
    );
    expect(row.client_id).toBeNull();
  });

  it('with check_conflicts off, a statement stored again with other content replaces it as the newest, timestamp and stored new', async () => {
    const recorder = t.app.get(StatementRecorder);
    const [store] = await t.dataSource.query("SELECT id FROM stores WHERE slug = 'default'");
    const who = { mbox: `mailto:${randomUUID()}@example.com` };
    const first = makeStatement({ actor: who });
    delete (first as any).timestamp;
    const other = makeStatement();
    await recorder.record({ id: store.id }, null, [first], { version: '1.0.3' });
    await post(other).expect(200);
    const before = (await get({ statementId: first.id }).expect(200)).body;
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const changed = { ...first, result: { completion: true } };
    const replaced = await recorder.record({ id: store.id }, null, [changed], {
      version: '1.0.3',
      check_conflicts: false,
    });
    expect(replaced).toEqual({ ids: [first.id], recorded: 1 });
    const after = (await get({ statementId: first.id }).expect(200)).body;
    expect(after.result).toEqual({ completion: true });
    expect(after.stored > since).toBe(true);
    expect(after.timestamp).toBe(after.stored);
    expect(before.stored < since).toBe(true);
    // One row, newer than the statement stored after the first: it is the newest, and
    // its index rows are its new ones.
    const rows = await t.dataSource.query('SELECT id FROM statements WHERE statement_id = ?', [
      first.id,
    ]);
    expect(rows).toHaveLength(1);
    const newest = await get({ since, limit: '10' }).expect(200);
    expect(newest.body.statements.map((x: any) => x.id)).toEqual([first.id]);
    const all = await get({ limit: '2' }).expect(200);
    expect(all.body.statements.map((x: any) => x.id)).toEqual([first.id, other.id]);
    const byAgent = await get({ agent: JSON.stringify(who) }).expect(200);
    expect(byAgent.body.statements.map((x: any) => x.id)).toEqual([first.id]);
  });

  it('records a batch whose rows were inserted too long after its stored stamp again, under a new stamp', async () => {
    const recorder = t.app.get(StatementRecorder);
    const [store] = await t.dataSource.query("SELECT id FROM stores WHERE slug = 'default'");
    const s = makeStatement();
    const base = Date.now() - 60_000;
    // Each attempt reads the clock to stamp and after its inserts: the first is too late.
    const clock = [base, base + STAMP_TO_INSERT_MAX_MS + 1, base + 60_000, base + 60_010];
    const spy = jest
      .spyOn(recorder as unknown as { now(): number }, 'now')
      .mockImplementation(() => clock.shift()!);
    try {
      expect(await recorder.record({ id: store.id }, null, [s], { version: '1.0.3' })).toEqual({
        ids: [s.id],
        recorded: 1,
      });
    } finally {
      spy.mockRestore();
    }
    expect(clock).toEqual([]);
    const back = await get({ statementId: s.id }).expect(200);
    expect(back.body.stored).toBe(new Date(base + 60_000).toISOString());
    const rows = await t.dataSource.query('SELECT stored FROM statements WHERE statement_id = ?', [
      s.id,
    ]);
    expect(rows).toHaveLength(1);
  });

  it('stores and returns a statement of several megabytes', async () => {
    const big = 'x'.repeat(3_000_000);
    const s = makeStatement();
    s.context.extensions = { 'http://example.com/ext/blob': big };
    await post(s).expect(200);
    const back = await get({ statementId: s.id }).expect(200);
    expect(back.body.context.extensions['http://example.com/ext/blob']).toHaveLength(3_000_000);
  });

  it('sends a page as stored: each statement as its single GET returns it, Last-Modified the newest stored, 304 when not modified', async () => {
    const verb = `http://example.com/verbs/page-${randomUUID()}`;
    const batch = Array.from({ length: 3 }, () => makeStatement({ verb: { id: verb } }));
    await post(batch).expect(200);
    const page = await get({ verb }).expect(200);
    expect(page.headers['content-type']).toMatch(/^application\/json/);
    expect(page.body.more).toBe('');
    const singles = await Promise.all(
      [...batch].reverse().map(async (s) => (await get({ statementId: s.id }).expect(200)).body),
    );
    expect(page.body.statements).toEqual(singles);
    const newest = Math.max(...singles.map((s) => new Date(s.stored).getTime()));
    expect(new Date(page.headers['last-modified']).getTime()).toBe(
      Math.floor(newest / 1000) * 1000,
    );
    await get({ verb }).set('If-Modified-Since', page.headers['last-modified']).expect(304);
    const ids = await get({ verb, format: 'ids' }).expect(200);
    expect(ids.body.statements.map((s: { id: string }) => s.id)).toEqual(singles.map((s) => s.id));
    expect(ids.body.statements[0].actor).toBeDefined();
  });

  it('returns statements that target a matching statement through a StatementRef', async () => {
    const registration = randomUUID();
    const target = makeStatement({ context: { registration } });
    const ref = makeStatement({
      verb: { id: 'http://example.com/verbs/commented' },
      object: { objectType: 'StatementRef', id: target.id },
    });
    const refOfRef = makeStatement({
      verb: { id: 'http://example.com/verbs/liked' },
      object: { objectType: 'StatementRef', id: ref.id },
    });
    await post([target, ref, refOfRef, makeStatement()]).expect(200);
    const res = await get({ registration }).expect(200);
    expect(res.body.statements.map((x: any) => x.id)).toEqual([refOfRef.id, ref.id, target.id]);
    const paged = await get({ registration, limit: '2', ascending: 'true' }).expect(200);
    expect(paged.body.statements.map((x: any) => x.id)).toEqual([target.id, ref.id]);
    const next = await t
      .http()
      .get(paged.body.more)
      .set(V)
      .set('Authorization', t.adminAuth)
      .expect(200);
    expect(next.body.statements.map((x: any) => x.id)).toEqual([refOfRef.id]);
  });
});

import { createHash, createSign, generateKeyPairSync, randomUUID } from 'crypto';
import { Store } from '../src/access/store.entity';
import { PSEUDO_BATCH, PseudoHandler } from '../src/job-types/pseudo/pseudo.handler';
import { agentVid } from '../src/xapi/agents/agent-identifier';
import { buildMultipart } from '../src/xapi/statements/multipart';
import { SIGNATURE_USAGE_TYPE } from '../src/xapi/statements/statement-signature';
import { createTestApp, TestApp } from './support/test-app';
import { identitiesIn } from './support/identities';
import { everyProgressLogged } from './support/progress';
import { createStoreWithClient } from './support/xapi-fixtures';
import { waitFor } from './support/wait';

const V = { 'X-Experience-API-Version': '1.0.3' };
const HOME = 'http://pseudo.example.com';
const DAY = 86_400_000;

describe('pseudo over the Jobs API (e2e)', () => {
  let t: TestApp;
  let other: { store: Store; base: string; auth: string };

  const ann = { objectType: 'Agent', name: 'Ann', mbox: 'mailto:ann@example.com' };
  const bob = {
    objectType: 'Agent',
    name: 'Bob',
    account: { homePage: 'https://lms.example.com', name: 'bob' },
  };
  const cid = { objectType: 'Agent', mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9' };
  const dee = { objectType: 'Agent', openid: 'https://id.example.com/dee', name: 'Dee' };
  const verb = { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { en: 'experienced' } };
  const activity = {
    id: 'http://example.com/activities/course',
    definition: { name: { en: 'Course' } },
  };

  const jobs = (type: string) => `${t.base}/jobs/${type}`;
  const postJob = (body: object) =>
    t.http().post(jobs('pseudo')).set('Authorization', t.adminAuth).send(body);
  const getJob = async (id: number) =>
    (
      await t
        .http()
        .get(`${jobs('pseudo')}/${id}`)
        .set('Authorization', t.adminAuth)
    ).body.data;
  const ran = (id: number, runs = 1) =>
    waitFor(
      async () => {
        const j = await getJob(id);
        return j.ran >= runs && !j.running ? j : null;
      },
      30_000,
      `pseudo job ${id}`,
    );
  const statements = (query: Record<string, string>, base = t.base, auth = t.adminAuth) =>
    t
      .http()
      .get(`${base}/xapi/statements`)
      .set(V)
      .set('Authorization', auth)
      .query({ limit: '100', ...query })
      .expect(200)
      .then((r) => r.body.statements as Record<string, any>[]);
  const record = (body: object[], base = t.base, auth = t.adminAuth) =>
    t
      .http()
      .post(`${base}/xapi/statements`)
      .set(V)
      .set('Authorization', auth)
      .send(body)
      .expect(200);
  /** Makes statements look stored two days ago: older than a `1_day` cutoff. */
  const age = (ids: string[]) =>
    t.dataSource.query(
      `UPDATE statements SET stored = ? WHERE statement_id IN (${ids.map(() => '?').join(', ')})`,
      [new Date(Date.now() - 2 * DAY).toISOString().replace('T', ' ').replace('Z', ''), ...ids],
    );

  beforeAll(async () => {
    // A short scheduler minute: progress entries every 100 ms.
    t = await createTestApp({ env: { JOBS_MINUTE_MS: '1200' } });
    other = await createStoreWithClient(t, 'pseudo-other');
  });
  afterAll(async () => t.close());

  it('pseudonymizes the statements stored until the cutoff in every role; the index follows; a second run changes nothing', async () => {
    const ids = { s1: randomUUID(), s2: randomUUID(), s3: randomUUID(), late: randomUUID() };
    await record([
      {
        id: ids.s1,
        actor: ann,
        verb,
        object: activity,
        context: {
          instructor: bob,
          team: { objectType: 'Group', name: 'Team', member: [cid, dee] },
        },
      },
      {
        id: ids.s2,
        actor: { objectType: 'Group', name: 'Pair', member: [bob, ann] },
        verb,
        object: cid,
      },
      {
        id: ids.s3,
        actor: dee,
        verb,
        object: {
          objectType: 'SubStatement',
          actor: ann,
          verb,
          object: { ...bob },
          context: { instructor: cid },
        },
      },
      { id: ids.late, actor: ann, verb, object: activity },
    ]);
    const otherId = randomUUID();
    await record([{ id: otherId, actor: ann, verb, object: activity }], other.base, other.auth);
    await age([ids.s1, ids.s2, ids.s3, otherId]);

    const created = await postJob({ repeat: 'now', until: '1_day', store: 'default' }).expect(201);
    expect(created.body.data).toMatchObject({ type: 'pseudo', store: 'default', until: '1_day' });
    const done = await ran(created.body.data.id);
    expect(done.success).toBe(true);
    expect(done.feedback).toContain('pseudonymized 3 statements of store default');

    const all = await statements({});
    const byId = new Map(all.map((s) => [s.id, s]));
    for (const id of [ids.s1, ids.s2, ids.s3]) {
      expect({ id, left: identitiesIn(byId.get(id), HOME) }).toEqual({ id, left: [] });
    }
    const s1 = byId.get(ids.s1)!;
    const s2 = byId.get(ids.s2)!;
    const s3 = byId.get(ids.s3)!;
    const annP = s1.actor;
    expect(annP).toEqual({
      objectType: 'Agent',
      account: { homePage: HOME, name: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    // One agent, one pseudonym, in every role; two agents, two.
    expect(s2.actor.member[1]).toEqual(annP);
    expect(s3.object.actor).toEqual(annP);
    expect(s3.object.object).toEqual(s1.context.instructor);
    expect(s2.actor.member[0]).toEqual(s1.context.instructor);
    expect(s2.object).toEqual(s1.context.team.member[0]);
    expect(s3.object.context.instructor).toEqual(s2.object);
    expect(s3.actor).toEqual(s1.context.team.member[1]);
    const pseudonyms = new Set(
      [annP, s1.context.instructor, s2.object, s3.actor].map((a) => a.account.name),
    );
    expect(pseudonyms.size).toBe(4);
    expect(s1.context.team.objectType).toBe('Group');
    // The authority is kept.
    expect(s1.authority.account.name).toBe('admin');
    // After the cutoff, and in the other store: untouched.
    expect(byId.get(ids.late)!.actor).toEqual(ann);
    expect((await statements({}, other.base, other.auth))[0].actor).toEqual(ann);

    // A query by the original agent finds only the late statement; by the pseudonym, the three.
    const byAnn = await statements({
      agent: JSON.stringify({ mbox: ann.mbox }),
      related_agents: 'true',
    });
    expect(byAnn.map((s) => s.id)).toEqual([ids.late]);
    const byPseudo = await statements({ agent: JSON.stringify(annP), related_agents: 'true' });
    expect(byPseudo.map((s) => s.id).sort()).toEqual([ids.s1, ids.s2, ids.s3].sort());
    const byBobP = await statements({ agent: JSON.stringify(s1.context.instructor) });
    expect(byBobP.map((s) => s.id)).toEqual([]);
    const byBobPRelated = await statements({
      agent: JSON.stringify(s1.context.instructor),
      related_agents: 'true',
    });
    expect(byBobPRelated.map((s) => s.id).sort()).toEqual([ids.s1, ids.s2, ids.s3].sort());
    // No index row of the pseudonymized statements names an original agent.
    const vids = [ann, bob, cid, dee].map((a) => agentVid(a)!);
    const [{ n }] = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM statement_agents a JOIN statements s ON s.id = a.statement_row_id
       WHERE s.statement_id IN (?, ?, ?) AND a.vid IN (?, ?, ?, ?)`,
      [ids.s1, ids.s2, ids.s3, ...vids],
    );
    expect(Number(n)).toBe(0);
    // Agents records: Ann stays (the late statement names her), the others go, pseudonyms come.
    const agents = (
      await t.dataSource.query('SELECT vid FROM agents WHERE store_id = 1 ORDER BY vid')
    ).map((r: { vid: string }) => r.vid);
    expect(agents).toContain(agentVid(ann));
    for (const gone of vids.slice(1)) expect(agents).not.toContain(gone);
    expect(agents).toContain(`account::${HOME}::${annP.account.name}`);

    // A second run changes nothing.
    await t
      .http()
      .put(`${jobs('pseudo')}/${done.id}`)
      .set('Authorization', t.adminAuth)
      .send({ ...done, replay: true })
      .expect(200);
    const again = await ran(done.id, 2);
    expect(again.feedback).toContain('pseudonymized 0 statements');
    expect(await statements({})).toEqual(all);
  });

  it('without a store makes one job per store, each pseudonymizing its own store', async () => {
    const mine = randomUUID();
    const theirs = randomUUID();
    await record([{ id: mine, actor: dee, verb, object: activity }]);
    await record([{ id: theirs, actor: dee, verb, object: activity }], other.base, other.auth);
    const res = await postJob({ repeat: 'now', until: 'now' }).expect(201);
    const list = res.body.data as { id: number; store: string }[];
    expect(list.map((j) => j.store).sort()).toEqual(['default', 'pseudo-other']);
    for (const j of list) expect((await ran(j.id)).success).toBe(true);
    const a = (await statements({})).find((s) => s.id === mine)!;
    const b = (await statements({}, other.base, other.auth)).find((s) => s.id === theirs)!;
    expect(identitiesIn(a, HOME)).toEqual([]);
    // The same agent gets the same pseudonym in every store.
    expect(b.actor).toEqual(a.actor);
  });

  it('a run over many batches logs started, progress and passed with the counts', async () => {
    const learners = Array.from({ length: 10 }, (_, i) => ({
      mbox: `mailto:many${i}@example.com`,
    }));
    await record(
      Array.from({ length: 400 }, (_, i) => ({ actor: learners[i % 10], verb, object: activity })),
      other.base,
      other.auth,
    );
    const handler = t.app.get(PseudoHandler);
    handler.batchSize = 10;
    try {
      const done = await everyProgressLogged(t, async () => {
        const res = await postJob({ repeat: 'now', until: 'now', store: 'pseudo-other' });
        expect(res.status).toBe(201);
        return ran(res.body.data.id);
      });
      expect(done.feedback).toContain('pseudonymized 400 statements of store pseudo-other');
      const logs = await t
        .http()
        .get(`${jobs('pseudo')}/${done.id}/logs`)
        .set('Authorization', t.adminAuth)
        .expect(200);
      const entries = logs.body.data as { event: string; data: Record<string, any> }[];
      expect(entries.map((e) => e.event)).toEqual(
        expect.arrayContaining(['started', 'progress', 'passed']),
      );
      const progress = entries.find((e) => e.event === 'progress')!;
      expect(progress.data).toMatchObject({ total: 400 });
      expect(progress.data.done).toBeGreaterThan(0);
      expect(entries.find((e) => e.event === 'passed')!.data).toMatchObject({
        pseudonymized: 400,
        store: 'pseudo-other',
      });
    } finally {
      handler.batchSize = PSEUDO_BATCH;
    }
    const left = await statements(
      { agent: JSON.stringify(learners[3]), related_agents: 'true' },
      other.base,
      other.auth,
    );
    expect(left).toEqual([]);
  });

  it('removes the signature of a signed statement it pseudonymizes (it held the original identity), and logs it', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
    /** POSTs `statement` signed (RS256 JWS of it) as multipart/mixed; returns the JWS's sha2. */
    const postSigned = async (statement: Record<string, any>) => {
      const input = `${b64({ alg: 'RS256' })}.${b64(statement)}`;
      const sig = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
      const content = Buffer.from(`${input}.${sig}`);
      const sha2 = createHash('sha256').update(content).digest('hex');
      const signed = {
        ...statement,
        attachments: [
          {
            usageType: SIGNATURE_USAGE_TYPE,
            display: { 'en-US': 'Signature' },
            contentType: 'application/octet-stream',
            length: content.length,
            sha2,
          },
        ],
      };
      const boundary = 'sig-boundary';
      await t
        .http()
        .post(`${t.base}/xapi/statements`)
        .set(V)
        .set('Authorization', t.adminAuth)
        .set('Content-Type', `multipart/mixed; boundary=${boundary}`)
        .send(
          buildMultipart(boundary, [
            {
              headers: { 'Content-Type': 'application/json' },
              body: Buffer.from(JSON.stringify(signed)),
            },
            {
              headers: {
                'Content-Type': 'application/octet-stream',
                'Content-Transfer-Encoding': 'binary',
                'X-Experience-API-Hash': sha2,
              },
              body: content,
            },
          ]),
        )
        .expect(200);
      return sha2;
    };
    const signedId = randomUUID();
    const lateId = randomUUID();
    const signedSha = await postSigned({ id: signedId, actor: ann, verb, object: activity });
    await age([signedId]);
    const lateSha = await postSigned({ id: lateId, actor: ann, verb, object: activity });
    const parts = async (sha2: string) =>
      Number(
        (
          await t.dataSource.query('SELECT COUNT(*) AS n FROM attachments WHERE sha2 = ?', [sha2])
        )[0].n,
      );
    expect(await parts(signedSha)).toBeGreaterThan(0);

    const res = await postJob({ repeat: 'now', until: '1_day', store: 'default' }).expect(201);
    const done = await ran(res.body.data.id);
    expect(done.success).toBe(true);
    expect(done.feedback).toContain('1 signatures removed');

    const byId = new Map((await statements({})).map((s) => [s.id, s]));
    const signed = byId.get(signedId)!;
    expect(identitiesIn(signed, HOME)).toEqual([]);
    expect(signed.attachments).toBeUndefined();
    // The JWS (whose payload names Ann) is gone from the store; the late statement keeps its own.
    expect(await parts(signedSha)).toBe(0);
    expect(byId.get(lateId)!.attachments[0].sha2).toBe(lateSha);
    expect(await parts(lateSha)).toBeGreaterThan(0);
    const logs = (
      await t
        .http()
        .get(`${jobs('pseudo')}/${done.id}/logs`)
        .set('Authorization', t.adminAuth)
        .expect(200)
    ).body.data as { feedback: string; event: string; data: Record<string, any> }[];
    const notice = logs.find((l) => l.feedback.startsWith('removed the signature of 1 '));
    expect(notice?.data).toEqual({ statements: [signedId] });
    expect(logs.find((l) => l.event === 'passed')!.data).toMatchObject({ signatures_removed: 1 });
  });

  it('refuses bad params, naming them', async () => {
    const res = await postJob({ repeat: 'now', until: 'date', store: 'nope' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['store', 'until_date']);
  });
});

import { basic, createTestApp, TestApp } from './support/test-app';

describe('admin: persons (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await t
      .http()
      .post(`${t.base}/stores`)
      .set('Authorization', t.adminAuth)
      .send({ slug: 'other', name: 'Other' })
      .expect(201);
  });
  afterAll(async () => t.close());

  const link = (body: object, auth = t.adminAuth) =>
    t.http().post(`${t.base}/persons`).set('Authorization', auth).send(body);
  const agentRows = (store = 'default') =>
    t.dataSource.query(
      `SELECT a.vid, a.person_id FROM agents a JOIN stores s ON s.id = a.store_id WHERE s.slug = '${store}' ORDER BY a.vid`,
    );

  const ada = { objectType: 'Agent', name: 'Ada', mbox: 'mailto:ada@example.com' };
  const adaAccount = { account: { homePage: 'https://lms.example.com', name: 'ada.l' } };
  const adaSha = { mbox_sha1sum: 'A'.repeat(40) };
  const bob = { mbox: 'mailto:bob@example.com' };

  it('links agents into a new person, recording the agents', async () => {
    const res = await link({ store: 'default', agents: [ada, adaAccount] }).expect(201);
    expect(res.body).toEqual({
      data: {
        id: expect.any(Number),
        store: 'default',
        agents: [
          { objectType: 'Agent', name: 'Ada', mbox: 'mailto:ada@example.com' },
          { objectType: 'Agent', account: { homePage: 'https://lms.example.com', name: 'ada.l' } },
        ],
      },
    });
    const id = res.body.data.id;
    expect(await agentRows()).toEqual([
      { vid: 'account::https://lms.example.com::ada.l', person_id: id },
      { vid: 'mbox::mailto:ada@example.com', person_id: id },
    ]);
    const got = await t
      .http()
      .get(`${t.base}/persons/${id}`)
      .set('Authorization', t.adminAuth)
      .expect(200);
    expect(got.body).toEqual(res.body);
  });

  it('merges the persons of agents already linked into the new person', async () => {
    const first = await link({ store: 'default', agents: [bob] }).expect(201);
    // ada (linked with her account before) and bob (own person) join with a third identifier.
    const merged = await link({
      store: 'default',
      agents: [bob, adaSha, { mbox: 'mailto:ada@example.com' }],
    }).expect(201);
    const id = merged.body.data.id;
    expect(merged.body.data.agents).toHaveLength(4);
    const rows = await agentRows();
    expect(rows.map((r: any) => r.person_id)).toEqual([id, id, id, id]);
    expect(rows.map((r: any) => r.vid)).toContain(`mbox_sha1sum::${'a'.repeat(40)}`);
    // The former persons are gone.
    const persons = await t.dataSource.query('SELECT id FROM persons');
    expect(persons.map((p: any) => p.id)).toEqual([id]);
    await t
      .http()
      .get(`${t.base}/persons/${first.body.data.id}`)
      .set('Authorization', t.adminAuth)
      .expect(404);
    // The name recorded earlier is kept.
    expect(merged.body.data.agents).toContainEqual(ada);
  });

  it('links the same new agents from parallel requests without an error', async () => {
    const carol = { mbox: 'mailto:carol@example.com' };
    const others = [1, 2, 3, 4, 5].map((i) => ({ mbox: `mailto:carol${i}@example.com` }));
    const results = await Promise.all(
      others.map((other) => link({ store: 'default', agents: [carol, other] })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const rows = await t.dataSource.query(
      `SELECT vid, person_id FROM agents WHERE vid LIKE 'mbox::mailto:carol%'`,
    );
    expect(rows).toHaveLength(6);
    // Each link merged the former person: all six end up as one person.
    expect(new Set(rows.map((r: any) => r.person_id)).size).toBe(1);
  });

  it('keeps stores apart', async () => {
    const res = await link({ store: 'other', agents: [ada] }).expect(201);
    expect(res.body.data.store).toBe('other');
    expect(await agentRows('other')).toEqual([
      { vid: 'mbox::mailto:ada@example.com', person_id: res.body.data.id },
    ]);
    const inDefault = await agentRows('default');
    expect(inDefault.every((r: any) => r.person_id !== res.body.data.id)).toBe(true);
  });

  it('names each bad agent and an unknown store in a 422, changing nothing', async () => {
    const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM agents');
    const res = await link({
      store: 'nowhere',
      agents: [
        bob,
        { mbox: 'mailto:x@example.com', openid: 'https://id.example.com/x' },
        { name: 'no identifier' },
        'mailto:y@example.com',
        { objectType: 'Group', mbox: 'mailto:g@example.com' },
        { mbox: 'y@example.com' },
      ],
    }).expect(422);
    expect(Object.keys(res.body.errors).sort()).toEqual([
      'agents[1]',
      'agents[2]',
      'agents[3]',
      'agents[4]',
      'agents[5]',
      'store',
    ]);
    const empty = await link({ store: 'default', agents: [] }).expect(422);
    expect(Object.keys(empty.body.errors)).toEqual(['agents']);
    const missing = await link({}).expect(422);
    expect(Object.keys(missing.body.errors).sort()).toEqual(['agents', 'store']);
    // The unknown store and the bad agents are named with the DTO's faults, in one 422.
    const noStore = await link({ store: 'nowhere', agents: [] }).expect(422);
    expect(Object.keys(noStore.body.errors).sort()).toEqual(['agents', 'store']);
    const badAgent = await link({ store: 5, agents: [{ name: 'no identifier' }] }).expect(422);
    expect(Object.keys(badAgent.body.errors).sort()).toEqual(['agents[0]', 'store']);
    const after = await t.dataSource.query('SELECT COUNT(*) AS n FROM agents');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });

  it('needs data/all, and answers 404 for an unknown person', async () => {
    await t
      .http()
      .post(`${t.base}/clients`)
      .set('Authorization', t.adminAuth)
      .send({
        slug: 'access-only',
        name: 'a',
        username: 'acc',
        password: 'access-password',
        store: 'default',
        permissions: ['access/all'],
      })
      .expect(201);
    await link({ store: 'default', agents: [bob] }, basic('acc', 'access-password')).expect(401); // its credentials belong to its own endpoint only
    const own = await t
      .http()
      .post('/api/access-only/persons')
      .set('Authorization', basic('acc', 'access-password'))
      .send({ store: 'default', agents: [bob] });
    expect(own.status).toBe(403);
    await t.http().get(`${t.base}/persons/999999`).set('Authorization', t.adminAuth).expect(404);
    await t.http().get(`${t.base}/persons/x`).set('Authorization', t.adminAuth).expect(404);
  });
});

import { randomUUID } from 'crypto';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource } from 'typeorm';
import { makeRunContext } from '../../../test/support/job-context';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { createStore } from '../../../test/support/xapi-fixtures';
import { Person } from '../../access/person.entity';
import { Store } from '../../access/store.entity';
import { JOB_TYPE_KEY, JobTypeOptions } from '../../jobs/job-type';
import { Activity } from '../../xapi/activities/activity.entity';
import { agentVid } from '../../xapi/agents/agent-identifier';
import { Agent } from '../../xapi/agents/agent.entity';
import { agentProfileAddress, stateAddress } from '../../xapi/documents/document-addresses';
import { DocumentsService } from '../../xapi/documents/documents.service';
import { Attachment } from '../../xapi/statements/entities/attachment.entity';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { sha256Hex } from '../../xapi/statements/attachment-writer';
import { StatementRecorder } from '../../xapi/statements/statement-recorder.service';
import { AgentDeletionParams } from './agent-deletion.dto';
import { AgentDeletionHandler } from './agent-deletion.handler';

async function errorsOf(plain: Record<string, unknown>): Promise<Record<string, string[]>> {
  const errors = await validate(plainToInstance(AgentDeletionParams, plain), { whitelist: true });
  return Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})]));
}

describe('AgentDeletionParams', () => {
  it('takes a JSON-encoded agent or identified group, person and dry_run', async () => {
    expect(await errorsOf({ agent: '{"mbox":"mailto:a@example.com"}', person: false })).toEqual({});
    expect(
      await errorsOf({
        agent: JSON.stringify({
          objectType: 'Group',
          account: { homePage: 'https://h', name: 'g' },
        }),
        person: true,
        dry_run: true,
      }),
    ).toEqual({});
  });

  it.each([
    [
      'two identifiers',
      { mbox: 'mailto:a@example.com', openid: 'https://id.example.com/a' },
      /it has 2/,
    ],
    ['no identifier', { name: 'Ann' }, /it has none/],
    ['a bad mbox', { mbox: 'a@example.com' }, /agent\.mbox: must be a mailto: IRI/],
    ['an account without homePage', { account: { name: 'a' } }, /agent\.account\.homePage/],
    [
      'an anonymous group',
      { objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }] },
      /anonymous Group/,
    ],
  ])('names agent for %s', async (_, agent, message) => {
    const errors = await errorsOf({ agent: JSON.stringify(agent), person: false });
    expect(Object.keys(errors)).toEqual(['agent']);
    expect(errors.agent.join(' ')).toMatch(message);
  });

  it('names agent when it is not JSON or not a string, person when missing', async () => {
    expect((await errorsOf({ agent: '{mbox', person: false })).agent.join()).toMatch(/not JSON/);
    expect(
      Object.keys(await errorsOf({ agent: { mbox: 'mailto:a@example.com' }, person: false })),
    ).toEqual(['agent']);
    expect(Object.keys(await errorsOf({ agent: '{"mbox":"mailto:a@example.com"}' }))).toEqual([
      'person',
    ]);
    expect(
      Object.keys(
        await errorsOf({ agent: '{"mbox":"mailto:a@example.com"}', person: 'yes', dry_run: 1 }),
      ).sort(),
    ).toEqual(['dry_run', 'person']);
  });

  it('is declared as the agent-deletion type, one job per store when store is omitted', () => {
    const options: JobTypeOptions = Reflect.getMetadata(JOB_TYPE_KEY, AgentDeletionHandler);
    expect(options).toMatchObject({ name: 'agent-deletion', store: 'per-store' });
  });
});

describe('AgentDeletionHandler (database)', () => {
  let t: TestApp;
  let ds: DataSource;
  let handler: AgentDeletionHandler;
  let recorder: StatementRecorder;
  let docs: DocumentsService;
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.dataSource;
    handler = t.app.get(AgentDeletionHandler);
    recorder = t.app.get(StatementRecorder);
    docs = t.app.get(DocumentsService);
  });
  afterAll(async () => t.close());
  afterEach(() => {
    handler.batchSize = 500;
  });

  async function store(): Promise<Store> {
    n += 1;
    return createStore(t, `agent-del-${n}`);
  }

  const zoe = { mbox: 'mailto:zoe@example.com', name: 'Zoe' };
  const yan = { account: { homePage: 'https://lms.example.com', name: 'yan' } };
  const xia = { openid: 'https://id.example.com/xia' };
  const verb = { id: 'http://adlnet.gov/expapi/verbs/experienced' };
  const activity = (name: string) => ({
    id: `http://example.com/activities/${name}`,
    definition: { name: { en: name } },
  });
  const content = Buffer.from('certificate of zoe');
  const sha2 = sha256Hex(content);

  /** Zoe in each role (and one with an attachment), statements of others, Zoe as authority only. */
  async function fixture(s: Store, given?: Record<string, string>, target = zoe) {
    const ids = given ?? {
      actor: randomUUID(),
      object: randomUUID(),
      instructor: randomUUID(),
      member: randomUUID(),
      sub: randomUUID(),
      context: randomUUID(),
      teamMember: randomUUID(),
      otherYan: randomUUID(),
      otherXia: randomUUID(),
    };
    await recorder.record(
      s,
      null,
      [
        {
          id: ids.actor,
          actor: target,
          verb,
          object: activity('a'),
          attachments: [
            {
              usageType: 'http://example.com/cert',
              display: { en: 'cert' },
              contentType: 'text/plain',
              length: content.length,
              sha2,
            },
          ],
        },
        { id: ids.object, actor: yan, verb, object: { objectType: 'Agent', ...target } },
        {
          id: ids.instructor,
          actor: xia,
          verb,
          object: activity('b'),
          context: { instructor: target },
        },
        {
          id: ids.member,
          actor: { objectType: 'Group', member: [yan, target] },
          verb,
          object: activity('c'),
        },
        {
          id: ids.sub,
          actor: yan,
          verb,
          object: {
            objectType: 'SubStatement',
            actor: xia,
            verb,
            object: { objectType: 'Agent', ...target },
          },
        },
        {
          id: ids.teamMember,
          actor: xia,
          verb,
          object: activity('d'),
          context: { team: { objectType: 'Group', member: [target] } },
        },
        { id: ids.otherYan, actor: yan, verb, object: activity('a') },
        { id: ids.otherXia, actor: xia, verb, object: { objectType: 'Agent', ...yan } },
      ],
      { version: '1.0.3' },
      [{ sha2, contentType: 'text/plain', content }],
    );
    await recorder.record(
      s,
      null,
      [
        {
          id: ids.context,
          actor: xia,
          verb,
          object: activity('e'),
          context: { contextAgents: [{ objectType: 'contextAgent', agent: target }] },
        },
      ],
      { version: '2.0.0' },
    );
    const json = (v: unknown) => ({
      bytes: Buffer.from(JSON.stringify(v)),
      contentType: 'application/json',
    });
    for (const agent of [target, yan]) {
      await docs.write(
        stateAddress(s.id, { activityId: activity('a').id, agent, stateId: 'bookmark' }),
        json({ page: 3 }),
        'put',
        {},
      );
      await docs.write(
        agentProfileAddress(s.id, { agent, profileId: 'prefs' }),
        json({ lang: 'en' }),
        'put',
        {},
      );
    }
    return ids;
  }

  const statementIds = async (s: Store) =>
    (await ds.getRepository(Statement).find({ where: { storeId: s.id } }))
      .map((r) => r.statementId)
      .sort();
  const count = async (table: string, s: Store) =>
    Number((await ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE store_id = ?`, [s.id]))[0].n);
  const docVids = async (table: string, s: Store) =>
    (
      await ds.query(`SELECT agent_vid AS v FROM ${table} WHERE store_id = ? ORDER BY agent_vid`, [
        s.id,
      ])
    ).map((r: { v: string }) => r.v);
  const agentVids = async (s: Store) =>
    (await ds.getRepository(Agent).find({ where: { storeId: s.id } })).map((a) => a.vid).sort();

  const params = (
    agent: object,
    extra: Partial<AgentDeletionParams> = {},
  ): AgentDeletionParams => ({
    agent: JSON.stringify(agent),
    person: false,
    ...extra,
  });

  it('deletes the agent in every role with index rows and attachments, its documents and record; keeps the rest', async () => {
    const s = await store();
    const other = await store();
    const ids = await fixture(s);
    await fixture(other);
    const activitiesBefore = await count('activities', s);
    const result = await handler.run(makeRunContext(params({ mbox: zoe.mbox }), { store: s }));

    expect(await statementIds(s)).toEqual([ids.otherYan, ids.otherXia].sort());
    expect(result.data).toMatchObject({
      statements: 7,
      states: 1,
      agent_profiles: 1,
      agents: 1,
      dry_run: false,
    });
    expect(result.feedback).toContain(
      'deleted 7 statements, 1 states, 1 agent profiles and 1 agents records',
    );
    const kept = (await ds.getRepository(Statement).find({ where: { storeId: s.id } })).map(
      (r) => r.id,
    );
    const [{ n: orphans }] = await ds.query(
      `SELECT COUNT(*) AS n FROM statement_agents WHERE store_id = ? AND statement_row_id NOT IN (${kept.join(', ')})`,
      [s.id],
    );
    expect(Number(orphans)).toBe(0);
    expect(await count('attachments', s)).toBe(0);
    expect(await ds.getRepository(Attachment).count({ where: { storeId: other.id } })).toBe(1);
    expect(await docVids('states', s)).toEqual([agentVid(yan)]);
    expect(await docVids('agent_profiles', s)).toEqual([agentVid(yan)]);
    expect(await agentVids(s)).toEqual([agentVid(xia), agentVid(yan)].sort());
    expect(await count('activities', s)).toBe(activitiesBefore);
    expect(await ds.getRepository(Activity).count({ where: { storeId: s.id } })).toBeGreaterThan(3);
    // The other store keeps everything.
    expect(await statementIds(other)).toHaveLength(9);
    expect(await agentVids(other)).toContain(agentVid(zoe));
  });

  it('person: true deletes every agent of the person, and the person; false only that agent', async () => {
    const s = await store();
    await fixture(s);
    const now = new Date();
    const person = await ds.getRepository(Person).save({ storeId: s.id, createdAt: now });
    await ds
      .getRepository(Agent)
      .update({ storeId: s.id, vid: agentVid(zoe)! }, { personId: person.id });
    await ds
      .getRepository(Agent)
      .update({ storeId: s.id, vid: agentVid(yan)! }, { personId: person.id });

    const alone = await handler.run(makeRunContext(params(yan, { dry_run: true }), { store: s }));
    expect(alone.data).toMatchObject({ statements: 5, vids: [agentVid(yan)], persons: 0 });

    const result = await handler.run(makeRunContext(params(zoe, { person: true }), { store: s }));
    expect(result.data).toMatchObject({ agents: 2, persons: 1 });
    expect(await statementIds(s)).toEqual([]);
    expect(await agentVids(s)).toEqual([agentVid(xia)]);
    expect(await ds.getRepository(Person).count({ where: { storeId: s.id } })).toBe(0);
  });

  it('keeps the statements in which the agent is only the authority', async () => {
    const s = await store();
    const authorityOnly = randomUUID();
    await recorder.record(
      s,
      null,
      [{ id: authorityOnly, actor: xia, verb, object: activity('f') }],
      {
        version: '1.0.3',
        authority_name: yan.account.name,
        authority_homepage: yan.account.homePage,
      },
    );
    const stored = await ds.getRepository(Statement).findOneByOrFail({ storeId: s.id });
    expect(agentVid(stored.data.authority)).toBe(agentVid(yan));
    const result = await handler.run(makeRunContext(params(yan), { store: s }));
    expect(result.data).toMatchObject({ statements: 0 });
    expect(await statementIds(s)).toEqual([authorityOnly]);
  });

  it('an agent that is not in the store: passes, deleted 0', async () => {
    const s = await store();
    await fixture(s);
    const result = await handler.run(
      makeRunContext(params({ mbox: 'mailto:nobody@example.com' }, { person: true }), { store: s }),
    );
    expect(result.data).toMatchObject({ statements: 0, states: 0, agent_profiles: 0, agents: 0 });
    expect(await statementIds(s)).toHaveLength(9);
  });

  it('dry_run deletes nothing and reports what a real run then deletes', async () => {
    const s = await store();
    await fixture(s);
    const before = await statementIds(s);
    const dry = await handler.run(makeRunContext(params(zoe, { dry_run: true }), { store: s }));
    expect(dry.feedback).toMatch(/^dry run, nothing changed: would delete 7 statements/);
    expect(await statementIds(s)).toEqual(before);
    expect(await agentVids(s)).toContain(agentVid(zoe));
    const real = await handler.run(makeRunContext(params(zoe), { store: s }));
    const { dry_run: _d, ...dryCounts } = dry.data!;
    const { dry_run: _r, ...realCounts } = real.data!;
    expect(dryCounts).toEqual(realCounts);
  });

  it('a run interrupted after its first batch and retried ends as one uninterrupted run', async () => {
    const interrupted = await store();
    const straight = await store();
    // The same statement ids in both stores.
    await fixture(straight, await fixture(interrupted));
    handler.batchSize = 2;
    const first = makeRunContext(params(zoe), { store: interrupted, abortAfterProgress: 2 });
    await expect(handler.run(first)).rejects.toThrow();
    expect((await statementIds(interrupted)).length).toBe(7);
    const retry = await handler.run(makeRunContext(params(zoe), { store: interrupted }));
    expect(retry.data).toMatchObject({ statements: 5, agents: 1 });
    await handler.run(makeRunContext(params(zoe), { store: straight }));
    const view = async (s: Store) => ({
      statements: await statementIds(s),
      index: await count('statement_agents', s),
      attachments: await count('attachments', s),
      states: await docVids('states', s),
      profiles: await docVids('agent_profiles', s),
      agents: await agentVids(s),
    });
    expect(await view(interrupted)).toEqual(await view(straight));
  });
});

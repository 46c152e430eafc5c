import { randomUUID } from 'crypto';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource } from 'typeorm';
import { makeRunContext } from '../../../test/support/job-context';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { createStore } from '../../../test/support/xapi-fixtures';
import { Store } from '../../access/store.entity';
import { JOB_TYPE_KEY, JobTypeOptions } from '../../jobs/job-type';
import { agentVid } from '../../xapi/agents/agent-identifier';
import { Agent } from '../../xapi/agents/agent.entity';
import { pseudonymVid } from '../../xapi/pseudonymization/pseudonymizer';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { StatementRecorder } from '../../xapi/statements/statement-recorder.service';
import { PseudoParams } from './pseudo.dto';
import { PseudoHandler } from './pseudo.handler';

const HOME = 'http://pseudo.example.com';
const settings = { hashKey: 'test-pseudo-key', homePage: HOME };

async function errorsOf(plain: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(PseudoParams, plain), { whitelist: true });
  return errors.map((e) => e.property).sort();
}

describe('PseudoParams', () => {
  it('takes until and until_date, naming each bad one', async () => {
    expect(await errorsOf({ until: '1_week' })).toEqual([]);
    expect(await errorsOf({ until: 'date', until_date: '2026-01-31' })).toEqual([]);
    expect(await errorsOf({ until: 'date' })).toEqual(['until_date']);
    expect(await errorsOf({ until: 'soon' })).toEqual(['until']);
    expect(await errorsOf({})).toEqual(['until']);
  });

  it('is declared as the pseudo type, one job per store when store is omitted', () => {
    const options: JobTypeOptions = Reflect.getMetadata(JOB_TYPE_KEY, PseudoHandler);
    expect(options).toMatchObject({ name: 'pseudo', params: PseudoParams, store: 'per-store' });
  });
});

describe('PseudoHandler (database)', () => {
  let t: TestApp;
  let ds: DataSource;
  let handler: PseudoHandler;
  let recorder: StatementRecorder;
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.dataSource;
    handler = t.app.get(PseudoHandler);
    recorder = t.app.get(StatementRecorder);
  });
  afterAll(async () => t.close());
  afterEach(() => {
    handler.batchSize = 500;
  });

  async function store(): Promise<Store> {
    n += 1;
    return createStore(t, `pseudo-${n}`);
  }

  /** A statement by `actor` with a group team and a sub-statement naming `other`. */
  function statement(actor: Record<string, unknown>, other: Record<string, unknown>, id?: string) {
    return {
      id: id ?? randomUUID(),
      actor,
      verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
      object: {
        objectType: 'SubStatement',
        actor: other,
        verb: { id: 'http://example.com/verbs/planned' },
        object: { objectType: 'Agent', ...other },
      },
      context: {
        instructor: other,
        team: { objectType: 'Group', name: 'Team', member: [actor, other] },
      },
    };
  }

  const ann = { name: 'Ann', mbox: 'mailto:ann@example.com' };
  const bob = { name: 'Bob', account: { homePage: 'https://lms.example.com', name: 'bob' } };

  async function rowsOf(s: Store) {
    return ds.getRepository(Statement).find({ where: { storeId: s.id }, order: { id: 'ASC' } });
  }

  async function indexOf(rowId: number): Promise<{ vid: string; role: string }[]> {
    return ds.query(
      'SELECT vid, role FROM statement_agents WHERE statement_row_id = ? ORDER BY role, vid',
      [rowId],
    );
  }

  it('pseudonymizes the store statements until the cutoff: data, index rows, agents records', async () => {
    const s = await store();
    const other = await store();
    await recorder.record(s, null, [statement(ann, bob), statement(bob, ann)], {
      version: '1.0.3',
    });
    await recorder.record(other, null, [statement(ann, bob)], { version: '1.0.3' });
    const cutoff = new Date(Date.now() + 1000);
    await new Promise((r) => setTimeout(r, 1100));
    await recorder.record(s, null, [statement(ann, bob)], { version: '1.0.3' });
    const ctx = makeRunContext<PseudoParams>({ until: 'now' }, { store: s, startedAt: cutoff });
    const result = await handler.run(ctx);

    expect(result.data).toMatchObject({ pseudonymized: 2, store: s.slug });
    const [first, second, late] = await rowsOf(s);
    expect([first.pseudonymized, second.pseudonymized, late.pseudonymized]).toEqual([
      true,
      true,
      false,
    ]);
    const annP = { objectType: 'Agent', account: { homePage: HOME, name: expect.any(String) } };
    expect(first.data.actor).toEqual(annP);
    expect(second.data.context.instructor).toEqual(first.data.actor);
    expect(second.data.actor).toEqual(first.data.context.instructor);
    expect(first.data.actor).not.toEqual(first.data.context.instructor);
    expect(
      JSON.stringify([first.data, second.data].map(({ authority: _, ...d }) => d)),
    ).not.toMatch(/ann@example|"bob"|lms\.example|"Ann"|"Bob"/);
    expect(late.data.actor).toEqual(ann);
    expect((await rowsOf(other))[0].data.actor).toEqual(ann);

    const annVid = agentVid(ann)!;
    const bobVid = agentVid(bob)!;
    for (const row of [first, second]) {
      const index = await indexOf(row.id);
      const learner = index.filter((r) => !r.role.startsWith('authority'));
      expect(learner.length).toBeGreaterThanOrEqual(6);
      expect(learner.map((r) => r.vid)).not.toContain(annVid);
      expect(learner.map((r) => r.vid)).not.toContain(bobVid);
      expect(learner.every((r) => r.vid.startsWith(`account::${HOME}::`))).toBe(true);
    }
    expect((await indexOf(late.id)).map((r) => r.vid)).toContain(annVid);

    // Ann and Bob still appear in the late statement: their records stay, the
    // pseudonyms are recorded beside them.
    const agents = await ds.getRepository(Agent).find({ where: { storeId: s.id } });
    const vids = agents.map((a) => a.vid).sort();
    expect(vids).toEqual(
      [annVid, bobVid, pseudonymVid(annVid, settings), pseudonymVid(bobVid, settings)].sort(),
    );
    const annPseudo = agents.find((a) => a.vid === pseudonymVid(annVid, settings))!;
    expect(annPseudo.agent).toEqual(first.data.actor);
  });

  it('removes the record of an agent no statement names any more, keeps a person-linked one', async () => {
    const s = await store();
    await recorder.record(s, null, [statement(ann, bob)], { version: '1.0.3' });
    await ds
      .getRepository(Agent)
      .update({ storeId: s.id, vid: agentVid(bob)! }, { personId: 999_999 });
    await handler.run(makeRunContext<PseudoParams>({ until: 'now' }, { store: s }));
    const vids = (await ds.getRepository(Agent).find({ where: { storeId: s.id } }))
      .map((a) => a.vid)
      .sort();
    expect(vids).toEqual(
      [
        agentVid(bob)!,
        pseudonymVid(agentVid(ann)!, settings),
        pseudonymVid(agentVid(bob)!, settings),
      ].sort(),
    );
  });

  it('a second run changes nothing', async () => {
    const s = await store();
    await recorder.record(s, null, [statement(ann, bob), statement(bob, ann)], {
      version: '1.0.3',
    });
    await handler.run(makeRunContext<PseudoParams>({ until: 'now' }, { store: s }));
    const before = await rowsOf(s);
    const indexBefore = await Promise.all(before.map((r) => indexOf(r.id)));
    const again = await handler.run(makeRunContext<PseudoParams>({ until: 'now' }, { store: s }));
    expect(again.data).toMatchObject({ pseudonymized: 0, index_rows: 0, agents_removed: 0 });
    const after = await rowsOf(s);
    expect(after.map((r) => [r.data, r.updated])).toEqual(before.map((r) => [r.data, r.updated]));
    expect(await Promise.all(after.map((r) => indexOf(r.id)))).toEqual(indexBefore);
  });

  it('a run interrupted after its first batch and retried ends as one uninterrupted run', async () => {
    const interrupted = await store();
    const straight = await store();
    const learners = Array.from({ length: 7 }, (_, i) => ({ mbox: `mailto:l${i}@example.com` }));
    const batch = Array.from({ length: 25 }, (_, i) =>
      statement(learners[i % 7], learners[(i + 3) % 7], randomUUID()),
    );
    await recorder.record(interrupted, null, batch, { version: '1.0.3' });
    await recorder.record(straight, null, batch, { version: '1.0.3' });
    handler.batchSize = 10;

    // Progress: 0 of 25, then after the first batch: abort there.
    const first = makeRunContext<PseudoParams>(
      { until: 'now' },
      { store: interrupted, abortAfterProgress: 2 },
    );
    await expect(handler.run(first)).rejects.toThrow();
    const half = await rowsOf(interrupted);
    expect(half.filter((r) => r.pseudonymized)).toHaveLength(10);

    const retry = await handler.run(
      makeRunContext<PseudoParams>({ until: 'now' }, { store: interrupted }),
    );
    expect(retry.data).toMatchObject({ pseudonymized: 15 });
    const once = await handler.run(
      makeRunContext<PseudoParams>({ until: 'now' }, { store: straight }),
    );
    expect(once.data).toMatchObject({ pseudonymized: 25 });

    const view = async (s: Store) =>
      Promise.all(
        (await rowsOf(s)).map(async (r) => ({
          id: r.statementId,
          pseudonymized: r.pseudonymized,
          actor: r.data.actor,
          object: r.data.object,
          context: r.data.context,
          index: await indexOf(r.id),
        })),
      );
    expect(await view(interrupted)).toEqual(await view(straight));
    const agentsOf = async (s: Store) =>
      (await ds.getRepository(Agent).find({ where: { storeId: s.id } }))
        .map((a) => [a.vid, a.agent])
        .sort();
    expect(await agentsOf(interrupted)).toEqual(await agentsOf(straight));
  });
});

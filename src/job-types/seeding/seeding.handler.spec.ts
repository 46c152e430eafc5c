import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { makeCreationContext, makeRunContext } from '../../../test/support/job-context';
import { Store } from '../../access/store.entity';
import { JOB_TYPE_KEY, JobTypeOptions } from '../../jobs/job-type';
import { Agent } from '../../xapi/agents/agent.entity';
import { ActivityProfile } from '../../xapi/documents/activity-profile.entity';
import { AgentProfile } from '../../xapi/documents/agent-profile.entity';
import { State } from '../../xapi/documents/state.entity';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { SeedingParams } from './seeding.dto';
import { SEEDING_STATEMENT_BATCH, SeedingHandler } from './seeding.handler';

describe('SeedingHandler', () => {
  it('is declared as the seeding type with a required store', () => {
    const options: JobTypeOptions = Reflect.getMetadata(JOB_TYPE_KEY, SeedingHandler);
    expect(options).toMatchObject({ name: 'seeding', params: SeedingParams, store: 'required' });
  });
});

describe('SeedingHandler (database)', () => {
  let t: TestApp;
  let handler: SeedingHandler;
  let stores: Store[];
  const folder = mkdtempSync(join(tmpdir(), 'seeding-spec-'));
  const STATEMENTS = SEEDING_STATEMENT_BATCH * 2 + 137;

  beforeAll(async () => {
    writeFileSync(
      join(folder, 'three-batches.json'),
      JSON.stringify({
        seed: 99,
        counts: { statements: STATEMENTS, states: 30, activity_profiles: 5, agent_profiles: 12 },
        shares: {
          voiding: 0.03,
          statement_refs: 0.02,
          sub_statements: 0.02,
          attachments: 0.02,
          xapi_2: 0.3,
        },
      }),
    );
    t = await createTestApp({ env: { SEEDING_PATH: folder } });
    handler = t.app.get(SeedingHandler);
    const repo = t.dataSource.getRepository(Store);
    const now = new Date();
    stores = [];
    for (const slug of ['interrupted', 'straight']) {
      stores.push(await repo.save({ slug, name: slug, createdAt: now, updatedAt: now }));
    }
  });
  afterAll(async () => t.close());

  async function contents(store: Store) {
    const statements = await t.dataSource.getRepository(Statement).find({
      where: { storeId: store.id },
      order: { statementId: 'ASC' },
    });
    const count = (entity: any) =>
      t.dataSource.getRepository(entity).countBy({ storeId: store.id });
    return {
      statements: statements.map((s) => {
        const { stored: _s, ...data } = s.data as Record<string, unknown>;
        return { id: s.statementId, voided: s.voided, data };
      }),
      agents: await count(Agent),
      states: await count(State),
      activityProfiles: await count(ActivityProfile),
      agentProfiles: await count(AgentProfile),
    };
  }

  it('validate: 422 for an unknown config, listing the available ones; none for the default', async () => {
    const ctx = (config: string | undefined) =>
      makeCreationContext<SeedingParams>(
        { config },
        { store: stores[0], principalStore: stores[0] },
      );
    await expect(handler.validate(ctx('missing'))).rejects.toMatchObject({
      response: { errors: { config: [expect.stringContaining('available: three-batches')] } },
    });
    await expect(handler.validate(ctx(undefined))).resolves.toBeUndefined();
    await expect(handler.validate(ctx('three-batches'))).resolves.toBeUndefined();
  });

  it('a run stopped after a batch and run again ends in the same data as one straight run, with honest counts', async () => {
    const [interrupted, straight] = stores;
    const stopped = makeRunContext<SeedingParams>(
      { config: 'three-batches' },
      { store: interrupted, abortAfterProgress: 2 },
    );
    await expect(handler.run(stopped)).rejects.toThrow();
    expect(stopped.progressReports).toEqual([
      { done: 0, total: STATEMENTS + 47 },
      { done: SEEDING_STATEMENT_BATCH, total: STATEMENTS + 47 },
    ]);
    expect((await contents(interrupted)).statements).toHaveLength(SEEDING_STATEMENT_BATCH);

    const retry = makeRunContext<SeedingParams>(
      { config: 'three-batches' },
      { store: interrupted },
    );
    const retried = await handler.run(retry);
    expect(retried.data).toMatchObject({
      statements: STATEMENTS,
      statements_new: STATEMENTS - SEEDING_STATEMENT_BATCH,
      states: 30,
      states_new: 30,
      activity_profiles_new: 5,
      agent_profiles_new: 12,
    });
    expect(retry.progressReports.at(-1)).toEqual({ done: STATEMENTS + 47, total: STATEMENTS + 47 });

    const once = await handler.run(
      makeRunContext<SeedingParams>({ config: 'three-batches' }, { store: straight }),
    );
    expect(once.data).toMatchObject({ statements_new: STATEMENTS, states_new: 30 });
    const a = await contents(interrupted);
    const b = await contents(straight);
    expect(a.statements).toHaveLength(STATEMENTS);
    expect(a).toEqual(b);
    expect(a.statements.some((s) => s.voided)).toBe(true);
    expect(a.statements.some((s) => s.data.version === '2.0.0')).toBe(true);

    // And once more: nothing new anywhere.
    const again = await handler.run(
      makeRunContext<SeedingParams>({ config: 'three-batches' }, { store: straight }),
    );
    expect(again.data).toMatchObject({
      statements_new: 0,
      states_new: 0,
      activity_profiles_new: 0,
      agent_profiles_new: 0,
    });
    expect(await contents(straight)).toEqual(b);
  });

  it('fails the run when the config file became invalid after the job was saved', async () => {
    writeFileSync(
      join(folder, 'later-broken.json'),
      JSON.stringify({ counts: { statements: -5 } }),
    );
    await expect(
      handler.run(makeRunContext<SeedingParams>({ config: 'later-broken' }, { store: stores[0] })),
    ).rejects.toThrow(/config.counts.statements/);
  });
});

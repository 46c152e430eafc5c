import { randomUUID } from 'crypto';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { createTestApp, isSqlite, TestApp } from '../../../test/support/test-app';
import { Store } from '../../access/store.entity';
import { dependentTables } from '../../database/store-records';
import { EntityClass } from '../../database/store-scoped';
import { Attachment } from './entities/attachment.entity';
import { StatementActivity } from './entities/statement-activity.entity';
import { StatementAgent } from './entities/statement-agent.entity';
import { Statement } from './entities/statement.entity';
import { VoidWait } from './entities/void-wait.entity';
import { StatementDeletion } from './statement-deletion.service';
import { sha256Hex } from './attachment-writer';
import { StatementRecorder } from './statement-recorder.service';

describe('StatementDeletion (database)', () => {
  let t: TestApp;
  let deletion: StatementDeletion;
  let recorder: StatementRecorder;
  let storeA: Store;
  let storeB: Store;

  beforeAll(async () => {
    t = await createTestApp();
    deletion = t.app.get(StatementDeletion);
    recorder = t.app.get(StatementRecorder);
    const stores = t.dataSource.getRepository(Store);
    storeA = await stores.findOneByOrFail({ slug: 'default' });
    const now = new Date();
    storeB = await stores.save({ slug: 'del-b', name: 'B', createdAt: now, updatedAt: now });
  });
  afterAll(async () => t.close());

  const content = Buffer.from('attachment body '.repeat(10));
  const sha2 = sha256Hex(content);

  function statement(id: string, extra: Record<string, unknown> = {}) {
    return {
      id,
      actor: { mbox: `mailto:${id.slice(0, 8)}@example.com` },
      verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' },
      object: { id: `http://example.com/act/${id.slice(0, 8)}` },
      context: { contextActivities: { parent: [{ id: 'http://example.com/parent' }] } },
      ...extra,
    };
  }
  const withAttachment = (id: string) =>
    statement(id, {
      attachments: [
        {
          usageType: 'http://example.com/usage',
          display: { en: 'file' },
          contentType: 'text/plain',
          length: content.length,
          sha2,
        },
      ],
    });
  const voiding = (id: string, target: string) => ({
    id,
    actor: { mbox: 'mailto:admin@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
    object: { objectType: 'StatementRef', id: target },
  });

  async function record(store: Store, statements: object[], withPart = false) {
    await recorder.record(
      store,
      null,
      statements,
      { version: '1.0.3' },
      withPart ? [{ sha2, contentType: 'text/plain', content }] : [],
    );
  }
  const rowOf = (store: Store, statementId: string) =>
    t.dataSource.getRepository(Statement).findOneByOrFail({ storeId: store.id, statementId });
  const countFor = async (entity: EntityClass, rowId: number) =>
    t.dataSource.getRepository(entity).count({ where: { statementRowId: rowId } });

  it('finds the index rows, attachments and void waits as dependents of statements in the registry', () => {
    expect(
      dependentTables(Statement)
        .map((d) => d.entity)
        .sort(),
    ).toEqual([Attachment, StatementActivity, StatementAgent, VoidWait].sort());
  });

  it('deletes statements with their index rows and attachments, and only those rows', async () => {
    const [a1, a2, keep] = [randomUUID(), randomUUID(), randomUUID()];
    const inB = randomUUID();
    await record(storeA, [withAttachment(a1)], true);
    await record(storeA, [statement(a2), statement(keep)]);
    await record(storeB, [withAttachment(inB)], true);
    const r1 = await rowOf(storeA, a1);
    const r2 = await rowOf(storeA, a2);
    const rKeep = await rowOf(storeA, keep);
    const rB = await rowOf(storeB, inB);
    expect(await countFor(Attachment, r1.id)).toBe(1);
    expect(await countFor(StatementAgent, r1.id)).toBeGreaterThan(0);

    // A dry run counts the same and deletes nothing.
    const dry = await deletion.deleteStatements(storeA.id, [r1.id, r2.id], { dryRun: true });
    expect(await rowOf(storeA, a1)).toBeDefined();
    const real = await deletion.deleteStatements(storeA.id, [r1.id, r2.id]);
    expect(real).toEqual(dry);
    expect(real.deleted).toBe(2);
    expect(real.dependents).toEqual({
      attachments: 1,
      statement_agents: 2,
      statement_activities: 4,
    });

    const statements = t.dataSource.getRepository(Statement);
    expect(await statements.countBy({ storeId: storeA.id, statementId: a1 })).toBe(0);
    expect(await statements.countBy({ storeId: storeA.id, statementId: a2 })).toBe(0);
    for (const entity of [Attachment, StatementAgent, StatementActivity]) {
      expect(await countFor(entity, r1.id)).toBe(0);
      expect(await countFor(entity, r2.id)).toBe(0);
    }
    expect(await countFor(StatementAgent, rKeep.id)).toBeGreaterThan(0);
    expect(await countFor(Attachment, rB.id)).toBe(1);

    // Another store's row id is not deleted through this store, and a retry deletes 0.
    expect(await deletion.deleteStatements(storeA.id, [rB.id, r1.id])).toEqual({
      deleted: 0,
      dependents: {},
    });
    expect(await statements.countBy({ id: rB.id })).toBe(1);
  });

  it('a deleted voiding statement no longer voids its target; another voider that stays still does', async () => {
    const [target, voider, target2, voider2a, voider2b] = Array.from({ length: 5 }, () =>
      randomUUID(),
    );
    await record(storeA, [statement(target), statement(target2)]);
    await record(storeA, [voiding(voider, target)]);
    await record(storeA, [voiding(voider2a, target2)]);
    // Recorded with voiding off, so that two voiding statements target the same one.
    await recorder.record(storeA, null, [voiding(voider2b, target2)], {
      version: '1.0.3',
      void_statements: false,
    });
    expect((await rowOf(storeA, target)).voided).toBe(true);

    await deletion.deleteStatements(storeA.id, [(await rowOf(storeA, voider)).id]);
    const freed = await rowOf(storeA, target);
    expect(freed).toMatchObject({ voided: false, voidedBy: null });

    await deletion.deleteStatements(storeA.id, [(await rowOf(storeA, voider2a)).id]);
    expect(await rowOf(storeA, target2)).toMatchObject({ voided: true, voidedBy: voider2b });
  });

  // SQLite has no statistics to choose an index by (MySQL/MariaDB have): its plans are checked.
  (isSqlite() ? it : it.skip)(
    'releasing void targets looks the voiders up by index, never reading every row of the store',
    async () => {
      const now = new Date();
      const store = await t.dataSource
        .getRepository(Store)
        .save({ slug: 'del-plan', name: 'plan', createdAt: now, updatedAt: now });
      // Two targets (with one, SQLite picks the right index anyway), three voiders of each.
      const targets = [randomUUID(), randomUUID()];
      const voiders = targets.map(() => [randomUUID(), randomUUID(), randomUUID()]);
      await record(
        store,
        targets.map((id) => statement(id)),
      );
      await record(
        store,
        voiders.map((v, i) => voiding(v[0], targets[i])),
      );
      await record(
        store,
        Array.from({ length: 200 }, () => statement(randomUUID())),
      );
      // The others recorded with voiding off, after many other statements.
      await recorder.record(
        store,
        null,
        voiders.flatMap((v, i) => v.slice(1).map((id) => voiding(id, targets[i]))),
        { version: '1.0.3', void_statements: false },
      );

      const plans: { sql: string; plan: string[] }[] = [];
      const original = BetterSqlite3QueryRunner.prototype.query;
      const spy = jest
        .spyOn(BetterSqlite3QueryRunner.prototype, 'query')
        .mockImplementation(async function (this: BetterSqlite3QueryRunner, ...args) {
          const [sql, params] = args;
          if (/^\s*SELECT\b[\s\S]*\bFROM "statements"/.test(sql)) {
            const rows: { detail: string }[] = await original.call(
              this,
              `EXPLAIN QUERY PLAN ${sql}`,
              params,
            );
            plans.push({ sql, plan: rows.map((r) => r.detail) });
          }
          return original.apply(this, args);
        });
      try {
        const rows = await Promise.all(voiders.map((v) => rowOf(store, v[0])));
        await deletion.deleteStatements(
          store.id,
          rows.map((r) => r.id),
        );
      } finally {
        spy.mockRestore();
      }

      // The first remaining voider (by row id) takes over.
      for (const [i, target] of targets.entries()) {
        expect(await rowOf(store, target)).toMatchObject({ voided: true, voidedBy: voiders[i][1] });
      }
      expect(plans.length).toBeGreaterThanOrEqual(2);
      for (const { sql, plan } of plans) {
        // A scan, or a search on the store column alone, reads every row of the store.
        const wholeStore = plan.filter((d) => /^SCAN\b|\(store_id=\?\)$/.test(d));
        expect({ sql, wholeStore }).toEqual({ sql, wholeStore: [] });
      }
    },
  );

  it('a voided statement deleted while its voiding statement stays leaves its voiding statement waiting (VoidWait)', async () => {
    const stores = t.dataSource.getRepository(Store);
    const now = new Date();
    const fresh = (slug: string) =>
      stores.save({ slug, name: slug, createdAt: now, updatedAt: now });
    const pending = async (store: Store) =>
      (await t.dataSource.getRepository(VoidWait).findBy({ storeId: store.id })).map(
        (w) => w.target,
      );
    // Target and voider deleted together: nothing waits.
    const both = await fresh('del-pending-both');
    const [t1, v1] = [randomUUID(), randomUUID()];
    await record(both, [statement(t1)]);
    await record(both, [voiding(v1, t1)]);
    expect(await pending(both)).toEqual([]);
    await deletion.deleteStatements(both.id, [
      (await rowOf(both, t1)).id,
      (await rowOf(both, v1)).id,
    ]);
    expect(await pending(both)).toEqual([]);
    // The target alone: its voider now waits for it.
    const alone = await fresh('del-pending-alone');
    const [t2, v2] = [randomUUID(), randomUUID()];
    await record(alone, [statement(t2)]);
    await record(alone, [voiding(v2, t2)]);
    await deletion.deleteStatements(alone.id, [(await rowOf(alone, t2)).id], { dryRun: true });
    expect(await pending(alone)).toEqual([]);
    await deletion.deleteStatements(alone.id, [(await rowOf(alone, t2)).id]);
    expect(await pending(alone)).toEqual([t2]);
    // Recorded again, the target is stored voided by the voiding statement that stayed.
    await record(alone, [statement(t2)]);
    expect(await rowOf(alone, t2)).toMatchObject({ voided: true, voidedBy: v2 });
    expect(await pending(alone)).toEqual([]);
    // Deleting the voiding statement takes its wait rows with it.
    const [t3, v3] = [randomUUID(), randomUUID()];
    await record(alone, [voiding(v3, t3)]);
    expect(await pending(alone)).toEqual([t3]);
    await deletion.deleteStatements(alone.id, [(await rowOf(alone, v3)).id]);
    expect(await pending(alone)).toEqual([]);
  });
});

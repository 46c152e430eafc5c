import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { makeRunContext } from '../../../test/support/job-context';
import { Store } from '../../access/store.entity';
import { JOB_TYPE_KEY, JobTypeOptions } from '../../jobs/job-type';
import { Attachment } from '../../xapi/statements/entities/attachment.entity';
import { StatementAgent } from '../../xapi/statements/entities/statement-agent.entity';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { sha256Hex } from '../../xapi/statements/attachment-writer';
import { StatementRecorder } from '../../xapi/statements/statement-recorder.service';
import { ValidationParams } from './validation.dto';
import {
  statementVersion,
  VALIDATION_BATCH,
  ValidateStatementsHandler,
} from './validation.handler';

async function errorsOf(plain: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(ValidationParams, plain), { whitelist: true });
  return errors.map((e) => e.property).sort();
}

describe('ValidationParams', () => {
  it('requires clear as a bool; dry_run is an optional bool', async () => {
    expect(await errorsOf({ clear: true })).toEqual([]);
    expect(await errorsOf({ clear: false, dry_run: true })).toEqual([]);
    expect(await errorsOf({})).toEqual(['clear']);
    expect(await errorsOf({ clear: 'yes', dry_run: 'no' })).toEqual(['clear', 'dry_run']);
  });

  it('is the validation type, one job per store when store is omitted', () => {
    const options: JobTypeOptions = Reflect.getMetadata(JOB_TYPE_KEY, ValidateStatementsHandler);
    expect(options).toMatchObject({ name: 'validation', store: 'per-store' });
  });

  it('checks a statement by the rules of its own version', () => {
    expect(statementVersion({ version: '2.0.0' })).toBe('2.0.0');
    expect(statementVersion({ version: '1.0.3' })).toBe('1.0.3');
    expect(statementVersion({})).toBe('1.0.3');
  });
});

/** A uuid from a number, so that two stores can hold the same fixture. */
const uuid = (n: number, tag = 0) => `00000000-0000-4000-8${tag}00-${String(n).padStart(12, '0')}`;

describe('ValidateStatementsHandler (database)', () => {
  let t: TestApp;
  let handler: ValidateStatementsHandler;
  let recorder: StatementRecorder;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp();
    handler = t.app.get(ValidateStatementsHandler);
    recorder = t.app.get(StatementRecorder);
  });
  afterAll(async () => t.close());

  async function newStore(): Promise<Store> {
    seq += 1;
    const now = new Date();
    return t.dataSource
      .getRepository(Store)
      .save({ slug: `val-${seq}`, name: `Validation ${seq}`, createdAt: now, updatedAt: now });
  }

  const content = Buffer.from('evidence');
  const sha2 = sha256Hex(content);
  const base = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    actor: { objectType: 'Agent', mbox: `mailto:${id.slice(-4)}@example.com` },
    verb: { id: 'http://adlnet.gov/expapi/verbs/attempted', display: { 'en-US': 'attempted' } },
    object: { id: `http://example.com/activity/${id.slice(-4)}` },
    ...extra,
  });

  /** The fixture: each kind of valid and invalid statement, recorded without validation. */
  async function fixture(store: Store) {
    const ids = {
      valid: uuid(1),
      twoIdentifiers: uuid(2),
      badMbox: uuid(3),
      v2ContextAgents: uuid(4),
      v1ContextAgents: uuid(5),
      target: uuid(6),
      invalidVoider: uuid(7),
      invalidWithAttachment: uuid(8),
      alreadyValidated: uuid(9),
    };
    const off = { version: '1.0.3' as const, validate_statements: false };
    const contextAgents = {
      context: {
        contextAgents: [
          { objectType: 'contextAgent', agent: { mbox: 'mailto:coach@example.com' } },
        ],
      },
    };
    await recorder.record(
      store,
      null,
      [
        base(ids.valid),
        base(ids.twoIdentifiers, {
          actor: { mbox: 'mailto:two@example.com', openid: 'http://example.com/two' },
        }),
        base(ids.badMbox, { actor: { mbox: 'two@example.com' } }),
        base(ids.v1ContextAgents, contextAgents),
        base(ids.target),
      ],
      off,
    );
    await recorder.record(store, null, [base(ids.v2ContextAgents, contextAgents)], {
      ...off,
      version: '2.0.0',
    });
    await recorder.record(
      store,
      null,
      [
        {
          id: ids.invalidVoider,
          actor: { mbox: 'mailto:admin@example.com', name: 42 },
          verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
          object: { objectType: 'StatementRef', id: ids.target },
        },
      ],
      off,
    );
    await recorder.record(
      store,
      null,
      [
        base(ids.invalidWithAttachment, {
          result: { score: { scaled: 7 } },
          attachments: [
            {
              usageType: 'http://example.com/evidence',
              display: { 'en-US': 'evidence' },
              contentType: 'text/plain',
              length: content.length,
              sha2,
            },
          ],
        }),
      ],
      off,
      [{ sha2, contentType: 'text/plain', content }],
    );
    await recorder.record(store, null, [base(ids.alreadyValidated)], { version: '1.0.3' });
    return ids;
  }

  async function rows(store: Store) {
    const list = await t.dataSource
      .getRepository(Statement)
      .find({ where: { storeId: store.id }, order: { statementId: 'ASC' } });
    return Object.fromEntries(
      list.map((s) => [
        s.statementId,
        { validated: s.validated, valid: s.valid, voided: s.voided },
      ]),
    );
  }

  it('without clear, marks each statement not validated yet valid or invalid and keeps the violations', async () => {
    const store = await newStore();
    const other = await newStore();
    const ids = await fixture(store);
    await fixture(other);
    const ctx = makeRunContext<ValidationParams>({ clear: false }, { store });
    const result = await handler.run(ctx);

    expect(result.feedback).toBe('checked 8, valid 3, invalid 5, deleted 0');
    const after = await rows(store);
    const flags = (validated: boolean, valid: boolean) => ({ validated, valid });
    expect(after[ids.valid]).toMatchObject(flags(true, true));
    expect(after[ids.v2ContextAgents]).toMatchObject(flags(true, true));
    expect(after[ids.target]).toMatchObject(flags(true, true));
    for (const id of [
      ids.twoIdentifiers,
      ids.badMbox,
      ids.v1ContextAgents,
      ids.invalidVoider,
      ids.invalidWithAttachment,
    ]) {
      expect(after[id]).toMatchObject(flags(true, false));
    }
    // The other store is not touched.
    expect(Object.values(await rows(other)).filter((r) => r.validated)).toHaveLength(1);

    const kept = (result.data!.invalid_statements as { id: string; violations: any[] }[]).sort(
      (a, b) => a.id.localeCompare(b.id),
    );
    expect(kept.map((k) => k.id)).toEqual([
      ids.twoIdentifiers,
      ids.badMbox,
      ids.v1ContextAgents,
      ids.invalidVoider,
      ids.invalidWithAttachment,
    ]);
    expect(kept[0].violations).toEqual([
      {
        path: 'actor',
        message:
          'an Agent must have exactly one identifier (mbox, mbox_sha1sum, openid or account); it has 2',
      },
    ]);
    expect(kept[1].violations.map((v) => v.path)).toEqual(['actor.mbox']);
    expect(kept[2].violations.map((v) => v.path)).toEqual(['context.contextAgents']);
    expect(kept[4].violations.map((v) => v.path)).toEqual(['result.score.scaled']);
    // The same, as the run's log entry says it.
    expect(ctx.logs).toHaveLength(1);
    expect(ctx.logs[0].message).toMatch(/^5 invalid statements: /);
    expect(ctx.logs[0].data).toEqual({ statements: result.data!.invalid_statements });

    // A second run finds nothing new to check.
    const again = await handler.run(makeRunContext<ValidationParams>({ clear: false }, { store }));
    expect(again.feedback).toBe('checked 0, valid 0, invalid 0, deleted 0');
  });

  it('with clear, deletes the invalid ones with their index rows and attachments; a deleted voider un-voids', async () => {
    const store = await newStore();
    const ids = await fixture(store);
    expect((await rows(store))[ids.target].voided).toBe(true);
    const withAttachment = await t.dataSource
      .getRepository(Statement)
      .findOneByOrFail({ storeId: store.id, statementId: ids.invalidWithAttachment });

    const result = await handler.run(makeRunContext<ValidationParams>({ clear: true }, { store }));
    expect(result.feedback).toBe('checked 8, valid 3, invalid 5, deleted 5');
    expect(result.data).toMatchObject({ checked: 8, valid: 3, invalid: 5, deleted: 5 });
    const after = await rows(store);
    expect(Object.keys(after).sort()).toEqual(
      [ids.valid, ids.v2ContextAgents, ids.target, ids.alreadyValidated].sort(),
    );
    expect(after[ids.target]).toMatchObject({ validated: true, valid: true, voided: false });
    expect(
      await t.dataSource.getRepository(Attachment).countBy({ statementRowId: withAttachment.id }),
    ).toBe(0);
    expect(
      await t.dataSource
        .getRepository(StatementAgent)
        .countBy({ statementRowId: withAttachment.id }),
    ).toBe(0);
  });

  it('a clear run also deletes the statements an earlier run only marked invalid', async () => {
    const store = await newStore();
    await fixture(store);
    await handler.run(makeRunContext<ValidationParams>({ clear: false }, { store }));
    const result = await handler.run(makeRunContext<ValidationParams>({ clear: true }, { store }));
    expect(result.feedback).toBe('checked 5, valid 0, invalid 5, deleted 5');
    expect(Object.keys(await rows(store))).toHaveLength(4);
  });

  it('a dry run changes nothing and reports what the real run then does', async () => {
    const store = await newStore();
    await fixture(store);
    const before = await rows(store);
    const dry = await handler.run(
      makeRunContext<ValidationParams>({ clear: true, dry_run: true }, { store }),
    );
    expect(dry.feedback).toBe(
      'dry run, nothing changed: checked 8, valid 3, invalid 5, would delete 5',
    );
    expect(await rows(store)).toEqual(before);
    const real = await handler.run(makeRunContext<ValidationParams>({ clear: true }, { store }));
    expect(real.feedback).toBe('checked 8, valid 3, invalid 5, deleted 5');
    expect({ ...dry.data, dry_run: true }).toEqual({ ...real.data, dry_run: true });
  });

  it('a run interrupted after its first batch and retried ends with the same rows as one run', async () => {
    const interrupted = await newStore();
    const whole = await newStore();
    const n = VALIDATION_BATCH * 2 + 50;
    const statements = Array.from({ length: n }, (_, i) =>
      base(
        uuid(i + 1, 1),
        i % 7 === 0 ? { actor: { mbox: 'mailto:x@example.com', openid: 'http://x.example' } } : {},
      ),
    );
    for (const store of [interrupted, whole]) {
      for (let i = 0; i < n; i += 250) {
        await recorder.record(store, null, statements.slice(i, i + 250), {
          version: '1.0.3',
          validate_statements: false,
        });
      }
    }
    const invalid = statements.filter((_, i) => i % 7 === 0).length;

    const cut = makeRunContext<ValidationParams>(
      { clear: true },
      { store: interrupted, abortAfterProgress: 2 },
    );
    await expect(handler.run(cut)).rejects.toThrow();
    // The first batch: VALIDATION_BATCH rows, or fewer on SQLite (its batches follow a time budget).
    const [start, { done: first }] = cut.progressReports;
    expect(start).toEqual({ done: 0, total: n });
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(VALIDATION_BATCH);
    expect(cut.progressReports).toHaveLength(2);
    const retry = await handler.run(
      makeRunContext<ValidationParams>({ clear: true }, { store: interrupted }),
    );
    const firstBatchInvalid = statements.slice(0, first).filter((_, i) => i % 7 === 0);
    // The retry reports what it did itself: the first batch was already done.
    expect(retry.data).toMatchObject({
      checked: n - first,
      deleted: invalid - firstBatchInvalid.length,
    });

    const one = await handler.run(
      makeRunContext<ValidationParams>({ clear: true }, { store: whole }),
    );
    expect(one.data).toMatchObject({ checked: n, invalid, deleted: invalid });
    expect(await rows(interrupted)).toEqual(await rows(whole));
    const agentRows = async (store: Store) =>
      t.dataSource.getRepository(StatementAgent).countBy({ storeId: store.id });
    expect(await agentRows(interrupted)).toBe(await agentRows(whole));
    expect(await agentRows(whole)).toBe(n - invalid);
  });
});

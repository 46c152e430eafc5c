import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Repository } from 'typeorm';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { makeRunContext } from '../../../test/support/job-context';
import { Store } from '../../access/store.entity';
import { JOB_TYPE_KEY, JobTypeOptions } from '../../jobs/job-type';
import { LogEntry } from '../../logging/log-entry.entity';
import { LogsDeletionParams } from './logs-deletion.dto';
import { LOGS_DELETION_BATCH, LogsDeletionHandler } from './logs-deletion.handler';

async function errorsOf(plain: Record<string, unknown>): Promise<Record<string, string[]>> {
  const errors = await validate(plainToInstance(LogsDeletionParams, plain), {
    whitelist: true,
  });
  return Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})]));
}

describe('LogsDeletionParams', () => {
  it('accepts a full set of params', async () => {
    expect(await errorsOf({ max_level: 3, until: '1_week' })).toEqual({});
    expect(await errorsOf({ max_level: 0, until: 'now', until_date: null })).toEqual({});
    expect(
      await errorsOf({ max_level: 7, until: 'date', until_date: '2026-01-31T10:00:00Z' }),
    ).toEqual({});
    expect(await errorsOf({ max_level: 7, until: 'date', until_date: '2026-01-31' })).toEqual({});
  });

  it('names until_date when until is "date" without it', async () => {
    const errors = await errorsOf({ max_level: 3, until: 'date' });
    expect(Object.keys(errors)).toEqual(['until_date']);
    expect(errors.until_date).toContain('until_date is required when until is "date"');
    expect(
      Object.keys(await errorsOf({ max_level: 3, until: 'date', until_date: 'soon' })),
    ).toEqual(['until_date']);
  });

  it('names max_level out of 0-7 and an unknown until', async () => {
    expect(Object.keys(await errorsOf({ max_level: 8, until: '2_days' })).sort()).toEqual([
      'max_level',
      'until',
    ]);
    expect(Object.keys(await errorsOf({ max_level: -1, until: 'now' }))).toEqual(['max_level']);
    expect(Object.keys(await errorsOf({ max_level: 2.5, until: 'now' }))).toEqual(['max_level']);
    expect(Object.keys(await errorsOf({ until: 'now' }))).toEqual(['max_level']);
    expect(Object.keys(await errorsOf({ max_level: 1 }))).toEqual(['until']);
  });

  it('is declared as the logs-deletion type over every store when store is omitted', () => {
    const options: JobTypeOptions = Reflect.getMetadata(JOB_TYPE_KEY, LogsDeletionHandler);
    expect(options).toMatchObject({
      name: 'logs-deletion',
      params: LogsDeletionParams,
      store: 'all-when-omitted',
    });
    expect(options.repeats).toBeUndefined();
  });
});

describe('LogsDeletionHandler (database)', () => {
  let t: TestApp;
  let handler: LogsDeletionHandler;
  let logs: Repository<LogEntry>;
  let storeA: Store;
  let storeB: Store;
  const T = new Date('2026-06-01T12:00:00.000Z');
  const ms = (offset: number) => new Date(T.getTime() + offset);
  const DAY = 86_400_000;

  beforeAll(async () => {
    t = await createTestApp();
    handler = t.app.get(LogsDeletionHandler);
    logs = t.dataSource.getRepository(LogEntry);
    const stores = t.dataSource.getRepository(Store);
    storeA = await stores.findOneByOrFail({ slug: 'default' });
    const now = new Date();
    storeB = await stores.save(
      stores.create({ slug: 'second', name: 'Second', createdAt: now, updatedAt: now }),
    );
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    await logs.createQueryBuilder().delete().where('message LIKE :m', { m: 'spec:%' }).execute();
  });

  async function insert(
    rows: { name: string; level: number; store: Store | null; stored: Date; job?: number }[],
  ) {
    for (let i = 0; i < rows.length; i += 500) {
      await logs.insert(
        rows.slice(i, i + 500).map((r) => ({
          level: r.level,
          type: 'api' as const,
          storeId: r.store?.id ?? null,
          jobId: r.job ?? null,
          event: null,
          success: null,
          message: `spec:${r.name}`,
          data: null,
          stored: r.stored,
        })),
      );
    }
  }

  async function remaining(): Promise<string[]> {
    const rows = await logs
      .createQueryBuilder('l')
      .where('l.message LIKE :m', { m: 'spec:%' })
      .orderBy('l.message')
      .getMany();
    return rows.map((r) => r.message.slice('spec:'.length));
  }

  function fixture() {
    return insert([
      { name: 'a-A-old-3', level: 3, store: storeA, stored: ms(-2 * DAY) },
      { name: 'b-A-old-4', level: 4, store: storeA, stored: ms(-2 * DAY) },
      { name: 'c-none-old-0', level: 0, store: null, stored: ms(-2 * DAY) },
      { name: 'd-B-cutoff-1', level: 1, store: storeB, stored: ms(-DAY) },
      { name: 'e-B-after-cutoff-1', level: 1, store: storeB, stored: ms(-DAY + 1) },
      { name: 'f-none-after-start-2', level: 2, store: null, stored: ms(1000) },
      { name: 'g-B-old-7', level: 7, store: storeB, stored: ms(-3 * DAY) },
    ]);
  }

  it('without a store deletes every matching entry, including those of no store', async () => {
    await fixture();
    const ctx = makeRunContext<LogsDeletionParams>(
      { max_level: 3, until: '1_day' },
      { startedAt: T },
    );
    const result = await handler.run(ctx);
    expect(await remaining()).toEqual([
      'b-A-old-4',
      'e-B-after-cutoff-1',
      'f-none-after-start-2',
      'g-B-old-7',
    ]);
    expect(result).toEqual({
      feedback: 'deleted 3 log entries (level <= 3, stored until 2026-05-31T12:00:00.000Z)',
      data: { deleted: 3, max_level: 3, cutoff: '2026-05-31T12:00:00.000Z' },
    });
    expect(ctx.progressReports).toEqual([
      { done: 0, total: 3 },
      { done: 3, total: 3 },
    ]);
  });

  it("with a store deletes only that store's entries", async () => {
    await fixture();
    const ctx = makeRunContext<LogsDeletionParams>(
      { max_level: 7, until: '1_day' },
      { startedAt: T, store: storeB },
    );
    const result = await handler.run(ctx);
    expect(await remaining()).toEqual([
      'a-A-old-3',
      'b-A-old-4',
      'c-none-old-0',
      'e-B-after-cutoff-1',
      'f-none-after-start-2',
    ]);
    expect(result.feedback).toBe(
      'deleted 2 log entries of store second (level <= 7, stored until 2026-05-31T12:00:00.000Z)',
    );
    expect(result.data).toMatchObject({ deleted: 2 });
  });

  it('until=date acts up to until_date (a bare date to its end)', async () => {
    await fixture();
    const ctx = makeRunContext<LogsDeletionParams>(
      { max_level: 7, until: 'date', until_date: '2026-05-29' },
      { startedAt: T },
    );
    await handler.run(ctx);
    // g (29 May 12:00) goes; a, b, c (30 May) stay.
    expect(await remaining()).toEqual([
      'a-A-old-3',
      'b-A-old-4',
      'c-none-old-0',
      'd-B-cutoff-1',
      'e-B-after-cutoff-1',
      'f-none-after-start-2',
    ]);
  });

  it("until=now keeps this run's own entries and everything stored after the start", async () => {
    await insert([
      { name: 'own-started', level: 1, store: null, stored: T, job: 42 },
      { name: 'own-progress', level: 1, store: null, stored: ms(5), job: 42 },
      { name: 'own-previous-run', level: 1, store: null, stored: ms(-DAY), job: 42 },
      { name: 'other-job-at-start', level: 1, store: null, stored: T, job: 7 },
      { name: 'other-after-start', level: 1, store: storeA, stored: ms(1) },
    ]);
    const ctx = makeRunContext<LogsDeletionParams>(
      { max_level: 1, until: 'now' },
      { startedAt: T, jobId: 42 },
    );
    const result = await handler.run(ctx);
    expect(await remaining()).toEqual(['other-after-start', 'own-progress', 'own-started']);
    expect(result.feedback).toBe(
      'deleted 2 log entries (level <= 1, stored until 2026-06-01T12:00:00.000Z)',
    );
  });

  it('a future until_date stops at the run start', async () => {
    await insert([
      { name: 'before', level: 0, store: null, stored: ms(-1) },
      { name: 'after', level: 0, store: null, stored: ms(60_000) },
    ]);
    const ctx = makeRunContext<LogsDeletionParams>(
      { max_level: 0, until: 'date', until_date: '2030-01-01T00:00:00Z' },
      { startedAt: T, jobId: 9 },
    );
    const result = await handler.run(ctx);
    expect(await remaining()).toEqual(['after']);
    expect(result.data).toMatchObject({ deleted: 1, cutoff: T.toISOString() });
  });

  it('deletes in batches of at most 1000, reporting progress, and stops when cancelled', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => ({
      name: `bulk-${String(i).padStart(4, '0')}`,
      level: i % 4,
      store: i % 2 ? storeA : null,
      stored: ms(-DAY - i * 1000),
    }));
    await insert([...many, { name: 'keep-level-5', level: 5, store: null, stored: ms(-2 * DAY) }]);

    const cancelled = makeRunContext<LogsDeletionParams>(
      { max_level: 3, until: '1_day' },
      { startedAt: T, abortAfterProgress: 2 },
    );
    await expect(handler.run(cancelled)).rejects.toThrow();
    // The first batch: LOGS_DELETION_BATCH rows, or fewer on SQLite (a time budget).
    const [start, { done: first }] = cancelled.progressReports;
    expect(start).toEqual({ done: 0, total: 2500 });
    expect(cancelled.progressReports).toHaveLength(2);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(LOGS_DELETION_BATCH);
    expect(await remaining()).toHaveLength(2501 - first);

    // A new run (as a retry) finishes the work, reporting after each batch.
    const ctx = makeRunContext<LogsDeletionParams>(
      { max_level: 3, until: '1_day' },
      { startedAt: T },
    );
    const result = await handler.run(ctx);
    const left = 2500 - first;
    const done = ctx.progressReports.map((p) => p.done);
    expect(ctx.progressReports.every((p) => p.total === left)).toBe(true);
    expect(done[0]).toBe(0);
    expect(done.at(-1)).toBe(left);
    expect(done.length).toBeGreaterThanOrEqual(1 + Math.ceil(left / LOGS_DELETION_BATCH));
    for (let i = 1; i < done.length; i++) {
      expect(done[i] - done[i - 1]).toBeGreaterThan(0);
      expect(done[i] - done[i - 1]).toBeLessThanOrEqual(LOGS_DELETION_BATCH);
    }
    expect(result.data).toMatchObject({ deleted: left });
    expect(await remaining()).toEqual(['keep-level-5']);
  });
});

import {
  ConflictException,
  Injectable,
  NotFoundException,
  OnModuleInit,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validatedFields } from '../common/dto-fields';
import { validate, ValidationError } from 'class-validator';
import { DataSource, In, Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ConnectionUsage } from '../access/connection-usage';
import { Principal } from '../access/principal';
import { storeBeingDeleted } from '../access/store.entity';
import { StoresService } from '../access/stores/stores.service';
import { writeTogether } from '../common/db-errors';
import { FieldErrors, flattenValidationErrors, invalidInput } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { DatabaseClock } from '../database/database-clock';
import { LogLevel } from '../logging/log-entry.entity';
import { NewLogEntry, SystemLogService } from '../logging/system-log.service';
import { syncBudgetMs, walkBatches } from './batch-walker';
import { JobScheduleDto, ScheduleField, usesField } from './dto/job-schedule.dto';
import { JobLogEntryView, JobView, toJobLogEntryView, toJobView } from './dto/job.view';
import { Job } from './job.entity';
import { JobTypeRegistry, RegisteredJobType } from './job-type.registry';
import { plannedRunAt } from './schedule-plan';
import { onInstant, resolveNowTime } from './schedule/next-fire';
import { JobScheduler } from './scheduler.service';

/** A validated definition, ready to be saved (one per store when a POST fans out). */
interface JobDefinition {
  storeId: number | null;
  schedule: Pick<
    Job,
    'repeat' | 'date' | 'time' | 'minute' | 'weekDay' | 'monthDay' | 'month' | 'timezone'
  >;
  replay: boolean | undefined;
  params: Record<string, unknown>;
}

const DELETE_BATCH = 500;
/** A PUT whose job changed meanwhile (a claim, a run's close) is read and applied again. */
const UPDATE_ATTEMPTS = 5;

/** Which jobs `deleteJobs` deletes: every condition given must hold. */
export interface JobSelection {
  ids?: number[];
  type?: string;
  storeId?: number;
}

export interface JobsDeleted {
  /** Job rows deleted (affected rows). */
  deleted: number;
  /** Ids of the deleted jobs that were running: their runs are being cancelled. */
  running: number[];
  /** With `waitMs`: the running ones whose run had not ended when the wait ran out. */
  unfinished: number[];
}

/** The entries that end a run. */
const TERMINAL_EVENTS = ['passed', 'failed', 'cancelled', 'interrupted'];

type JobRef = Pick<Job, 'id' | 'type' | 'storeId' | 'running'>;

/** The job definitions of the Jobs API: input rules, storage, views, logs. */
@Injectable()
export class JobsService implements OnModuleInit {
  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    private readonly dataSource: DataSource,
    private readonly registry: JobTypeRegistry,
    private readonly scheduler: JobScheduler,
    private readonly logs: SystemLogService,
    private readonly config: AppConfig,
    private readonly connectionUsage: ConnectionUsage,
    private readonly storesService: StoresService,
    private readonly clock: DatabaseClock,
  ) {}

  onModuleInit() {
    // The types declare which of their params name a connection; the engine knows no name.
    this.connectionUsage.register(async (connectionId) => {
      for (const type of this.registry.all()) {
        for (const param of type.options.connectionParams ?? []) {
          const job = await this.jobs
            .createQueryBuilder('j')
            .where('j.type = :type', { type: type.name })
            .andWhere(`${this.jsonText('j.params', param)} = :id`, { id: String(connectionId) })
            .orderBy('j.id', 'ASC')
            .getOne();
          if (job) return `job ${job.id} (${job.type})`;
        }
      }
      return null;
    });
  }

  type(name: string): RegisteredJobType {
    const type = this.registry.get(name);
    if (!type) throw new NotFoundException(`No job type "${name}".`);
    return type;
  }

  async create(typeName: string, body: unknown, principal: Principal): Promise<Job[]> {
    const type = this.type(typeName);
    const definitions = await this.prepare(type, body, principal, null);
    const now = this.clock.now();
    const jobs: Job[] = [];
    for (const def of definitions) {
      const job = this.jobs.create({
        type: type.name,
        storeId: def.storeId,
        client: principal.client.slug,
        replay: def.replay ?? false,
        ...def.schedule,
        params: def.params,
        state: null,
        running: false,
        ran: 0,
        success: null,
        startedAt: null,
        completedAt: null,
        feedback: null,
        progress: null,
        leaseOwner: null,
        leaseUntil: null,
        fireAt: null,
        createdAt: now,
        updatedAt: now,
      });
      job.nextRunAt = plannedRunAt(job, now, this.scheduler.scheduleClock);
      jobs.push(job);
    }
    // Saved with their `created` entries, so that a run never logs before its job's creation.
    const saved = await writeTogether(this.dataSource, async (em) => {
      const rows = await em.getRepository(Job).save(jobs);
      await this.logs.record(
        rows.map((job) => this.auditEntry('created', job, principal)),
        em,
      );
      return rows;
    });
    this.scheduler.wake();
    return saved;
  }

  /**
   * Replaces the definition; `client` stays the creator's (the system log names who
   * changed it). The write is conditional on the row version it was
   * computed from, so that a claim or a run's close in between is never overwritten
   * (the PUT is then computed again); a running job keeps its run state: the run
   * plans its next fire from the new definition when it ends.
   */
  async update(typeName: string, id: number, body: unknown, principal: Principal): Promise<Job> {
    const type = this.type(typeName);
    let replay: boolean | undefined;
    for (let attempt = 1; ; attempt++) {
      const job = await this.find(type.name, id);
      const [def] = await this.prepare(type, body, principal, job);
      replay = def.replay;
      const now = this.clock.now();
      const changes: QueryDeepPartialEntity<Job> = {
        storeId: def.storeId,
        ...def.schedule,
        params: def.params as QueryDeepPartialEntity<Record<string, unknown>>,
        updatedAt: now,
        version: () => 'version + 1',
      };
      if (def.replay !== undefined) changes.replay = def.replay;
      if (!job.running) {
        const definition = { ...job, ...def.schedule, replay: def.replay ?? job.replay };
        changes.nextRunAt = plannedRunAt(definition, now, this.scheduler.scheduleClock);
      }
      const changed = { ...job, storeId: def.storeId, repeat: def.schedule.repeat };
      const entry = this.auditEntry(replay ? 'replayed' : 'changed', changed, principal);
      // The change and its entry together: a replay's run never logs before its `replayed`.
      const applied = await writeTogether(this.dataSource, async (em) => {
        const res = await em
          .createQueryBuilder()
          .update(Job)
          .set(changes)
          .where('id = :id AND version = :version', { id: job.id, version: job.version })
          .execute();
        if (!res.affected) return false;
        await this.logs.record([entry], em);
        return true;
      });
      if (applied) break;
      if (attempt >= UPDATE_ATTEMPTS) {
        throw new ConflictException('The job kept changing during the update; try again.');
      }
    }
    const updated = await this.find(type.name, id);
    if (replay) this.scheduler.wake();
    else this.scheduler.rescheduled();
    return updated;
  }

  async list(typeName: string, filters: { store?: string; service?: string }): Promise<Job[]> {
    const type = this.type(typeName);
    const qb = this.jobs
      .createQueryBuilder('j')
      .where('j.type = :type', { type: type.name })
      .orderBy('j.id', 'ASC');
    if (filters.store !== undefined) {
      const store = await this.storesService.findBySlug(filters.store);
      if (!store) throw invalidInput({ store: [`No store "${filters.store}".`] });
      qb.andWhere('j.storeId = :storeId', { storeId: store.id });
    }
    if (filters.service !== undefined) {
      qb.andWhere(`${this.jsonText('j.params', 'service')} = :service`, {
        service: filters.service,
      });
    }
    return qb.getMany();
  }

  async find(typeName: string, id: number): Promise<Job> {
    const job = Number.isSafeInteger(id) ? await this.jobs.findOneBy({ id, type: typeName }) : null;
    if (!job) throw new NotFoundException(`No ${typeName} job ${id}.`);
    return job;
  }

  async remove(typeName: string, id: number, principal: Principal): Promise<void> {
    const job = await this.find(this.type(typeName).name, id);
    await this.deleteJobs({ ids: [job.id] }, { client: principal.client.slug });
  }

  /**
   * The entry of a creation or change of a definition, in the job's own log (jobs.md:
   * who, what): type, store and schedule; params are left out (they may name connections).
   */
  private auditEntry(
    event: 'created' | 'changed' | 'replayed',
    job: Pick<Job, 'id' | 'type' | 'storeId' | 'repeat' | 'replay'>,
    principal: Principal,
  ): NewLogEntry {
    const what = event === 'replayed' ? 'changed (replay requested)' : event;
    const replay = event === 'replayed' || (event === 'created' && job.replay);
    return {
      level: LogLevel.Info,
      type: 'job',
      job: job.id,
      store: job.storeId,
      event,
      message: `Job ${job.id} (${job.type}) ${what} by client ${principal.client.slug}`,
      data: {
        action: event === 'replayed' ? 'changed' : event,
        job_id: job.id,
        job_type: job.type,
        by: principal.client.slug,
        repeat: job.repeat,
        ...(replay ? { replay: true } : {}),
      },
      stored: this.clock.now(),
    };
  }

  /** Every job of the type (of one store when asked); running ones are cancelled. */
  async removeAll(typeName: string, filters: { store?: string }, principal: Principal) {
    const type = this.type(typeName);
    let storeId: number | undefined;
    if (filters.store !== undefined) {
      const store = await this.storesService.findBySlug(filters.store);
      if (!store) throw invalidInput({ store: [`No store "${filters.store}".`] });
      storeId = store.id;
    }
    await this.deleteJobs({ type: type.name, storeId }, { client: principal.client.slug });
  }

  /**
   * The one way jobs are deleted (the API routes, stores-deletion): in batches, each
   * deletion logged with the job's id (so its log stays readable), and the runs of
   * deleted jobs cancelled: here at once, on other instances at their next heartbeat
   * (about a second). `by` names who asked (a client slug, or a job).
   */
  async deleteJobs(
    selection: JobSelection,
    by: { client: string } | { job: number },
    options: { waitMs?: number; signal?: AbortSignal } = {},
  ): Promise<JobsDeleted> {
    const result: JobsDeleted = { deleted: 0, running: [], unfinished: [] };
    if (selection.ids && !selection.ids.length) return result;
    const stored = this.clock.now();
    const who = 'client' in by ? `client ${by.client}` : `job ${by.job}`;
    await walkBatches<JobRef>({
      ctx: { signal: new AbortController().signal, progress: async () => undefined },
      batchSize: DELETE_BATCH,
      budgetMs: syncBudgetMs(this.dataSource),
      fetch: (after, limit) => {
        const qb = this.jobs
          .createQueryBuilder('j')
          .select(['j.id', 'j.type', 'j.storeId', 'j.running'])
          .orderBy('j.id', 'ASC')
          .limit(limit);
        if (after) qb.andWhere('j.id > :after', { after: after.id });
        if (selection.ids) qb.andWhere('j.id IN (:...ids)', { ids: selection.ids });
        if (selection.type !== undefined) qb.andWhere('j.type = :type', { type: selection.type });
        if (selection.storeId !== undefined) {
          qb.andWhere('j.storeId = :storeId', { storeId: selection.storeId });
        }
        return qb.getMany();
      },
      act: async (jobs) => {
        const ids = jobs.map((j) => j.id);
        const res = await this.jobs.delete({ id: In(ids) });
        result.running.push(...jobs.filter((j) => j.running).map((j) => j.id));
        // Logged before the local runs are stopped, so that `deleted` comes before `cancelled`.
        await this.logs.record(
          jobs.map((j) => ({
            level: LogLevel.Info,
            type: 'job' as const,
            job: j.id,
            store: j.storeId,
            event: 'deleted',
            message: `Job ${j.id} (${j.type}) deleted by ${who}${j.running ? '; its run is cancelled' : ''}`,
            data: {
              action: 'deleted',
              job_id: j.id,
              job_type: j.type,
              by: 'client' in by ? by.client : who,
              running: !!j.running,
            },
            stored,
          })),
        );
        this.scheduler.cancel(ids);
        result.deleted += res.affected ?? 0;
        return res.affected ?? 0;
      },
    });
    if (options.waitMs && result.running.length) {
      result.unfinished = await this.untilRunsEnded(result.running, options.waitMs, options.signal);
    }
    return result;
  }

  /**
   * Waits until the cancelled runs of deleted jobs have ended, wherever they run: each
   * writes its terminal entry once its handler really returned. Returns the ids still
   * unfinished after `waitMs` (an instance that died writes none).
   */
  private async untilRunsEnded(ids: number[], waitMs: number, signal?: AbortSignal) {
    const deadline = Date.now() + waitMs;
    let left = ids;
    while (left.length && Date.now() < deadline && !signal?.aborted) {
      const ended: { job_id: number }[] = await this.dataSource
        .createQueryBuilder()
        .select('l.job_id', 'job_id')
        .from('logs', 'l')
        .where('l.job_id IN (:...ids)', { ids: left })
        .andWhere('l.event IN (:...events)', { events: TERMINAL_EVENTS })
        .andWhere(
          "l.id > (SELECT MAX(d.id) FROM logs d WHERE d.job_id = l.job_id AND d.event = 'deleted')",
        )
        .getRawMany();
      const done = new Set(ended.map((r) => Number(r.job_id)));
      left = left.filter((id) => !done.has(id));
      if (left.length) await new Promise((r) => setTimeout(r, 100));
    }
    return left;
  }

  /** A job's log, also once the job is deleted (found through its `deleted` entry). */
  async logEntries(
    typeName: string,
    id: number,
    q: { limit?: number; before?: number },
  ): Promise<JobLogEntryView[]> {
    const type = this.type(typeName);
    const job = Number.isSafeInteger(id) ? await this.jobs.findOneBy({ id }) : null;
    if (job?.type !== type.name && !(await this.wasDeleted(type.name, id))) {
      throw new NotFoundException(`No ${type.name} job ${id}.`);
    }
    const entries = await this.logs.find({ job: id, limit: q.limit ?? 100, before: q.before });
    return entries.map(toJobLogEntryView);
  }

  private async wasDeleted(typeName: string, id: number): Promise<boolean> {
    if (!Number.isSafeInteger(id)) return false;
    const [entry] = await this.logs.find({ job: id, event: 'deleted', limit: 1 });
    return entry?.data?.job_type === typeName;
  }

  async views(jobs: Job[]): Promise<JobView[]> {
    const slugs = await this.storesService.slugsById(jobs.map((j) => j.storeId));
    return jobs.map((j) =>
      toJobView(j, j.storeId === null ? null : (slugs.get(j.storeId) ?? null), this.paramFields(j)),
    );
  }

  /** Every param of the job's type, for the record (jobs.md lists them; null when unset). */
  private paramFields(job: Job): string[] {
    const type = this.registry.get(job.type);
    return type ? [...validatedFields(type.options.params)] : [];
  }

  async view(job: Job): Promise<JobView> {
    return (await this.views([job]))[0];
  }

  /**
   * Validates a POST/PUT body: the schedule props, the type's params (its DTO),
   * the store as the type treats it, then the type's own database checks. Every
   * offending field is named in one 422.
   */
  private async prepare(
    type: RegisteredJobType,
    body: unknown,
    principal: Principal,
    existing: Job | null,
  ): Promise<JobDefinition[]> {
    if (Buffer.isBuffer(body)) {
      throw new UnsupportedMediaTypeException(
        'Send the job as JSON (Content-Type: application/json).',
      );
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw invalidInput({ body: ['The body must be a JSON object.'] });
    }
    const input = body as Record<string, unknown>;
    // No prototype: a body key "__proto__" is named like any other.
    const errors: FieldErrors = Object.create(null);
    const merge = (more: FieldErrors) => {
      for (const [k, v] of Object.entries(more)) errors[k] = [...(errors[k] ?? []), ...v];
    };

    const schedule = plainToInstance(JobScheduleDto, input);
    merge(flattenValidationErrors(await validate(schedule)));
    if (!errors.repeat && !type.repeats.includes(schedule.repeat)) {
      merge({
        repeat: [`The ${type.name} job type only takes repeat: ${type.repeats.join(', ')}.`],
      });
    }
    const timezone = schedule.timezone ?? null;
    if (!errors.repeat && !errors.date && schedule.repeat === 'on') {
      try {
        onInstant({ repeat: 'on', date: schedule.date, time: null }, 'UTC');
      } catch {
        merge({ date: ['date must be an ISO 8601 date (YYYY-MM-DD) or date-time.'] });
      }
    }

    merge(unknownFields(type, input));
    const params = plainToInstance(type.options.params, input) as object;
    const paramErrors: ValidationError[] = await validate(params, {
      whitelist: true,
      forbidUnknownValues: false,
    });
    merge(flattenValidationErrors(paramErrors));

    const storeIds = await this.resolveStores(type, input, existing, errors);
    if (Object.keys(errors).length) throw invalidInput(errors);

    const tz = timezone ?? this.config.jobsTimezone;
    const pick = <T>(field: ScheduleField, value: T | undefined | null): T | null =>
      usesField(schedule.repeat, field) && value !== undefined ? value : null;
    let time = pick('time', schedule.time);
    if (time === 'now') time = resolveNowTime(tz, this.clock.now());
    const plain: Record<string, unknown> = {};
    // A null param is an unset one (the record shows every param, null when unset, and
    // may be PUT back as it reads).
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) plain[k] = v;

    const definitions: JobDefinition[] = [];
    for (const storeId of storeIds) {
      const store = storeId === null ? null : await this.storesService.findById(storeId);
      await type.handler.validate?.({ params, store, principal, jobId: existing?.id });
      definitions.push({
        storeId,
        replay: schedule.replay,
        params: plain,
        schedule: {
          repeat: schedule.repeat,
          date: pick('date', schedule.date),
          time,
          minute: pick('minute', schedule.minute),
          weekDay: pick('week_day', schedule.week_day),
          monthDay: pick('month_day', schedule.month_day),
          month: pick('month', schedule.month),
          timezone,
        },
      });
    }
    return definitions;
  }

  /** Store ids the request targets, per the type's store mode; problems go to `errors`. */
  private async resolveStores(
    type: RegisteredJobType,
    input: Record<string, unknown>,
    existing: Job | null,
    errors: FieldErrors,
  ): Promise<(number | null)[]> {
    const mode = type.options.store;
    if (mode === 'none') return [null];
    const slug = input.store;
    if (slug === undefined || slug === null || slug === '') {
      if (existing && (slug === undefined || mode !== 'all-when-omitted')) {
        // PUT: an omitted store keeps the job's store; a PUT never fans out.
        if (mode === 'required' && existing.storeId === null) {
          errors.store = ['The store field is required.'];
        }
        return [existing.storeId];
      }
      if (mode === 'required') {
        errors.store = ['The store field is required.'];
        return [];
      }
      if (mode === 'all-when-omitted') return [null];
      // per-store: one job per existing store (none for a store being deleted).
      return this.storesService.liveIds();
    }
    if (typeof slug !== 'string') return [];
    const store = await this.storesService.findBySlug(slug);
    if (!store) {
      errors.store = [`No store "${slug}".`];
      return [];
    }
    if (store.deletingAt) throw storeBeingDeleted(store);
    return [store.id];
  }

  /** A string param of a JSON column, as text comparable on SQLite and MySQL/MariaDB. */
  private jsonText(column: string, key: string): string {
    return this.dataSource.options.type === 'better-sqlite3'
      ? `CAST(json_extract(${column}, '$.${key}') AS TEXT)`
      : `JSON_UNQUOTE(JSON_EXTRACT(${column}, '$.${key}'))`;
  }
}

/** Fields of the job record that a GET-edit-PUT sends back: ignored on input (jobs.md). */
const READ_ONLY_FIELDS = [
  'id',
  'type',
  'client',
  'running',
  'ran',
  'success',
  'started_at',
  'completed_at',
  'next_run_at',
  'feedback',
  'progress',
  'created_at',
  'updated_at',
];

/**
 * A field that is neither the schedule's, the type's params' nor the record's is a 422:
 * dropped in silence, a `dry_run` sent to a type without one, or a misspelt `dry_run`,
 * would turn a rehearsal into a real deletion.
 */
function unknownFields(type: RegisteredJobType, input: Record<string, unknown>): FieldErrors {
  const known = new Set([
    ...validatedFields(JobScheduleDto),
    ...validatedFields(type.options.params),
    ...READ_ONLY_FIELDS,
  ]);
  const errors: FieldErrors = Object.create(null);
  // The first 50 are enough to act on; a hostile body of many keys gets no longer answer.
  for (const name of Object.keys(input)
    .filter((n) => !known.has(n))
    .slice(0, 50)) {
    errors[name.slice(0, 100)] = [`is not a field of ${type.name} jobs`];
  }
  return errors;
}

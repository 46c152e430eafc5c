import {
  Injectable,
  NotFoundException,
  OnModuleInit,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { DataSource, In, Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ConnectionUsage } from '../access/connection-usage';
import { Principal } from '../access/principal';
import { Store } from '../access/store.entity';
import { StoresService } from '../access/stores/stores.service';
import { FieldErrors, flattenValidationErrors, invalidInput } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { SystemLogService } from '../logging/system-log.service';
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

/** The job definitions of the Jobs API: input rules, storage, views, logs. */
@Injectable()
export class JobsService implements OnModuleInit {
  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    @InjectRepository(Store) private readonly stores: Repository<Store>,
    private readonly dataSource: DataSource,
    private readonly registry: JobTypeRegistry,
    private readonly scheduler: JobScheduler,
    private readonly logs: SystemLogService,
    private readonly config: AppConfig,
    private readonly connectionUsage: ConnectionUsage,
    private readonly storesService: StoresService,
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
    const now = new Date();
    const saved: Job[] = [];
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
      saved.push(await this.jobs.save(job));
    }
    this.scheduler.wake();
    return saved;
  }

  async update(typeName: string, id: number, body: unknown, principal: Principal): Promise<Job> {
    const type = this.type(typeName);
    const job = await this.find(type.name, id);
    const [def] = await this.prepare(type, body, principal, job);
    const now = new Date();
    const changes: Partial<Job> = {
      storeId: def.storeId,
      ...def.schedule,
      params: def.params,
      updatedAt: now,
    };
    if (def.replay !== undefined) changes.replay = def.replay;
    if (!job.running) {
      changes.nextRunAt = plannedRunAt({ ...job, ...changes }, now, this.scheduler.scheduleClock);
    } else if (def.replay) {
      // Runs again as soon as the current run ends; the run in progress keeps its fire.
      changes.nextRunAt = job.nextRunAt && job.nextRunAt < now ? job.nextRunAt : now;
    }
    await this.jobs.update({ id: job.id }, changes as QueryDeepPartialEntity<Job>);
    if (def.replay) this.scheduler.wake();
    return this.find(type.name, id);
  }

  async list(typeName: string, filters: { store?: string; service?: string }): Promise<Job[]> {
    const type = this.type(typeName);
    const qb = this.jobs
      .createQueryBuilder('j')
      .where('j.type = :type', { type: type.name })
      .orderBy('j.id', 'ASC');
    if (filters.store !== undefined) {
      const store = await this.stores.findOneBy({ slug: filters.store });
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

  async remove(typeName: string, id: number): Promise<void> {
    const job = await this.find(this.type(typeName).name, id);
    await this.jobs.delete({ id: job.id });
    this.scheduler.cancel([job.id]);
  }

  /** Every job of the type (of one store when asked), in batches; running ones are cancelled. */
  async removeAll(typeName: string, filters: { store?: string }): Promise<void> {
    const type = this.type(typeName);
    let storeId: number | undefined;
    if (filters.store !== undefined) {
      const store = await this.stores.findOneBy({ slug: filters.store });
      if (!store) throw invalidInput({ store: [`No store "${filters.store}".`] });
      storeId = store.id;
    }
    let after = 0;
    for (;;) {
      const qb = this.jobs
        .createQueryBuilder('j')
        .select(['j.id'])
        .where('j.type = :type AND j.id > :after', { type: type.name, after })
        .orderBy('j.id', 'ASC')
        .limit(DELETE_BATCH);
      if (storeId !== undefined) qb.andWhere('j.storeId = :storeId', { storeId });
      const ids = (await qb.getMany()).map((j) => j.id);
      if (!ids.length) return;
      await this.jobs.delete({ id: In(ids) });
      this.scheduler.cancel(ids);
      after = ids[ids.length - 1];
    }
  }

  async logEntries(
    typeName: string,
    id: number,
    q: { limit?: number; before?: number },
  ): Promise<JobLogEntryView[]> {
    const job = await this.find(this.type(typeName).name, id);
    const entries = await this.logs.find({ job: job.id, limit: q.limit ?? 100, before: q.before });
    return entries.map(toJobLogEntryView);
  }

  async views(jobs: Job[]): Promise<JobView[]> {
    const slugs = await this.storesService.slugsById(jobs.map((j) => j.storeId));
    return jobs.map((j) =>
      toJobView(j, j.storeId === null ? null : (slugs.get(j.storeId) ?? null)),
    );
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
    const errors: FieldErrors = {};
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
    if (time === 'now') time = resolveNowTime(tz, new Date());
    const plain: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined) plain[k] = v;

    const definitions: JobDefinition[] = [];
    for (const storeId of storeIds) {
      const store = storeId === null ? null : await this.stores.findOneBy({ id: storeId });
      await type.handler.validate?.({ params, store, principal });
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
      // per-store: one job per existing store.
      const all = await this.stores.find({ select: { id: true }, order: { id: 'ASC' } });
      return all.map((s) => s.id);
    }
    if (typeof slug !== 'string') return [];
    const store = await this.stores.findOneBy({ slug });
    if (!store) {
      errors.store = [`No store "${slug}".`];
      return [];
    }
    return [store.id];
  }

  /** A string param of a JSON column, as text comparable on SQLite and MySQL/MariaDB. */
  private jsonText(column: string, key: string): string {
    return this.dataSource.options.type === 'better-sqlite3'
      ? `CAST(json_extract(${column}, '$.${key}') AS TEXT)`
      : `JSON_UNQUOTE(JSON_EXTRACT(${column}, '$.${key}'))`;
  }
}

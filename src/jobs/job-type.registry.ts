import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { JOB_TYPE_KEY, JobHandler, JobTypeOptions, Repeat, REPEATS } from './job-type';

export interface RegisteredJobType {
  name: string;
  options: JobTypeOptions;
  repeats: Repeat[];
  handler: JobHandler<any>;
}

export class DuplicateJobTypeError extends Error {}

/**
 * Every job type of the application, found at start-up among the providers
 * marked with @JobType (like @nestjs/cqrs finds its handlers). A name declared
 * twice stops the start.
 */
@Injectable()
export class JobTypeRegistry implements OnModuleInit {
  private types: Map<string, RegisteredJobType> | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit() {
    this.load();
  }

  /** Idempotent: Swagger may ask before the module init hooks have run. */
  load(): Map<string, RegisteredJobType> {
    if (this.types) return this.types;
    const found = new Map<string, RegisteredJobType>();
    const owners = new Map<string, string>();
    for (const wrapper of this.discovery.getProviders()) {
      const { metatype, instance } = wrapper;
      if (!metatype || typeof metatype !== 'function' || !instance) continue;
      const options = this.reflector.get<JobTypeOptions | undefined>(JOB_TYPE_KEY, metatype);
      if (!options) continue;
      if (found.get(options.name)?.handler === instance) continue;
      if (found.has(options.name)) {
        throw new DuplicateJobTypeError(
          `Job type "${options.name}" is declared twice: by ${owners.get(options.name)} and by ${metatype.name}.`,
        );
      }
      if (typeof (instance as JobHandler).run !== 'function') {
        throw new Error(`Job type "${options.name}" (${metatype.name}) has no run() method.`);
      }
      // Param names go into a JSON path of SQL (connection usage): plain identifiers only.
      const badParam = options.connectionParams?.find((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p));
      if (badParam !== undefined) {
        throw new Error(
          `Job type "${options.name}": connectionParams "${badParam}" is not a param name.`,
        );
      }
      const repeats = options.repeats?.length ? options.repeats : [...REPEATS];
      found.set(options.name, { name: options.name, options, repeats, handler: instance });
      owners.set(options.name, metatype.name);
    }
    this.types = found;
    return found;
  }

  get(name: string): RegisteredJobType | undefined {
    return this.load().get(name);
  }

  all(): RegisteredJobType[] {
    return [...this.load().values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  names(): string[] {
    return this.all().map((t) => t.name);
  }
}

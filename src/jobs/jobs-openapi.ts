import { getSchemaPath, OpenAPIObject } from '@nestjs/swagger';
import { JobScheduleDto } from './dto/job-schedule.dto';
import { JobTypeRegistry } from './job-type.registry';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const STORE_HELP: Record<string, string> = {
  required: '`store` is required.',
  'per-store': '`store` is optional: omitted, one job is created per existing store.',
  'all-when-omitted': '`store` is optional: omitted, the job acts on every store.',
  none: 'The type takes no `store`.',
};

/** Classes Swagger must describe for the job types' bodies (pass as extraModels). */
export function jobTypeModels(registry: JobTypeRegistry): (new () => object)[] {
  return [JobScheduleDto, ...registry.all().map((t) => t.options.params)];
}

const pascal = (name: string) =>
  name.replace(/(^|[-_ ])(\w)/g, (_m, _s, c: string) => c.toUpperCase()).replace(/\W/g, '');

/**
 * Replaces the generic `/jobs/{type}` routes of the document by one set of routes
 * per registered type, whose POST and PUT bodies are the schedule props plus the
 * type's own params (with their examples).
 */
export function addJobTypesToDocument(document: OpenAPIObject, registry: JobTypeRegistry) {
  const generic = Object.keys(document.paths).filter((p) => /\/jobs\/\{type\}/.test(p));
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  for (const type of registry.all()) {
    const bodyName = `${pascal(type.name)}JobBody`;
    const info = [type.options.description, STORE_HELP[type.options.store]]
      .filter(Boolean)
      .join(' ');
    schemas[bodyName] = {
      description: `Body of POST and PUT ${type.name} jobs. ${info} repeat: ${type.repeats.join(', ')}.`,
      allOf: [
        { $ref: getSchemaPath(JobScheduleDto) },
        { $ref: getSchemaPath(type.options.params) },
      ],
    };
    for (const path of generic) {
      const item = JSON.parse(JSON.stringify(document.paths[path]));
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        op.parameters = (op.parameters ?? []).filter((p: { name?: string }) => p.name !== 'type');
        op.operationId = `${op.operationId ?? method}_${pascal(type.name)}`;
        op.tags = [`jobs: ${type.name}`];
        if (type.options.description && method === 'post') {
          op.description = `${type.options.description} ${info}`;
        }
        if (method === 'post' || method === 'put') {
          op.requestBody = {
            required: true,
            content: {
              'application/json': { schema: { $ref: `#/components/schemas/${bodyName}` } },
            },
          };
        }
      }
      document.paths[path.replace('{type}', type.name)] = item;
    }
  }
  for (const path of generic) delete document.paths[path];
  return document;
}

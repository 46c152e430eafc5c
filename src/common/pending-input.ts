import {
  createParamDecorator,
  ExecutionContext,
  PipeTransform,
  Type,
  UnprocessableEntityException,
} from '@nestjs/common';
import { Request } from 'express';
import { FieldErrors, invalidInput } from './errors';
import { InputValidationPipe } from './input-validation.pipe';

/**
 * A request body checked against its DTO, its faults held back until the service has
 * made its look-ups (an unknown store, a taken slug): `valid()` then throws one 422
 * naming every offending field, those of the DTO and those of the look-ups.
 */
export class PendingInput<T extends object> {
  constructor(
    private readonly value: T | undefined,
    private readonly sentBody: unknown,
    /** What the DTO found wrong, by field path. */
    readonly errors: FieldErrors,
  ) {}

  /** A field as sent, or undefined when absent or faulty by the DTO (nothing to look up). */
  sent<K extends keyof T & string>(field: K): T[K] | undefined {
    if (this.value) return this.value[field];
    const faulty = Object.keys(this.errors).some(
      (path) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`),
    );
    const body = this.sentBody as Record<string, unknown> | null;
    return faulty || !body || typeof body !== 'object' ? undefined : (body[field] as T[K]);
  }

  /** Every field as sent, less those the DTO found faulty. */
  sentFields(): Partial<T> {
    if (this.value) return this.value;
    const body = this.sentBody;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
    const out: Partial<T> = {};
    for (const field of Object.keys(body) as (keyof T & string)[]) {
      const value = this.sent(field);
      if (value !== undefined) out[field] = value;
    }
    return out;
  }

  /** The valid input, or a 422 naming the DTO's faults and these look-up faults together. */
  valid(lookupErrors: FieldErrors = {}): T {
    const errors = { ...this.errors, ...lookupErrors };
    if (Object.keys(errors).length || !this.value) throw invalidInput(errors);
    return this.value;
  }
}

/** Validates like the global pipe, but hands the faults on instead of throwing them. */
class PendingInputPipe implements PipeTransform {
  private readonly validation = new InputValidationPipe();

  constructor(private readonly dto: Type<object>) {}

  async transform(body: unknown): Promise<PendingInput<object>> {
    try {
      const value = (await this.validation.transform(body, {
        type: 'body',
        metatype: this.dto,
      })) as object;
      return new PendingInput(value, body, {});
    } catch (e) {
      const errors = e instanceof UnprocessableEntityException && faultsOf(e);
      if (!errors) throw e;
      return new PendingInput<object>(undefined, body, errors);
    }
  }
}

function faultsOf(e: UnprocessableEntityException): FieldErrors | undefined {
  return (e.getResponse() as { errors?: FieldErrors }).errors;
}

const RequestBody = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request>().body,
);

/**
 * The body as a PendingInput of `dto`, for a route whose service looks fields up before it
 * can name every fault (pair with `@ApiBody({ type: dto })` for Swagger).
 */
export const InputBody = (dto: Type<object>): ParameterDecorator =>
  RequestBody(new PendingInputPipe(dto));

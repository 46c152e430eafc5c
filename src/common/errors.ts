import { HttpStatus, UnprocessableEntityException } from '@nestjs/common';
import { ValidationError } from 'class-validator';

export type FieldErrors = Record<string, string[]>;

/** 422 naming each offending field: `{"message": "...", "errors": {"field": ["..."]}}`. */
export function invalidInput(errors: FieldErrors, message = 'The given data was invalid.') {
  return new UnprocessableEntityException({ message, errors });
}

/** Flattens class-validator errors into `{ "a.b[0].c": ["..."] }`. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    const path = prefix
      ? /^\d+$/.test(e.property)
        ? `${prefix}[${e.property}]`
        : `${prefix}.${e.property}`
      : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children?.length) Object.assign(out, flattenValidationErrors(e.children, path));
  }
  return out;
}

export function validationExceptionFactory(errors: ValidationError[]) {
  return invalidInput(flattenValidationErrors(errors));
}

export const UNPROCESSABLE = HttpStatus.UNPROCESSABLE_ENTITY;

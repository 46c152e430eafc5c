import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt } from 'class-validator';

const DECIMAL_INTEGER = /^-?[0-9]+$/;

/** `"42"` as 42; anything else (empty, blank, hex, exponent, fraction) as sent, to be refused. */
export function decimalInteger(value: unknown): unknown {
  if (typeof value !== 'string' || !DECIMAL_INTEGER.test(value)) return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/**
 * An integer query parameter: plain decimal digits only, so `level=`, `level=0x3`,
 * `limit=1e1` or `job=1.0` are a 400 naming the parameter, not a number Number() made up.
 */
export const QueryInt = () =>
  applyDecorators(
    Transform(({ value }) => decimalInteger(value)),
    IsInt({ message: ({ property }) => `${property} must be a decimal integer` }),
  );

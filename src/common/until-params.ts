import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, ValidateBy, ValidateIf } from 'class-validator';
import { parseUntilDate, UNTIL_VALUES } from './until';

/** The `until` param of a job's DTO (jobs.md, common params): one of UNTIL_VALUES. */
export function UntilParam(description: string, example = '1_month'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, enum: UNTIL_VALUES, description }),
    IsIn(UNTIL_VALUES),
  );
}

/**
 * The `until_date` param beside UntilParam: required when until is "date", and a value
 * the run can read (parseUntilDate, the cutoff's own reader).
 */
export function UntilDateParam(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      example: '2026-01-31T23:59:59Z',
      nullable: true,
      description: 'ISO 8601 cutoff, required when until is "date"; a bare date means its end.',
    }),
    ValidateIf(
      (o: { until?: string; until_date?: unknown }) => o.until === 'date' || o.until_date != null,
    ),
    IsDefined({ message: 'until_date is required when until is "date"' }),
    ValidateBy({
      name: 'isUntilDate',
      validator: {
        validate: (value) => parseUntilDate(value) !== null,
        defaultMessage: () =>
          'until_date must be an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM])',
      },
    }),
  );
}

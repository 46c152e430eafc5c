import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsInt, IsISO8601, Max, Min, ValidateIf } from 'class-validator';
import { Until, UNTIL_VALUES } from '../../common/until';

/** Params of a logs-deletion job (jobs.md); `store` and the schedule are the engine's. */
export class LogsDeletionParams {
  @ApiProperty({
    example: 1,
    minimum: 0,
    maximum: 7,
    description: 'Deletes entries of this level and below (0 debug .. 7 emergency).',
  })
  @IsInt()
  @Min(0)
  @Max(7)
  max_level: number;

  @ApiProperty({
    example: '1_month',
    enum: UNTIL_VALUES,
    description: 'Deletes entries stored at or before the run start minus this period.',
  })
  @IsIn(UNTIL_VALUES)
  until: Until;

  @ApiPropertyOptional({
    example: '2026-01-31T23:59:59Z',
    nullable: true,
    description: 'ISO 8601 cutoff, required when until is "date"; a bare date means its end.',
  })
  @ValidateIf((o: LogsDeletionParams) => o.until === 'date' || o.until_date != null)
  @IsDefined({ message: 'until_date is required when until is "date"' })
  @IsISO8601({ strict: true })
  until_date?: string | null;
}

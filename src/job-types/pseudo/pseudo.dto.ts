import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsISO8601, ValidateIf } from 'class-validator';
import { Until, UNTIL_VALUES } from '../../common/until';

/** Params of a pseudo job (jobs.md); `store` and the schedule are the engine's. */
export class PseudoParams {
  @ApiProperty({
    example: '1_month',
    enum: UNTIL_VALUES,
    description: 'Pseudonymizes statements stored at or before the run start minus this period.',
  })
  @IsIn(UNTIL_VALUES)
  until: Until;

  @ApiPropertyOptional({
    example: '2026-01-31T23:59:59Z',
    nullable: true,
    description: 'ISO 8601 cutoff, required when until is "date"; a bare date means its end.',
  })
  @ValidateIf((o: PseudoParams) => o.until === 'date' || o.until_date != null)
  @IsDefined({ message: 'until_date is required when until is "date"' })
  @IsISO8601({ strict: true })
  until_date?: string | null;
}

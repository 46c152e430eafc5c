import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsInt, IsISO8601, Min, ValidateIf } from 'class-validator';
import { Until, UNTIL_VALUES } from '../../common/until';
import { TRANSFER_SERVICES, TransferService } from './transfer-connections';

/** Params pull and push share (jobs.md); `store` and the schedule are the engine's. */
export class TransferParams {
  @ApiProperty({
    example: 'statements',
    enum: TRANSFER_SERVICES,
    description: 'What moves; an lrs connection carries statements only.',
  })
  @IsIn(TRANSFER_SERVICES)
  service: TransferService;

  @ApiProperty({
    example: 'now',
    enum: UNTIL_VALUES,
    description: 'Moves records stored at or before the run start minus this period.',
  })
  @IsIn(UNTIL_VALUES)
  until: Until;

  @ApiPropertyOptional({
    example: '2026-01-31T23:59:59Z',
    nullable: true,
    description: 'ISO 8601 cutoff, required when until is "date"; a bare date means its end.',
  })
  @ValidateIf((o: TransferParams) => o.until === 'date' || o.until_date != null)
  @IsDefined({ message: 'until_date is required when until is "date"' })
  @IsISO8601({ strict: true })
  until_date?: string | null;

  @ApiProperty({ example: 3, description: 'Internal id of an lrs or file connection.' })
  @IsInt()
  @Min(1)
  connection: number;
}

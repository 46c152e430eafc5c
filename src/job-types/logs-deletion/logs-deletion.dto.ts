import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { Until } from '../../common/until';
import { UntilDateParam, UntilParam } from '../../common/until-params';

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

  @UntilParam('Deletes entries stored at or before the run start minus this period.')
  until: Until;

  @UntilDateParam()
  until_date?: string | null;
}

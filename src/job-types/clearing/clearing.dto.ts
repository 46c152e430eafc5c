import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Until } from '../../common/until';
import { UntilDateParam, UntilParam } from '../../common/until-params';
import { SERVICE_PARAM_VALUES, ServiceParam } from '../../database/store-scoped';
import { DryRunParams } from '../../jobs/dry-run';

export const CLEARING_SERVICES = SERVICE_PARAM_VALUES;
export type ClearingService = ServiceParam;

/** Params of a clearing job (jobs.md); `store` and the schedule are the engine's. */
export class ClearingParams extends DryRunParams {
  @ApiProperty({
    example: 'statements',
    enum: CLEARING_SERVICES,
    description: 'The records to delete: one xAPI service, or all of them.',
  })
  @IsIn(CLEARING_SERVICES)
  service: ClearingService;

  @UntilParam('Deletes records stored at or before the run start minus this period.', '1_year')
  until: Until;

  @UntilDateParam()
  until_date?: string | null;
}

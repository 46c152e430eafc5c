import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Min } from 'class-validator';
import { Until } from '../../common/until';
import { UntilDateParam, UntilParam } from '../../common/until-params';
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

  @UntilParam('Moves records stored at or before the run start minus this period.', 'now')
  until: Until;

  @UntilDateParam()
  until_date?: string | null;

  @ApiProperty({ example: 3, description: 'Internal id of an lrs or file connection.' })
  @IsInt()
  @Min(1)
  connection: number;
}

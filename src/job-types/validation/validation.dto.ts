import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { DryRunParams } from '../../jobs/dry-run';

/** Params of a validation job (jobs.md); `store` and the schedule are the engine's. */
export class ValidationParams extends DryRunParams {
  @ApiProperty({
    example: true,
    description:
      'true: delete the invalid statements (with their index rows and attachments), ' +
      'including those an earlier run found invalid; false: only mark them.',
  })
  @IsBoolean()
  clear: boolean;
}

import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';

export const CMI5_TOKENS_UNTIL = ['now', '1_hour', '1_day', '1_week'] as const;
export type Cmi5TokensUntil = (typeof CMI5_TOKENS_UNTIL)[number];

/** Params of the cmi5-tokens-deletion job (jobs.md); `store` is handled by the engine. */
export class Cmi5TokensDeletionParams {
  @ApiProperty({
    enum: CMI5_TOKENS_UNTIL,
    example: '1_day',
    description: 'Delete the tokens created at or before (run start minus this period)',
  })
  @IsIn(CMI5_TOKENS_UNTIL, { message: `until must be one of: ${CMI5_TOKENS_UNTIL.join(', ')}` })
  until: Cmi5TokensUntil;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { TransferParams } from '../transfer/transfer.dto';

/** Params of a push job (jobs.md). */
export class PushParams extends TransferParams {
  @ApiPropertyOptional({
    example: false,
    description: 'File connections: statement lines are the bare statements.',
  })
  @IsOptional()
  @IsBoolean()
  raw?: boolean;

  @ApiPropertyOptional({
    example: false,
    description: 'Services other than statements: select by updated, so changes go again.',
  })
  @IsOptional()
  @IsBoolean()
  sync_updates?: boolean;

  @ApiPropertyOptional({
    example: false,
    description: 'Send pseudonymized copies (stored data unchanged).',
  })
  @IsOptional()
  @IsBoolean()
  pseudonymize_statements?: boolean;
}

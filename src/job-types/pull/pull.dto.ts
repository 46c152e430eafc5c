import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { TransferParams } from '../transfer/transfer.dto';

/** Params of a pull job (jobs.md): the shared ones and the xAPI pipeline options. */
export class PullParams extends TransferParams {
  @ApiPropertyOptional({ example: true, description: 'Pipeline option (PIPELINE_DEFAULT_*).' })
  @IsOptional()
  @IsBoolean()
  validate_statements?: boolean;

  @ApiPropertyOptional({ example: true, description: 'Pipeline option.' })
  @IsOptional()
  @IsBoolean()
  check_conflicts?: boolean;

  @ApiPropertyOptional({ example: true, description: 'Pipeline option.' })
  @IsOptional()
  @IsBoolean()
  void_statements?: boolean;

  @ApiPropertyOptional({ example: true, description: 'Pipeline option.' })
  @IsOptional()
  @IsBoolean()
  update_activities?: boolean;

  @ApiPropertyOptional({ example: true, description: 'Pipeline option.' })
  @IsOptional()
  @IsBoolean()
  update_agents?: boolean;

  @ApiPropertyOptional({ example: true, description: 'Pipeline option.' })
  @IsOptional()
  @IsBoolean()
  update_vocab?: boolean;

  @ApiPropertyOptional({ example: true, description: 'Pipeline option.' })
  @IsOptional()
  @IsBoolean()
  update_activity_ids?: boolean;

  @ApiPropertyOptional({ example: true, description: 'Pipeline option.' })
  @IsOptional()
  @IsBoolean()
  update_agent_ids?: boolean;

  @ApiPropertyOptional({ example: 'pull-from-old-lrs', description: 'Authority account name.' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  authority_name?: string;

  @ApiPropertyOptional({ example: 'https://lrs.example.org', description: 'Authority homePage.' })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  @MaxLength(2048)
  authority_homepage?: string;
}

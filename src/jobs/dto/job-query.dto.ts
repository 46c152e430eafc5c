import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { SERVICE_PARAM_VALUES } from '../../database/store-scoped';
import { LogPageQuery } from '../../logging/dto/log-query.dto';

export class JobListQuery {
  @ApiPropertyOptional({ description: 'Slug of a store', example: 'default' })
  @IsOptional()
  @IsString()
  store?: string;

  @ApiPropertyOptional({
    description: 'The service param of the jobs',
    enum: SERVICE_PARAM_VALUES,
    example: 'statements',
  })
  @IsOptional()
  @IsIn(SERVICE_PARAM_VALUES)
  service?: string;
}

export class JobDeleteQuery {
  @ApiPropertyOptional({ description: 'Only the jobs of this store (slug)', example: 'default' })
  @IsOptional()
  @IsString()
  store?: string;
}

/** A job's log entries page like the system log. */
export class JobLogsQuery extends LogPageQuery {}

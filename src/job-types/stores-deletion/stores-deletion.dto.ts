import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Min } from 'class-validator';

/** Params of a stores-deletion job (jobs.md): the store is named by internal id. */
export class StoresDeletionParams {
  @ApiProperty({ example: 2, minimum: 1, description: 'Internal id of the store to delete.' })
  @IsInt()
  @Min(1)
  store_id: number;
}

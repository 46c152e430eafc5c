import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CONFIG_NAME } from './seeding-config';

/** Params of a seeding job (jobs.md "seeding"); `store` (required) and the schedule are the engine's. */
export class SeedingParams {
  @ApiPropertyOptional({
    example: 'course',
    nullable: true,
    description:
      'Name of a JSON config in SEEDING_PATH, without ".json" (the repository ships small, ' +
      'course and million); empty or omitted: the built-in default.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(new RegExp(`^$|${CONFIG_NAME.source}`), {
    message: 'config must be a config name: letters, digits, ".", "_" and "-"',
  })
  config?: string | null;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { XapiVersion } from '../../xapi/common/xapi-endpoint';
import { SLUG_MESSAGE, SLUG_PATTERN } from '../../access/slug';
import { SECTIONS } from './checks/check';

export const TESTSUITE_VERSIONS: XapiVersion[] = ['1.0.3', '2.0.0'];

/** Params of a testsuite job (jobs.md); `store` and the schedule are the engine's. */
export class TestsuiteParams {
  @ApiProperty({
    example: 'lms',
    description: 'Slug of the client whose xAPI endpoint is checked; a client of `store`.',
  })
  @IsString()
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  @Length(1, 100)
  client: string;

  @ApiPropertyOptional({
    example: 'statements-query',
    description:
      `One section of the built-in checks (${SECTIONS.join(', ')}); omitted: all. ` +
      'With TESTSUITE_PATH set, a pattern passed to the ADL suite as -g.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  section?: string | null;

  @ApiPropertyOptional({
    example: '1.0.3',
    enum: TESTSUITE_VERSIONS,
    description: 'xAPI version the checks speak (X-Experience-API-Version); default 1.0.3.',
  })
  @IsOptional()
  @IsIn(TESTSUITE_VERSIONS, { message: `version must be one of ${TESTSUITE_VERSIONS.join(', ')}` })
  version?: XapiVersion | null;
}

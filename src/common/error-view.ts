import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape of the API, for the OpenAPI document. */
export class ErrorView {
  @ApiProperty({ example: 'The given data was invalid.' })
  message: string;

  @ApiPropertyOptional({
    description: 'Only for input errors (422): each offending field and its messages',
    example: { slug: ['The slug "default" is already taken.'] },
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  })
  errors?: Record<string, string[]>;
}

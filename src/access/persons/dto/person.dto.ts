import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsString } from 'class-validator';

const AGENT_EXAMPLES = [
  { objectType: 'Agent', name: 'Ada Lovelace', mbox: 'mailto:ada@example.com' },
  { objectType: 'Agent', account: { homePage: 'https://lms.example.com', name: 'ada.l' } },
];

export class LinkPersonDto {
  @ApiProperty({ example: 'default', description: 'Slug of the store the agents belong to' })
  @IsString()
  @IsNotEmpty()
  store: string;

  @ApiProperty({
    example: AGENT_EXAMPLES,
    description:
      'xAPI agents, each with exactly one identifier (mbox, mbox_sha1sum, openid or account). ' +
      'Their persons, if any, are merged into the new one.',
    type: 'array',
    items: { type: 'object' },
    minItems: 1,
    maxItems: 100,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  agents: Record<string, unknown>[];
}

export class PersonView {
  @ApiProperty({ example: 7 }) id: number;
  @ApiProperty({ example: 'default' }) store: string;
  @ApiProperty({ example: AGENT_EXAMPLES, type: 'array', items: { type: 'object' } })
  agents: Record<string, unknown>[];
}

export class PersonResponse {
  @ApiProperty({ type: PersonView }) data: PersonView;
}

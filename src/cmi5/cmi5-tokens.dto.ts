import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import { agentProblem } from '../xapi/documents/document-params';

/** An xAPI Agent (not a Group) with exactly one well-formed identifier. */
function IsXapiAgent(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isXapiAgent',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) =>
          agentProblem(value) === null && (value as any).objectType !== 'Group',
        defaultMessage: (args) => {
          const value = args?.value as any;
          if (value && typeof value === 'object' && value.objectType === 'Group') {
            return 'agent must be an Agent, not a Group';
          }
          return `agent ${agentProblem(value) ?? 'is not a valid xAPI Agent'}`;
        },
      },
    });
}

export class CreateCmi5TokenDto {
  @ApiProperty({ example: 'https://example.com/courses/1/au/intro' })
  @IsString()
  @MaxLength(2048)
  @Matches(/^[a-z][a-z0-9+.-]*:\S+$/i, { message: 'activity_id must be an IRI' })
  activity_id: string;

  @ApiProperty({
    example: {
      objectType: 'Agent',
      account: { homePage: 'https://lms.example.com', name: 'learner-42' },
    },
  })
  @IsObject()
  @IsXapiAgent()
  agent: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7' })
  @IsOptional()
  @IsUUID('all')
  registration?: string;
}

export class Cmi5TokenResponse {
  @ApiProperty({ example: 'q3Jx2C0bKqK2Wl0tq7wY1n6m8d2Yc7pA' })
  token: string;

  @ApiProperty({ example: 'http://localhost:8080/api/lms/xapi/' })
  endpoint: string;

  @ApiProperty({
    example: 'http://localhost:8080/api/lms/cmi5/fetch/q3Jx2C0bKqK2Wl0tq7wY1n6m8d2Yc7pA',
  })
  fetch: string;
}

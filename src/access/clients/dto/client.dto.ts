import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
  ValidationArguments,
  ValidationOptions,
  registerDecorator,
} from 'class-validator';
import { Client, Permission, PERMISSIONS, PipelineOptions } from '../../client.entity';
import { SLUG_MESSAGE, SLUG_PATTERN } from '../../slug';
import { IsClientUsername, USERNAME_MAX_LENGTH } from '../../username';
import { PIPELINE_KEYS } from '../../../config/app-config';

/** The per-client xAPI pipeline options (xapi.md); unset keys use PIPELINE_DEFAULT_*. */
export class PipelineOptionsDto implements PipelineOptions {
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() validate_statements?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() check_conflicts?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() void_statements?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() update_activities?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() update_agents?: boolean;
  @ApiPropertyOptional({ example: false }) @IsOptional() @IsBoolean() update_vocab?: boolean;
  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  update_activity_ids?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() update_agent_ids?: boolean;

  @ApiPropertyOptional({
    example: 'Training LMS',
    description: 'With authority_homepage: the authority given to every recorded statement',
    maxLength: 255,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  authority_name?: string;

  @ApiPropertyOptional({ example: 'https://lms.example.com', maxLength: 2048 })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2048)
  authority_homepage?: string;
}

const PIPELINE_OPTION_NAMES: string[] = [...PIPELINE_KEYS, 'authority_name', 'authority_homepage'];

/**
 * No unknown option (a typo would otherwise be dropped silently), and the
 * authority given as a pair: name and homepage make one account.
 */
function IsPipelineShape(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPipelineShape',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate(value: unknown) {
          if (!value || typeof value !== 'object') return true; // IsObject reports it
          const v = value as Record<string, unknown>;
          const keys = Object.keys(v).filter((k) => v[k] !== undefined);
          if (keys.some((k) => !PIPELINE_OPTION_NAMES.includes(k))) return false;
          return (v.authority_name === undefined) === (v.authority_homepage === undefined);
        },
        defaultMessage(args: ValidationArguments) {
          const v = args.value as Record<string, unknown>;
          const unknown = Object.keys(v).filter(
            (k) => v[k] !== undefined && !PIPELINE_OPTION_NAMES.includes(k),
          );
          return unknown.length
            ? `pipeline has unknown options: ${unknown.join(', ')} (known: ${PIPELINE_OPTION_NAMES.join(', ')})`
            : 'pipeline authority_name and authority_homepage must be given together';
        },
      },
    });
}

const SLUG_DOC = { pattern: SLUG_PATTERN.source, maxLength: 100 };

export class CreateClientDto {
  @ApiProperty({ example: 'lms', ...SLUG_DOC, description: 'Its base endpoint is /api/<slug>' })
  @IsString()
  @MaxLength(100)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug: string;

  @ApiProperty({ example: 'Training LMS', maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @ApiProperty({ example: 'lms-user', maxLength: USERNAME_MAX_LENGTH })
  @IsClientUsername()
  username: string;

  @ApiProperty({
    example: 'a-long-random-secret',
    writeOnly: true,
    minLength: 8,
    maxLength: 1024,
    description: 'Write-only; kept as a slow hash',
  })
  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  password: string;

  @ApiProperty({ example: 'default', description: 'Slug of the store the client works in' })
  @IsString()
  @IsNotEmpty()
  store: string;

  @ApiPropertyOptional({
    example: ['xapi/all'],
    enum: PERMISSIONS,
    isArray: true,
    default: [],
  })
  @IsOptional()
  @IsArray()
  @IsIn(PERMISSIONS, {
    each: true,
    message: `each value in permissions must be one of: ${PERMISSIONS.join(', ')}`,
  })
  permissions?: Permission[];

  @ApiPropertyOptional({ type: PipelineOptionsDto, default: {} })
  @IsOptional()
  @IsObject()
  @IsPipelineShape()
  @ValidateNested()
  @Type(() => PipelineOptionsDto)
  pipeline?: PipelineOptionsDto;
}

/** Fields left out keep their value; `password` only when it changes. */
export class UpdateClientDto extends PartialType(CreateClientDto) {}

export class ClientView {
  @ApiProperty({ example: 'lms' }) slug: string;
  @ApiProperty({ example: 'Training LMS' }) name: string;
  @ApiProperty({ example: 'lms-user' }) username: string;
  @ApiProperty({ example: 'default', description: 'Slug of its store' }) store: string;
  @ApiProperty({ example: ['xapi/all'], enum: PERMISSIONS, isArray: true })
  permissions: Permission[];
  @ApiProperty({ type: PipelineOptionsDto, example: { update_vocab: false } })
  pipeline: PipelineOptions;
  @ApiProperty({
    example: 'http://localhost:8080/api/lms',
    readOnly: true,
    description: 'The client base endpoint',
  })
  endpoint: string;
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'Temporary credentials expire; null: never',
  })
  expires_at: string | null;
  @ApiProperty({ example: '2026-11-28T14:45:33.123Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-28T14:45:33.123Z' }) updated_at: string;

  /** Never the password nor its hash. */
  static of(c: Client, storeSlug: string, origin: string): ClientView {
    return {
      slug: c.slug,
      name: c.name,
      username: c.username,
      store: storeSlug,
      permissions: c.permissions,
      pipeline: c.pipeline ?? {},
      endpoint: `${origin}/api/${c.slug}`,
      expires_at: c.expiresAt ? c.expiresAt.toISOString() : null,
      created_at: c.createdAt.toISOString(),
      updated_at: c.updatedAt.toISOString(),
    };
  }
}

export class ClientResponse {
  @ApiProperty({ type: ClientView }) data: ClientView;
}

export class ClientListResponse {
  @ApiProperty({ type: ClientView, isArray: true }) data: ClientView[];
}

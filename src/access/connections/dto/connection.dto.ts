import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { Connection, ConnectionType } from '../../connection.entity';

export const CONNECTION_TYPES: ConnectionType[] = ['lrs', 'file'];
export const XAPI_VERSIONS = ['1.0.3', '2.0.0'] as const;
export type ConnectionXapiVersion = (typeof XAPI_VERSIONS)[number];

// Credentials embedded in the URL would be stored and shown in clear: refused.
const URL_OPTIONS = {
  require_tld: false,
  require_protocol: true,
  protocols: ['http', 'https'],
  disallow_auth: true,
};
const URL_MESSAGE = {
  message: 'endpoint must be an http(s) URL without credentials (give username and password)',
};
const isLrs = (o: { type?: string }) => o.type === 'lrs';
const isFile = (o: { type?: string }) => o.type === 'file';

export class CreateConnectionDto {
  @ApiProperty({ example: 'Company LRS', maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @ApiProperty({ example: 'lrs', enum: CONNECTION_TYPES })
  @IsIn(CONNECTION_TYPES)
  type: ConnectionType;

  @ApiPropertyOptional({
    example: 'https://lrs.example.com/xapi',
    description: 'lrs only (required): the remote xAPI endpoint',
    maxLength: 2048,
  })
  @ValidateIf(isLrs)
  @IsUrl(URL_OPTIONS, URL_MESSAGE)
  @MaxLength(2048)
  endpoint?: string;

  @ApiPropertyOptional({ example: 'remote-user', description: 'lrs only (required)' })
  @ValidateIf(isLrs)
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  username?: string;

  @ApiPropertyOptional({
    example: 'remote-secret',
    writeOnly: true,
    description: 'lrs only (required): write-only, encrypted at rest, never returned',
    maxLength: 1024,
  })
  @ValidateIf(isLrs)
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ example: '1.0.3', enum: XAPI_VERSIONS, default: '1.0.3' })
  @ValidateIf((o) => isLrs(o) && o.version !== undefined)
  @IsIn(XAPI_VERSIONS)
  version?: ConnectionXapiVersion;

  @ApiPropertyOptional({
    example: 'exports/2026',
    description: 'file only (required): a folder relative to FILES_PATH, created on save',
    maxLength: 1024,
  })
  @ValidateIf(isFile)
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  folder?: string;

  @ApiPropertyOptional({
    example: 'statements-',
    description: 'file only: the start of every file name written or read',
    maxLength: 255,
  })
  @ValidateIf((o) => isFile(o) && o.prefix !== undefined)
  @IsString()
  @MaxLength(255)
  @Matches(/^[^/\\\0]*$/, { message: 'prefix must not contain a slash' })
  prefix?: string;
}

/**
 * Fields left out keep their value; the result must still be a whole connection. Not a
 * PartialType of the create DTO: its `type`-conditional rules would skip the fields of a
 * body that leaves `type` out.
 */
export class UpdateConnectionDto {
  @ApiPropertyOptional({ example: 'Company LRS', maxLength: 255 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional({ example: 'lrs', enum: CONNECTION_TYPES })
  @IsOptional()
  @IsIn(CONNECTION_TYPES)
  type?: ConnectionType;

  @ApiPropertyOptional({ example: 'https://lrs.example.com/xapi', maxLength: 2048 })
  @IsOptional()
  @IsUrl(URL_OPTIONS, URL_MESSAGE)
  @MaxLength(2048)
  endpoint?: string;

  @ApiPropertyOptional({ example: 'remote-user', maxLength: 255 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  username?: string;

  @ApiPropertyOptional({ example: 'new-remote-secret', writeOnly: true, maxLength: 1024 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ example: '2.0.0', enum: XAPI_VERSIONS })
  @IsOptional()
  @IsIn(XAPI_VERSIONS)
  version?: ConnectionXapiVersion;

  @ApiPropertyOptional({ example: 'exports/2027', maxLength: 1024 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  folder?: string;

  @ApiPropertyOptional({ example: 'statements-', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(/^[^/\\\0]*$/, { message: 'prefix must not contain a slash' })
  prefix?: string;
}

export class ConnectionView {
  @ApiProperty({ example: 3 }) id: number;
  @ApiProperty({ example: 'Company LRS' }) name: string;
  @ApiProperty({ example: 'lrs', enum: CONNECTION_TYPES }) type: ConnectionType;
  @ApiPropertyOptional({ example: 'https://lrs.example.com/xapi', description: 'lrs only' })
  endpoint?: string;
  @ApiPropertyOptional({ example: 'remote-user', description: 'lrs only' }) username?: string;
  @ApiPropertyOptional({ example: '1.0.3', enum: XAPI_VERSIONS, description: 'lrs only' })
  version?: string;
  @ApiPropertyOptional({ example: 'exports/2026', description: 'file only' }) folder?: string;
  @ApiPropertyOptional({ example: 'statements-', description: 'file only' }) prefix?: string;
  @ApiProperty({ example: '2026-11-28T14:45:33.123Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-28T14:45:33.123Z' }) updated_at: string;

  /** Never the password, clear or encrypted. */
  static of(c: Connection): ConnectionView {
    const typed =
      c.type === 'lrs'
        ? { endpoint: c.endpoint ?? '', username: c.username ?? '', version: c.version ?? '1.0.3' }
        : { folder: c.folder ?? '.', prefix: c.prefix ?? '' };
    return {
      id: c.id,
      name: c.name,
      type: c.type,
      ...typed,
      created_at: c.createdAt.toISOString(),
      updated_at: c.updatedAt.toISOString(),
    };
  }
}

export class ConnectionResponse {
  @ApiProperty({ type: ConnectionView }) data: ConnectionView;
}

export class ConnectionListResponse {
  @ApiProperty({ type: ConnectionView, isArray: true }) data: ConnectionView[];
}

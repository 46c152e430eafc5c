import { ApiProperty, PartialType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { SLUG_MESSAGE, SLUG_PATTERN } from '../../slug';
import { Store } from '../../store.entity';

export class CreateStoreDto {
  @ApiProperty({ example: 'training', pattern: SLUG_PATTERN.source, maxLength: 100 })
  @IsString()
  @MaxLength(100)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug: string;

  @ApiProperty({ example: 'Training store', maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;
}

/** Fields left out keep their value. */
export class UpdateStoreDto extends PartialType(CreateStoreDto) {}

export class StoreView {
  @ApiProperty({ example: 2, description: 'Internal id (used by the stores-deletion job)' })
  id: number;
  @ApiProperty({ example: 'training' }) slug: string;
  @ApiProperty({ example: 'Training store' }) name: string;
  @ApiProperty({ example: '2026-11-28T14:45:33.123Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-28T14:45:33.123Z' }) updated_at: string;

  static of(s: Store): StoreView {
    return {
      id: s.id,
      slug: s.slug,
      name: s.name,
      created_at: s.createdAt.toISOString(),
      updated_at: s.updatedAt.toISOString(),
    };
  }
}

export class StoreResponse {
  @ApiProperty({ type: StoreView }) data: StoreView;
}

export class StoreListResponse {
  @ApiProperty({ type: StoreView, isArray: true }) data: StoreView[];
}

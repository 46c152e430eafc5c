import { ConflictException } from '@nestjs/common';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../common/columns';

@Entity('stores')
export class Store {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 100 })
  slug: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;

  /**
   * Set by stores-deletion before its first batch and kept until the store row goes:
   * from then on the store's requests and new jobs answer 409, so that nobody reads
   * half-deleted data; running the deletion again finishes it.
   */
  @TimestampColumn({ nullable: true })
  deletingAt: Date | null;

  /**
   * Raised in the transaction of every deletion or rewrite of the store's agents,
   * activities or vocabulary (clearing, agent-deletion, pseudo, ...): an instance that
   * reads a higher value than it last saw drops what its recorder cache knows of the store
   * (RecordCache.syncStore), so no instance goes on trusting records deleted elsewhere.
   */
  @Column({ type: 'int', default: 0 })
  recordsVersion: number;
}

/** 409 for anything that would read or write a store being deleted. */
export function storeBeingDeleted(store: Pick<Store, 'slug' | 'deletingAt'>): ConflictException {
  return new ConflictException(
    `The store "${store.slug}" is being deleted (since ${store.deletingAt?.toISOString()}): ` +
      'it takes no requests and no new jobs.',
  );
}

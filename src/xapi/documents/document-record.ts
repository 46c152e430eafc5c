import { Column, PrimaryGeneratedColumn } from 'typeorm';
import { JsonColumn, TimestampColumn } from '../../common/columns';

/** The document's bytes: as text when they are valid UTF-8, else base64. */
export type DocumentContent = { utf8: string } | { base64: string };

/**
 * Columns shared by the three xAPI document tables (state, activity profile,
 * agent profile). `content` is a JSON column holding `{"utf8": text}` or
 * `{"base64": bytes}` (an object, so that no driver parses it twice). A JSON column is
 * LONGTEXT-sized on MySQL/MariaDB (a BLOB or TEXT stops at 64 KB) and plain
 * text on SQLite, so one entity fits both drivers.
 */
export abstract class DocumentRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'integer' })
  storeId: number;

  /**
   * sha1 of the document's context: activity + agent for states, the activity
   * for activity profiles, the agent for agent profiles. Lists and deletions
   * of a context go through it.
   */
  @Column({ type: 'varchar', length: 40 })
  contextKey: string;

  /** sha1 of the context, registration and document id: one row per document. */
  @Column({ type: 'varchar', length: 40 })
  docKey: string;

  @JsonColumn()
  content: DocumentContent;

  @Column({ type: 'varchar', length: 255 })
  contentType: string;

  /** sha1 of the content bytes, hex. */
  @Column({ type: 'varchar', length: 40 })
  etag: string;

  @TimestampColumn()
  stored: Date;

  @TimestampColumn()
  updated: Date;
}

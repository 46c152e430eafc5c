import { Injectable } from '@nestjs/common';
import { createHash } from 'crypto';
import { EntityManager } from 'typeorm';
import { ATTACHMENT_PART_BYTES, Attachment } from './entities/attachment.entity';
import { bulkInsert, chunks } from './bulk-insert';
import { AttachmentPart, PreparedStatement } from './statement-preparer';

/** sha256 hex of a buffer, as X-Experience-API-Hash carries it. */
export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Stores the raw attachment parts of written statements: one set of rows per
 * statement and hash, the content cut in ATTACHMENT_PART_BYTES pieces.
 */
@Injectable()
export class AttachmentWriter {
  async write(
    em: EntityManager,
    storeId: number,
    written: PreparedStatement[],
    rowIds: Map<string, number>,
    attachments: AttachmentPart[],
    now: Date,
  ): Promise<void> {
    if (!attachments.length) return;
    const bySha = new Map(attachments.map((a) => [a.sha2, a]));
    for (const p of written) {
      const list: any[] = Array.isArray(p.data.attachments) ? p.data.attachments : [];
      const done = new Set<string>();
      for (const meta of list) {
        const part = meta && bySha.get(meta.sha2);
        if (!part || done.has(part.sha2)) continue;
        done.add(part.sha2);
        const rows: Partial<Attachment>[] = [];
        for (
          let i = 0, n = 0;
          i < Math.max(part.content.length, 1);
          i += ATTACHMENT_PART_BYTES, n++
        ) {
          rows.push({
            storeId,
            statementRowId: rowIds.get(p.statementId)!,
            sha2: part.sha2,
            contentType: part.contentType.slice(0, 255),
            length: part.content.length,
            part: n,
            content: part.content.subarray(i, i + ATTACHMENT_PART_BYTES),
            stored: now,
          });
        }
        for (const c of chunks(rows, 10)) {
          await bulkInsert(em, Attachment, c as Record<string, unknown>[]);
        }
      }
    }
  }
}

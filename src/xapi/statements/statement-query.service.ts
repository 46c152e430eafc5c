import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { Attachment } from './entities/attachment.entity';
import { Statement } from './entities/statement.entity';
import { iriKey } from './index-keys';

export interface StatementFilters {
  /** agentVid() of the `agent` parameter. */
  agentVid?: string;
  verb?: string;
  activity?: string;
  registration?: string;
  relatedActivities?: boolean;
  relatedAgents?: boolean;
  since?: Date;
  until?: Date;
  ascending?: boolean;
  /** read/mine: only what this client stored. */
  clientId?: number;
  /** Restricted credentials: only statements whose actor is this agent. */
  actorVid?: string;
}

/** Keyset position: rows after `after` (in the page order), never above `bound`. */
export interface StatementCursor {
  after: number | null;
  bound: number;
}

export interface StatementPage {
  rows: Statement[];
  next: StatementCursor | null;
}

const MAIN_AGENT_ROLES = ['actor', 'object'];

export function encodeCursor(c: StatementCursor): string {
  return `${c.after ?? 0}.${c.bound}`;
}

export function decodeCursor(raw: string): StatementCursor | null {
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(raw);
  if (!m) return null;
  const after = Number(m[1]);
  return { after: after === 0 ? null : after, bound: Number(m[2]) };
}

/** Reads of the statements resource: single statements, filtered pages, attachments. */
@Injectable()
export class StatementQueryService {
  constructor(private readonly dataSource: DataSource) {}

  async findOne(storeId: number, statementId: string): Promise<Statement | null> {
    return this.dataSource
      .getRepository(Statement)
      .findOne({ where: { storeId, statementId: statementId.toLowerCase() } });
  }

  /** The current upper bound of the keyset: the highest statement row id of the store. */
  async currentBound(storeId: number): Promise<number> {
    const [row] = await this.dataSource.query(
      'SELECT MAX(id) AS m FROM statements WHERE store_id = ?',
      [storeId],
    );
    return Number(row?.m ?? 0);
  }

  async page(
    storeId: number,
    f: StatementFilters,
    limit: number,
    cursor: StatementCursor,
  ): Promise<StatementPage> {
    const q = this.dataSource
      .getRepository(Statement)
      .createQueryBuilder('s')
      .where('s.storeId = :storeId', { storeId })
      .andWhere('s.voided = :voided', { voided: false })
      .andWhere('s.id <= :bound', { bound: cursor.bound });
    if (cursor.after !== null) {
      q.andWhere(f.ascending ? 's.id > :after' : 's.id < :after', { after: cursor.after });
    }
    const match = this.matchConditions(f);
    if (match.length) {
      // A voiding statement also matches when the statement it voids does (Communication
      // 2.1.3: filters other than since/until/limit apply to the target of a StatementRef).
      const on = (alias: string) => match.map((c) => `(${c(alias)})`).join(' AND ');
      q.andWhere(
        `((${on('s')}) OR s.void_target IN (SELECT t.statement_id FROM statements t WHERE t.store_id = :storeId AND ${on('t')}))`,
        {
          agentVid: f.agentVid,
          agentRoles: f.relatedAgents ? null : MAIN_AGENT_ROLES,
          verb: f.verb ? iriKey(f.verb) : null,
          activity: f.activity ? iriKey(f.activity) : null,
          registration: f.registration?.toLowerCase() ?? null,
        },
      );
    }
    if (f.actorVid) {
      q.andWhere(
        "s.id IN (SELECT r.statement_row_id FROM statement_agents r WHERE r.store_id = :storeId AND r.vid = :actorVid AND r.role = 'actor')",
        { actorVid: f.actorVid },
      );
    }
    if (f.since) q.andWhere('s.stored > :since', { since: f.since });
    if (f.until) q.andWhere('s.stored <= :until', { until: f.until });
    if (f.clientId !== undefined) q.andWhere('s.clientId = :clientId', { clientId: f.clientId });
    q.orderBy('s.id', f.ascending ? 'ASC' : 'DESC').take(limit + 1);
    const rows = await q.getMany();
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return {
      rows,
      next: more ? { after: rows[rows.length - 1].id, bound: cursor.bound } : null,
    };
  }

  /** The agent/verb/activity/registration filters as SQL conditions on a statements alias. */
  private matchConditions(f: StatementFilters): ((alias: string) => string)[] {
    const out: ((alias: string) => string)[] = [];
    if (f.agentVid) {
      out.push(
        (x) =>
          `${x}.id IN (SELECT ${x}a.statement_row_id FROM statement_agents ${x}a WHERE ${x}a.store_id = :storeId AND ${x}a.vid = :agentVid${f.relatedAgents ? '' : ` AND ${x}a.role IN (:...agentRoles)`})`,
      );
    }
    if (f.verb) out.push((x) => `${x}.verb_id = :verb`);
    if (f.activity) {
      out.push((x) =>
        f.relatedActivities
          ? `${x}.id IN (SELECT ${x}c.statement_row_id FROM statement_activities ${x}c WHERE ${x}c.store_id = :storeId AND ${x}c.activity_id = :activity)`
          : `${x}.activity_id = :activity`,
      );
    }
    if (f.registration) out.push((x) => `${x}.registration = :registration`);
    return out;
  }

  /** Raw content of the attachments of these statement rows, by sha2 (parts joined). */
  async attachments(
    rowIds: number[],
  ): Promise<Map<string, { contentType: string; content: Buffer }>> {
    const out = new Map<string, { contentType: string; content: Buffer }>();
    if (!rowIds.length) return out;
    const repo = this.dataSource.getRepository(Attachment);
    const parts = new Map<string, { contentType: string; chunks: Buffer[]; row: number }>();
    for (let i = 0; i < rowIds.length; i += 200) {
      const rows = await repo.find({
        where: { statementRowId: In(rowIds.slice(i, i + 200)) },
        order: { statementRowId: 'ASC', sha2: 'ASC', part: 'ASC' },
      });
      for (const r of rows) {
        const seen = parts.get(r.sha2);
        if (seen && seen.row !== r.statementRowId) continue;
        if (!seen) {
          parts.set(r.sha2, { contentType: r.contentType, chunks: [], row: r.statementRowId });
        }
        parts.get(r.sha2)!.chunks.push(Buffer.from(r.content));
      }
    }
    for (const [sha2, p] of parts) {
      out.set(sha2, { contentType: p.contentType, content: Buffer.concat(p.chunks) });
    }
    return out;
  }
}

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

/** The filters that StatementRefs follow (agent, verb, activity, registration), on one alias. */
function filterConditions(alias: string, f: StatementFilters): string[] {
  const c: string[] = [];
  if (f.agentVid) {
    const roles = f.relatedAgents ? '' : ' AND a.role IN (:...agentRoles)';
    c.push(
      `${alias}.id IN (SELECT a.statement_row_id FROM statement_agents a WHERE a.store_id = :storeId AND a.vid = :agentVid${roles})`,
    );
  }
  if (f.verb) c.push(`${alias}.verb_id = :verb`);
  if (f.activity) {
    c.push(
      f.relatedActivities
        ? `${alias}.id IN (SELECT c.statement_row_id FROM statement_activities c WHERE c.store_id = :storeId AND c.activity_id = :activity)`
        : `${alias}.activity_id = :activity`,
    );
  }
  if (f.registration) c.push(`${alias}.registration = :registration`);
  return c;
}

function filterParams(f: StatementFilters): Record<string, unknown> {
  return {
    agentVid: f.agentVid,
    agentRoles: MAIN_AGENT_ROLES,
    verb: f.verb ? iriKey(f.verb) : undefined,
    activity: f.activity ? iriKey(f.activity) : undefined,
    registration: f.registration?.toLowerCase(),
  };
}

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
    const conditions = filterConditions('s', f);
    let rows = await this.pageWhere(storeId, f, limit, cursor, conditions.join(' AND '));
    if (conditions.length) {
      // Statements targeting a matching statement (StatementRef) match too, two levels
      // deep (xAPI-Communication 2.1.3); a separate query keeps each on its own index.
      const level1 = `SELECT t1.statement_id FROM statements t1 WHERE t1.store_id = :storeId AND ${filterConditions('t1', f).join(' AND ')}`;
      const level2 = `SELECT t2.statement_id FROM statements t2 WHERE t2.store_id = :storeId AND t2.statement_ref IN (${level1})`;
      const refs = await this.pageWhere(
        storeId,
        f,
        limit,
        cursor,
        `s.statement_ref IS NOT NULL AND (s.statement_ref IN (${level1}) OR s.statement_ref IN (${level2}))`,
      );
      if (refs.length) {
        const byId = new Map([...rows, ...refs].map((r) => [r.id, r]));
        rows = [...byId.values()].sort((a, b) => (f.ascending ? a.id - b.id : b.id - a.id));
        rows = rows.slice(0, limit + 1);
      }
    }
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return {
      rows,
      next: more ? { after: rows[rows.length - 1].id, bound: cursor.bound } : null,
    };
  }

  private pageWhere(
    storeId: number,
    f: StatementFilters,
    limit: number,
    cursor: StatementCursor,
    where: string,
  ): Promise<Statement[]> {
    const q = this.dataSource
      .getRepository(Statement)
      .createQueryBuilder('s')
      .where('s.storeId = :storeId', { storeId })
      .andWhere('s.voided = :voided', { voided: false })
      .andWhere('s.id <= :bound', { bound: cursor.bound });
    if (cursor.after !== null) {
      q.andWhere(f.ascending ? 's.id > :after' : 's.id < :after', { after: cursor.after });
    }
    if (where) q.andWhere(where, filterParams(f));
    if (f.actorVid) {
      q.andWhere(
        "s.id IN (SELECT r.statement_row_id FROM statement_agents r WHERE r.store_id = :storeId AND r.vid = :actorVid AND r.role = 'actor')",
        { actorVid: f.actorVid },
      );
    }
    if (f.since) q.andWhere('s.stored > :since', { since: f.since });
    if (f.until) q.andWhere('s.stored <= :until', { until: f.until });
    if (f.clientId !== undefined) q.andWhere('s.clientId = :clientId', { clientId: f.clientId });
    return q
      .orderBy('s.id', f.ascending ? 'ASC' : 'DESC')
      .take(limit + 1)
      .getMany();
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

import { Injectable } from '@nestjs/common';
import { DataSource, In, SelectQueryBuilder } from 'typeorm';
import { Attachment } from './entities/attachment.entity';
import { StatementActivity } from './entities/statement-activity.entity';
import { StatementAgent } from './entities/statement-agent.entity';
import { Statement } from './entities/statement.entity';
import { iriKey } from './index-keys';
import { placeholders } from '../../database/sql-text';
import { STORED_ORDER_MARGIN_MS } from './statement-recorder.service';
import { indexHint, indexNamed } from '../../common/index-hint';

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

/** A statement of a page: its row id, `stored`, and the statement as stored, as JSON text. */
export interface PageRow {
  id: number;
  stored: Date;
  json: string;
}

/**
 * The row ids a since/until page can hold, from `stored` (null: no bound on that side):
 * above `low` and at most `high`.
 */
export interface IdWindow {
  low: number | null;
  high: number | null;
}

const NO_ID_WINDOW: IdWindow = { low: null, high: null };

export interface StatementPage {
  rows: PageRow[];
  next: StatementCursor | null;
}

const MAIN_AGENT_ROLES = ['actor', 'object'];

/** A filter answered by an index table (statement_agents, statement_activities). */
interface IndexTableFilter {
  kind: 'agent' | 'related-activity' | 'actor';
  table: 'statement_agents' | 'statement_activities';
  /** The condition on that table's rows, on alias `d`. */
  condition(d: string): string;
}

function agentFilter(f: StatementFilters): IndexTableFilter | null {
  if (!f.agentVid) return null;
  const roles = f.relatedAgents ? '' : ' AND d.role IN (:...agentRoles)';
  return {
    kind: 'agent',
    table: 'statement_agents',
    condition: (d) => `${d}.vid = :agentVid${roles.replace(/\bd\./g, `${d}.`)}`,
  };
}

function relatedActivityFilter(f: StatementFilters): IndexTableFilter | null {
  if (!f.activity || !f.relatedActivities) return null;
  return {
    kind: 'related-activity',
    table: 'statement_activities',
    condition: (d) => `${d}.activity_id = :activity`,
  };
}

/** Restricted credentials: only statements whose actor is this agent. */
function actorFilter(f: StatementFilters): IndexTableFilter | null {
  if (!f.actorVid) return null;
  return {
    kind: 'actor',
    table: 'statement_agents',
    condition: (d) => `${d}.vid = :actorVid AND ${d}.role = 'actor'`,
  };
}

/** Row `alias` is named by the index table: one lookup on its (store, key, statement) index. */
function inIndexTable(alias: string, t: IndexTableFilter, n: string): string {
  return `EXISTS (SELECT 1 FROM ${t.table} ${n} WHERE ${n}.store_id = :storeId AND ${t.condition(n)} AND ${n}.statement_row_id = ${alias}.id)`;
}

/**
 * The filters that StatementRefs follow (agent, verb, activity, registration), on one
 * alias; `driver` is left out: the page query reads it as its driving table.
 */
function filterConditions(
  alias: string,
  f: StatementFilters,
  driver: IndexTableFilter | null = null,
): string[] {
  const c: string[] = [];
  const agent = agentFilter(f);
  if (agent && agent.kind !== driver?.kind) c.push(inIndexTable(alias, agent, `${alias}a`));
  if (f.verb) c.push(`${alias}.verb_id = :verb`);
  const related = relatedActivityFilter(f);
  if (related && related.kind !== driver?.kind) c.push(inIndexTable(alias, related, `${alias}c`));
  else if (f.activity && !related) c.push(`${alias}.activity_id = :activity`);
  if (f.registration) c.push(`${alias}.registration = :registration`);
  return c;
}

/**
 * Statement `alias` is a StatementRef to a statement that matches the filters, or to a
 * StatementRef to one (two levels, xAPI-Communication 2.1.3): lookups by statement id
 * from the row, so a page's StatementRefs cost their own rows.
 */
function targetsMatch(alias: string, f: StatementFilters): string {
  const target = (via: string, t: string) =>
    `SELECT 1 FROM statements ${t} WHERE ${t}.store_id = :storeId AND ${t}.statement_id = ${via}.statement_ref`;
  const matches = (t: string) => filterConditions(t, f).join(' AND ');
  return (
    `EXISTS (${target(alias, 't1')} AND (${matches('t1')} OR ` +
    `(t1.statement_ref IS NOT NULL AND EXISTS (${target('t1', 't2')} AND ${matches('t2')}))))`
  );
}

/** Whether a page also holds StatementRefs to matching statements: with any such filter. */
function followsRefs(f: StatementFilters): boolean {
  return filterConditions('s', f).length > 0;
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
    const ids = await this.pageIds(storeId, f, limit, cursor);
    const more = ids.length > limit;
    if (more) ids.length = limit;
    return {
      rows: await this.rowsAsText(ids),
      next: more ? { after: ids[ids.length - 1], bound: cursor.bound } : null,
    };
  }

  /**
   * These rows in this order, each statement as the JSON text it is stored as: a page in
   * the exact format is sent as it is read, without parsing and serializing each statement.
   */
  private async rowsAsText(ids: number[]): Promise<PageRow[]> {
    if (!ids.length) return [];
    const type = this.dataSource.options.type;
    // MySQL/MariaDB drivers hand a JSON column over parsed; as CHAR it stays text.
    const json = type === 'mysql' || type === 'mariadb' ? 'CAST(data AS CHAR)' : 'data';
    const found: { id: number | string; stored: unknown; json: string }[] =
      await this.dataSource.query(
        `SELECT id, stored, ${json} AS json FROM statements WHERE id IN (${placeholders(ids.length)})`,
        ids,
      );
    const stored = this.dataSource.getMetadata(Statement).findColumnWithPropertyName('stored')!;
    const byId = new Map(found.map((r) => [Number(r.id), r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      if (!r) return [];
      return [
        { id, stored: this.dataSource.driver.prepareHydratedValue(r.stored, stored), json: r.json },
      ];
    });
  }

  /**
   * The row ids of a page (and one more, to know whether there is a next one), in page
   * order. Statements targeting a matching statement (StatementRef) match too, two levels
   * deep (xAPI-Communication 2.1.3): a second query finds them, only within the page's
   * reach (what the first query's page spans), so that each stays on its own index.
   */
  async pageIds(
    storeId: number,
    f: StatementFilters,
    limit: number,
    cursor: StatementCursor,
  ): Promise<number[]> {
    const ids = await this.storedWindowIds(storeId, f);
    const main = await this.collectIds(
      (c) => this.mainSql(storeId, f, limit, c, ids),
      limit,
      cursor,
    );
    if (!followsRefs(f)) return main;
    const reach = main.length > limit ? main[limit] : null;
    const refs = await this.collectIds(
      (c) => this.refsSql(storeId, f, limit, c, reach, ids),
      limit,
      cursor,
    );
    if (!refs.length) return main;
    const merged = [...new Set([...main, ...refs])].sort((x, y) => (f.ascending ? x - y : y - x));
    return merged.slice(0, limit + 1);
  }

  /**
   * Up to limit + 1 distinct ids of one page query. An index table can name a statement
   * more than once (an agent in two roles): repeats are adjacent, dropped, and the walk
   * goes on past them so that a full page is never taken for the last one.
   */
  private async collectIds(
    sqlFrom: (c: StatementCursor) => [string, unknown[]],
    limit: number,
    cursor: StatementCursor,
  ): Promise<number[]> {
    const out: number[] = [];
    let from = cursor;
    for (;;) {
      const [sql, params] = sqlFrom(from);
      const rows: { id: number | string }[] = await this.dataSource.query(sql, params);
      const ids = rows.map((r) => Number(r.id));
      for (const id of ids) if (out[out.length - 1] !== id) out.push(id);
      if (ids.length <= limit || out.length > limit) return out.slice(0, limit + 1);
      from = { after: ids[ids.length - 1], bound: cursor.bound };
    }
  }

  /** The SQL of each query a page runs, as it runs them (index hints included), for plans and tests. */
  async pageSql(
    storeId: number,
    f: StatementFilters,
    limit: number,
    cursor: StatementCursor,
  ): Promise<[string, unknown[]][]> {
    const ids = await this.storedWindowIds(storeId, f);
    const out = [this.mainSql(storeId, f, limit, cursor, ids)];
    if (followsRefs(f)) {
      const main = await this.collectIds(
        (c) => this.mainSql(storeId, f, limit, c, ids),
        limit,
        cursor,
      );
      const reach = main.length > limit ? main[limit] : null;
      out.push(this.refsSql(storeId, f, limit, cursor, reach, ids));
    }
    return out;
  }

  /**
   * The ids of the statements stored within since/until, bounded from `stored` on the
   * store's (store, stored) index, one row each side: the row stored last at or before
   * `since` - STORED_ORDER_MARGIN_MS has a smaller id than any stored after `since`, and
   * the row stored first after `until` + the margin a greater id than any stored up to
   * `until`. A page's keyset range then ends near the window instead of passing over
   * every row of the store outside it (the rows' own `stored` still decides).
   */
  async storedWindowIds(storeId: number, f: StatementFilters): Promise<IdWindow> {
    if (!f.since && !f.until) return NO_ID_WINDOW;
    const edge = async (at: Date, after: boolean): Promise<number | null> => {
      const [sql, params] = this.dataSource
        .getRepository(Statement)
        .createQueryBuilder('s')
        .select('s.id', 'id')
        .where('s.storeId = :storeId', { storeId })
        .andWhere(`s.stored ${after ? '>' : '<='} :at`, { at })
        .orderBy('s.stored', after ? 'ASC' : 'DESC')
        .limit(1)
        .getQueryAndParameters();
      const index = indexNamed(this.dataSource, Statement, ['storeId', 'stored']);
      const [row] = await this.dataSource.query(
        this.withIndex(sql, 'statements', 's', index),
        params,
      );
      return row ? Number(row.id) : null;
    };
    return {
      low: f.since ? await edge(new Date(f.since.getTime() - STORED_ORDER_MARGIN_MS), false) : null,
      high: f.until ? await edge(new Date(f.until.getTime() + STORED_ORDER_MARGIN_MS), true) : null,
    };
  }

  private mainSql(
    storeId: number,
    f: StatementFilters,
    limit: number,
    cursor: StatementCursor,
    ids: IdWindow,
  ): [string, unknown[]] {
    const [sql, params] = this.pageQuery(storeId, f, limit, cursor, ids).getQueryAndParameters();
    return [this.withKeysetIndex(sql, f), params];
  }

  /**
   * The StatementRefs of a page whose targets match, from the cursor to `reach` (the last
   * id the page can hold; null: the rest of the keyset), on the store's keyset index: a
   * page reads what its first query spans. (Once that query is exhausted, the rest of the
   * store is read once over the pages that remain, never again per page.)
   */
  private refsSql(
    storeId: number,
    f: StatementFilters,
    limit: number,
    cursor: StatementCursor,
    reach: number | null,
    ids: IdWindow,
  ): [string, unknown[]] {
    const q = this.pageQuery(storeId, f, limit, cursor, ids, { refs: true });
    if (reach !== null) q.andWhere(`s.id ${f.ascending ? '<=' : '>='} :reach`, { reach });
    const [sql, params] = q.getQueryAndParameters();
    return [this.withKeysetIndex(sql, {}), params];
  }

  /**
   * One keyset page of ids. With an index-table filter (agent, related activity,
   * restricted actor) that table drives the walk: its (store, key, statement) index is
   * read in order from the cursor and joined to the statements by primary key, so a page
   * costs its own rows at any depth; otherwise the statements' own keyset index does.
   * With `refs`, the StatementRefs whose targets match the filters instead. `ids` narrows
   * the range to a since/until window (storedWindowIds).
   */
  private pageQuery(
    storeId: number,
    f: StatementFilters,
    limit: number,
    cursor: StatementCursor,
    ids: IdWindow,
    opts: { refs?: boolean } = {},
  ): SelectQueryBuilder<any> {
    const driver = opts.refs
      ? null
      : (agentFilter(f) ?? relatedActivityFilter(f) ?? actorFilter(f));
    const key = driver ? 'd.statement_row_id' : 's.id';
    // One range on the keyset: (after, bound] ascending, [.., min(after - 1, bound)]
    // descending, within the since/until window's ids.
    const upper = Math.min(
      !f.ascending && cursor.after !== null ? cursor.after - 1 : cursor.bound,
      cursor.bound,
      ids.high ?? Infinity,
    );
    const lower = Math.max(
      f.ascending && cursor.after !== null ? cursor.after : -Infinity,
      ids.low ?? -Infinity,
    );
    const q: SelectQueryBuilder<any> = driver
      ? this.dataSource
          .createQueryBuilder()
          .select(key, 'id')
          .from(driver.table, 'd')
          .innerJoin(Statement, 's', 's.id = d.statement_row_id')
          .where('d.store_id = :storeId')
          .andWhere(driver.condition('d'))
          .andWhere('s.storeId = :storeId', { storeId })
      : this.dataSource
          .getRepository(Statement)
          .createQueryBuilder('s')
          .select(key, 'id')
          .where('s.storeId = :storeId', { storeId });
    q.andWhere('s.voided = :voided', { voided: false }).andWhere(`${key} <= :upper`, { upper });
    if (lower > -Infinity) q.andWhere(`${key} > :lower`, { lower });
    const where = opts.refs
      ? ['s.statement_ref IS NOT NULL', targetsMatch('s', f)]
      : filterConditions('s', f, driver);
    if (where.length) q.andWhere(where.join(' AND '));
    const actor = actorFilter(f);
    if (actor && actor.kind !== driver?.kind) q.andWhere(inIndexTable('s', actor, 'r'));
    if (f.since) q.andWhere('s.stored > :since', { since: f.since });
    if (f.until) q.andWhere('s.stored <= :until', { until: f.until });
    if (f.clientId !== undefined) q.andWhere('s.clientId = :clientId', { clientId: f.clientId });
    return q
      .setParameters({ ...filterParams(f), actorVid: f.actorVid, storeId })
      .orderBy(key, f.ascending ? 'ASC' : 'DESC')
      .limit(limit + 1);
  }

  /**
   * MySQL/MariaDB read a keyset page by `ref` on the leading equalities alone, scanning
   * from the far end of them down to the cursor (O(depth) rows per page), unless told which
   * index holds the range; SQLite may take a rowid range through every store instead.
   */
  private withKeysetIndex(sql: string, f: StatementFilters): string {
    const { table, alias, index } = this.keysetIndex(f);
    if (!index) return sql;
    const type = this.dataSource.options.type;
    const hinted = this.withIndex(sql, table, alias, index);
    if (type === 'mysql' || type === 'mariadb') return hinted;
    // CROSS JOIN keeps the driving table outermost (SQLite otherwise may take the
    // statements' rowid range first and sort).
    return hinted.replace('INNER JOIN "statements" "s"', 'CROSS JOIN "statements" "s"');
  }

  /** `sql` with its table `table` `alias` walking `index` (none: as it is). */
  private withIndex(sql: string, table: string, alias: string, index?: string): string {
    if (!index) return sql;
    const escape = (name: string) => this.dataSource.driver.escape(name);
    const from = `FROM ${escape(table)} ${escape(alias)}`;
    return sql.replace(from, `${from} ${indexHint(this.dataSource, index)}`);
  }

  /** The (store, key..., id) index whose range the driving table of a page walks. */
  private keysetIndex(f: StatementFilters): { table: string; alias: string; index?: string } {
    const driver = agentFilter(f) ?? relatedActivityFilter(f) ?? actorFilter(f);
    if (driver) {
      const entity = driver.table === 'statement_agents' ? StatementAgent : StatementActivity;
      const key = driver.table === 'statement_agents' ? 'vid' : 'activityId';
      return {
        table: driver.table,
        alias: 'd',
        index: indexNamed(this.dataSource, entity, ['storeId', key, 'statementRowId']),
      };
    }
    const column = f.registration
      ? 'registration'
      : f.verb
        ? 'verbId'
        : f.activity
          ? 'activityId'
          : null;
    const wanted = column ? ['storeId', column, 'id'] : ['storeId', 'id'];
    return {
      table: 'statements',
      alias: 's',
      index: indexNamed(this.dataSource, Statement, wanted),
    };
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

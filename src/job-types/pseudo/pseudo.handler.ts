import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { affectedRows, isRetryableConflict } from '../../common/db-errors';
import { untilCutoff } from '../../common/until';
import { keysetIds, walkBatches } from '../../jobs/batch-walker';
import { JobHandler, JobRunContext, JobRunResult, JobType } from '../../jobs/job-type';
import { Agent } from '../../xapi/agents/agent.entity';
import { RecordCache } from '../../xapi/statements/record-cache';
import { Pseudonymizer } from '../../xapi/pseudonymization/pseudonymizer.service';
import { bulkInsert, utcDatetime } from '../../xapi/statements/bulk-insert';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { AUTHORITY_ROLES } from '../../xapi/statements/index-keys';
import { PseudoParams } from './pseudo.dto';

export const PSEUDO_BATCH = 500;
/** Original agents a run remembers as having their pseudonym recorded. */
const RECORDED_AGENTS_KEPT = 50_000;

/** What one batch changed. */
interface BatchCounts {
  statements: number;
  indexRows: number;
  /** Original agents records removed. */
  agents: number;
  /** The original agents (vids) the batch pseudonymized. */
  originals: string[];
}

/** Rows a raw UPDATE or DELETE changed, as the driver reports them. */
async function changed(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
  return affectedRows(await em.queryRunner!.query(sql, params, true));
}

function isMysql(em: EntityManager): boolean {
  return ['mysql', 'mariadb'].includes(em.connection.options.type);
}

/** `UPDATE t SET col = CASE id WHEN ? THEN ? ... END WHERE id IN (...)`: one statement per chunk. */
function caseById(column: string, values: Map<number, string>): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const whens: string[] = [];
  for (const [id, value] of values) {
    whens.push('WHEN ? THEN ?');
    params.push(id, value);
  }
  return { sql: `${column} = CASE id ${whens.join(' ')} END`, params };
}

@JobType({
  name: 'pseudo',
  params: PseudoParams,
  store: 'per-store',
  description:
    'Pseudonymizes the agents of the statements stored until the cutoff (HMAC-SHA256 accounts).',
})
@Injectable()
export class PseudoHandler implements JobHandler<PseudoParams> {
  /** Statements per batch (one transaction each). */
  batchSize = PSEUDO_BATCH;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly recordCache: RecordCache,
  ) {}

  /**
   * Walks the store's statements stored until the cutoff and not pseudonymized yet;
   * each batch rewrites the statements, their agent index rows and the agents records
   * in one transaction, and marks the statements, so a retried run goes on where the
   * last committed batch ended and a second run finds nothing.
   */
  async run(ctx: JobRunContext<PseudoParams>): Promise<JobRunResult> {
    const store = ctx.store;
    if (!store) throw new Error('pseudo runs on one store');
    // Never past the run start: statements stored while the run goes on are not "until" it.
    const requested = untilCutoff(ctx.params.until, ctx.startedAt, ctx.params.until_date);
    const cutoff = requested > ctx.startedAt ? ctx.startedAt : requested;
    const pending = () =>
      this.dataSource
        .getRepository(Statement)
        .createQueryBuilder('s')
        .where('s.storeId = :storeId', { storeId: store.id })
        .andWhere('s.pseudonymized = :no', { no: false })
        .andWhere('s.stored <= :cutoff', { cutoff });
    const counts = { statements: 0, indexRows: 0, agents: 0 };
    const recorded = new Set<string>();
    const walk = await walkBatches({
      ctx,
      batchSize: this.batchSize,
      total: await pending().getCount(),
      fetch: keysetIds<number>(pending, 's.id'),
      act: async (ids) => {
        const batch = await this.pseudonymizeBatch(store.id, ids, recorded);
        // The original agents records are gone: the recorder must write them again.
        this.recordCache.forgetStore(store.id);
        counts.indexRows += batch.indexRows;
        counts.agents += batch.agents;
        return batch.statements;
      },
    });
    counts.statements = walk.affected;
    return {
      feedback:
        `pseudonymized ${counts.statements} statements of store ${store.slug} ` +
        `stored until ${cutoff.toISOString()} (${counts.indexRows} index rows; ${counts.agents} original agents records removed)`,
      data: {
        pseudonymized: counts.statements,
        index_rows: counts.indexRows,
        agents_removed: counts.agents,
        cutoff: cutoff.toISOString(),
        store: store.slug,
      },
    };
  }

  /** One batch in one transaction, retried when the database picks it as a deadlock victim. */
  private async pseudonymizeBatch(
    storeId: number,
    ids: number[],
    recorded: Set<string>,
  ): Promise<BatchCounts> {
    for (let attempt = 1; ; attempt++) {
      try {
        const batch = await this.dataSource.transaction((em) =>
          this.pseudonymizeIn(em, storeId, ids, recorded),
        );
        // Only a committed batch's pseudonyms count as recorded; the set is only a
        // shortcut, so it is emptied rather than allowed to grow without bound.
        if (recorded.size > RECORDED_AGENTS_KEPT) recorded.clear();
        for (const vid of batch.originals) recorded.add(vid);
        return batch;
      } catch (err) {
        if (attempt >= 5 || !isRetryableConflict(err)) throw err;
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
      }
    }
  }

  private async pseudonymizeIn(
    em: EntityManager,
    storeId: number,
    ids: number[],
    recorded: ReadonlySet<string>,
  ): Promise<BatchCounts> {
    const marks = ids.map(() => '?').join(', ');
    const lock = isMysql(em) ? ' FOR UPDATE' : '';
    // Re-read under lock: only what is still not pseudonymized is touched.
    const rows: { id: number; data: string | Record<string, any> }[] = await em.query(
      `SELECT id, data FROM statements WHERE id IN (${marks}) AND pseudonymized = 0 ORDER BY id${lock}`,
      ids,
    );
    if (!rows.length) return { statements: 0, indexRows: 0, agents: 0, originals: [] };
    const rowIds = rows.map((r) => Number(r.id));
    const rowMarks = rowIds.map(() => '?').join(', ');

    const data = new Map<number, string>();
    for (const r of rows) {
      const statement = typeof r.data === 'string' ? JSON.parse(r.data) : r.data;
      data.set(Number(r.id), JSON.stringify(this.pseudonymizer.statement(statement)));
    }
    const setData = caseById('data', data);
    const updated = await changed(
      em,
      `UPDATE statements SET ${setData.sql}, pseudonymized = 1, updated = ? WHERE id IN (${rowMarks}) AND pseudonymized = 0`,
      [...setData.params, utcDatetime(new Date()), ...rowIds],
    );

    // The index rows follow the data: each learner role gets the pseudonym's vid.
    const indexRows: { id: number; vid: string; role: string }[] = await em.query(
      `SELECT id, vid, role FROM statement_agents WHERE statement_row_id IN (${rowMarks}) ORDER BY id`,
      rowIds,
    );
    const originals = new Set<string>();
    const vids = new Map<number, string>();
    for (const r of indexRows) {
      if (AUTHORITY_ROLES.includes(r.role)) continue;
      const vid = this.pseudonymizer.vid(r.vid);
      if (vid === r.vid) continue;
      originals.add(r.vid);
      vids.set(Number(r.id), vid);
    }
    if (vids.size) {
      const setVid = caseById('vid', vids);
      const vidIds = [...vids.keys()];
      await em.query(
        `UPDATE statement_agents SET ${setVid.sql} WHERE id IN (${vidIds.map(() => '?').join(', ')})`,
        [...setVid.params, ...vidIds],
      );
    }
    const agents = await this.replaceAgentRecords(em, storeId, [...originals].sort(), recorded);
    return { statements: updated, indexRows: vids.size, agents, originals: [...originals] };
  }

  /**
   * The agents records (what `GET agents` and person links use) follow too: each
   * original agent recorded in the store gets its pseudonym recorded (once per run:
   * `recorded` remembers the vids done in committed batches), and an original record
   * goes once no statement index row names it any more, unless an administrator linked
   * it to a person (agent-deletion removes those). Returns the records removed.
   */
  private async replaceAgentRecords(
    em: EntityManager,
    storeId: number,
    vids: string[],
    recorded: ReadonlySet<string>,
  ): Promise<number> {
    if (!vids.length) return 0;
    const fresh = vids.filter((v) => !recorded.has(v));
    if (fresh.length) {
      const known = await em
        .getRepository(Agent)
        .createQueryBuilder('a')
        .where('a.storeId = :storeId AND a.vid IN (:...fresh)', { storeId, fresh })
        .getMany();
      const now = new Date();
      const pseudonyms = new Map<string, Record<string, unknown>>();
      for (const a of known) {
        const { member: _member, ...record } = this.pseudonymizer.actor(a.agent);
        pseudonyms.set(this.pseudonymizer.vid(a.vid), record);
      }
      await bulkInsert(
        em,
        Agent,
        [...pseudonyms]
          .sort(([x], [y]) => (x < y ? -1 : 1))
          .map(([vid, agent]) => ({
            storeId,
            vid,
            agent,
            personId: null,
            stored: now,
            updated: now,
          })),
        { ignore: true },
      );
    }
    return changed(
      em,
      `DELETE FROM agents WHERE store_id = ? AND vid IN (${vids.map(() => '?').join(', ')}) AND person_id IS NULL
       AND NOT EXISTS (SELECT 1 FROM statement_agents x WHERE x.store_id = agents.store_id AND x.vid = agents.vid)`,
      [storeId, ...vids],
    );
  }
}

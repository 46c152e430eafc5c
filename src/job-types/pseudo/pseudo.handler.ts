import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { changedRows } from '../../common/db-errors';
import { tableUsingIndex } from '../../common/index-hint';
import { untilCutoff } from '../../common/until';
import { syncBudgetMs, walkBatches } from '../../jobs/batch-walker';
import { JobHandler, JobRunContext, JobRunResult, JobType } from '../../jobs/job-type';
import { Agent } from '../../xapi/agents/agent.entity';
import { RecordCache } from '../../xapi/statements/record-cache';
import { LogLevel } from '../../logging/log-entry.entity';
import { droppedAttachments } from '../../xapi/pseudonymization/pseudonymizer';
import { Pseudonymizer } from '../../xapi/pseudonymization/pseudonymizer.service';
import { bulkInsert, chunksBySize } from '../../xapi/statements/bulk-insert';
import { placeholders, utcDatetime } from '../../database/sql-text';
import { StatementAgent } from '../../xapi/statements/entities/statement-agent.entity';
import { Statement } from '../../xapi/statements/entities/statement.entity';
import { AUTHORITY_ROLES, statementAgents } from '../../xapi/statements/index-keys';
import { PseudoParams } from './pseudo.dto';

export const PSEUDO_BATCH = 500;
/** Agents records per batch of the pass that removes orphaned original records. */
const AGENTS_SWEEP_BATCH = 500;
/** Original agents a run remembers as having their pseudonym recorded. */
const RECORDED_AGENTS_KEPT = 50_000;

/** A statement to pseudonymize, as the walk reads it. */
interface Row {
  id: number;
  data: string | Record<string, any>;
}

/** What one batch changed. */
interface BatchCounts {
  statements: number;
  indexRows: number;
  /** The original agents (vids) the batch pseudonymized. */
  originals: string[];
  /** Statement ids whose signature the batch removed (see pseudonymizeStatement). */
  unsigned: string[];
}

/** `col = CASE key WHEN ? THEN ? ... ELSE col END`: one statement for a whole batch. */
function caseOf<K>(column: string, key: string, values: Map<K, string>) {
  const params: unknown[] = [];
  for (const [k, value] of values) params.push(k, value);
  const whens = Array.from({ length: values.size }, () => 'WHEN ? THEN ?').join(' ');
  return { sql: `${column} = CASE ${key} ${whens} ELSE ${column} END`, params };
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
   * each batch rewrites the statements and their agent index rows, records the
   * pseudonyms in the agents records, in one transaction, and marks the statements, so a
   * retried run goes on where the last committed batch ended and a second run finds
   * nothing. Then the original agents records no statement names any more go.
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
    const counts = { statements: 0, indexRows: 0, agents: 0, unsigned: 0 };
    const recorded = new Set<string>();
    const walk = await walkBatches<Row>({
      ctx,
      batchSize: this.batchSize,
      budgetMs: syncBudgetMs(this.dataSource),
      total: await pending().getCount(),
      // The keyset read takes the data too: one query per batch, as a plain script would.
      fetch: async (after, limit) => {
        const qb = pending()
          .select('s.id', 'id')
          .addSelect('s.data', 'data')
          .orderBy('s.id', 'ASC')
          .limit(limit);
        if (after) qb.andWhere('s.id > :after', { after: after.id });
        const rows: Row[] = await qb.getRawMany();
        return rows.map((r) => ({ id: Number(r.id), data: r.data }));
      },
      act: async (rows) => {
        const batch = await this.pseudonymizeBatch(store.id, rows, recorded);
        // The original agents records are gone: the recorder must write them again.
        this.recordCache.forgetStore(store.id);
        counts.indexRows += batch.indexRows;
        if (batch.unsigned.length) {
          counts.unsigned += batch.unsigned.length;
          await ctx.log(
            LogLevel.Notice,
            `removed the signature of ${batch.unsigned.length} pseudonymized statements: ` +
              'it signed the original agents and can no longer verify',
            { statements: batch.unsigned },
          );
        }
        return batch.statements;
      },
    });
    counts.statements = walk.affected;
    counts.agents = await this.removeOrphanedOriginals(ctx.signal, store.id);
    this.recordCache.forgetStore(store.id);
    return {
      feedback:
        `pseudonymized ${counts.statements} statements of store ${store.slug} ` +
        `stored until ${cutoff.toISOString()} (${counts.indexRows} index rows; ` +
        `${counts.agents} original agents records removed; ${counts.unsigned} signatures removed)`,
      data: {
        pseudonymized: counts.statements,
        index_rows: counts.indexRows,
        agents_removed: counts.agents,
        signatures_removed: counts.unsigned,
        cutoff: cutoff.toISOString(),
        store: store.slug,
      },
    };
  }

  /**
   * One batch in one transaction (a lock conflict is retried by the walker, which acts
   * on the batch again).
   */
  private async pseudonymizeBatch(
    storeId: number,
    rows: Row[],
    recorded: Set<string>,
  ): Promise<BatchCounts> {
    const work = this.prepare(rows);
    const batch = await this.dataSource.transaction((em) =>
      this.write(em, storeId, work, recorded),
    );
    // Only a committed batch's pseudonyms count as recorded; the set is only a
    // shortcut, so it is emptied rather than allowed to grow without bound.
    if (recorded.size > RECORDED_AGENTS_KEPT) recorded.clear();
    for (const vid of batch.originals) recorded.add(vid);
    return batch;
  }

  /**
   * What a batch writes, computed once before its transaction: the pseudonymized data,
   * the pseudonym of each original agent its index rows name (from the same
   * statementAgents() the index writer uses; the authority's rows are kept), and the
   * attachments (signatures) that go.
   */
  private prepare(rows: Row[]) {
    const data = new Map<number, string>();
    const vids = new Map<string, string>();
    const dropped: { rowId: number; sha2: string }[] = [];
    const unsigned: string[] = [];
    for (const r of rows) {
      const statement = typeof r.data === 'string' ? JSON.parse(r.data) : r.data;
      const pseudonymized = this.pseudonymizer.statement(statement);
      data.set(r.id, JSON.stringify(pseudonymized));
      for (const a of statementAgents(statement)) {
        if (AUTHORITY_ROLES.includes(a.role) || vids.has(a.vid)) continue;
        const vid = this.pseudonymizer.vid(a.vid);
        if (vid !== a.vid) vids.set(a.vid, vid);
      }
      const gone = droppedAttachments(statement, pseudonymized);
      if (!gone.length) continue;
      unsigned.push(String(statement.id));
      for (const sha2 of gone) dropped.push({ rowId: r.id, sha2 });
    }
    return { data, vids, dropped, unsigned };
  }

  private async write(
    em: EntityManager,
    storeId: number,
    work: ReturnType<PseudoHandler['prepare']>,
    recorded: ReadonlySet<string>,
  ): Promise<BatchCounts> {
    const { data, vids, dropped, unsigned } = work;
    const ids = [...data.keys()];
    // Only what is still not pseudonymized is touched (a concurrent run may have been first).
    // One UPDATE per chunk of about INSERT_CHUNK_CHARS of JSON (a batch of 500: one).
    const now = utcDatetime(new Date());
    let updated = 0;
    for (const part of chunksBySize([...data], ([, json]) => json.length)) {
      const setData = caseOf('data', 'id', new Map(part));
      updated += await changedRows(
        em,
        `UPDATE statements SET ${setData.sql}, pseudonymized = 1, updated = ? WHERE id IN (${placeholders(part.length)}) AND pseudonymized = 0`,
        [...setData.params, now, ...part.map(([id]) => id)],
      );
    }
    if (!updated) return { statements: 0, indexRows: 0, originals: [], unsigned: [] };

    // The index rows follow the data, in one statement: each learner role gets the
    // pseudonym's vid. Found through the statement_row_id index, never a table scan.
    let indexRows = 0;
    if (vids.size) {
      const setVid = caseOf('vid', 'vid', vids);
      const roles = AUTHORITY_ROLES;
      indexRows = await changedRows(
        em,
        `UPDATE ${tableUsingIndex(this.dataSource, StatementAgent, ['statementRowId'])} SET ${setVid.sql}
          WHERE statement_row_id IN (${placeholders(ids.length)}) AND vid IN (${placeholders(vids.size)})
            AND role NOT IN (${placeholders(roles.length)})`,
        [...setVid.params, ...ids, ...vids.keys(), ...roles],
      );
    }
    // The removed signatures' contents go with them: they hold the original identities.
    if (dropped.length) {
      await em.query(
        `DELETE FROM attachments WHERE store_id = ? AND (${dropped
          .map(() => '(statement_row_id = ? AND sha2 = ?)')
          .join(' OR ')})`,
        [storeId, ...dropped.flatMap((d) => [d.rowId, d.sha2])],
      );
    }
    const originals = [...vids.keys()].sort();
    await this.recordPseudonyms(em, storeId, originals, recorded);
    return { statements: updated, indexRows, originals, unsigned };
  }

  /**
   * The agents records (what `GET agents` and person links use) follow too: each
   * original agent recorded in the store gets its pseudonym recorded, once per run
   * (`recorded` remembers the vids done in committed batches). The original records go
   * in removeOrphanedOriginals(), once per run.
   */
  private async recordPseudonyms(
    em: EntityManager,
    storeId: number,
    vids: string[],
    recorded: ReadonlySet<string>,
  ): Promise<void> {
    const fresh = vids.filter((v) => !recorded.has(v));
    if (!fresh.length) return;
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

  /**
   * After the walk, on every run (a retry of a killed run too): the record of an original
   * agent goes once no statement index row names it any more and its pseudonym is
   * recorded, unless an administrator linked it to a person (agent-deletion removes
   * those). One pass over the store's agents records, one probe per original, rather
   * than a probe per original in every batch that names it (about 1 ms each on a cold
   * index of millions of rows). Returns the records removed.
   */
  private async removeOrphanedOriginals(signal: AbortSignal, storeId: number): Promise<number> {
    const ds = this.dataSource;
    const walk = await walkBatches<{ id: number; vid: string }>({
      ctx: { signal, progress: async () => undefined },
      batchSize: AGENTS_SWEEP_BATCH,
      budgetMs: syncBudgetMs(ds),
      fetch: async (after, limit) => {
        const rows: { id: number; vid: string }[] = await ds.query(
          `SELECT id, vid FROM agents WHERE store_id = ? AND person_id IS NULL AND id > ? ORDER BY id LIMIT ${Number(limit)}`,
          [storeId, after?.id ?? 0],
        );
        return rows.map((r) => ({ id: Number(r.id), vid: r.vid }));
      },
      act: async (rows) => {
        const byPseudonym = new Map<string, string>();
        for (const r of rows) {
          const vid = this.pseudonymizer.vid(r.vid);
          if (vid !== r.vid) byPseudonym.set(vid, r.vid);
        }
        if (!byPseudonym.size) return 0;
        const have: { vid: string }[] = await ds.query(
          `SELECT vid FROM agents WHERE store_id = ? AND vid IN (${placeholders(byPseudonym.size)})`,
          [storeId, ...byPseudonym.keys()],
        );
        const originals = have.flatMap((h) => byPseudonym.get(h.vid) ?? []);
        if (!originals.length) return 0;
        return ds.transaction(async (em) => {
          await this.recordCache.recordsChanged(em, storeId);
          return changedRows(
            em,
            `DELETE FROM agents WHERE store_id = ? AND vid IN (${placeholders(originals.length)}) AND person_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM statement_agents x WHERE x.store_id = agents.store_id AND x.vid = agents.vid)`,
            [storeId, ...originals],
          );
        });
      },
    });
    return walk.affected;
  }
}

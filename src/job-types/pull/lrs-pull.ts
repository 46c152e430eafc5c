import { RecordOptions, StatementRecorder } from '../../xapi/statements/statement-recorder.service';
import { JobRunContext } from '../../jobs/job-type';
import { recordIsolating, TransferCounts } from '../transfer/statement-batches';
import { instantKey, justBefore } from '../transfer/stored-instant';
import { RemoteProtocolError, XapiRemote } from '../transfer/xapi-remote';

/**
 * Cursor of a pull from an LRS: the remote `stored` of the last statement settled and
 * the ids settled at that very instant. The next query starts just before it (`since`
 * is exclusive), so statements sharing that instant across a page or run boundary
 * come again and only the ones not settled yet are taken.
 */
export interface LrsPullCursor {
  since: string;
  ids: string[];
}

export interface LrsPull {
  ctx: JobRunContext<unknown>;
  remote: XapiRemote;
  recorder: StatementRecorder;
  storeId: number;
  options: RecordOptions;
  cutoff: Date;
  limit: number;
  counts: TransferCounts;
}

/**
 * GET statements?ascending=true&since&until&format=exact&attachments=true, following
 * `more` on the remote's origin only, page by page; each page recorded through the
 * pipeline; never past X-Experience-API-Consistent-Through; the cursor saved after
 * each page.
 */
export async function pullFromLrs(p: LrsPull): Promise<void> {
  const { ctx, remote, counts } = p;
  const saved = ctx.state.get<{ lrs?: LrsPullCursor }>()?.lrs ?? null;
  let cursor: LrsPullCursor | null = saved;
  const query: Record<string, string> = {
    ascending: 'true',
    until: p.cutoff.toISOString(),
    format: 'exact',
    attachments: 'true',
    limit: String(p.limit),
  };
  if (cursor) query.since = justBefore(cursor.since);
  let url = remote.statementsUrl(query);
  const cutoff = p.cutoff.getTime() * 1000;
  const visited = new Set<string>();
  let seen = 0;
  await ctx.progress(0, null);
  for (;;) {
    ctx.signal.throwIfAborted();
    if (visited.has(url)) {
      throw new RemoteProtocolError(`${remote.label} sent a more link to a page already read.`);
    }
    visited.add(url);
    const page = await remote.getStatementsPage(url);
    const through = page.consistentThrough ? instantKey(page.consistentThrough) : NaN;
    const take: Record<string, any>[] = [];
    let reachedUnsettled = false;
    const known = cursor ? instantKey(cursor.since) : -Infinity;
    const knownIds = new Set(cursor?.ids ?? []);
    for (const s of page.statements) {
      const at = instantKey(String(s?.stored ?? ''));
      if (Number.isNaN(at)) {
        take.push(s); // the pipeline refuses and logs it
        continue;
      }
      if ((!Number.isNaN(through) && at > through) || at > cutoff) {
        // The remote does not vouch for anything stored after this yet (or it is past
        // the cutoff, from a remote that ignored `until`): left for a later run.
        reachedUnsettled = true;
        break;
      }
      if (at < known || (at === known && knownIds.has(String(s.id).toLowerCase()))) continue;
      take.push(s);
    }
    await recordIsolating(
      p.recorder,
      { id: p.storeId },
      take,
      page.attachments,
      p.options,
      counts,
      (level, message, data) => ctx.log(level, message, data),
      remote.label,
    );
    for (const s of take) {
      const at = instantKey(String(s?.stored ?? ''));
      if (Number.isNaN(at)) continue;
      const id = String(s.id).toLowerCase();
      if (!cursor || at > instantKey(cursor.since)) cursor = { since: String(s.stored), ids: [id] };
      else if (at === instantKey(cursor.since)) cursor.ids.push(id);
    }
    if (cursor && take.length) await ctx.state.set({ lrs: cursor });
    seen += take.length;
    await ctx.progress(seen, null);
    if (reachedUnsettled || !page.more) return;
    url = remote.resolveMore(page.more);
  }
}

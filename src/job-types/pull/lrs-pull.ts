import { RecordOptions, StatementRecorder } from '../../xapi/statements/statement-recorder.service';
import { JobRunContext } from '../../jobs/job-type';
import { recordIsolating, TransferCounts } from '../transfer/statement-batches';
import { instantKey, justBefore } from '../transfer/stored-instant';
import { RemoteProtocolError, StatementsPage, XapiRemote } from '../transfer/xapi-remote';

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
 * pipeline while the next one is read; never past X-Experience-API-Consistent-Through;
 * the cursor saved after each page.
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
  const readAhead = new AbortController();
  let next: Promise<StatementsPage> | null = null;
  let seen = 0;
  await ctx.progress(0, null);
  try {
    for (;;) {
      ctx.signal.throwIfAborted();
      visited.add(url);
      const page = await (next ?? remote.getStatementsPage(url));
      next = null;
      const { take, reachedUnsettled } = pageSelection(page, cursor, cutoff);
      // The next page is read while this one is recorded; a link that must be refused
      // fails the run once this page is recorded.
      let nextUrl: string | null = null;
      let refused: unknown = null;
      if (!reachedUnsettled && page.more) {
        try {
          nextUrl = remote.resolveMore(page.more);
          if (visited.has(nextUrl)) {
            throw new RemoteProtocolError(
              `${remote.label} sent a more link to a page already read.`,
            );
          }
          next = remote.getStatementsPage(nextUrl, readAhead.signal);
          next.catch(() => undefined);
        } catch (err) {
          refused = err;
          nextUrl = null;
        }
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
      cursor = advanced(cursor, take);
      if (cursor && take.length) await ctx.state.set({ lrs: cursor });
      seen += take.length;
      await ctx.progress(seen, null);
      if (refused) throw refused;
      if (!nextUrl) return;
      url = nextUrl;
    }
  } finally {
    readAhead.abort(); // a page read ahead for a run that stopped
  }
}

/**
 * What to record of a page: the statements after the cursor (those at the cursor's very
 * instant that it does not list yet included), up to the first one the remote does not
 * vouch for yet (after X-Experience-API-Consistent-Through) or past the cutoff.
 */
function pageSelection(
  page: StatementsPage,
  cursor: LrsPullCursor | null,
  cutoff: number,
): { take: Record<string, any>[]; reachedUnsettled: boolean } {
  const through = page.consistentThrough ? instantKey(page.consistentThrough) : NaN;
  const take: Record<string, any>[] = [];
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
      return { take, reachedUnsettled: true };
    }
    if (at < known || (at === known && knownIds.has(String(s.id).toLowerCase()))) continue;
    take.push(s);
  }
  return { take, reachedUnsettled: false };
}

/** The cursor past the statements just settled (in `stored` order). */
function advanced(
  cursor: LrsPullCursor | null,
  settled: Record<string, any>[],
): LrsPullCursor | null {
  let out = cursor;
  for (const s of settled) {
    const at = instantKey(String(s?.stored ?? ''));
    if (Number.isNaN(at)) continue;
    const id = String(s.id).toLowerCase();
    if (!out || at > instantKey(out.since)) out = { since: String(s.stored), ids: [id] };
    else if (at === instantKey(out.since)) out.ids.push(id);
  }
  return out;
}

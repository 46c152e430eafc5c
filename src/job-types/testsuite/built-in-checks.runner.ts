import { Injectable } from '@nestjs/common';
import { JobRunContext } from '../../jobs/job-type';
import { LogLevel } from '../../logging/log-entry.entity';
import { XapiVersion } from '../../xapi/common/xapi-endpoint';
import { BUILT_IN_CHECKS, Check, CheckFailed, SectionName } from './checks';
import { RunData } from './checks/run-data';
import { XapiProbe } from './checks/xapi-probe';

export interface ChecksOutcome {
  total: number;
  passed: number;
  failed: number;
  /** Ids of the failed checks, in run order. */
  failures: string[];
}

export interface ChecksRun {
  ctx: Pick<JobRunContext, 'signal' | 'log' | 'progress'>;
  /** The client's xAPI endpoint, ending with `/`. */
  endpoint: string;
  authorization: string;
  version: XapiVersion;
  section: SectionName | null;
  data: RunData;
}

/** The built-in checks of a section (or all) that apply to an xAPI version. */
export function checksFor(section: SectionName | null, version: XapiVersion): Check[] {
  return BUILT_IN_CHECKS.filter(
    (c) =>
      (section === null || c.section === section) && (!c.versions || c.versions.includes(version)),
  );
}

/**
 * Runs the built-in checks one after the other over HTTP; each failure goes to the
 * run's log with its check id, the request sent, what was expected and what came back.
 */
@Injectable()
export class BuiltInChecksRunner {
  async run(run: ChecksRun): Promise<ChecksOutcome> {
    const { ctx } = run;
    const checks = checksFor(run.section, run.version);
    const outcome: ChecksOutcome = { total: checks.length, passed: 0, failed: 0, failures: [] };
    await ctx.progress(0, checks.length);
    for (const check of checks) {
      ctx.signal.throwIfAborted();
      const probe = new XapiProbe(
        run.endpoint,
        run.authorization,
        run.version,
        run.data,
        ctx.signal,
      );
      try {
        await check.run(probe);
        outcome.passed += 1;
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
        outcome.failed += 1;
        outcome.failures.push(check.id);
        const expected = err instanceof CheckFailed ? err.expected : 'the check to run to its end';
        const got =
          err instanceof CheckFailed
            ? err.got
            : `an error: ${probe.redact(String((err as Error)?.message ?? err))}`;
        await ctx.log(LogLevel.Warning, `check ${check.id} failed: ${check.description}`, {
          check: check.id,
          section: check.section,
          description: check.description,
          sent: probe.lastSent,
          expected,
          got,
        });
      }
      await ctx.progress(outcome.passed + outcome.failed, checks.length);
    }
    return outcome;
  }

  /** Deletes over xAPI every document the checks wrote (what is left is the cleanup's). */
  async deleteDocuments(run: Omit<ChecksRun, 'ctx' | 'section'>, signal: AbortSignal) {
    const probe = new XapiProbe(run.endpoint, run.authorization, run.version, run.data, signal);
    const seen = new Set<string>();
    for (const doc of run.data.documents) {
      const key = `${doc.resource}?${new URLSearchParams(doc.query).toString()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await probe.request('DELETE', doc.resource, { query: doc.query }).catch(() => undefined);
    }
  }
}

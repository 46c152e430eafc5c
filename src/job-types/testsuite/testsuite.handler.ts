import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import { AddressInfo } from 'net';
import { Repository } from 'typeorm';
import { Client } from '../../access/client.entity';
import { RunCredentialsService } from '../../access/run-credentials/run-credentials.service';
import { invalidInput } from '../../common/errors';
import { AppConfig } from '../../config/app-config';
import {
  JobCreationContext,
  JobHandler,
  JobRunContext,
  JobRunResult,
  JobType,
} from '../../jobs/job-type';
import { LogLevel } from '../../logging/log-entry.entity';
import { XapiVersion } from '../../xapi/common/xapi-endpoint';
import { AdlSuiteRunner } from './adl-suite.runner';
import { BuiltInChecksRunner } from './built-in-checks.runner';
import { SECTIONS, SectionName } from './checks/check';
import { RunData } from './checks/run-data';
import { XapiProbe } from './checks/xapi-probe';
import { StoreSnapshot, TestsuiteCleanup } from './testsuite-cleanup';
import { TestsuiteParams } from './testsuite.dto';

/** How long the ADL suite may run; its full 2.0.0 battery takes minutes, not an hour. */
export const ADL_TIME_LIMIT_MS = 60 * 60_000;
/** The run credential outlives the longest run by a margin, then expires on its own. */
const BUILT_IN_CREDENTIAL_TTL_MS = 30 * 60_000;
const CREDENTIAL_MARGIN_MS = 5 * 60_000;
/** ADL failures written one entry each; the rest are counted in the summary entry. */
const ADL_FAILURES_LOGGED = 500;

@JobType({
  name: 'testsuite',
  params: TestsuiteParams,
  store: 'required',
  description:
    "Runs xAPI conformance checks against a client's xAPI endpoint (built in, or the ADL suite).",
})
@Injectable()
export class TestsuiteHandler implements JobHandler<TestsuiteParams> {
  /** Test hook: the ADL suite's time limit. */
  adlTimeLimitMs = ADL_TIME_LIMIT_MS;

  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly credentials: RunCredentialsService,
    private readonly builtIn: BuiltInChecksRunner,
    private readonly adl: AdlSuiteRunner,
    private readonly cleanup: TestsuiteCleanup,
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async validate(ctx: JobCreationContext<TestsuiteParams>): Promise<void> {
    const errors: Record<string, string[]> = {};
    const client = await this.clients.findOne({ where: { slug: ctx.params.client } });
    if (!client) errors.client = [`No client "${ctx.params.client}".`];
    else if (ctx.store && client.storeId !== ctx.store.id) {
      errors.client = [`The client "${client.slug}" is not a client of store "${ctx.store.slug}".`];
    }
    const section = ctx.params.section;
    if (section && !this.config.testsuitePath && !SECTIONS.includes(section as SectionName)) {
      errors.section = [`Unknown section "${section}": use one of ${SECTIONS.join(', ')}.`];
    }
    if (Object.keys(errors).length) throw invalidInput(errors);
  }

  async run(ctx: JobRunContext<TestsuiteParams>): Promise<JobRunResult> {
    const store = ctx.store!;
    const client = await this.clients.findOne({ where: { slug: ctx.params.client } });
    if (!client || client.storeId !== store.id) {
      throw new Error(`client "${ctx.params.client}" is not a client of store "${store.slug}"`);
    }
    const version: XapiVersion = ctx.params.version ?? '1.0.3';
    const section = ctx.params.section || null;
    const endpoint = `${this.origin()}/api/${encodeURIComponent(client.slug)}/xapi/`;
    const suitePath = this.config.testsuitePath;
    const ttl = suitePath ? this.adlTimeLimitMs + CREDENTIAL_MARGIN_MS : BUILT_IN_CREDENTIAL_TTL_MS;
    const credential = await this.credentials.mint(client, ctx.jobId, ttl);
    await ctx.log(
      LogLevel.Info,
      `Checking ${endpoint} as client ${client.slug} (xAPI ${version}, section ${section ?? 'all'}) ` +
        `with a run credential expiring at ${credential.expiresAt.toISOString()}`,
      { endpoint, client: client.slug, version, section, runner: suitePath ? 'adl' : 'built-in' },
    );
    try {
      return suitePath
        ? await this.runAdl(ctx, { suitePath, endpoint, version, section, credential })
        : await this.runBuiltIn(ctx, {
            endpoint,
            version,
            section: section as SectionName | null,
            authorization: XapiProbe.basic(credential.username, credential.password),
            storeId: store.id,
          });
    } finally {
      await this.credentials.revoke(credential.id);
    }
  }

  private async runBuiltIn(
    ctx: JobRunContext<TestsuiteParams>,
    run: {
      endpoint: string;
      version: XapiVersion;
      section: SectionName | null;
      authorization: string;
      storeId: number;
    },
  ): Promise<JobRunResult> {
    if (run.section && !SECTIONS.includes(run.section)) {
      throw new Error(`unknown section "${run.section}": use one of ${SECTIONS.join(', ')}`);
    }
    await this.removeLeftovers(ctx);
    const data = new RunData();
    const before = await this.cleanup.snapshot(run.storeId);
    // Kept until the data is removed: a retry after a crash removes it first.
    const pending: PendingRun = { token: data.token, storeId: run.storeId, ...before };
    await ctx.state.set({ pending });
    let outcome;
    try {
      outcome = await this.builtIn.run({ ctx, ...run, data });
    } finally {
      if (!ctx.signal.aborted) {
        await this.builtIn.deleteDocuments({ ...run, data }, ctx.signal).catch(() => undefined);
      }
      const removed = await this.cleanup.remove(run.storeId, data, before);
      await ctx.log(LogLevel.Info, `Removed the run's data: ${describe(removed)}`, { removed });
      // A cancelled job's row is gone with its state; saving there would fail the fence.
      if (!ctx.signal.aborted) await ctx.state.set(null);
    }
    const scope = run.section ?? 'all';
    return {
      feedback: `passed ${outcome.passed} / failed ${outcome.failed} of ${outcome.total} (section ${scope})`,
      data: { runner: 'built-in', version: run.version, section: scope, ...outcome },
      success: outcome.failed === 0,
    };
  }

  /** The data of an earlier attempt that died before its cleanup (its token is in the state). */
  private async removeLeftovers(ctx: JobRunContext<TestsuiteParams>) {
    const pending = ctx.state.get<{ pending?: PendingRun }>()?.pending;
    if (!pending) return;
    const removed = await this.cleanup.remove(
      pending.storeId,
      new RunData(pending.token),
      { voidedVerbKnown: pending.voidedVerbKnown },
      { everyRegistration: true },
    );
    await ctx.state.set(null);
    await ctx.log(LogLevel.Info, `Removed what an interrupted run left: ${describe(removed)}`, {
      removed,
      token: pending.token,
    });
  }

  private async runAdl(
    ctx: JobRunContext<TestsuiteParams>,
    run: {
      suitePath: string;
      endpoint: string;
      version: XapiVersion;
      section: string | null;
      credential: { username: string; password: string };
    },
  ): Promise<JobRunResult> {
    const result = await this.adl.run({
      suitePath: run.suitePath,
      // The suite appends "/statements" etc. itself: no trailing slash.
      endpoint: run.endpoint.replace(/\/+$/, ''),
      username: run.credential.username,
      password: run.credential.password,
      version: run.version,
      grep: run.section,
      timeLimitMs: this.adlTimeLimitMs,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress(done, total),
    });
    for (const f of result.failures.slice(0, ADL_FAILURES_LOGGED)) {
      await ctx.log(LogLevel.Warning, `ADL test failed: ${f.test.slice(0, 500)}`, {
        check: f.test,
        sent: null,
        expected: 'the ADL test to pass',
        got: f.error,
      });
    }
    const scope = run.section ?? 'all';
    return {
      feedback: `passed ${result.passed} / failed ${result.failed} of ${result.total} (section ${scope}, ADL suite)`,
      data: {
        runner: 'adl',
        version: run.version,
        section: scope,
        total: result.total,
        passed: result.passed,
        failed: result.failed,
        failures_logged: Math.min(result.failures.length, ADL_FAILURES_LOGGED),
        log_file: result.logFile,
      },
      success: result.failed === 0,
    };
  }

  /** The origin clients call: PUBLIC_URL, else the address this instance listens on. */
  private origin(): string {
    if (this.config.publicUrl) return this.config.publicUrl;
    const server = this.adapterHost.httpAdapter?.getHttpServer();
    const address = server?.address?.() as AddressInfo | string | null | undefined;
    if (!address || typeof address === 'string') {
      throw new Error('this instance does not listen on a TCP port: set PUBLIC_URL');
    }
    const host =
      address.address === '::' || address.address === '0.0.0.0'
        ? '127.0.0.1'
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
    return `http://${host}:${address.port}`;
  }
}

/** What a run in progress keeps in the job's state, for a retry to clean up after it. */
interface PendingRun extends StoreSnapshot {
  token: string;
  storeId: number;
}

function describe(counts: object): string {
  return Object.entries(counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

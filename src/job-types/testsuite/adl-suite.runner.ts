import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ChildProcess, spawn } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { XapiVersion } from '../../xapi/common/xapi-endpoint';

export interface AdlSuiteRun {
  /** The checkout of the ADL LRS conformance test suite (TESTSUITE_PATH). */
  suitePath: string;
  /** The xAPI endpoint to test, without a trailing slash (the suite appends the resources). */
  endpoint: string;
  username: string;
  password: string;
  version: XapiVersion;
  /** Passed as `-g`: only the tests whose title matches. */
  grep: string | null;
  timeLimitMs: number;
  signal: AbortSignal;
  onProgress?: (done: number, total: number | null) => Promise<void> | void;
}

export interface AdlFailure {
  /** The test's titles from its suite down, joined by " > ". */
  test: string;
  error: string;
}

export interface AdlSuiteResult {
  total: number;
  passed: number;
  failed: number;
  failures: AdlFailure[];
  /** The run log the suite wrote (in its own logs/ folder). */
  logFile: string | null;
  exitCode: number | null;
}

interface Summary {
  total: number | null;
  passed: number | null;
  failed: number | null;
}

/** Time between SIGTERM and SIGKILL when the child must stop. */
const KILL_GRACE_MS = 2_000;
const STDERR_KEPT = 4_000;

/** Why a TESTSUITE_PATH cannot be used, or null when it holds a runnable suite. */
export function suiteProblem(path: string): string | null {
  if (!existsSync(join(path, 'bin', 'console_runner.js'))) {
    return `TESTSUITE_PATH (${path}) holds no ADL LRS conformance test suite: bin/console_runner.js is missing`;
  }
  if (!existsSync(join(path, 'node_modules'))) {
    return `the ADL LRS conformance test suite in ${path} has no node_modules: run npm install in it`;
  }
  return null;
}

/** The failed leaf tests of the suite's run log (a tree of suites and tests). */
export function failuresOf(log: unknown, path: string[] = []): AdlFailure[] {
  if (!log || typeof log !== 'object') return [];
  const node = log as { title?: string; status?: string; error?: unknown; tests?: unknown[] };
  const here = node.title ? [...path, node.title] : path;
  const children = (node.tests ?? []).flatMap((t) => failuresOf(t, here));
  if (children.length) return children;
  if (node.status === 'failed' && !(node.tests ?? []).length) {
    const error = typeof node.error === 'string' ? node.error : JSON.stringify(node.error ?? null);
    return [{ test: here.join(' > '), error }];
  }
  return [];
}

/**
 * Runs `node bin/console_runner.js` of an ADL suite checkout against an endpoint, in its
 * own process group so that a cancel, the time limit or a shutdown kills the runner and
 * the mocha process it forks. The result is its last printed summary and its run log.
 */
@Injectable()
export class AdlSuiteRunner implements OnApplicationShutdown {
  private readonly children = new Set<ChildProcess>();

  onApplicationShutdown() {
    for (const child of this.children) this.kill(child, 'SIGKILL');
  }

  async run(run: AdlSuiteRun): Promise<AdlSuiteResult> {
    const problem = suiteProblem(run.suitePath);
    if (problem) throw new Error(problem);
    run.signal.throwIfAborted();
    const args = [
      join(run.suitePath, 'bin', 'console_runner.js'),
      '-e',
      run.endpoint,
      '-a',
      '-u',
      run.username,
      '-p',
      run.password,
      '-x',
      run.version,
      // jobs.md's command line, as it is: the log file holds every test (failuresOf picks
      // the failed ones), not only the failures (-z).
      ...(run.grep ? ['-g', run.grep] : []),
    ];
    const child = spawn(process.execPath, args, {
      cwd: run.suitePath,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    this.children.add(child);

    let summary: Summary | null = null;
    let logFile: string | null = null;
    let stderr = '';
    let pending = '';
    let stopped: string | null = null;
    const stop = (why: string) => {
      stopped ??= why;
      this.kill(child, 'SIGTERM');
      setTimeout(() => this.kill(child, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const onAbort = () => stop('cancelled');
    run.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => stop(`the ADL suite did not finish within ${Math.round(run.timeLimitMs / 1000)} s`),
      run.timeLimitMs,
    );

    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const parsed = parseSummary(line);
        if (parsed) {
          summary = parsed;
          if (parsed.total !== null) {
            void run.onProgress?.((parsed.passed ?? 0) + (parsed.failed ?? 0), parsed.total);
          }
        }
        const m = /^Full run log written to (.+)$/.exec(line.trim());
        if (m) logFile = m[1];
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEPT);
    });

    const exitCode = await new Promise<number | null>((resolve) => {
      child.on('error', (err) => {
        stderr += `\n${err.message}`;
        resolve(null);
      });
      child.on('close', (code) => resolve(code));
    });
    clearTimeout(timer);
    run.signal.removeEventListener('abort', onAbort);
    this.children.delete(child);
    // Nothing of the group may outlive the run (mocha is a grandchild).
    this.kill(child, 'SIGKILL');

    if (stopped === 'cancelled') throw run.signal.reason ?? new Error('cancelled');
    if (stopped) throw new Error(stopped);
    const last = summary as Summary | null;
    if (!last || last.total === null || last.passed === null || last.failed === null) {
      const tail = stderr.trim().split('\n').slice(-5).join(' | ');
      throw new Error(
        `the ADL suite ended (exit code ${exitCode}) without a result${tail ? `: ${tail}` : ''}`,
      );
    }
    let failures: AdlFailure[] = [];
    if (logFile && existsSync(logFile)) {
      try {
        failures = failuresOf((JSON.parse(readFileSync(logFile, 'utf8')) as { log?: unknown }).log);
      } catch {
        failures = [];
      }
    }
    return {
      total: last.total,
      passed: last.passed,
      failed: last.failed,
      failures,
      logFile,
      exitCode,
    };
  }

  private kill(child: ChildProcess, signal: NodeJS.Signals) {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  }
}

/** A `{"total":..,"passed":..,"failed":..}` line of the runner's output, or null. */
export function parseSummary(line: string): Summary | null {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"total"')) return null;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const num = (x: unknown) => (typeof x === 'number' ? x : null);
    if (!('total' in v && 'passed' in v && 'failed' in v)) return null;
    return { total: num(v.total), passed: num(v.passed), failed: num(v.failed) };
  } catch {
    return null;
  }
}

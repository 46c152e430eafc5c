import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AdlSuiteRunner, failuresOf, parseSummary, suiteProblem } from './adl-suite.runner';

/**
 * A stand-in for the ADL suite's bin/console_runner.js: prints summaries as the real
 * one does, writes an errors-only run log, and exits with the failed count; `hang`
 * forks a grandchild (as the real runner forks mocha) and never ends.
 */
const FAKE_RUNNER = `
const fs = require('fs'), path = require('path'), cp = require('child_process');
const args = process.argv.slice(2);
const arg = (f) => { const i = args.indexOf(f); return i < 0 ? null : args[i + 1]; };
fs.writeFileSync(path.join(__dirname, '..', 'args.json'), JSON.stringify(args));
if (arg('-g') === 'hang') {
  const child = cp.spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  fs.writeFileSync(path.join(__dirname, '..', 'grandchild.pid'), String(child.pid));
  console.log(JSON.stringify({ total: 10, passed: 1, failed: 0 }));
  setInterval(() => {}, 1000);
} else if (arg('-g') === 'crash') {
  console.error('Error: Cannot find module \\'commander\\'');
  process.exit(1);
} else {
  console.log(JSON.stringify({ total: 3, passed: null, failed: null }));
  console.log(JSON.stringify({ total: 3, passed: 1, failed: 1 }));
  const log = path.join(__dirname, '..', 'logs', 'run.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, JSON.stringify({ summary: {}, log: { title: 'root', status: 'failed', tests: [
    { title: 'About Resource Requirements', status: 'failed', tests: [
      { title: 'An LRS rejects a GET without auth (Communication 4.0)', status: 'failed', error: 'expected 200 to equal 401', tests: [] },
      { title: 'passes', status: 'passed', tests: [] } ] } ] } }));
  console.log(JSON.stringify({ total: 3, passed: 2, failed: 1, version: arg('-x') }));
  console.log('Tests completed in 0.1 seconds');
  console.log('Full run log written to', log);
  process.exit(1);
}
`;

function fakeSuite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-adl-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'node_modules'));
  writeFileSync(join(dir, 'bin', 'console_runner.js'), FAKE_RUNNER);
  return dir;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitDead(pid: number) {
  for (let i = 0; i < 30 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  expect(alive(pid)).toBe(false);
}

describe('AdlSuiteRunner', () => {
  const runner = new AdlSuiteRunner();
  const base = {
    endpoint: 'http://127.0.0.1:1/api/lms/xapi/',
    username: 'run-abc',
    password: 'secret',
    version: '1.0.3' as const,
    timeLimitMs: 20_000,
  };

  it('runs console_runner.js with the documented options and parses its summary and log', async () => {
    const dir = fakeSuite();
    const progress: [number, number | null][] = [];
    const result = await runner.run({
      ...base,
      suitePath: dir,
      grep: 'About Resource',
      signal: new AbortController().signal,
      onProgress: (d, t) => {
        progress.push([d, t]);
      },
    });
    expect(result).toMatchObject({ total: 3, passed: 2, failed: 1, exitCode: 1 });
    expect(result.failures).toEqual([
      {
        test: 'root > About Resource Requirements > An LRS rejects a GET without auth (Communication 4.0)',
        error: 'expected 200 to equal 401',
      },
    ]);
    expect(progress.at(-1)).toEqual([3, 3]);
    const args = JSON.parse(execFileSync('cat', [join(dir, 'args.json')]).toString());
    expect(args).toEqual([
      '-e',
      base.endpoint,
      '-a',
      '-u',
      'run-abc',
      '-p',
      'secret',
      '-x',
      '1.0.3',
      '-g',
      'About Resource',
    ]);
  });

  it('is a clear error when the folder holds no suite, or a suite without its dependencies', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-adl-'));
    expect(suiteProblem(empty)).toMatch(/holds no ADL LRS conformance test suite/);
    await expect(
      runner.run({ ...base, suitePath: empty, grep: null, signal: new AbortController().signal }),
    ).rejects.toThrow(/bin\/console_runner.js is missing/);
    mkdirSync(join(empty, 'bin'));
    writeFileSync(join(empty, 'bin', 'console_runner.js'), '');
    expect(suiteProblem(empty)).toMatch(/run npm install in it/);
  });

  it('fails with the end of stderr when the suite prints no result', async () => {
    await expect(
      runner.run({
        ...base,
        suitePath: fakeSuite(),
        grep: 'crash',
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(/exit code 1\) without a result: Error: Cannot find module 'commander'/);
  });

  it('kills the runner and what it forked when cancelled', async () => {
    const dir = fakeSuite();
    const abort = new AbortController();
    const run = runner.run({
      ...base,
      suitePath: dir,
      grep: 'hang',
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    await expect(run).rejects.toBeDefined();
    const grandchild = Number(execFileSync('cat', [join(dir, 'grandchild.pid')]).toString());
    await waitDead(grandchild);
  });

  it('stops at the time limit', async () => {
    const dir = fakeSuite();
    await expect(
      runner.run({
        ...base,
        timeLimitMs: 500,
        suitePath: dir,
        grep: 'hang',
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow('the ADL suite did not finish within 1 s');
    // On a loaded machine the limit may strike before the stand-in forked anything.
    if (existsSync(join(dir, 'grandchild.pid'))) {
      await waitDead(Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8')));
    }
  });

  it('reads summary lines and failed leaves of a run log', () => {
    expect(parseSummary('{"total":5,"passed":4,"failed":1,"version":"2.0.0"}')).toEqual({
      total: 5,
      passed: 4,
      failed: 1,
    });
    expect(parseSummary('Tests completed in 3 seconds')).toBeNull();
    expect(parseSummary('{"total": 2')).toBeNull();
    expect(
      failuresOf({
        title: 'a',
        status: 'failed',
        tests: [{ title: 'b', status: 'passed', tests: [] }],
      }),
    ).toEqual([]);
  });
});

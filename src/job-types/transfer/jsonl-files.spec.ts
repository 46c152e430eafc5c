import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { JsonlAppender, jsonlFileName, jsonlFilesOf, readJsonlLines } from './jsonl-files';

describe('JSON Lines files', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'lrs-jsonl-'));

  it('names files [prefix_]<service>_<store>.jsonl and finds them by service', () => {
    expect(jsonlFileName('', 'statements', 'default')).toBe('statements_default.jsonl');
    expect(jsonlFileName('nightly', 'agent-profiles', 'b')).toBe('nightly_agent-profiles_b.jsonl');
    const d = dir();
    for (const name of [
      'statements_a.jsonl',
      'statements_b.jsonl',
      'x_statements_a.jsonl',
      'states_a.jsonl',
      'statements_a.txt',
      'statements_my_store.jsonl',
      'statements_Upper.jsonl',
    ]) {
      writeFileSync(join(d, name), '');
    }
    expect(jsonlFilesOf(d, '', 'statements')).toEqual([
      'statements_a.jsonl',
      'statements_b.jsonl',
      'statements_my_store.jsonl',
    ]);
    expect(jsonlFilesOf(d, 'x', 'statements')).toEqual(['x_statements_a.jsonl']);
    expect(jsonlFilesOf(join(d, 'missing'), '', 'states')).toEqual([]);
  });

  it('reads whole lines only, in batches, leaving a torn last line for later', () => {
    const path = join(dir(), 'f.jsonl');
    writeFileSync(path, '{"a":1}\n\n{"a":2}\n{"a":3}\n{"a":');
    const first = readJsonlLines(path, 0, 2);
    expect(first.lines).toEqual(['{"a":1}', '{"a":2}']);
    // Each line's end offset (the blank line goes with the line after it).
    expect(first.ends).toEqual([8, 17]);
    const second = readJsonlLines(path, first.next, 10);
    expect(second.lines).toEqual(['{"a":3}']);
    expect(readJsonlLines(path, second.next, 10)).toEqual({
      lines: [],
      ends: [],
      next: second.next,
    });
    appendFileSync(path, '4}\n');
    expect(readJsonlLines(path, second.next, 10).lines).toEqual(['{"a":4}']);
  });

  it('cuts what a dead run left after the durable size, or a torn last line, before appending', () => {
    const path = join(dir(), 'f.jsonl');
    const appender = new JsonlAppender(path);
    expect(appender.prepare(null)).toBe(0);
    const size = appender.append(['{"a":1}']);
    appendFileSync(path, '{"a":2}\n{"a"');
    expect(appender.prepare(size)).toBe(size);
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n');
    appendFileSync(path, '{"a":');
    expect(appender.prepare(null)).toBe(size);
    expect(appender.append(['{"b":1}', '{"b":2}'])).toBe(readFileSync(path).length);
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"b":1}\n{"b":2}\n');
  });
});

import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  truncateSync,
  writeSync,
} from 'fs';
import { SLUG_PATTERN } from '../../access/slug';
import { RecordService } from './transfer-connections';

/** `[prefix_]<service>_<store>.jsonl`, the file a push writes (jobs.md). */
export function jsonlFileName(
  prefix: string | null,
  service: RecordService,
  store: string,
): string {
  return `${prefix ? `${prefix}_` : ''}${service}_${store}.jsonl`;
}

/**
 * The files of a service in a folder, whatever store wrote them
 * (`[prefix_]<service>_<store>.jsonl`), by name.
 */
export function jsonlFilesOf(
  folder: string,
  prefix: string | null,
  service: RecordService,
): string[] {
  const head = `${prefix ? `${prefix}_` : ''}${service}_`;
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.startsWith(head) && name.endsWith('.jsonl'))
    .filter((name) => SLUG_PATTERN.test(name.slice(head.length, -'.jsonl'.length)))
    .sort();
}

/**
 * Appends whole lines to a JSON Lines file so that a crash never leaves a line a
 * reader would take half: `prepare` cuts what a dead run left after the last
 * durable size (bytes written but never recorded in the job's cursor, or a torn last
 * line), `append` writes a batch and fsyncs it, and returns the new size for the
 * cursor. Readers only take lines that end with a newline.
 */
export class JsonlAppender {
  constructor(private readonly path: string) {}

  /** The size to append from: `durable` (the cursor's size) or the end of the last whole line. */
  prepare(durable: number | null): number {
    if (!existsSync(this.path)) return 0;
    const size = statSync(this.path).size;
    if (durable !== null && size > durable) {
      truncateSync(this.path, durable);
      return durable;
    }
    const whole = lastNewlineEnd(this.path, size);
    if (whole < size) truncateSync(this.path, whole);
    return whole;
  }

  append(lines: string[]): number {
    const fd = openSync(this.path, 'a');
    try {
      if (lines.length) writeSync(fd, lines.map((l) => `${l}\n`).join(''));
      fsyncSync(fd);
      return fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  }
}

/** The offset just after the last newline of the file's first `size` bytes (0 when none). */
function lastNewlineEnd(path: string, size: number): number {
  if (size === 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const i = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (i >= 0) return start + i + 1;
      end = start;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads whole lines from `offset`, at most `max` of them; a last line without its
 * newline (being written, or torn by a crash) is left for later. Returns the lines,
 * the offset just after each of them (`ends`) and the offset after the last one taken.
 */
export function readJsonlLines(
  path: string,
  offset: number,
  max: number,
): { lines: string[]; ends: number[]; next: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const lines: string[] = [];
    const ends: number[] = [];
    let pos = offset;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.alloc(1024 * 1024);
    let next = offset;
    while (pos < size && lines.length < max) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - pos), pos);
      if (n <= 0) break;
      pos += n;
      let buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (;;) {
        const i = buf.indexOf(0x0a, start);
        if (i < 0 || lines.length >= max) break;
        const line = buf.subarray(start, i).toString('utf8');
        next += i + 1 - start;
        start = i + 1;
        if (line.trim()) {
          lines.push(line);
          ends.push(next);
        }
      }
      buf = buf.subarray(start);
      carry = Buffer.from(buf);
      if (lines.length >= max) break;
    }
    return { lines, ends, next };
  } finally {
    closeSync(fd);
  }
}

export function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

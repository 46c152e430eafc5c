import { existsSync, mkdirSync, mkdtempSync, statSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  confineFolder,
  decryptConnectionPassword,
  encryptConnectionPassword,
  ensureConfinedFolder,
  FolderOutsideFilesPath,
} from './connection-secrets';

describe('connection passwords', () => {
  const key = 'app-key-for-tests';

  it('round-trips through AES-256-GCM without the clear text in the stored value', () => {
    const stored = encryptConnectionPassword('s3cret-Pässword', key);
    expect(stored).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(stored).not.toContain('s3cret');
    expect(decryptConnectionPassword(stored, key)).toBe('s3cret-Pässword');
  });

  it('uses a fresh IV each time', () => {
    expect(encryptConnectionPassword('same', key)).not.toBe(encryptConnectionPassword('same', key));
  });

  it('refuses another key or a tampered value, never echoing the secret', () => {
    const stored = encryptConnectionPassword('top-secret', key);
    expect(() => decryptConnectionPassword(stored, 'another-key')).toThrow(/cannot decrypt/);
    const [v, iv, tag, data] = stored.split(':');
    const flipped = Buffer.from(data, 'base64');
    flipped[0] ^= 1;
    const tampered = [v, iv, tag, flipped.toString('base64')].join(':');
    expect(() => decryptConnectionPassword(tampered, key)).toThrow(/cannot decrypt/);
    expect(() => decryptConnectionPassword('top-secret', key)).toThrow(/unknown encrypted format/);
    try {
      decryptConnectionPassword(stored, 'another-key');
    } catch (err) {
      expect((err as Error).message).not.toContain('top-secret');
    }
  });

  it('refuses an empty APP_KEY', () => {
    expect(() => encryptConnectionPassword('x', '')).toThrow(/APP_KEY/);
  });
});

describe('file connection folders', () => {
  const root = '/srv/files';

  it.each([
    ['exports', 'exports'],
    ['exports/2026/', 'exports/2026'],
    ['./a/./b', 'a/b'],
    ['a/../b', 'b'],
    ['.', '.'],
    ['a\\b', 'a/b'],
  ])('keeps %s inside FILES_PATH as %s', (folder, normalised) => {
    const r = confineFolder(root, folder);
    expect(r.folder).toBe(normalised);
    expect(r.path).toBe(normalised === '.' ? root : `${root}/${normalised}`);
  });

  it.each([
    '../../etc',
    '..',
    '../files-other',
    'a/../../b',
    '/etc',
    'C:\\Windows',
    '..\\..\\etc',
    'a\0b',
  ])('refuses %j', (folder) => {
    expect(() => confineFolder(root, folder)).toThrow(FolderOutsideFilesPath);
    try {
      confineFolder(root, folder);
    } catch (err) {
      expect((err as Error).message).toMatch(/^folder /);
    }
  });

  it('creates the folder, but not through a link that leads out', () => {
    const base = mkdtempSync(join(tmpdir(), 'lrs-folders-'));
    const files = join(base, 'files');
    const outside = join(base, 'outside');
    mkdirSync(outside);
    const made = ensureConfinedFolder(files, 'a/b');
    expect(statSync(made).isDirectory()).toBe(true);
    symlinkSync(outside, join(files, 'link'));
    expect(() => ensureConfinedFolder(files, 'link/c')).toThrow(FolderOutsideFilesPath);
    expect(existsSync(join(outside, 'c'))).toBe(false);
  });
});

import { existsSync, mkdirSync, mkdtempSync, statSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { confineFolder, ensureConfinedFolder, FolderOutsideFilesPath } from './connection-folders';

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

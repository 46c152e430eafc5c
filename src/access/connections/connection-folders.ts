import { existsSync, mkdirSync, realpathSync } from 'fs';
import { dirname, isAbsolute, relative, resolve, sep, win32 } from 'path';

/** A file connection folder outside FILES_PATH; the message names the field `folder`. */
export class FolderOutsideFilesPath extends Error {}

/**
 * A file connection folder, confined to FILES_PATH: relative, no way out through
 * `..` or a symbolic link. Returns the folder normalised (forward slashes, no
 * trailing slash, `.` for FILES_PATH itself) and its absolute path.
 */
export function confineFolder(filesPath: string, folder: string): { folder: string; path: string } {
  const refuse = (why: string) => {
    throw new FolderOutsideFilesPath(`folder ${why}`);
  };
  if (folder.includes('\0')) refuse('must not contain NUL characters');
  if (isAbsolute(folder) || win32.isAbsolute(folder) || /^[a-zA-Z]:/.test(folder)) {
    refuse('must be relative to FILES_PATH, not absolute');
  }
  const root = resolve(filesPath);
  const path = resolve(root, folder.replace(/\\/g, '/'));
  const rel = relative(root, path);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    refuse('must stay inside FILES_PATH');
  }
  return { folder: rel === '' ? '.' : rel.split(sep).join('/'), path };
}

/**
 * Creates the folder, refusing when a symbolic link on the way leads out of
 * FILES_PATH (checked before anything is created, and again after). Returns
 * its real absolute path.
 */
export function ensureConfinedFolder(filesPath: string, folder: string): string {
  const { path } = confineFolder(filesPath, folder);
  const root = resolve(filesPath);
  mkdirSync(root, { recursive: true });
  const realRoot = realpathSync(root);
  const inside = (p: string) => {
    const rel = relative(realRoot, realpathSync(p));
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new FolderOutsideFilesPath('folder must stay inside FILES_PATH (a link leads out)');
    }
  };
  let existing = path;
  while (!existsSync(existing)) existing = dirname(existing);
  inside(existing);
  mkdirSync(path, { recursive: true });
  inside(path);
  return realpathSync(path);
}

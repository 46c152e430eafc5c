import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'crypto';
import { existsSync, mkdirSync, realpathSync } from 'fs';
import { dirname, isAbsolute, relative, resolve, sep, win32 } from 'path';

/**
 * Connection passwords at rest: AES-256-GCM under a key derived from APP_KEY
 * (HKDF-SHA256), stored as `v1:<iv>:<tag>:<ciphertext>` in base64.
 */
const VERSION = 'v1';

function keyFrom(appKey: string): Buffer {
  if (!appKey) throw new Error('APP_KEY is empty: cannot encrypt connection passwords');
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(appKey, 'utf8'), 'lrs-jobs', 'connection-password', 32),
  );
}

export function encryptConnectionPassword(password: string, appKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(appKey), iv);
  const data = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, data]
    .map((x) => (typeof x === 'string' ? x : x.toString('base64')))
    .join(':');
}

/**
 * The clear password of a connection, for the pull and push jobs. Throws when the
 * value was not made with this APP_KEY (the message never holds the secret).
 */
export function decryptConnectionPassword(encrypted: string, appKey: string): string {
  const [version, iv, tag, data] = encrypted.split(':');
  if (version !== VERSION || !iv || !tag || data === undefined) {
    throw new Error('connection password: unknown encrypted format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(appKey), Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new Error('connection password: cannot decrypt (APP_KEY changed?)');
  }
}

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

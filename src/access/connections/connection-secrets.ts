import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'crypto';

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

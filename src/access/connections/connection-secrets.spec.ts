import { decryptConnectionPassword, encryptConnectionPassword } from './connection-secrets';

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

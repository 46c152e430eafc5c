import { AppConfig } from '../config/app-config';
import { AccessCache } from './access-cache';
import { Client } from './client.entity';
import { Store } from './store.entity';

/** A repository whose findOne answers when the test releases it, counting the reads. */
function slowRepo<T>(row: () => T) {
  const waiting: (() => void)[] = [];
  return {
    reads: 0,
    /** Answers the reads in flight, the latest first. */
    release: () =>
      waiting
        .splice(0)
        .reverse()
        .forEach((go) => go()),
    findOne(): Promise<T> {
      this.reads++;
      const value = row(); // as the row was when the read began
      return new Promise((resolve) => waiting.push(() => resolve(value)));
    },
  };
}

describe('AccessCache', () => {
  const config = { authCacheTtlMs: 5_000 } as AppConfig;
  let version = 0;
  const clients = slowRepo(() => ({ slug: 'c', version }) as unknown as Client);
  const stores = slowRepo(() => ({ id: 1 }) as Store);
  const cache = new AccessCache(clients as any, stores as any, config);

  beforeEach(() => {
    cache.forgetStore(1);
    clients.reads = 0;
    stores.reads = 0;
  });

  it('answers concurrent misses of one key with one read, then from the cache', async () => {
    const all = Promise.all([cache.clientBySlug('c'), cache.clientBySlug('c')]);
    expect(clients.reads).toBe(1);
    clients.release();
    const [a, b] = await all;
    expect(a).toBe(b);
    expect(await cache.clientBySlug('c')).toBe(a);
    expect(clients.reads).toBe(1);
  });

  it('does not keep a row read before a change made on this instance', async () => {
    version = 1;
    const before = cache.clientBySlug('c');
    cache.forgetClient('c');
    version = 2;
    // A read after the change does not wait for the stale one.
    const after = cache.clientBySlug('c');
    expect(clients.reads).toBe(2);
    // The stale read answers last: its caller gets it, the cache does not keep it.
    await Promise.resolve();
    clients.release();
    expect(((await before) as any).version).toBe(1);
    expect(((await after) as any).version).toBe(2);
    expect(((await cache.clientBySlug('c')) as any).version).toBe(2);
    expect(clients.reads).toBe(2);
  });
});

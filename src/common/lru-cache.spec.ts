import { LruCache } from './lru-cache';

describe('LruCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000));

  it('drops the least recently used entry when full', () => {
    const c = new LruCache<number>(2, 10_000, clock);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recently used
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('lets an entry lapse after its TTL, counted from when it was set', () => {
    const c = new LruCache<string>(10, 500, clock);
    c.set('k', 'v');
    now += 499;
    expect(c.get('k')).toBe('v');
    now += 1;
    expect(c.get('k')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('forgets by key and by prefix, and stores nothing when turned off', () => {
    const c = new LruCache<number>(10, 500, clock);
    c.set('1\0a', 1);
    c.set('1\0b', 2);
    c.set('2\0a', 3);
    c.deletePrefix('1\0');
    expect([c.get('1\0a'), c.get('1\0b'), c.get('2\0a')]).toEqual([undefined, undefined, 3]);
    c.delete('2\0a');
    expect(c.get('2\0a')).toBeUndefined();
    const off = new LruCache<number>(10, 0, clock);
    off.set('x', 1);
    expect(off.get('x')).toBeUndefined();
  });
});

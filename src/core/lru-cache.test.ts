import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.ts';

describe('LruCache', () => {
  it('evicts the least recently used entry once full', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.has('b')).toBe(false);
    expect([cache.get('a'), cache.get('c'), cache.size]).toEqual([1, 3, 2]);
  });

  it('stores false and other falsy values as hits, not misses', () => {
    const cache = new LruCache<string, boolean>(4);
    cache.set('k', false);
    expect(cache.get('k')).toBe(false);
    expect(cache.get('missing')).toBeUndefined();
  });

  it('peeks without refreshing: the peeked entry is still the first to go', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.peek('a')).toBe(1);
    cache.set('c', 3);
    expect([cache.has('a'), cache.peek('b'), cache.peek('c')]).toEqual([false, 2, 3]);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
    expect(() => new LruCache(1.5)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../src/core/token-bucket.ts';
import { RelayRooms } from './relay-rooms.ts';

describe('TokenBucket', () => {
  it('allows the burst, then refills at perSecond', () => {
    let nowMs = 0;
    const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, () => nowMs);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    nowMs += 499;
    expect(bucket.take()).toBe(false);
    nowMs += 1;
    expect(bucket.take()).toBe(true);
    nowMs += 60_000; // idle refills to the burst, never beyond it
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('ignores a clock that goes backwards', () => {
    let nowMs = 1000;
    const bucket = new TokenBucket({ burst: 1, perSecond: 1 }, () => nowMs);
    expect(bucket.take()).toBe(true);
    nowMs = 0;
    expect(bucket.take()).toBe(false);
  });
});

describe('RelayRooms', () => {
  it('replaces a member with the same id without counting it against the size', () => {
    const rooms = new RelayRooms<string>(2);
    expect(rooms.admit('main', 'a', 'a1')).toEqual({ ok: true, replaced: undefined });
    expect(rooms.admit('main', 'b', 'b1')).toEqual({ ok: true, replaced: undefined });
    expect(rooms.admit('main', 'c', 'c1')).toEqual({ ok: false, reason: 'room-full' });
    expect(rooms.admit('main', 'a', 'a2')).toEqual({ ok: true, replaced: 'a1' });
    expect(rooms.remove('main', 'a', 'a1')).toBe(false);
    expect(rooms.get('main', 'a')).toBe('a2');
    expect(rooms.remove('main', 'a', 'a2')).toBe(true);
    expect(rooms.remove('main', 'b', 'b1')).toBe(true);
    expect(rooms.stats()).toEqual({ rooms: 0, peers: 0 });
  });

  it('samples at most max distinct ids, excluding the asker', () => {
    const rooms = new RelayRooms<number>(100);
    for (let i = 0; i < 50; i++) rooms.admit('main', `p${i}`, i);
    const sample = rooms.sampleIds('main', 'p0', 10, (n) => n - 1);
    expect(sample).toHaveLength(10);
    expect(new Set(sample).size).toBe(10);
    expect(sample).not.toContain('p0');
    expect(rooms.sampleIds('main', 'p0', 100, () => 0)).toHaveLength(49);
  });
});

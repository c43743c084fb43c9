import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../src/core/token-bucket.ts';
import type { ServerMessage } from '../src/core/relay-protocol.ts';
import { MemoryRooms } from './relay-rooms-memory.ts';
import { SampleSet } from './relay-sample.ts';

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

/** mulberry32, so sampling tests are repeatable. */
function seededRandomInt(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

/** A room member that records what it was sent. */
function member(name: string, address?: string) {
  const sent: ServerMessage[] = [];
  let replaced = 0;
  return { name, address, sent, send: (message: ServerMessage) => void sent.push(message), replace: () => void replaced++, replacedCount: () => replaced };
}
type Member = ReturnType<typeof member>;

describe('MemoryRooms', () => {
  it('replaces a member with the same id without counting it against the size', () => {
    const rooms = new MemoryRooms<Member>({ maxRoomSize: 2 });
    const [a1, a2, b1, c1] = [member('a1'), member('a2'), member('b1'), member('c1')];
    expect(rooms.admit('main', 'a', a1)).toEqual({ ok: true, replaced: undefined });
    expect(rooms.admit('main', 'b', b1)).toEqual({ ok: true, replaced: undefined });
    expect(rooms.admit('main', 'c', c1)).toEqual({ ok: false, reason: 'room-full' });
    expect(rooms.admit('main', 'a', a2)).toEqual({ ok: true, replaced: a1 });
    expect(rooms.remove('main', 'a', a1)).toBe(false);
    expect(rooms.get('main', 'a')).toBe(a2);
    expect(rooms.stats()).toEqual({ rooms: 1, peers: 2, active: 2 });
    expect(rooms.remove('main', 'a', a2)).toBe(true);
    expect(rooms.remove('main', 'b', b1)).toBe(true);
    expect(rooms.stats()).toEqual({ rooms: 0, peers: 0, active: 0 });
  });

  it('samples at most max distinct ids, excluding the asker', async () => {
    const rooms = new MemoryRooms<Member>({ maxRoomSize: 1000, randomInt: seededRandomInt(1) });
    for (let i = 0; i < 500; i++) rooms.admit('main', `p${i}`, member(`p${i}`));
    const sample = await rooms.sample('main', 'p0', 10);
    expect(sample).toHaveLength(10);
    expect(new Set(sample).size).toBe(10);
    expect(sample).not.toContain('p0');
    expect(await rooms.sample('main', 'p0', 1000)).toHaveLength(499);
    expect(await rooms.sample('nowhere', 'p0', 10)).toEqual([]);
  });

  it('samples active members first and tops up with idle ones; idle members still get signals', async () => {
    const rooms = new MemoryRooms<Member>({ maxRoomSize: 100 });
    const members = Array.from({ length: 10 }, (_, i) => member(`p${i}`));
    members.forEach((m, i) => rooms.admit('main', `p${i}`, m));
    for (let i = 0; i < 8; i++) rooms.setActive('main', `p${i}`, members[i]!, false);
    expect(rooms.stats().active).toBe(2);
    expect(new Set(await rooms.sample('main', 'x', 2))).toEqual(new Set(['p8', 'p9']));
    const topped = await rooms.sample('main', 'x', 5);
    expect(topped.slice(0, 2).sort()).toEqual(['p8', 'p9']);
    expect(topped).toHaveLength(5);
    expect(rooms.deliver('main', 'p3', { type: 'signal', from: 'p9', data: 'offer' })).toBe(true);
    expect(members[3]!.sent).toEqual([{ type: 'signal', from: 'p9', data: 'offer' }]);
    expect(rooms.deliver('main', 'gone', { type: 'signal', from: 'p9', data: 'offer' })).toBe(false);
  });

  it('announces a join to at most max active members, never to idle ones or the joiner', () => {
    const rooms = new MemoryRooms<Member>({ maxRoomSize: 100 });
    const members = Array.from({ length: 20 }, (_, i) => member(`p${i}`));
    members.forEach((m, i) => rooms.admit('main', `p${i}`, m));
    for (let i = 0; i < 10; i++) rooms.setActive('main', `p${i}`, members[i]!, false);
    rooms.announce('main', 'p19', 4);
    const told = members.filter((m) => m.sent.length > 0);
    expect(told).toHaveLength(4);
    for (const m of told) {
      expect(Number(m.name.slice(1))).toBeGreaterThanOrEqual(10);
      expect(m.name).not.toBe('p19');
      expect(m.sent).toEqual([{ type: 'peer-joined', peerId: 'p19' }]);
    }
  });
});

describe('MemoryRooms across addresses', () => {
  /** 500 silent Sybils spread over `hosts` addresses, one honest member at its own address. */
  function floodedRoom(seed: number, hosts: number) {
    const rooms = new MemoryRooms<Member>({ maxRoomSize: 1000, randomInt: seededRandomInt(seed) });
    for (let i = 0; i < 500; i++) rooms.admit('main', `s${i}`, member(`s${i}`, `10.0.0.${i % hosts}`));
    rooms.admit('main', 'honest', member('honest', '192.0.2.1'));
    return rooms;
  }

  it('puts the one honest member in every welcome of a room holding 500 Sybils from 8 addresses', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const sample = await floodedRoom(seed, 8).sample('main', 'newcomer', 32);
      expect(sample, `seed ${seed}`).toContain('honest');
      expect(new Set(sample).size).toBe(32);
    }
  });

  it('a uniform draw would miss it: with the Sybils on as many addresses as a welcome holds, it is drawn at its address share', async () => {
    let included = 0;
    for (let seed = 1; seed <= 200; seed++) if ((await floodedRoom(seed, 500).sample('main', 'newcomer', 32)).includes('honest')) included++;
    // 32 of 501 addresses: about 6% of welcomes, against every welcome above.
    expect(included).toBeGreaterThan(2);
    expect(included).toBeLessThan(40);
  });

  it('announces a newcomer across addresses, and keeps the address lists right through replace, idle and remove', () => {
    const rooms = new MemoryRooms<Member>({ maxRoomSize: 1000, randomInt: seededRandomInt(3) });
    const sybils = Array.from({ length: 100 }, (_, i) => member(`s${i}`, 'evil'));
    sybils.forEach((m, i) => rooms.admit('main', `s${i}`, m));
    const honest = member('honest', 'good');
    rooms.admit('main', 'honest', honest);
    rooms.announce('main', 'newcomer', 4);
    expect(honest.sent).toEqual([{ type: 'peer-joined', peerId: 'newcomer' }]);
    // The honest tab reloads from another address, goes idle, comes back, leaves: the lists follow.
    const reloaded = member('honest', 'better');
    rooms.admit('main', 'honest', reloaded);
    rooms.setActive('main', 'honest', reloaded, false);
    rooms.announce('main', 'second', 4);
    expect(reloaded.sent).toEqual([]);
    rooms.setActive('main', 'honest', reloaded, true);
    rooms.announce('main', 'third', 4);
    expect(reloaded.sent).toEqual([{ type: 'peer-joined', peerId: 'third' }]);
    expect(rooms.remove('main', 'honest', reloaded)).toBe(true);
    expect(rooms.stats()).toEqual({ rooms: 1, peers: 100, active: 100 });
  });
});

describe('SampleSet', () => {
  it('keeps membership through swap-removes', () => {
    const set = new SampleSet();
    for (const id of ['a', 'b', 'c', 'd']) set.add(id);
    set.add('a');
    expect(set.size).toBe(4);
    expect(set.delete('b')).toBe(true);
    expect(set.delete('b')).toBe(false);
    expect([set.has('a'), set.has('b'), set.has('c'), set.has('d')]).toEqual([true, false, true, true]);
    expect(new Set(set.sample(10, new Set(), () => 0))).toEqual(new Set(['a', 'c', 'd']));
  });

  it('draws uniformly from a large set (each id within 20% of its expected count, 4.5 sigma)', () => {
    const set = new SampleSet();
    for (let i = 0; i < 200; i++) set.add(`p${i}`);
    const counts = new Map<string, number>();
    const randomInt = seededRandomInt(7);
    for (let round = 0; round < 10_000; round++) {
      const sample = set.sample(10, new Set(['p0']), randomInt);
      expect(new Set(sample).size).toBe(10);
      for (const id of sample) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(counts.has('p0')).toBe(false);
    const expected = (10_000 * 10) / 199;
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(expected * 0.2);
  });
});

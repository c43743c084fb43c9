import { describe, expect, it } from 'vitest';
import { BackoffTable } from './backoff-table.ts';
import { createPeerBook } from './peer-book.ts';
import type { PeerRecord } from './peer-record.ts';
import { TokenBuckets } from '../token-bucket.ts';

const id = (n: number) => n.toString(16).padStart(64, '0');
const SELF = id(999);

/** Records are verified before the book sees them; here they are plain objects. */
function record(n: number, fields: Partial<PeerRecord> = {}): PeerRecord {
  return { peerId: id(n), seq: 1, issuedAtMs: 0, expiresAtMs: 10_000, acceptsInbound: true, neighbours: [], signature: '00'.repeat(64), ...fields };
}

/** A deterministic random: a small LCG. */
function lcg(seed = 1) {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

describe('peer book', () => {
  it('keeps the newest record per peer: higher seq, then later issuedAtMs', () => {
    const book = createPeerBook({ selfId: SELF, random: lcg() });
    expect(book.upsert(record(1, { seq: 5 }), 0)).toBe('added');
    expect(book.upsert(record(1, { seq: 4, issuedAtMs: 9 }), 0)).toBe('stale');
    expect(book.upsert(record(1, { seq: 5 }), 0)).toBe('stale');
    expect(book.upsert(record(1, { seq: 5, issuedAtMs: 1 }), 0)).toBe('replaced');
    expect(book.upsert(record(1, { seq: 6 }), 0)).toBe('replaced');
    expect(book.get(id(1))?.seq).toBe(6);
    expect(book.wouldAccept({ peerId: id(1), seq: 6, issuedAtMs: 0 })).toBe(false);
    expect(book.wouldAccept({ peerId: id(1), seq: 7, issuedAtMs: 0 })).toBe(true);
    expect(book.size).toBe(1);
  });

  it('never holds our own record, nor an expired one', () => {
    const book = createPeerBook({ selfId: SELF, random: lcg() });
    expect(book.upsert(record(999), 0)).toBe('self');
    expect(book.wouldAccept(record(999))).toBe(false);
    expect(book.upsert(record(1, { expiresAtMs: 100 }), 100)).toBe('expired');
    expect(book.size).toBe(0);
  });

  it('drops records as they expire', () => {
    const book = createPeerBook({ selfId: SELF, random: lcg() });
    book.upsert(record(1, { expiresAtMs: 100 }), 0);
    book.upsert(record(2, { expiresAtMs: 200 }), 0);
    expect(book.prune(99)).toBe(0);
    expect(book.prune(150)).toBe(1);
    expect(book.peerIds()).toEqual([id(2)]);
  });

  it('is bounded: a full bucket makes room inside itself, and a flood evicts what it shares a bucket with', () => {
    const book = createPeerBook({ selfId: SELF, random: lcg(3), capacity: 3 });
    for (let n = 1; n <= 3; n++) book.upsert(record(n), 0, `source-${n}`);
    expect(book.size).toBeLessThanOrEqual(3);
    expect(book.upsert(record(4), 0, 'flooder')).toBe('added');
    expect(book.has(id(4))).toBe(true);
    // Capacity 3 is 2 new buckets of one and 1 tried bucket: the flooder holds at most its own bucket.
    for (let n = 10; n < 100; n++) book.upsert(record(n), 0, 'flooder');
    expect(book.size).toBeLessThanOrEqual(3);
    expect(book.counts()).toEqual({ new: book.size, tried: 0 });
  });

  it('samples distinct records at random, skipping those excluded', () => {
    const book = createPeerBook({ selfId: SELF, random: lcg(7) });
    for (let n = 0; n < 50; n++) book.upsert(record(n), 0);
    const sample = book.sample(10, new Set([id(0), id(1)]));
    expect(new Set(sample.map((r) => r.peerId)).size).toBe(10);
    expect(sample.map((r) => r.peerId)).not.toContain(id(0));
    expect(book.sample(100).length).toBe(50);
    // Uniform enough that repeated samples cover the book.
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) for (const r of book.sample(5)) seen.add(r.peerId);
    expect(seen.size).toBeGreaterThan(40);
  });

  it("answers a peer's neighbours from its own record and from every record that lists it", () => {
    const book = createPeerBook({ selfId: SELF, random: lcg() });
    book.upsert(record(1, { neighbours: [id(2), id(3)] }), 0);
    book.upsert(record(4, { neighbours: [id(1)] }), 0);
    expect(book.neighboursOf(id(1)).sort()).toEqual([id(2), id(3), id(4)]);
    expect(book.neighboursOf(id(2))).toEqual([id(1)]); // no record of its own: known from 1's
    book.upsert(record(1, { seq: 2, neighbours: [id(3)] }), 0);
    expect(book.neighboursOf(id(2))).toEqual([]);
    book.delete(id(4));
    expect(book.neighboursOf(id(1))).toEqual([id(3)]);
  });

  it('answers a peer listed by many records, as they come and go', () => {
    const book = createPeerBook({ selfId: SELF, random: lcg() });
    const listers = Array.from({ length: 40 }, (_, i) => 100 + i);
    for (const n of listers) book.upsert(record(n, { neighbours: [id(1)] }), 0);
    expect(book.neighboursOf(id(1)).sort()).toEqual(listers.map(id).sort());
    for (const n of listers.slice(0, 30)) book.delete(id(n));
    book.upsert(record(139, { seq: 2, neighbours: [id(2)] }), 0); // a newer record that lists someone else
    expect(book.neighboursOf(id(1)).sort()).toEqual(listers.slice(30, 39).map(id).sort());
    expect(book.neighboursOf(id(2))).toEqual([id(139)]);
    for (const n of listers.slice(30)) book.delete(id(n));
    expect(book.neighboursOf(id(1))).toEqual([]);
  });

  it('lets the newer record decide when the two ends of a link disagree', () => {
    const book = createPeerBook({ selfId: SELF, random: lcg() });
    // 2 dialled 1 at 5 s and listed it at once; 1 (the inbound end) has not re-signed since 0 s.
    book.upsert(record(1, { issuedAtMs: 0, neighbours: [id(3)] }), 0);
    book.upsert(record(2, { issuedAtMs: 5_000, neighbours: [id(1)] }), 0);
    expect(book.linked(id(1), id(2))).toBe(true);
    expect(book.neighboursOf(id(1)).sort()).toEqual([id(2), id(3)]);
    // 1 dialled 3 before 0 s; 3 re-signed at 20 s without 1: that link closed, though 1's older record lists it.
    book.upsert(record(3, { issuedAtMs: 20_000, neighbours: [] }), 0);
    expect(book.neighboursOf(id(1)).sort()).toEqual([id(2)]); // 3's newer record omits 1
    book.upsert(record(2, { seq: 2, issuedAtMs: 30_000, neighbours: [] }), 0); // 2 closed its link to 1
    expect(book.linked(id(1), id(2))).toBe(false);
    expect(book.neighboursOf(id(1))).toEqual([]);
    expect(book.neighboursOf(id(2))).toEqual([]);
  });

  it('says two peers are linked when either one\'s record lists the other', () => {
    const book = createPeerBook({ selfId: SELF, random: lcg() });
    book.upsert(record(1, { neighbours: [id(2)] }), 0);
    expect(book.linked(id(1), id(2))).toBe(true);
    expect(book.linked(id(2), id(1))).toBe(true); // 2 has no record: known from 1's
    expect(book.linked(id(1), id(3))).toBe(false);
    expect(book.linked(id(5), id(6))).toBe(false); // neither known
  });
});

describe('backoff table', () => {
  it('grows exponentially with jitter in [c/2, c], caps, and resets', () => {
    const high = new BackoffTable({ baseMs: 100, maxMs: 1_000, random: () => 1 });
    expect([0, 1, 2, 3, 4].map(() => high.attempt('p', 0))).toEqual([100, 200, 400, 800, 1_000]);
    expect(high.ready('p', 999)).toBe(false);
    expect(high.ready('p', 1_000)).toBe(true);
    expect(high.attempts('p')).toBe(5);
    high.reset('p');
    expect(high.attempt('p', 0)).toBe(100);
    const low = new BackoffTable({ baseMs: 100, random: () => 0 });
    expect(low.attempt('q', 0)).toBe(50);
  });

  it('forgets the least recently tried peers beyond its capacity', () => {
    const table = new BackoffTable({ capacity: 2, random: () => 1 });
    table.attempt('a', 0);
    table.attempt('b', 0);
    table.attempt('a', 0);
    table.attempt('c', 0);
    expect([table.attempts('a'), table.attempts('b'), table.attempts('c')]).toEqual([2, 0, 1]);
    expect(table.size).toBe(2);
  });
});

describe('token buckets', () => {
  it('allow a burst, then the rate, per key', () => {
    const buckets = new TokenBuckets<string>({ ratePerSec: 10, burst: 3 });
    expect([1, 2, 3, 4].map(() => buckets.take('a', 0))).toEqual([true, true, true, false]);
    expect(buckets.take('b', 0)).toBe(true);
    expect(buckets.take('a', 99)).toBe(false);
    expect(buckets.take('a', 100)).toBe(true);
    expect(buckets.available('a', 10_000)).toBe(3);
    buckets.delete('a');
    expect(buckets.available('a', 0)).toBe(3);
  });
});

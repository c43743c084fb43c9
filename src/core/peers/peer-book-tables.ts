/**
 * The peer book's buckets (docs/PROTOCOL.md, "Peer book"), after Bitcoin
 * Core's address manager (addrman.cpp): where each known peer id lives, and
 * which one goes when a bucket is full. The records themselves stay in the
 * book (peer-book.ts); this holds only ids.
 *
 * - "new": peers we have heard of. A peer's bucket is chosen by its source,
 *   who told us: hash(salt, source, slot) where slot = hash(salt, source,
 *   peer) mod bucketsPerSource. So one source reaches only bucketsPerSource
 *   buckets (1/8 of the table), whatever ids it invents.
 * - "tried": peers we have had a working outbound link with, bucketed by
 *   hash(salt, peer). Sources have no say here.
 * - A full bucket makes room inside itself, never elsewhere: an expired
 *   record first, else an entry of the source holding the most entries
 *   there; a source already holding as many as any other evicts its own. A
 *   flooding source thus fills at most half of each bucket it shares with an
 *   honest one, and the other 7/8 of the table is out of its reach.
 * - A full tried bucket moves its least recently tried peer back to "new".
 *
 * The salt comes from the injected random once per book, so an attacker who
 * does not know it cannot pick ids or sources that land in a chosen bucket.
 * Pure: no clock, no Math.random.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '../bytes.ts';
import type { PeerId } from '../types.ts';
import { randomIndex } from './random-index.ts';

export type BookTable = 'new' | 'tried';

/** Who told us of a peer: a linked peer's id (its PEER_RECORDS frame, or its own record), or a label such as `relay`. */
export type RecordSource = string;

export interface BucketLayout {
  /** Entries per bucket. */
  bucketSize: number;
  newBuckets: number;
  triedBuckets: number;
  /** New buckets one source can reach. */
  bucketsPerSource: number;
}

/**
 * Buckets of 16 (fewer for a book under 256 records, so it still has 16
 * buckets), a quarter of them "tried" as in addrman (16,384 tried to 65,536
 * new), and each source reaching 1/8 of the new buckets. Addrman gives a
 * source group 1/16 of its table, but a tab hears from only ~6-12 linked
 * peers: at 1/8, six sources can still fill most of the table (1,000
 * records: 47 new buckets, 6 per source, 96 records per source).
 */
export function bucketLayout(capacity: number): BucketLayout {
  const bucketSize = Math.max(1, Math.min(16, Math.floor(capacity / 16)));
  const total = Math.max(1, Math.floor(capacity / bucketSize));
  const triedBuckets = total >= 2 ? Math.max(1, Math.floor(total / 4)) : 0;
  const newBuckets = total - triedBuckets;
  return { bucketSize, newBuckets, triedBuckets, bucketsPerSource: Math.max(1, Math.ceil(newBuckets / 8)) };
}

/** Sources whose buckets are cached; past it the cache starts afresh (records from a storage load each count as a source). */
const MAX_CACHED_SOURCES = 1_024;

interface Entry {
  peerId: PeerId;
  source: RecordSource;
  table: BookTable;
  bucket: number;
  /** When it was last marked tried (a counter, not a time: the tables have no clock). */
  triedAt: number;
}

export interface BookTablesInit {
  capacity: number;
  random: () => number;
}

export type BookTables = ReturnType<typeof createBookTables>;

export function createBookTables(init: BookTablesInit) {
  const { random } = init;
  const layout = bucketLayout(init.capacity);
  // 128 bits from the injected random: enough that bucket choices cannot be predicted from outside.
  const salt = Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256) & 0xff);
  const entries = new Map<PeerId, Entry>();
  const buckets: Record<BookTable, Map<PeerId, Entry>[]> = {
    new: Array.from({ length: layout.newBuckets }, () => new Map()),
    tried: Array.from({ length: layout.triedBuckets }, () => new Map()),
  };
  let triedClock = 0;

  /** A keyed hash (salted SHA-256, first 32 bits), as addrman's SipHash keyed by nKey. */
  function keyed(...parts: string[]): number {
    const digest = sha256(concatBytes(salt, utf8(parts.join('\u0000'))));
    return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
  }

  /** Each source's reachable new buckets, cached: one hash per record instead of two (a tab hears from few sources). */
  const sourceBuckets = new Map<RecordSource, number[]>();
  function bucketsOf(source: RecordSource): number[] {
    let reached = sourceBuckets.get(source);
    if (!reached) {
      if (sourceBuckets.size >= MAX_CACHED_SOURCES) sourceBuckets.clear();
      reached = Array.from({ length: layout.bucketsPerSource }, (_, slot) => keyed('new', source, String(slot)) % layout.newBuckets);
      sourceBuckets.set(source, reached);
    }
    return reached;
  }
  const newBucketOf = (peerId: PeerId, source: RecordSource) => bucketsOf(source)[keyed('slot', source, peerId) % layout.bucketsPerSource]!;
  const triedBucketOf = (peerId: PeerId) => keyed('tried', peerId) % layout.triedBuckets;

  function place(entry: Entry): void {
    entries.set(entry.peerId, entry);
    buckets[entry.table][entry.bucket]!.set(entry.peerId, entry);
  }

  function remove(peerId: PeerId): boolean {
    const entry = entries.get(peerId);
    if (!entry) return false;
    entries.delete(peerId);
    buckets[entry.table][entry.bucket]!.delete(peerId);
    return true;
  }

  /** The entry a full new bucket gives up for a newcomer from `source` (see the file comment). */
  function newVictim(bucket: Map<PeerId, Entry>, source: RecordSource, isExpired: (peerId: PeerId) => boolean): PeerId {
    const bySource = new Map<RecordSource, PeerId[]>();
    for (const entry of bucket.values()) {
      if (isExpired(entry.peerId)) return entry.peerId;
      let ids = bySource.get(entry.source);
      if (!ids) bySource.set(entry.source, (ids = []));
      ids.push(entry.peerId);
    }
    const own = bySource.get(source) ?? [];
    let most = 0;
    let heaviest: PeerId[][] = [];
    for (const [other, ids] of bySource) {
      if (other === source) continue;
      if (ids.length > most) [most, heaviest] = [ids.length, [ids]];
      else if (ids.length === most) heaviest.push(ids);
    }
    const from = own.length >= most ? own : heaviest[randomIndex(random, heaviest.length)]!;
    return from[randomIndex(random, from.length)]!;
  }

  /** Puts `peerId` in its new bucket; returns the id evicted to make room, if any. */
  function addNew(peerId: PeerId, source: RecordSource, isExpired: (peerId: PeerId) => boolean, triedAt = 0): PeerId | undefined {
    const index = newBucketOf(peerId, source);
    const bucket = buckets.new[index]!;
    let evicted: PeerId | undefined;
    if (bucket.size >= layout.bucketSize) {
      evicted = newVictim(bucket, source, isExpired);
      remove(evicted);
    }
    place({ peerId, source, table: 'new', bucket: index, triedAt });
    return evicted;
  }

  /** Puts `entry` in its tried bucket; a full one sends its least recently tried peer back to "new". Returns the ids that left the book. */
  function placeTried(entry: Entry, isExpired: (peerId: PeerId) => boolean): PeerId[] {
    const index = triedBucketOf(entry.peerId);
    const bucket = buckets.tried[index]!;
    const dropped: PeerId[] = [];
    if (bucket.size >= layout.bucketSize) {
      let oldest: Entry | undefined;
      for (const other of bucket.values()) if (!oldest || other.triedAt < oldest.triedAt) oldest = other;
      remove(oldest!.peerId);
      const evicted = isExpired(oldest!.peerId) ? oldest!.peerId : addNew(oldest!.peerId, oldest!.source, isExpired, oldest!.triedAt);
      if (evicted) dropped.push(evicted);
    }
    place({ ...entry, table: 'tried', bucket: index, triedAt: ++triedClock });
    return dropped;
  }

  return {
    layout,

    /**
     * Files a peer we just heard of from `source` under "new", or under
     * "tried" when asked (a peer we linked to before its record arrived).
     * Returns the ids evicted to make room (their records leave the book).
     */
    add(peerId: PeerId, source: RecordSource, isExpired: (peerId: PeerId) => boolean, tried = false): PeerId[] {
      if (entries.has(peerId)) return [];
      if (tried && layout.triedBuckets > 0) return placeTried({ peerId, source, table: 'tried', bucket: 0, triedAt: 0 }, isExpired);
      const evicted = addNew(peerId, source, isExpired);
      return evicted ? [evicted] : [];
    },

    /**
     * A working outbound link to `peerId`: it moves to "tried" (or is
     * refreshed there). Returns the ids that left the book to make room.
     */
    markTried(peerId: PeerId, isExpired: (peerId: PeerId) => boolean): PeerId[] {
      const entry = entries.get(peerId);
      if (!entry || layout.triedBuckets === 0) return [];
      if (entry.table === 'tried') {
        entry.triedAt = ++triedClock;
        return [];
      }
      remove(peerId);
      return placeTried(entry, isExpired);
    },

    remove,

    has: (peerId: PeerId): boolean => entries.has(peerId),

    tableOf: (peerId: PeerId): BookTable | undefined => entries.get(peerId)?.table,

    /** Who first told us of `peerId` (the source its new bucket was chosen by). */
    sourceOf: (peerId: PeerId): RecordSource | undefined => entries.get(peerId)?.source,

    /** The bucket `peerId` lives in, as `new/12` or `tried/3`; undefined when not in the book. */
    groupOf(peerId: PeerId): string | undefined {
      const entry = entries.get(peerId);
      return entry ? `${entry.table}/${entry.bucket}` : undefined;
    },

    /**
     * Up to `count` distinct ids, each drawn as addrman's Select does: a
     * table (new or tried, evenly while both have candidates), then a
     * non-empty bucket, then an entry in it. A source that floods its
     * buckets is drawn no more often than the buckets it reaches.
     */
    sample(count: number, exclude: ReadonlySet<PeerId>): PeerId[] {
      const pools = (['new', 'tried'] as const).map((table) => buckets[table]
        .map((bucket) => [...bucket.keys()].filter((peerId) => !exclude.has(peerId)))
        .filter((ids) => ids.length > 0));
      const picked: PeerId[] = [];
      while (picked.length < count) {
        const [fresh, tried] = pools as [PeerId[][], PeerId[][]];
        if (fresh.length === 0 && tried.length === 0) break;
        const pool = tried.length === 0 || (fresh.length > 0 && random() < 0.5) ? fresh : tried;
        const at = randomIndex(random, pool.length);
        const ids = pool[at]!;
        const i = randomIndex(random, ids.length);
        picked.push(ids[i]!);
        ids[i] = ids[ids.length - 1]!;
        ids.pop();
        if (ids.length === 0) {
          pool[at] = pool[pool.length - 1]!;
          pool.pop();
        }
      }
      return picked;
    },

    /** Entries per table. */
    counts: (): Record<BookTable, number> => ({
      new: buckets.new.reduce((sum, bucket) => sum + bucket.size, 0),
      tried: buckets.tried.reduce((sum, bucket) => sum + bucket.size, 0),
    }),

    /** The new buckets `source` can reach (for tests and docs: a flood stays inside these). */
    bucketsOfSource: (source: RecordSource): Set<number> => new Set(bucketsOf(source)),

    get size(): number {
      return entries.size;
    },
  };
}

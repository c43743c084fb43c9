/**
 * The peer book (issue 4 §2, `window.tabmesh.knownPeers()`): the newest
 * verified record of each peer this tab has heard of, bounded, never our own,
 * expired records dropped. It also indexes who lists whom, so the mesh
 * signaling can find a route and the page can draw the whole graph, and it
 * holds the per-peer dial backoff.
 *
 * Pure: time is passed in, randomness is injected.
 */
import { InvalidArgumentError } from '../result.ts';
import type { PeerId } from '../types.ts';
import { BackoffTable, type BackoffTableInit } from './backoff-table.ts';
import { isNewerRecord, type PeerRecord } from './peer-record.ts';
import { randomIndex } from './random-index.ts';

export interface PeerBookInit {
  selfId: PeerId;
  /**
   * Records kept. 1,000: a record is at most 639 bytes, so the book stays
   * under 1 MB, and a tab network larger than that does not need every tab
   * to know every peer (each tab dials only ~6 of them).
   */
  capacity?: number;
  random: () => number;
  backoff?: Omit<BackoffTableInit, 'random'>;
}

export type UpsertOutcome = 'added' | 'replaced' | 'stale' | 'self' | 'expired';

export type PeerBook = ReturnType<typeof createPeerBook>;

export function createPeerBook(init: PeerBookInit) {
  const capacity = init.capacity ?? 1_000;
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw new InvalidArgumentError(`capacity must be a positive integer, got ${capacity}`);
  const records = new Map<PeerId, PeerRecord>();
  /** peer → the peers whose records list it (the reverse of each record's neighbours). */
  const listedBy = new Map<PeerId, Set<PeerId>>();
  const backoff = new BackoffTable({ ...init.backoff, random: init.random });

  function index(record: PeerRecord, add: boolean): void {
    for (const neighbour of record.neighbours) {
      let set = listedBy.get(neighbour);
      if (add) {
        if (!set) listedBy.set(neighbour, (set = new Set()));
        set.add(record.peerId);
      } else if (set) {
        set.delete(record.peerId);
        if (set.size === 0) listedBy.delete(neighbour);
      }
    }
  }

  function remove(peerId: PeerId): void {
    const record = records.get(peerId);
    if (!record) return;
    records.delete(peerId);
    index(record, false);
  }

  /**
   * Full book: a uniformly random record goes. Evicting by expiry would let
   * a flood of fresh sybil records (max lifetime, new keys are free) push
   * out every honest record deterministically; at random, they only displace
   * in proportion to their share. (Bitcoin Core's addrman, bucketed by the
   * source that told us, is the stronger defence; see docs/SECURITY.md.)
   */
  function evictOne(): void {
    const index = randomIndex(init.random, records.size);
    let i = 0;
    for (const peerId of records.keys()) {
      if (i++ === index) return remove(peerId);
    }
  }

  return {
    backoff,

    /** Keeps `record` if it is the newest for its peer; the caller has verified its signature. */
    upsert(record: PeerRecord, nowMs: number): UpsertOutcome {
      if (record.peerId === init.selfId) return 'self';
      if (record.expiresAtMs <= nowMs) return 'expired';
      const existing = records.get(record.peerId);
      if (existing && !isNewerRecord(record, existing)) return 'stale';
      if (existing) remove(record.peerId);
      else if (records.size >= capacity) evictOne();
      records.set(record.peerId, record);
      index(record, true);
      return existing ? 'replaced' : 'added';
    },

    /** True when a record with this seq/issuedAt would be news (cheap check before verifying). */
    wouldAccept(record: Pick<PeerRecord, 'peerId' | 'seq' | 'issuedAtMs'>): boolean {
      if (record.peerId === init.selfId) return false;
      const existing = records.get(record.peerId);
      return !existing || isNewerRecord(record, existing);
    },

    get(peerId: PeerId): PeerRecord | undefined {
      return records.get(peerId);
    },

    has: (peerId: PeerId) => records.has(peerId),

    delete: remove,

    /** Drops expired records; returns how many. */
    prune(nowMs: number): number {
      let dropped = 0;
      for (const record of [...records.values()]) {
        if (record.expiresAtMs <= nowMs) {
          remove(record.peerId);
          dropped++;
        }
      }
      return dropped;
    },

    /** Up to `count` distinct records chosen uniformly at random, skipping `exclude`. */
    sample(count: number, exclude: ReadonlySet<PeerId> = new Set()): PeerRecord[] {
      const pool = [...records.values()].filter((record) => !exclude.has(record.peerId));
      const picked: PeerRecord[] = [];
      // Partial Fisher–Yates: only `count` swaps.
      for (let i = 0; i < pool.length && picked.length < count; i++) {
        const j = i + randomIndex(init.random, pool.length - i);
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        picked.push(pool[i]!);
      }
      return picked;
    },

    peerIds: (): PeerId[] => [...records.keys()],

    records: (): PeerRecord[] => [...records.values()],

    /** Whether the records say `a` and `b` are linked: either one's record lists the other. */
    linked: (a: PeerId, b: PeerId): boolean => (records.get(a)?.neighbours.includes(b) ?? false) || (records.get(b)?.neighbours.includes(a) ?? false),

    /** The peers linked to `peerId` as far as the records say: its own list, plus every record listing it. */
    neighboursOf(peerId: PeerId): PeerId[] {
      const out = new Set(records.get(peerId)?.neighbours ?? []);
      for (const other of listedBy.get(peerId) ?? []) out.add(other);
      return [...out];
    },

    get size(): number {
      return records.size;
    },
  };
}

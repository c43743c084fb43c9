/**
 * The peer book (issue 4 §2, `window.tabmesh.knownPeers()`): the newest
 * verified record of each peer this tab has heard of, bounded, never our own,
 * expired records dropped. It also indexes who lists whom, so the mesh
 * signaling can find a route and the page can draw the whole graph, and it
 * holds the per-peer dial backoff.
 *
 * Where each record lives, and which one goes when the book is full, is
 * decided by source-keyed buckets (peer-book-tables.ts, after Bitcoin Core's
 * addrman; docs/PROTOCOL.md, "Peer book"): one source flooding records can
 * crowd out only its own few buckets, and the sampler draws a bucket before
 * a record, so a flood does not dominate what we share or dial either.
 *
 * Pure: time is passed in, randomness is injected.
 */
import { BoundedSet } from '../bounded-set.ts';
import { InvalidArgumentError } from '../result.ts';
import type { PeerId } from '../types.ts';
import { BackoffTable, type BackoffTableInit } from './backoff-table.ts';
import { createBookTables, type BookTable, type RecordSource } from './peer-book-tables.ts';
import { claimsLink, isNewerRecord, type PeerRecord } from './peer-record.ts';

export type { BookTable, RecordSource } from './peer-book-tables.ts';

export interface PeerBookInit {
  selfId: PeerId;
  /**
   * Records kept. 1,000: a record is at most 667 bytes, so the book stays
   * under 1 MB, and a tab network larger than that does not need every tab
   * to know every peer (each tab dials only ~6 of them). The buckets hold
   * slightly fewer (992 for 1,000: whole buckets of 16).
   */
  capacity?: number;
  random: () => number;
  backoff?: Omit<BackoffTableInit, 'random'>;
  /**
   * False files each record by its own id instead of by who told us: one flat
   * table where a full bucket evicts at random (the book before issue 20 §3).
   * Only the attack bench's ablation turns it off (bench/attack.ts). Default true.
   */
  sourceBuckets?: boolean;
}

export type UpsertOutcome = 'added' | 'replaced' | 'stale' | 'self' | 'expired';

/**
 * Peers we linked to before their record arrived, remembered so the record
 * goes straight to "tried". A peer sends its own record right after HELLO,
 * so a few dozen ids cover every link a tab opens at once.
 */
const PENDING_TRIED = 64;

export type PeerBook = ReturnType<typeof createPeerBook>;

export function createPeerBook(init: PeerBookInit) {
  const capacity = init.capacity ?? 1_000;
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw new InvalidArgumentError(`capacity must be a positive integer, got ${capacity}`);
  const records = new Map<PeerId, PeerRecord>();
  /** peer → the peers whose records list it (the reverse of each record's neighbours). */
  const listedBy = new Map<PeerId, Set<PeerId>>();
  const backoff = new BackoffTable({ ...init.backoff, random: init.random });
  const tables = createBookTables({ capacity, random: init.random });
  const pendingTried = new BoundedSet<PeerId>(PENDING_TRIED);

  function list(peerId: PeerId, neighbour: PeerId): void {
    let set = listedBy.get(neighbour);
    if (!set) listedBy.set(neighbour, (set = new Set()));
    set.add(peerId);
  }

  function unlist(peerId: PeerId, neighbour: PeerId): void {
    const set = listedBy.get(neighbour);
    if (!set) return;
    set.delete(peerId);
    if (set.size === 0) listedBy.delete(neighbour);
  }

  function index(record: PeerRecord, add: boolean): void {
    for (const neighbour of record.neighbours) (add ? list : unlist)(record.peerId, neighbour);
  }

  /** A newer record of the same peer: only the neighbours that changed touch the index (a re-signed record usually differs by a link or two). */
  function reindex(before: readonly PeerId[], after: readonly PeerId[], peerId: PeerId): void {
    const listedAfter = new Set(after);
    for (const neighbour of before) if (!listedAfter.has(neighbour)) unlist(peerId, neighbour);
    const listedBefore = new Set(before);
    for (const neighbour of after) if (!listedBefore.has(neighbour)) list(peerId, neighbour);
  }

  function forget(peerId: PeerId): void {
    const record = records.get(peerId);
    if (!record) return;
    records.delete(peerId);
    index(record, false);
  }

  function remove(peerId: PeerId): void {
    tables.remove(peerId);
    forget(peerId);
  }

  const expiredAt = (nowMs: number) => (peerId: PeerId) => (records.get(peerId)?.expiresAtMs ?? 0) <= nowMs;

  return {
    backoff,

    /**
     * Keeps `record` if it is the newest for its peer; the caller has
     * verified its signature. `source` is who told us: the linked peer whose
     * frame carried it (the peer itself for its own record), or a label such
     * as `relay`. Without one the record counts as its own source (a record
     * read back from storage). A peer already in the book keeps its bucket.
     */
    upsert(record: PeerRecord, nowMs: number, source: RecordSource = record.peerId): UpsertOutcome {
      if (record.peerId === init.selfId) return 'self';
      if (record.expiresAtMs <= nowMs) return 'expired';
      const existing = records.get(record.peerId);
      if (existing && !isNewerRecord(record, existing)) return 'stale';
      if (existing) {
        reindex(existing.neighbours, record.neighbours, record.peerId);
      } else {
        const tried = pendingTried.has(record.peerId);
        pendingTried.delete(record.peerId);
        const bucketSource = init.sourceBuckets === false ? record.peerId : source;
        for (const evicted of tables.add(record.peerId, bucketSource, expiredAt(nowMs), tried)) forget(evicted);
      }
      records.set(record.peerId, record);
      if (!existing) index(record, true);
      return existing ? 'replaced' : 'added';
    },

    /**
     * We have a working outbound link to `peerId` (addrman's Good): its
     * record moves to the "tried" table, where sources have no say. Before
     * its record arrives, the id is remembered and the record goes straight there.
     */
    markTried(peerId: PeerId, nowMs: number): void {
      if (peerId === init.selfId) return;
      if (!records.has(peerId)) return pendingTried.add(peerId);
      for (const evicted of tables.markTried(peerId, expiredAt(nowMs))) forget(evicted);
    },

    /** The bucket `peerId` lives in (`new/12`, `tried/3`): outbound links spread across these resist a flooding source. */
    groupOf: (peerId: PeerId): string | undefined => tables.groupOf(peerId),

    /** Which table holds `peerId`. */
    tableOf: (peerId: PeerId): BookTable | undefined => tables.tableOf(peerId),

    /** Who first told us of `peerId`. */
    sourceOf: (peerId: PeerId): RecordSource | undefined => tables.sourceOf(peerId),

    /** Records per table. */
    counts: (): Record<BookTable, number> => tables.counts(),

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

    /**
     * Up to `count` distinct records, skipping `exclude`, drawn bucket first:
     * new or tried evenly, then a random non-empty bucket, then a record in it
     * (peer-book-tables.ts). Feeds peer exchange and dial candidates.
     */
    sample(count: number, exclude: ReadonlySet<PeerId> = new Set()): PeerRecord[] {
      return tables.sample(count, exclude).map((peerId) => records.get(peerId)!);
    },

    peerIds: (): PeerId[] => [...records.keys()],

    records: (): PeerRecord[] => [...records.values()],

    /** Whether the records say `a` and `b` are linked (claimsLink: where the two ends disagree, the newer record decides). */
    linked(a: PeerId, b: PeerId): boolean {
      const [ofA, ofB] = [records.get(a), records.get(b)];
      return (ofA !== undefined && claimsLink(ofA, b, ofB)) || (ofB !== undefined && claimsLink(ofB, a, ofA));
    },

    /** The peers linked to `peerId` as far as the records say: its own list and every record listing it, as `linked` judges them. */
    neighboursOf(peerId: PeerId): PeerId[] {
      const own = records.get(peerId);
      const out = new Set(own?.neighbours.filter((neighbour) => claimsLink(own, neighbour, records.get(neighbour))) ?? []);
      for (const other of listedBy.get(peerId) ?? []) if (claimsLink(records.get(other)!, peerId, own)) out.add(other);
      return [...out];
    },

    /**
     * The peers `peerId`'s record lists whose own records list it back: links both ends signed for. A record can
     * name anyone as a neighbour, but only a peer's own record can confirm it (net/mesh-origins.ts vouches by these).
     */
    mutualNeighboursOf(peerId: PeerId): PeerId[] {
      return (records.get(peerId)?.neighbours ?? []).filter((neighbour) => records.get(neighbour)?.neighbours.includes(peerId) === true);
    },

    get size(): number {
      return records.size;
    },
  };
}

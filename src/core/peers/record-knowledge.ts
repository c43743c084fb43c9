/**
 * What peer exchange knows of each peer's records, in one bounded table per
 * tab (docs/PROTOCOL.md, "Peer exchange"):
 *
 * - `seq`: the newest verified seq heard of the peer, whether the book kept
 *   that record or evicted it since. A copy that comes back is not news:
 *   without this, a network larger than the book keeps re-adding, re-evicting
 *   and re-forwarding the same records (measured: 300 simulated tabs with
 *   books of 240 received 2.2× the records).
 * - `links`: which open links have that seq, one bit per link: those that
 *   sent it to us and those we sent it to. No record goes back where it came
 *   from, nor where it has already been.
 *
 * One entry per peer with a bit per link replaces a table per link, which
 * grew with the links: 12 full tables of 4,096 peers would hold about 2 MB
 * per tab (an estimate), paid a thousand times over by the simulator against
 * 10,000 Sybil ids.
 *
 * A seq enters only through noteVerified: a record that verified here, or one
 * we send (which we hold, or is our own). So a forged seq can neither hide a
 * peer's real records nor mark links as having them. A link that has a record older than `seq` has no bit:
 * we only ever send the newest we hold, so at worst it gets a copy it has.
 * Links beyond the 32 bits of a slot mask get no bit: they are sent every
 * record (redundant copies, never a lost one).
 */
import type { PeerId } from '../types.ts';
import { LruCache } from '../lru-cache.ts';

interface Entry {
  seq: number;
  /** Bit i: the link in slot i has this seq. */
  links: number;
}

export function createRecordKnowledge(maxPeers: number) {
  const entries = new LruCache<PeerId, Entry>(maxPeers);
  const slots = new Map<PeerId, number>();
  let usedSlots = 0;

  const bitOf = (link: PeerId): number => {
    const slot = slots.get(link);
    return slot === undefined ? 0 : 1 << slot;
  };

  /** Clears `link`'s bit in every entry (the table is bounded, and links open and close a few times a minute). */
  function clearBit(bit: number): void {
    if (bit === 0) return;
    for (const entry of entries.values()) entry.links &= ~bit;
  }

  return {
    /** The newest verified seq heard of `peerId`; 0 when none is remembered. */
    seqOf: (peerId: PeerId): number => entries.peek(peerId)?.seq ?? 0,

    /** Whether `link` has `peerId`'s record at `seq` or newer. */
    linkHas(link: PeerId, peerId: PeerId, seq: number): boolean {
      const entry = entries.peek(peerId);
      return entry !== undefined && entry.seq >= seq && (entry.links & bitOf(link)) !== 0;
    },

    /**
     * A verified record of `peerId` at `seq` crossed `link`: it sent it to us, or we sent it (what we send is a record
     * we hold, or our own). A newer seq than any heard becomes the peer's, and only `link` is known to have it.
     */
    noteVerified(link: PeerId, peerId: PeerId, seq: number): void {
      const entry = entries.peek(peerId);
      if (entry && entry.seq > seq) return;
      if (entry && entry.seq === seq) entry.links |= bitOf(link);
      else entries.set(peerId, { seq, links: bitOf(link) });
    },

    /** `link` sent a record not verified here: it counts only as a copy of the newest verified seq (a forged seq marks nothing). */
    noteCopy(link: PeerId, peerId: PeerId, seq: number): void {
      const entry = entries.peek(peerId);
      if (entry?.seq === seq) entry.links |= bitOf(link);
    },

    /** A link opened: it takes a free slot, if any is left. */
    linkOpened(link: PeerId): void {
      if (slots.has(link)) return;
      const free = ~usedSlots & (usedSlots + 1); // the lowest clear bit; 0 when all 32 are taken
      if (free === 0) return;
      usedSlots |= free;
      slots.set(link, 31 - Math.clz32(free));
    },

    /** What `link` was known to have is forgotten (a GET_PEERS answer resends all). */
    forgetLink(link: PeerId): void {
      clearBit(bitOf(link));
    },

    /** A link closed: its bit is cleared everywhere and its slot freed for the next link. */
    linkClosed(link: PeerId): void {
      const slot = slots.get(link);
      if (slot === undefined) return;
      clearBit(1 << slot);
      slots.delete(link);
      usedSlots &= ~(1 << slot);
    },
  };
}

/**
 * Transaction ids by short id (frames.ts `invId`), so an announcement or
 * request that names a transaction by its first 8 bytes can be matched with
 * the full ids this node has seen. Two ids may share a short id (someone
 * ground a collision, docs/SECURITY.md "Short transaction ids"), so a short
 * id maps to every full id seen with it. Bounded: the oldest short ids are
 * forgotten first.
 */
import { invId } from './frames.ts';

/** A k-way collision costs about 2^(64(k-1)/k) hashes; beyond 4 ids nobody honest is affected, so more are not kept. */
const MAX_IDS_PER_SHORT_ID = 4;

export type ShortIdIndex = ReturnType<typeof createShortIdIndex>;

export function createShortIdIndex(capacity: number) {
  /** Short id → its full id, or the full ids when more than one share it (rare: only a ground collision). */
  const byShort = new Map<string, string | string[]>();

  return {
    /** Indexes `id` and returns its short id. */
    add(id: string): string {
      const short = invId('tx', id);
      const entry = byShort.get(short);
      if (entry === undefined) {
        byShort.set(short, id);
        if (byShort.size > capacity) byShort.delete(byShort.keys().next().value!);
      } else if (typeof entry === 'string') {
        if (entry !== id) byShort.set(short, [entry, id]);
      } else if (!entry.includes(id) && entry.length < MAX_IDS_PER_SHORT_ID) {
        entry.push(id);
      }
      return short;
    },

    /** Every full id seen with this short id; empty when none. */
    fullIds(short: string): readonly string[] {
      const entry = byShort.get(short);
      return entry === undefined ? [] : typeof entry === 'string' ? [entry] : entry;
    },
  };
}

/**
 * The mempool's two orderings by fee rate: a sorted list of every entry (for
 * eviction and the page) and a binary heap over each sender's next
 * transaction (for block selection). Pure data structures, no policy.
 */
import type { Tx } from '../tx.ts';
import type { TxId } from '../types.ts';

/** One pooled transaction, with what the policy ranks it by. */
export interface MempoolEntry {
  readonly id: TxId;
  readonly tx: Tx;
  /** Canonical encoded size (153 bytes for every version-1 transaction). */
  readonly sizeBytes: number;
  /** Fee units per encoded byte. */
  readonly feeRate: number;
  /** Clock time when it entered the pool; expiry counts from here. */
  readonly addedMs: number;
  /** Arrival order, unique per pool: breaks fee-rate ties in favour of the older entry. */
  readonly seq: number;
}

/**
 * Negative when `a` ranks before `b`: higher fee rate first, then earlier
 * arrival. Fee rates are IEEE doubles of integer fee over integer size, so the
 * same inputs rank the same on every node. Unique `seq` makes it a total order.
 */
export function compareByFeeRate(a: MempoolEntry, b: MempoolEntry): number {
  if (a.feeRate !== b.feeRate) return a.feeRate > b.feeRate ? -1 : 1;
  return a.seq - b.seq;
}

/**
 * Entries sorted best-first. Insert and remove are a binary search plus a
 * splice: at the pool sizes we allow (thousands) the memmove costs
 * microseconds, less than a balanced tree's bookkeeping, and list() is a copy.
 */
export class FeeRateList {
  private readonly items: MempoolEntry[] = [];

  get length(): number {
    return this.items.length;
  }

  /** Index of the first item that does not rank before `entry`. */
  private lowerBound(entry: MempoolEntry): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareByFeeRate(this.items[mid]!, entry) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  insert(entry: MempoolEntry): void {
    this.items.splice(this.lowerBound(entry), 0, entry);
  }

  remove(entry: MempoolEntry): boolean {
    const index = this.lowerBound(entry);
    if (this.items[index] !== entry) return false;
    this.items.splice(index, 1);
    return true;
  }

  /** The entry at `index` from the best (0) to the worst (length - 1). */
  at(index: number): MempoolEntry | undefined {
    return this.items[index];
  }

  toArray(): MempoolEntry[] {
    return this.items.slice();
  }
}

/** A max-heap by fee rate: pop() returns the best-ranked entry. */
export class FeeRateHeap {
  private readonly heap: MempoolEntry[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(entry: MempoolEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (compareByFeeRate(heap[i]!, heap[parent]!) >= 0) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): MempoolEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < heap.length && compareByFeeRate(heap[left]!, heap[best]!) < 0) best = left;
      if (right < heap.length && compareByFeeRate(heap[right]!, heap[best]!) < 0) best = right;
      if (best === i) break;
      [heap[i], heap[best]] = [heap[best]!, heap[i]!];
      i = best;
    }
    return top;
  }
}

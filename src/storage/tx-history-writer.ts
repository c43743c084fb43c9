/**
 * Write-behind queue for the tab's transaction history (the `txs` store).
 * Writing each admitted transaction in a readwrite transaction of its own
 * took 3-8% of a tab's main thread at load, and the block commit, which also
 * writes `txs`, queued behind that stream (measured in
 * the 8-tab bench; docs/PERFORMANCE.md's git history). Records wait here at most `flushMs` and then leave
 * in one transaction (LedgerStore.putTxs), drops in one more
 * (markTxsDropped). A confirmed record is never set back to pending by a
 * late batch: putTxs keeps it confirmed.
 */
import type { TxId } from '../core/types.ts';
import type { LedgerStore, StoredTx } from './ledger-store.ts';

/** Long enough to gather a burst (100 tx/s is 10 per flush), short enough that a reload loses little. */
const DEFAULT_FLUSH_MS = 100;

export interface TxHistoryWriterComponents {
  store: Pick<LedgerStore, 'putTxs' | 'markTxsDropped'>;
  /** Told when a batch could not be saved (the page log). */
  onError(message: string, error: unknown): void;
  /** Timers are injectable so tests need not wait; defaults are the global ones. */
  setTimer?: (fn: () => void, ms: number) => unknown;
}

export interface TxHistoryWriterInit {
  flushMs?: number;
}

export type TxHistoryWriter = ReturnType<typeof createTxHistoryWriter>;

export function createTxHistoryWriter(components: TxHistoryWriterComponents, init: TxHistoryWriterInit = {}) {
  const flushMs = init.flushMs ?? DEFAULT_FLUSH_MS;
  const setTimer = components.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  let puts = new Map<TxId, StoredTx>();
  let drops = new Set<TxId>();
  let scheduled = false;
  /** The flush in progress; the next one starts after it, so batches land in order. */
  let writing: Promise<void> = Promise.resolve();

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setTimer(() => void flush(), flushMs);
  }

  async function write(batch: StoredTx[], dropped: TxId[]): Promise<void> {
    try {
      if (batch.length > 0) await components.store.putTxs(batch);
    } catch (error) {
      components.onError(`could not store ${batch.length} transaction(s)`, error);
    }
    try {
      if (dropped.length > 0) await components.store.markTxsDropped(dropped);
    } catch (error) {
      components.onError(`could not mark ${dropped.length} transaction(s) dropped`, error);
    }
  }

  /** Writes everything queued now; resolves once it (and any earlier flush) has landed or failed. */
  function flush(): Promise<void> {
    scheduled = false;
    const batch = [...puts.values()];
    const dropped = [...drops];
    puts = new Map();
    drops = new Set();
    writing = writing.then(() => write(batch, dropped));
    return writing;
  }

  return {
    /**
     * Queues a record (insert or replace); a later record for the same id replaces it in the queue.
     * This tab's own transactions wait like the others: writing each at once made the 8-tab bench's
     * p99 five times longer (measured; docs/PERFORMANCE.md's git history).
     */
    put(record: StoredTx): void {
      drops.delete(record.id);
      puts.set(record.id, record);
      schedule();
    },

    /** Queues "pending becomes dropped" for `id`; a record still queued is changed in place. */
    drop(id: TxId): void {
      const queued = puts.get(id);
      if (queued) {
        if (queued.status === 'pending') puts.set(id, { ...queued, status: 'dropped' });
      } else {
        drops.add(id);
      }
      schedule();
    },

    flush,

    /** Records waiting to be written (for tests and stats). */
    get queued(): number {
      return puts.size + drops.size;
    },
  };
}

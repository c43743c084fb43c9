/**
 * The in-memory LedgerStore, for tests and the simulator. Same semantics as
 * the IndexedDB store (the contract suite checks both), including copies in
 * and out: a caller mutating a record it passed or got back must not change
 * what is stored, just as with structured clone in IndexedDB.
 */
import type { TxId } from '../core/types.ts';
import { assertListLimit, assertMetaKey, assertTxId, normalizeStoredTx, type LedgerStore, type StoredTx } from './ledger-store.ts';
import { closedStoreError, toStorageError } from './storage-error.ts';

function copyTx(tx: StoredTx): StoredTx {
  return { ...tx, bytes: tx.bytes.slice() };
}

/** IndexedDB's order for a reversed cursor on byReceivedAt: time descending, then id descending. */
function newerFirst(a: StoredTx, b: StoredTx): number {
  if (a.receivedAtMs !== b.receivedAtMs) return b.receivedAtMs - a.receivedAtMs;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Index of the first entry in `sorted` that `tx` sorts before or at (binary search). */
function insertionPoint(sorted: readonly StoredTx[], tx: StoredTx): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (newerFirst(sorted[mid]!, tx) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Creates an empty in-memory store. */
export function createMemoryLedgerStore(): LedgerStore {
  const txs = new Map<TxId, StoredTx>();
  // Kept sorted newest first, the memory twin of the byReceivedAt index, so
  // listRecentTxs reads only what it returns.
  const byReceivedAt: StoredTx[] = [];
  const meta = new Map<string, unknown>();
  let closed = false;

  const ensureOpen = (operation: string): void => {
    if (closed) throw closedStoreError(operation, 'the ledger store was closed.');
  };

  return {
    async putTx(tx) {
      const record = normalizeStoredTx(tx);
      ensureOpen('save transaction');
      const previous = txs.get(record.id);
      if (previous) byReceivedAt.splice(insertionPoint(byReceivedAt, previous), 1);
      txs.set(record.id, record);
      byReceivedAt.splice(insertionPoint(byReceivedAt, record), 0, record);
    },

    async getTx(id) {
      assertTxId(id);
      ensureOpen('read transaction');
      const tx = txs.get(id);
      return tx && copyTx(tx);
    },

    async listRecentTxs(limit) {
      assertListLimit(limit);
      ensureOpen('list transactions');
      return byReceivedAt.slice(0, limit).map(copyTx);
    },

    async countTxs() {
      ensureOpen('count transactions');
      return txs.size;
    },

    async getMeta<T>(key: string) {
      assertMetaKey(key);
      ensureOpen('read setting');
      return (meta.has(key) ? structuredClone(meta.get(key)) : undefined) as T | undefined;
    },

    async putMeta(key, value) {
      assertMetaKey(key);
      ensureOpen('save setting');
      let copy: unknown;
      try {
        // Cloning here, as IndexedDB does, makes an uncloneable value fail on
        // write in both stores, not only in the browser.
        copy = structuredClone(value);
      } catch (error) {
        throw toStorageError('save setting', error);
      }
      meta.set(key, copy);
    },

    close() {
      closed = true;
    },
  };
}

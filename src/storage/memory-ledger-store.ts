/**
 * The in-memory LedgerStore, for tests and the simulator. Same semantics as
 * the IndexedDB store (the contract suite checks both), including copies in
 * and out: a caller mutating a record it passed or got back must not change
 * what is stored, just as with structured clone in IndexedDB.
 *
 * Chain commits are atomic by construction: every check runs and every new
 * record is built before the first map changes, and nothing after that can
 * throw. The records and their checks are the IndexedDB store's own
 * (chain-records.ts), so the two cannot drift apart.
 */
import type { Account, BlockHeader, BlockUndo, ConnectCommit, TipRecord } from '../core/ledger/types.ts';
import type { BlockHash, Clock, PeerId, TxId } from '../core/types.ts';
import {
  CONNECT_OPERATION,
  DISCONNECT_OPERATION,
  RESET_OPERATION,
  asPending,
  checkConnect,
  checkDisconnect,
  confirmedAt,
  firstSeenInBlock,
  inHistoryOf,
  prepareConnects,
  prepareDisconnect,
  prepareReset,
  unconfirmedFrom,
} from './chain-commits.ts';
import { assertBlockHash, copyHeader, copyUndo, fromStoredBlock, toBlockEntry, type StoredBlock, type TxLocation } from './chain-records.ts';
import {
  assertListLimit,
  assertMetaKey,
  assertTxId,
  assertTxIds,
  mergeTxWrite,
  normalizeStoredTx,
  normalizeStoredTxs,
  type LedgerStore,
  type StoredTx,
} from './ledger-store.ts';
import { closedStoreError, toStorageError } from './storage-error.ts';

function copyTx(tx: StoredTx): StoredTx {
  return { ...tx, bytes: tx.bytes.slice() };
}

/** IndexedDB's key order for string keys (UTF-16 code units), which getAll follows. */
function byKey<T>([a]: [string, T], [b]: [string, T]): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

export interface MemoryLedgerStoreInit {
  /** Stamps transactions first seen inside a connected block; default Date.now. */
  clock?: Clock;
  /** The account whose history `txs` keeps (inHistoryOf, chain-commits.ts); without one, every transaction. */
  owner?: PeerId;
}

/** Creates an empty in-memory store. */
export function createMemoryLedgerStore(init: MemoryLedgerStoreInit = {}): LedgerStore {
  const clock = init.clock ?? { nowMs: () => Date.now() };
  const txs = new Map<TxId, StoredTx>();
  // Kept sorted newest first, the memory twin of the byReceivedAt index, so
  // listRecentTxs reads only what it returns.
  const byReceivedAt: StoredTx[] = [];
  const meta = new Map<string, unknown>();
  // The chain, one map per IndexedDB store, holding the same records.
  const blocks = new Map<BlockHash, StoredBlock>();
  const headers = new Map<BlockHash, BlockHeader>();
  const undos = new Map<BlockHash, BlockUndo>();
  const accounts = new Map<PeerId, Account>();
  const txIndex = new Map<TxId, TxLocation>();
  let tip: TipRecord | undefined;
  let closed = false;

  const ensureOpen = (operation: string): void => {
    if (closed) throw closedStoreError(operation, 'the ledger store was closed.');
  };

  /** Inserts or replaces a normalized record, keeping byReceivedAt sorted. Never throws. */
  const setTx = (record: StoredTx): void => {
    const previous = txs.get(record.id);
    if (previous) byReceivedAt.splice(insertionPoint(byReceivedAt, previous), 1);
    txs.set(record.id, record);
    byReceivedAt.splice(insertionPoint(byReceivedAt, record), 0, record);
  };

  /** Applies account changes (null deletes). Never throws. */
  const setAccounts = (changes: [PeerId, Account | null][]): void => {
    for (const [id, account] of changes) {
      if (account) accounts.set(id, account);
      else accounts.delete(id);
    }
  };

  /** A group commit (ChainStore.commitConnects): checked whole, then applied whole. */
  async function commitConnects(commits: readonly ConnectCommit[]): Promise<void> {
    const plans = prepareConnects(commits);
    ensureOpen(CONNECT_OPERATION);
    checkConnect(tip, plans[0]!);
    // Nothing below throws: the commit applies whole.
    const nowMs = clock.nowMs();
    for (const plan of plans) {
      const { entry, height } = plan;
      // A stored record is confirmed at the block's height; a wallet transaction first seen inside it joins the history.
      const records = entry.txIds.flatMap((id, index) => {
        const saved = txs.get(id);
        if (saved) return [confirmedAt(saved, height)];
        return inHistoryOf(init.owner, plan.txs[index]!) ? [firstSeenInBlock(entry, index, height, nowMs)] : [];
      });
      blocks.set(entry.hash, entry.bytes);
      headers.set(entry.hash, entry.header);
      undos.set(entry.hash, plan.undo);
      setAccounts(plan.accounts);
      for (const id of entry.txIds) txIndex.set(id, { blockHash: entry.hash, height });
      records.forEach(setTx);
      tip = plan.tip;
    }
  }

  return {
    async putTx(tx) {
      const record = normalizeStoredTx(tx);
      ensureOpen('save transaction');
      setTx(record);
    },

    async putTxs(batch) {
      const records = normalizeStoredTxs(batch);
      ensureOpen('save transactions');
      for (const record of records) setTx(mergeTxWrite(txs.get(record.id), record));
    },

    async markTxsDropped(ids) {
      assertTxIds(ids);
      ensureOpen('mark transactions dropped');
      for (const id of ids) {
        const saved = txs.get(id);
        if (saved?.status === 'pending') setTx({ ...saved, status: 'dropped' });
      }
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

    async putBlock(block) {
      const entry = toBlockEntry(block);
      ensureOpen('save block');
      blocks.set(entry.hash, entry.bytes);
      headers.set(entry.hash, entry.header);
    },

    async getBlock(hash) {
      assertBlockHash(hash);
      ensureOpen('read block');
      const bytes = blocks.get(hash);
      return bytes && fromStoredBlock(hash, bytes, 'read block');
    },

    async getUndo(hash) {
      assertBlockHash(hash);
      ensureOpen('read undo data');
      const undo = undos.get(hash);
      return undo && copyUndo(undo);
    },

    async listHeaders() {
      ensureOpen('list headers');
      return [...headers].sort(byKey).map(([, header]) => copyHeader(header));
    },

    commitConnect: (commit) => commitConnects([commit]),

    commitConnects,

    async commitDisconnect(commit) {
      const plan = prepareDisconnect(commit);
      const { hash } = plan;
      ensureOpen(DISCONNECT_OPERATION);
      const { height, txIds } = checkDisconnect(tip, blocks.get(hash), plan);
      // Nothing below throws: the commit applies whole.
      setAccounts(plan.accounts);
      undos.delete(hash);
      for (const id of txIds) {
        if (txIndex.get(id)?.blockHash === hash) txIndex.delete(id);
        const pending = unconfirmedFrom(txs.get(id), height);
        if (pending) setTx(pending);
      }
      tip = plan.tip;
    },

    async resetState(state) {
      const plan = prepareReset(state);
      ensureOpen(RESET_OPERATION);
      // Nothing below throws: the reset applies whole.
      accounts.clear();
      undos.clear();
      txIndex.clear();
      setAccounts(plan.accounts);
      for (const saved of [...txs.values()]) if (saved.status === 'confirmed') setTx(asPending(saved));
      tip = plan.tip;
    },

    async loadState() {
      ensureOpen('load chain state');
      if (!tip) return undefined;
      return { tip: { ...tip }, accounts: [...accounts].sort(byKey).map(([id, account]): [PeerId, Account] => [id, { ...account }]) };
    },

    async getTxLocation(id) {
      assertTxId(id);
      ensureOpen('read transaction location');
      const location = txIndex.get(id);
      return location && { ...location };
    },

    close() {
      closed = true;
    },
  };
}

/**
 * The LedgerStore seam: what a peer persists. Three implementations share one
 * contract suite (ledger-store.contract.ts): IndexedDB in the browser
 * (idb-ledger-store.ts), LevelDB for the headless Node node
 * (level-ledger-store.ts) and memory for tests and the simulator
 * (memory-ledger-store.ts).
 *
 * It holds the wallet's view (its transactions, small metadata) and, as the
 * core's ChainStore (src/core/ledger/types.ts), the chain: blocks, headers,
 * undo data, the accounts at the tip, the tip itself and where each confirmed
 * transaction sits. Each chain commit is atomic: one IndexedDB transaction,
 * so a tab closed mid-write leaves the previous state whole
 * (issue 3, "Persistence"). Records and their checks: chain-records.ts.
 */
import { isHexOfLength } from '../core/bytes.ts';
import { describeValue } from '../core/describe-value.ts';
import type { ChainStore } from '../core/ledger/types.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { Logger, PeerId, TxId } from '../core/types.ts';

export { StorageError, type StorageErrorKind } from './storage-error.ts';

/** 'dropped': left the mempool without a block, e.g. a confirmed conflicting spend used its nonce. */
export type TxStatus = 'pending' | 'confirmed' | 'dropped';

export interface StoredTx {
  id: TxId;
  /** The canonical encoding (src/core/tx.ts), stored byte for byte. */
  bytes: Uint8Array;
  /** When this tab first received it, by its own clock. */
  receivedAtMs: number;
  status: TxStatus;
  /** Block height; present exactly when status is 'confirmed'. */
  height?: number;
  /** The peer we first got it from, or 'self'. */
  source: PeerId | 'self';
}

/**
 * Persistence for one identity on one network. Every method rejects with a
 * StorageError (a user-facing message) when storage fails, and with an
 * InvalidArgumentError when called with a malformed argument.
 *
 * The ChainStore methods add, beyond the core's interface:
 * - commitConnect requires `undo.hash` and `tip.hash` to be the block's hash
 *   and `tip.height` its height, and (once a tip is stored) the block to
 *   extend the stored tip, or to be the genesis block that is the stored tip
 *   (the ledger's rebuild). commitDisconnect requires `hash` to be the stored
 *   tip and the new tip to be its parent. A violation writes nothing: an
 *   InvalidArgumentError for inconsistent arguments, a StorageError of kind
 *   'conflict' for a mismatch with what is stored.
 * - The txs store is the owner's history (`owner` in the store's init): the
 *   transactions from or to that account (inHistoryOf, chain-commits.ts).
 * - commitConnect marks the block's transactions that are in the txs store
 *   'confirmed' at its height, and adds the owner's that are not (first seen
 *   inside the block) as 'confirmed', with the block's miner as source and
 *   the store's clock as receivedAtMs, in the same transaction;
 *   commitDisconnect sets them back to 'pending', and resetState sets every
 *   confirmed one back (the replay re-confirms them).
 * - A stored block is never deleted: a disconnected block stays readable as a
 *   side branch. Reading a damaged record rejects with kind 'corrupt'.
 * - listHeaders and loadState's accounts are ordered by hash and by PeerId.
 * - Records are copied in and out; only their known fields are kept.
 */
export interface LedgerStore extends ChainStore {
  /** Inserts, or replaces the record with the same id. */
  putTx(tx: StoredTx): Promise<void>;
  /**
   * Writes many records in one transaction (the app's write-behind history
   * queue), in order. Each inserts or replaces its id, except that a stored
   * 'confirmed' record is never set back: a 'pending' or 'dropped' record
   * written after the block commit that confirmed it keeps the stored status
   * and height, and takes only its receivedAtMs and source (when this tab
   * really first received it).
   */
  putTxs(txs: readonly StoredTx[]): Promise<void>;
  /** In one transaction, marks each listed record that is 'pending' as 'dropped'; others are left alone. */
  markTxsDropped(ids: readonly TxId[]): Promise<void>;
  getTx(id: TxId): Promise<StoredTx | undefined>;
  /**
   * Up to `limit` transactions, newest first by receivedAtMs; equal times are
   * ordered by id, descending (IndexedDB's order for a reversed index cursor).
   * Reads only the records it returns.
   */
  listRecentTxs(limit: number): Promise<StoredTx[]>;
  countTxs(): Promise<number>;
  /** A small record, such as the tab's identity key (a CryptoKey structured-clones in IndexedDB). */
  getMeta<T>(key: string): Promise<T | undefined>;
  /** Values must be structured-cloneable; others reject with a StorageError of kind 'data'. */
  putMeta(key: string, value: unknown): Promise<void>;
  /** Closes the store; later calls reject with a StorageError of kind 'closed'. */
  close(): void;
}

/** The logger a store uses when its init gives none. */
export const consoleStoreLog: Logger = {
  info: (message, fields) => console.info(message, fields ?? ''),
  warn: (message, fields) => console.warn(message, fields ?? ''),
};

const STATUSES: readonly TxStatus[] = ['pending', 'confirmed', 'dropped'];

/**
 * Checks a StoredTx at the API edge and returns the record to store: only the
 * known fields, with `bytes` copied into a buffer of its own. A view into a
 * larger buffer (a network frame) would otherwise be stored whole by
 * structured clone, and later mutation of the caller's array would leak in.
 */
export function normalizeStoredTx(tx: StoredTx): StoredTx {
  if (typeof tx !== 'object' || tx === null) throw new InvalidArgumentError('tx must be a StoredTx object');
  if (!isHexOfLength(tx.id, 32)) throw new InvalidArgumentError('tx.id must be 64 lower-case hex characters (a SHA-256 TxId)');
  if (!(tx.bytes instanceof Uint8Array)) throw new InvalidArgumentError('tx.bytes must be a Uint8Array');
  if (typeof tx.receivedAtMs !== 'number' || !Number.isFinite(tx.receivedAtMs) || tx.receivedAtMs < 0) {
    throw new InvalidArgumentError(`tx.receivedAtMs must be a finite number of at least 0, got ${describeValue(tx.receivedAtMs)}`);
  }
  if (!STATUSES.includes(tx.status)) throw new InvalidArgumentError(`tx.status must be 'pending', 'confirmed' or 'dropped', got ${describeValue(tx.status)}`);
  if (tx.status === 'confirmed') {
    if (!Number.isSafeInteger(tx.height) || tx.height! < 0) throw new InvalidArgumentError('tx.height must be a non-negative integer when status is confirmed');
  } else if (tx.height !== undefined) {
    throw new InvalidArgumentError('tx.height must be absent unless status is confirmed');
  }
  if (tx.source !== 'self' && !isHexOfLength(tx.source, 32)) throw new InvalidArgumentError("tx.source must be 'self' or a PeerId (64 lower-case hex characters)");
  const record: StoredTx = { id: tx.id, bytes: tx.bytes.slice(), receivedAtMs: tx.receivedAtMs, status: tx.status, source: tx.source };
  if (tx.height !== undefined) record.height = tx.height;
  return record;
}

/**
 * The record putTxs stores for `incoming` over `stored`: a confirmed record
 * keeps its status and height (a batched pending write can land after the
 * block commit that confirmed it).
 */
export function mergeTxWrite(stored: StoredTx | undefined, incoming: StoredTx): StoredTx {
  if (stored?.status !== 'confirmed' || incoming.status === 'confirmed') return incoming;
  return { ...incoming, status: 'confirmed', height: stored.height! };
}

/** Checks a batch for putTxs; returns the normalized records. */
export function normalizeStoredTxs(txs: readonly StoredTx[]): StoredTx[] {
  if (!Array.isArray(txs)) throw new InvalidArgumentError('txs must be an array of StoredTx');
  return txs.map(normalizeStoredTx);
}

/** Checks a list of ids for markTxsDropped. */
export function assertTxIds(ids: readonly TxId[]): void {
  if (!Array.isArray(ids)) throw new InvalidArgumentError('ids must be an array of TxIds');
  ids.forEach(assertTxId);
}

export function assertTxId(id: unknown): asserts id is TxId {
  if (!isHexOfLength(id, 32)) throw new InvalidArgumentError('id must be 64 lower-case hex characters (a SHA-256 TxId)');
}

export function assertListLimit(limit: unknown): asserts limit is number {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new InvalidArgumentError(`limit must be a non-negative integer, got ${String(limit)}`);
  }
}

export function assertMetaKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 256) throw new InvalidArgumentError('meta key must be a string of 1 to 256 characters');
}

/**
 * The checks around a chain commit, shared by both LedgerStores so they
 * accept and refuse exactly the same commits. Each store runs `prepare*`
 * before touching storage, then the `check*` step against what it has stored
 * (inside its transaction, for IndexedDB), and writes only if both pass.
 */
import type { Account, BlockUndo, ChainStore, ConnectCommit, TipRecord } from '../core/ledger/types.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { Tx } from '../core/tx.ts';
import type { BlockHash, PeerId, TxId } from '../core/types.ts';
import { blockTxIds } from '../core/ledger/block.ts';
import { assertBlockHash, corrupt, fromStoredBlock, normalizeAccountList, normalizeTip, normalizeUndo, storedTxBytes, toBlockEntry, type BlockEntry, type StoredBlock } from './chain-records.ts';
import type { StoredTx } from './ledger-store.ts';
import { StorageError } from './storage-error.ts';

export const CONNECT_OPERATION = 'save connected block';
export const DISCONNECT_OPERATION = 'save disconnected block';
export const RESET_OPERATION = 'reset chain state';

type DisconnectCommit = Parameters<ChainStore['commitDisconnect']>[0];
type ResetState = Parameters<ChainStore['resetState']>[0];

/** A checked connect: fresh copies of every record to write. */
export interface ConnectPlan {
  entry: BlockEntry;
  /** The block's transactions, decoded (for inHistoryOf). */
  txs: readonly Tx[];
  height: number;
  undo: BlockUndo;
  accounts: [PeerId, Account][];
  tip: TipRecord;
}

/** A checked disconnect: fresh copies of every record to write. */
export interface DisconnectPlan {
  hash: BlockHash;
  accounts: [PeerId, Account | null][];
  tip: TipRecord;
}

/**
 * Checks a connect on its own: well-formed records, undo data for this very
 * block, and a tip that is this block. InvalidArgumentError naming the field.
 */
export function prepareConnect(commit: ConnectCommit): ConnectPlan {
  if (typeof commit !== 'object' || commit === null) throw new InvalidArgumentError('commit must be {block, undo, accounts, tip}');
  const entry = toBlockEntry(commit.block, 'block');
  const undo = normalizeUndo(commit.undo);
  const accounts = normalizeAccountList(commit.accounts, 'accounts', false);
  const tip = normalizeTip(commit.tip);
  const { hash } = entry;
  const { height } = entry.header;
  if (undo.hash !== hash) throw new InvalidArgumentError(`undo.hash must be the block's hash ${hash}, got ${undo.hash}`);
  if (tip.hash !== hash || tip.height !== height) throw new InvalidArgumentError(`tip must be the connected block (${hash} at ${height}), got ${tip.hash} at ${tip.height}`);
  return { entry, txs: commit.block.txs, height, undo, accounts, tip };
}

/**
 * Checks a group commit on its own: at least one connect, each well formed
 * (prepareConnect) and each block the child of the one before. The first
 * must then extend the stored tip (checkConnect).
 */
export function prepareConnects(commits: readonly ConnectCommit[]): ConnectPlan[] {
  if (!Array.isArray(commits) || commits.length === 0) throw new InvalidArgumentError('commits must be a non-empty array of {block, undo, accounts, tip}');
  const plans = commits.map(prepareConnect);
  for (let i = 1; i < plans.length; i++) {
    const { entry } = plans[i]!;
    const parent = plans[i - 1]!;
    if (entry.header.prevHash !== parent.entry.hash || entry.header.height !== parent.height + 1) {
      throw new InvalidArgumentError(`commits[${i}] (block ${entry.hash}) must be the child of commits[${i - 1}] (${parent.entry.hash} at ${parent.height})`);
    }
  }
  return plans;
}

/** Checks a disconnect on its own (the rest needs the stored block: checkDisconnect). */
export function prepareDisconnect(commit: DisconnectCommit): DisconnectPlan {
  if (typeof commit !== 'object' || commit === null) throw new InvalidArgumentError('commit must be {hash, accounts, tip}');
  const hash: unknown = commit.hash;
  assertBlockHash(hash);
  return { hash, accounts: normalizeAccountList(commit.accounts, 'accounts', true), tip: normalizeTip(commit.tip) };
}

function conflict(operation: string, detail: string): StorageError {
  return new StorageError(
    'conflict',
    operation,
    `Could not ${operation}: ${detail}. Nothing was written. If this tab was duplicated, close the copy; otherwise this is a ledger bug.`,
  );
}

/**
 * A connected block must extend the stored tip, so the stored accounts stay
 * the state at the stored tip. A database with no tip yet takes any block
 * (the genesis commit of a new database). The one other case: the genesis
 * block over a stored genesis tip, which is how the ledger rebuilds
 * (resetState to genesis, then its genesis commit again; active-chain.ts).
 */
export function checkConnect(stored: TipRecord | undefined, plan: ConnectPlan): void {
  if (!stored) return;
  const { hash, header } = plan.entry;
  if (stored.hash === header.prevHash) return;
  if (header.height === 0 && stored.hash === hash) return;
  throw conflict(CONNECT_OPERATION, `block ${hash} extends ${header.prevHash}, but the stored tip is ${stored.hash}`);
}

/**
 * Only the stored tip can be disconnected, and the new tip must be its
 * parent. Returns the block's height and its transaction ids (from the stored
 * block) for the index and status updates.
 */
export function checkDisconnect(stored: TipRecord | undefined, bytes: StoredBlock | undefined, plan: DisconnectPlan): { height: number; txIds: TxId[] } {
  const { hash, tip } = plan;
  if (stored?.hash !== hash) throw conflict(DISCONNECT_OPERATION, `block ${hash} is not the stored tip (${stored ? stored.hash : 'none'})`);
  if (!bytes) throw corrupt(DISCONNECT_OPERATION, `the tip block ${hash} is missing`);
  const block = fromStoredBlock(hash, bytes, DISCONNECT_OPERATION);
  const { prevHash, height } = block.header;
  if (tip.hash !== prevHash || tip.height !== height - 1) {
    throw new InvalidArgumentError(`tip must be the parent of the disconnected block (${prevHash} at ${height - 1}), got ${tip.hash} at ${tip.height}`);
  }
  return { height, txIds: blockTxIds(block) };
}

/** Checks a reset (corruption recovery): the state to write after clearing the old one. */
export function prepareReset(state: ResetState): { tip: TipRecord; accounts: [PeerId, Account][] } {
  if (typeof state !== 'object' || state === null) throw new InvalidArgumentError('state must be {tip, accounts}');
  return { tip: normalizeTip(state.tip), accounts: normalizeAccountList(state.accounts, 'accounts', false) };
}

/** A txs-store record once its block is connected at `height`. */
export function confirmedAt(saved: StoredTx, height: number): StoredTx {
  return { ...saved, status: 'confirmed', height };
}

/**
 * The txs-store record for the transaction at `index` of a block connected at
 * `height`, first seen inside it: it joins the history as confirmed, from the
 * block's miner, received `nowMs`.
 */
export function firstSeenInBlock(entry: BlockEntry, index: number, height: number, nowMs: number): StoredTx {
  // A copy, not a view: structured clone would store the whole block's buffer.
  return { id: entry.txIds[index]!, bytes: storedTxBytes(entry.bytes, index).slice(), receivedAtMs: nowMs, status: 'confirmed', height, source: entry.header.miner };
}

/**
 * Whether the `txs` store (the wallet's history) of `owner` keeps `tx`: one
 * from or to that account. A store with no owner (tests, tools) keeps every
 * one. The other transactions a tab relays stay in memory (the mempool, the
 * page's list, tx(id)) and, once confirmed, in their blocks and `blockTxs`:
 * writing each of them too cost every tab a record per transaction on the
 * origin's one IndexedDB backend (docs/PERFORMANCE.md).
 */
export function inHistoryOf(owner: PeerId | undefined, tx: Pick<Tx, 'from' | 'to'>): boolean {
  return owner === undefined || tx.from === owner || tx.to === owner;
}

/**
 * A txs-store record as readers see it, given where the chain places the
 * transaction (getTxLocation; `blockTxs` in IndexedDB). The IndexedDB block
 * commit does not rewrite the records it already holds (it only adds those
 * first seen inside the block: a read and a write per transaction fewer,
 * docs/PERFORMANCE.md), so the location says which are confirmed: a placed
 * transaction is confirmed at its block's height.
 */
export function withLocation(record: StoredTx, location: { height: number } | undefined): StoredTx {
  if (!location || (record.status === 'confirmed' && record.height === location.height)) return record;
  return confirmedAt(record, location.height);
}

/**
 * A txs-store record once its block at `height` is disconnected: pending
 * again (pending records have no height), or undefined when that block did
 * not confirm it.
 */
export function unconfirmedFrom(saved: StoredTx | undefined, height: number): StoredTx | undefined {
  if (saved?.status !== 'confirmed' || saved.height !== height) return undefined;
  return asPending(saved);
}

/** A pending copy of a record (pending records have no height). */
export function asPending(saved: StoredTx): StoredTx {
  const { height: _height, ...rest } = saved;
  return { ...rest, status: 'pending' };
}

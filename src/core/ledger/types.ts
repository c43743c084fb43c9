/**
 * The ledger's records and the seams around it (docs/PROTOCOL.md, "Ledger").
 * Everything here is pure data; rules live beside it in src/core/ledger/.
 */
import type { Tx } from '../tx.ts';
import type { BlockHash, PeerId, TxId } from '../types.ts';

/**
 * A block header: 149 bytes canonical encoding,
 * version u8 | prevHash 32 | height u32 | timeMs u64 | target 32 | merkleRoot 32 | nonce u64 | miner 32.
 * The block hash is SHA-256 of that encoding; proof-of-work holds when the hash, read as a
 * big-endian 256-bit integer, is at most `target`.
 */
export interface BlockHeader {
  version: number;
  prevHash: BlockHash;
  height: number;
  /** Milliseconds since the epoch, as claimed by the miner. */
  timeMs: number;
  /** Hex of the 256-bit big-endian target. */
  target: string;
  /** Merkle root of the block's transaction ids (Bitcoin's construction). */
  merkleRoot: string;
  nonce: number;
  /** Receives the implicit coinbase: block reward plus the block's fees. */
  miner: PeerId;
}

export interface Block {
  header: BlockHeader;
  /** Ordered; a sender's transactions appear in nonce order. No explicit coinbase transaction. */
  txs: Tx[];
}

export interface Account {
  balance: number;
  /** The next nonce this account must use. */
  nonce: number;
}

/** What a connected block changed, so it can be disconnected without replaying from genesis. */
export interface BlockUndo {
  hash: BlockHash;
  /** Each touched account as it was before the block; null when it did not exist. */
  before: { id: PeerId; account: Account | null }[];
  /**
   * The state digest (TipRecord.stateHash) before the block. Disconnecting
   * recomputes it from the restored accounts; a mismatch means the stored undo
   * data is corrupt, and the ledger rebuilds instead of trusting it.
   */
  prevStateHash: string;
}

export interface TipRecord {
  hash: BlockHash;
  height: number;
  /** Cumulative work as a decimal string (bigint does not survive structured clone in every store). */
  chainWork: string;
  /**
   * Digest of the whole account state at this tip (state-digest.ts): the sum
   * mod 2^256 of SHA-256 over each account's canonical encoding. It updates in
   * O(changed accounts) per block, and on load the ledger recomputes it from
   * the stored accounts to detect corruption.
   */
  stateHash: string;
}

/** Named reasons for refusing a transaction or block; they feed logs, stats and peer bans. */
export type LedgerRejectReason =
  | 'bad-signature'
  | 'bad-nonce'
  | 'nonce-too-high'
  | 'bad-amount'
  | 'fee-too-low'
  | 'insufficient-funds'
  | 'too-large'
  | 'self-transfer'
  | 'duplicate'
  | 'mempool-full'
  | 'replacement-fee-too-low'
  | 'bad-version'
  | 'bad-height'
  | 'bad-target'
  | 'bad-pow'
  | 'time-too-old'
  | 'time-too-new'
  | 'bad-merkle-root'
  | 'duplicate-tx'
  | 'too-many-txs'
  | 'unknown-parent'
  | 'invalid-parent'
  | 'bad-genesis'
  // Added by the ledger core:
  /** Input ended early. */
  | 'truncated'
  /** Input continued after the last field. */
  | 'trailing-bytes'
  /** A field that is out of range or malformed (e.g. a u64 above 2^53-1). */
  | 'bad-field'
  /** A transaction inside a block failed to decode; detail and txIndex say which. */
  | 'bad-tx'
  /** A sum would exceed Number.MAX_SAFE_INTEGER. */
  | 'overflow'
  /**
   * A block breaks only the rule of an ACTIVE deployment (deployments.ts): a build that does not
   * know the deployment accepts and relays it in good faith, so the sender is not punished for it.
   */
  | 'deployment-rule';

export interface LedgerReject {
  ok: false;
  reason: LedgerRejectReason;
  detail: string;
  /** For a block refused because of one of its transactions: that transaction's position. */
  txIndex?: number;
}

export type LedgerResult<T> = { ok: true; value: T } | LedgerReject;

/** What connecting one block writes: the block, its undo data, the accounts it changed (after) and the new tip. */
export interface ConnectCommit {
  block: Block;
  undo: BlockUndo;
  accounts: [PeerId, Account][];
  tip: TipRecord;
}

/**
 * Durable storage the ledger needs (implemented over IndexedDB and memory in
 * src/storage/). Each commit is atomic: after any prefix of commits, the stored
 * tip and the stored account state agree.
 */
export interface ChainStore {
  /** Stores a valid block that is not (yet) on the best chain, e.g. a side branch. */
  putBlock(block: Block): Promise<void>;
  getBlock(hash: BlockHash): Promise<Block | undefined>;
  getUndo(hash: BlockHash): Promise<BlockUndo | undefined>;
  /** Every stored header, to rebuild the header index on start. */
  listHeaders(): Promise<BlockHeader[]>;
  /** One atomic write: the block, its undo data, the accounts it changed (after) and the new tip. */
  commitConnect(commit: ConnectCommit): Promise<void>;
  /**
   * One atomic write of several connects in order (a group commit), each
   * block the child of the one before: all of them, with the last one's tip,
   * or nothing. commitConnect(c) is commitConnects([c]).
   */
  commitConnects(commits: readonly ConnectCommit[]): Promise<void>;
  /** One atomic write: restored accounts (null deletes), the undo record removed, and the new tip. */
  commitDisconnect(commit: { hash: BlockHash; accounts: [PeerId, Account | null][]; tip: TipRecord }): Promise<void>;
  /** The tip and the full account state at it, or undefined for a new database. */
  loadState(): Promise<{ tip: TipRecord; accounts: [PeerId, Account][] } | undefined>;
  /** Where each confirmed transaction sits (for tx(id)); written with commitConnect, removed with commitDisconnect. */
  getTxLocation(id: TxId): Promise<{ blockHash: BlockHash; height: number } | undefined>;
  /**
   * Corruption recovery only. One atomic write: every account, undo record and
   * tx location is deleted, then `accounts` and `tip` are written. Stored
   * blocks (and so listHeaders) are kept: the ledger replays them.
   */
  resetState(state: { tip: TipRecord; accounts: [PeerId, Account][] }): Promise<void>;
}

/**
 * View models the page renders. They are projections made by app.ts for
 * display; the records themselves live in core and IndexedDB.
 */
import type { BlockHash, PeerId, TxId } from '../core/types.ts';

export type RelayStatus = 'connecting' | 'open' | 'closed';

export type Phase = 'loading' | 'ready' | 'failed';

export interface PeerView {
  id: PeerId;
  /** 'out' when this tab dialed the link, 'in' when the remote did. */
  direction: 'in' | 'out';
  state: 'connecting' | 'open';
  /** Last measured round-trip time; undefined until the first ping returns. */
  rttMs?: number;
  connectedAtMs?: number;
}

/** 'dropped': left the mempool unconfirmed (a conflicting spend was confirmed). */
export type TxStatus = 'pending' | 'confirmed' | 'dropped';

export interface TxView {
  id: TxId;
  from: PeerId;
  to: PeerId;
  amount: number;
  fee: number;
  nonce: number;
  status: TxStatus;
  /** Block height once confirmed. */
  height?: number;
  receivedAtMs: number;
  /** The peer that relayed it to us, or 'self' when this tab created it. */
  source: PeerId | 'self';
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  /** Increasing per store; a stable React key as old lines fall off the end. */
  seq: number;
  atMs: number;
  level: LogLevel;
  message: string;
}

export interface SelfView {
  id: PeerId;
  network: string;
}

/** The best chain's tip as this tab sees it. */
export interface TipView {
  height: number;
  hash: BlockHash;
  /** The tip header's time (the miner's claim), ms since the epoch. */
  timeMs: number;
}

/** One block of the best chain, for the "Recent blocks" table. */
export interface BlockView {
  hash: BlockHash;
  height: number;
  miner: PeerId;
  /** Transactions in the block, not counting the implicit coinbase. */
  txCount: number;
  /** The header's time (the miner's claim), ms since the epoch. */
  timeMs: number;
  /** When this tab received or mined it. */
  receivedAtMs: number;
  fees: number;
  reward: number;
}

/** This tab's miner. */
export interface MiningView {
  on: boolean;
  /** Hashes per second, as the mining worker last measured it. */
  hashRate: number;
  /** Blocks this tab mined that joined the best chain during this session. */
  blocksFound: number;
}

/** The last reorganisation: which blocks left the best chain and which replaced them. */
export interface ReorgView {
  atMs: number;
  /** Hashes of the blocks taken off the best chain. */
  disconnected: BlockHash[];
  /** Hashes of the blocks that replaced them. */
  connected: BlockHash[];
  newTipHeight: number;
}

/**
 * View models the page renders. They are projections made by app.ts for
 * display; the records themselves live in core and IndexedDB.
 */
import type { BlockHash, PeerId, TxId } from '../core/types.ts';

export type RelayStatus = 'connecting' | 'open' | 'closed';

/** One signaling route of this tab: a relay server, or (local) the same-browser BroadcastChannel. */
export interface RelayView {
  url: string;
  status: RelayStatus;
  local: boolean;
}

export type Phase = 'loading' | 'ready' | 'failed';

export interface PeerView {
  id: PeerId;
  /** 'out' when this tab dialed the link, 'in' when the remote did. */
  direction: 'in' | 'out';
  state: 'connecting' | 'open';
  /** Last measured round-trip time; undefined until the first ping returns. */
  rttMs?: number;
  connectedAtMs?: number;
  /** Bytes received from and sent to this peer over the link, as the node counts them. */
  bytesIn?: number;
  bytesOut?: number;
}

/** 'dropped': left the mempool unconfirmed (a conflicting spend was confirmed). */
/** One account on this tab's best chain (an account is a peer's public key). */
export interface AccountView {
  id: PeerId;
  balance: number;
  /** Transactions it has sent that the chain confirmed. */
  nonce: number;
}

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
  /** The ids of the block's transactions (not the coinbase), for the block detail view; when absent the view lists the known transactions confirmed at this height. */
  txIds?: TxId[];
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

/**
 * A peer in the network graph. The page adds what it already knows: this tab
 * (`self`), peers with an open link (`linked`, from the peers slice) and held-off
 * peers (`banned`, from the bans slice); a flag given here is kept as well.
 */
export interface GraphNodeView {
  id: PeerId;
  self?: boolean;
  banned?: boolean;
  linked?: boolean;
}

/** An undirected link between two peers, e.g. from a peer record's neighbour list. Order does not matter. */
export interface GraphEdgeView {
  a: PeerId;
  b: PeerId;
}

export type ArrivalKind = 'tx' | 'block';

/** A transaction or block as it reached this tab: the graph animates it along the link from `from`. */
export interface ArrivalView {
  /** Increasing per store; tells a new arrival from one already drawn. */
  seq: number;
  kind: ArrivalKind;
  /** Transaction id or block hash. */
  id: string;
  /** The peer that delivered it. */
  from: PeerId;
  atMs: number;
}

/** One point of the network statistics charts: rates over the second (or so) before `atMs`. */
export interface NetSample {
  atMs: number;
  /** Transactions accepted into the mempool per second. */
  txPerSec: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  /** Open links at `atMs`. */
  peers: number;
  /** Propagation spread of the latest traced transaction, if one is recent: its last sighting minus its first (app/trace-wiring.ts). */
  latencyMs?: number;
  /** The same trace's median sighting minus its first. */
  latencyP50Ms?: number;
}

/** One peer's answer to a trace request: when it first saw the transaction, and from whom. */
export interface TraceHopView {
  peer: PeerId;
  firstSeenMs: number;
  /** The peer it came from, or 'self' for the tab that created it. */
  from: PeerId | 'self';
  /** It came in the pool a neighbour handed over when their link opened: the time says when the tab joined. */
  catchUp?: boolean;
}

/**
 * A transaction's spread across the network, as gathered by a trace request
 * (src/core/trace, docs/PROTOCOL.md "Transaction trace"); app/trace-wiring.ts
 * pushes it with `setTrace` as answers arrive.
 */
export interface TxTraceView {
  txId: TxId;
  requestedAtMs: number;
  /** Earliest first. */
  hops: TraceHopView[];
  /** True once no more answers are expected. */
  done: boolean;
}

/** What the detail dialog shows: a block of the recent chain, or a transaction this tab knows. */
export type DetailView = { kind: 'block'; hash: BlockHash } | { kind: 'tx'; id: TxId };

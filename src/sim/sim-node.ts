/**
 * What the simulator needs from a node, how it builds one, and what it
 * records about each.
 *
 * `SimNodeLike` is the part of the core node's shape the simulator drives. A
 * `SimNodeFactory` receives everything a node may depend on (its signer, the
 * virtual clock, the shared caching verifier, a logger, its own PRNG stream)
 * and may return a richer object: later tests build nodes with a ledger and
 * mempool and read them back through `network.nodes[i].node`.
 */
import type { Emitter } from '../core/emitter.ts';
import { createLedger, type Ledger } from '../core/ledger/ledger.ts';
import { createMemoryChainStore, type MemoryChainStore } from '../core/ledger/memory-chain-store.ts';
import { createMempool, type Mempool } from '../core/ledger/mempool.ts';
import type { ChainParams } from '../core/ledger/params.ts';
import type { PeerLink } from '../core/link.ts';
import { createNode, type NodeEvents, type TabmeshNode, type TxSource } from '../core/node.ts';
import type { Tx } from '../core/tx.ts';
import type { Scheduler } from '../core/scheduler.ts';
import type { Clock, Logger, PeerId, TxId, Verifier } from '../core/types.ts';
import type { Prng } from './prng.ts';
import type { SimSigner } from './sim-identity.ts';

export interface SimNodeLike {
  readonly events: Pick<Emitter<NodeEvents>, 'on'>;
  addLink(link: PeerLink): void;
  /** Called every tickIntervalMs of virtual time. */
  tick(): void;
  stats(): Record<string, number>;
  /** May return a LedgerResult; network.submit() throws on `{ok: false}`. */
  submitLocalTx(tx: Tx): unknown;
  close(): void;
}

export interface SimNodeComponents {
  /** The node's slot in network.nodes. */
  index: number;
  network: string;
  signer: SimSigner;
  clock: Clock;
  verifier: Verifier;
  log: Logger;
  /** This node's own stream (forked from the seed by index and incarnation). */
  prng: Prng;
  /** Timing over the virtual clock (core/scheduler.ts): batches as microtasks, timers as simulator events, never busy. */
  scheduler: Scheduler;
  /** Network-wide ledger parameter overrides (SimNetworkInit.chainParams); every node gets the same. */
  chainParams?: Partial<ChainParams>;
}

export type SimNodeFactory<N extends SimNodeLike> = (components: SimNodeComponents) => N | Promise<N>;

/** The default simulated node: the core node a tab runs, with its ledger, mempool and in-memory chain store exposed. */
export type LedgerSimNode = TabmeshNode & { ledger: Ledger; mempool: Mempool; store: MemoryChainStore };

/** The node the browser runs, over a fresh in-memory chain store (a new tab with empty storage). */
export const defaultNodeFactory: SimNodeFactory<LedgerSimNode> = async ({ signer, clock, verifier, log, network, chainParams }) => {
  const store = createMemoryChainStore();
  const ledger = await createLedger({ store, verifier, clock, log }, { network, ...(chainParams ? { params: chainParams } : {}) });
  const mempool = createMempool({ params: ledger.params, clock, nextBlockParams: () => ledger.nextBlockParams() });
  const node = createNode({ verifier, clock, log, ledger, mempool }, { network, peerId: signer.peerId, identityStamp: signer.identityStamp });
  return Object.assign(node, { ledger, mempool, store });
};

export interface TxArrival {
  /** Elapsed virtual ms of the first 'tx' event for this id. */
  atMs: number;
  source: TxSource;
  /** The index of the node it came from, 'self' for the origin, undefined for an unknown peer. */
  fromIndex: number | 'self' | undefined;
  /** 'tx' events for this id: the core promises exactly one. */
  count: number;
}

export interface PeerEventRecord {
  atMs: number;
  kind: 'open' | 'close' | 'ban';
  peerId: PeerId;
  reason?: string;
}

export interface LogRecord {
  atMs: number;
  level: 'info' | 'warn';
  message: string;
  fields?: Record<string, unknown>;
}

export interface SimNode<N extends SimNodeLike> {
  readonly index: number;
  readonly peerId: PeerId;
  readonly signer: SimSigner;
  /** Replaced by rejoin(), which models a tab reload. */
  node: N;
  alive: boolean;
  /** Starts at 0; rejoin() increments it. */
  incarnation: number;
  joinedAtMs: number;
  leftAtMs?: number;
  /** First arrival of each transaction at this incarnation. */
  readonly txs: Map<TxId, TxArrival>;
  readonly peerEvents: PeerEventRecord[];
  /** Warnings (the last MAX_LOG_RECORDS), and info when logLevel is 'info'. */
  readonly log: LogRecord[];
}

/** Enough to see why a node banned a peer, bounded so 10,000 nodes stay small. */
export const MAX_LOG_RECORDS = 50;

export type SimLogLevel = 'silent' | 'warn' | 'info';

/** A logger that records into `sink` and prints at `level`, prefixed with time and node. */
export function createSimLogger(index: number, nowMs: () => number, level: SimLogLevel, sink: LogRecord[]): Logger {
  const write = (recordLevel: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => {
    if (recordLevel === 'info' && level !== 'info') return;
    const record: LogRecord = { atMs: nowMs(), level: recordLevel, message, ...(fields ? { fields } : {}) };
    sink.push(record);
    if (sink.length > MAX_LOG_RECORDS) sink.shift();
    if (level !== 'silent') console.log(`[t=${record.atMs}ms n${index}] ${recordLevel}: ${message}`, fields ?? '');
  };
  return { info: (message, fields) => write('info', message, fields), warn: (message, fields) => write('warn', message, fields) };
}

/**
 * The peers protocol module: peer exchange (peer-exchange.ts) and signaling
 * through the mesh (mesh-signal.ts) behind one ProtocolModule, owning frame
 * types 0x10–0x12 (peers-frames.ts).
 *
 *   const peers = createPeersModule({ signer, verifier, random, onSignal }, { network });
 *   createFullNode({ ..., modules: [peers.factory] }, init);
 *   peers.send(to, envelopeHex); peers.knownPeers(); peers.stats();
 *
 * The handle works once the node has called the factory; before that (and
 * after a node is replaced) it reports no route and knows only its book.
 */
import type { ProtocolContext } from '../protocol-context.ts';
import type { ProtocolModule, ProtocolModuleFactory } from '../protocol-module.ts';
import type { PeerId, Signer, Verifier } from '../types.ts';
import { createMeshSignal } from './mesh-signal.ts';
import { createPeerBook, type PeerBook } from './peer-book.ts';
import { createRecordGossip, type RecordGossipSettings } from './peer-exchange.ts';
import { DEFAULT_RECORD_TTL_MS, type PeerRecord } from './peer-record.ts';
import { PEERS_FRAME_SPECS, decodePeersFrame, type PeersMessage } from './peers-frames.ts';
import { createPeersStats, type PeersStats } from './peers-stats.ts';

export interface PeersComponents {
  signer: Signer;
  /** Batched signature checks (the worker pool in a tab). */
  verifier: Verifier;
  /** Injected randomness (core has no Math.random): sampling, fanout, backoff jitter. */
  random: () => number;
  /** A verified mesh signal addressed to us: the app calls dialer.receiveSignal(from, envelopeHex). */
  onSignal?(from: PeerId, envelopeHex: string): void;
  /** Whether we have room for inbound links, advertised in our record (mesh maintainer's shouldAccept). */
  acceptsInbound?(): boolean;
  /**
   * A link that is not one of our neighbours (the mesh maintainer's feelers:
   * a test link of a few seconds). It is left out of our record, so opening
   * and closing it does not re-sign and flood the record network-wide.
   */
  isTransientLink?(peerId: string): boolean;
}

export interface PeersInit extends Partial<RecordGossipSettings> {
  network: string;
  /** Peer book size (peer-book.ts). */
  bookCapacity?: number;
  /** PeerBookInit.sourceBuckets: false only for the attack bench's ablation. */
  sourceBuckets?: boolean;
  /** Identity stamp bits records must meet, where the host overrides the network's (ChainParams.identityStampBits). */
  stampBits?: number;
}

/**
 * Defaults (docs/PROTOCOL.md, "Peer exchange"):
 * - recordTtlMs 10 min, refreshed every 60 s: ten refreshes may be lost before a live peer lapses.
 * - minResignIntervalMs 10 s: a record follows link changes within ~10 s, and a churning tab costs the network at most 0.1 record/s.
 * - fanout 3: push gossip where each tab forwards news once to f peers leaves ≈ e^-f of tabs unreached (5% for 3);
 *   link-open samples and refreshes fill the rest: every one of 200 simulated tabs knew all others (bench/mesh-degree.ts).
 * - thinBookSize 16 and getPeersIntervalMs 30 s: a tab that knows fewer than ~2× its target degree asks a neighbour twice a minute.
 */
export const DEFAULT_PEERS_SETTINGS: RecordGossipSettings = {
  recordTtlMs: DEFAULT_RECORD_TTL_MS,
  refreshIntervalMs: 60_000,
  minResignIntervalMs: 10_000,
  fanout: 3,
  thinBookSize: 16,
  getPeersIntervalMs: 30_000,
};

export type PeersModule = ReturnType<typeof createPeersModule>;

export function createPeersModule(components: PeersComponents, init: PeersInit) {
  const { network, bookCapacity, sourceBuckets, stampBits, ...overrides } = init;
  const settings: RecordGossipSettings = { ...DEFAULT_PEERS_SETTINGS, ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) };
  const selfId = components.signer.peerId;
  const stats = createPeersStats();
  const book: PeerBook = createPeerBook({ selfId, random: components.random, ...(bookCapacity ? { capacity: bookCapacity } : {}), ...(sourceBuckets === false ? { sourceBuckets } : {}) });
  let attached: { context: ProtocolContext; gossip: ReturnType<typeof createRecordGossip>; signal: ReturnType<typeof createMeshSignal> } | undefined;

  const factory: ProtocolModuleFactory = (context) => {
    const gossip = createRecordGossip({
      context, network, signer: components.signer, verifier: components.verifier, random: components.random,
      book, stats, settings, acceptsInbound: () => components.acceptsInbound?.() ?? true,
      isTransientLink: (peerId) => components.isTransientLink?.(peerId) ?? false,
      ...(stampBits !== undefined ? { stampBits } : {}),
    });
    const signal = createMeshSignal({
      context, network, selfId, verifier: components.verifier, random: components.random, book, stats,
      onSignal: (from, hex) => components.onSignal?.(from, hex),
    });
    attached = { context, gossip, signal };
    const module: ProtocolModule<PeersMessage> = {
      name: 'peers',
      frames: PEERS_FRAME_SPECS,
      decode: decodePeersFrame,
      handle(peerId, message) {
        switch (message.kind) {
          case 'records': return gossip.handleRecords(peerId, message.records);
          case 'getPeers': return gossip.handleGetPeers(peerId, message.want);
          case 'signal': return signal.handle(peerId, message.hops, message.envelope, message.envelopeBytes, message.envelopeHex);
        }
      },
      onPeerOpen(peerId, direction) {
        // A link we dialled that completed HELLO is addrman's "good": the peer is real and reachable.
        // Inbound links are not: whoever dials us (a Sybil too) would move itself into "tried".
        if (direction === 'out') book.markTried(peerId, context.clock.nowMs());
        gossip.onPeerOpen(peerId, direction);
      },
      onPeerClose(peerId) {
        gossip.onPeerClose(peerId);
        signal.onPeerClose(peerId);
      },
      tick: () => gossip.tick(),
    };
    return module as ProtocolModule;
  };

  return {
    factory,
    book,

    /** Sends our sealed signaling envelope toward `to` through the mesh; false when there is no route (dialer's sendSignal). */
    send: (to: PeerId, envelopeHex: string): boolean => attached?.signal.send(to, envelopeHex) ?? false,

    /** Links between us and `to` per our links and the records (1 = linked); undefined beyond 3 or unknown. */
    distance: (to: PeerId): number | undefined => attached?.signal.distance(to),

    /** True when the mesh has a route (not a blind flood) for a signal to `to`. */
    canRoute: (to: PeerId): boolean => attached?.signal.canRoute(to) ?? false,

    /** Marks a peer we linked to (a feeler, say) as tried in the book; outbound links that open are marked already. */
    markTried: (peerId: PeerId): void => book.markTried(peerId, attached?.context.clock.nowMs() ?? 0),

    /** The book bucket `peerId` lives in (peer-book.ts groupOf), for spreading outbound links across buckets. */
    groupOf: (peerId: PeerId): string | undefined => book.groupOf(peerId),

    /** The peer book's peer ids (window.tabmesh.knownPeers()). */
    knownPeers: (): PeerId[] => book.peerIds(),

    /** A peer's links as its (and others') records say; for ourselves, our open links. */
    neighboursOf: (peerId: PeerId): PeerId[] => (peerId === selfId ? (attached?.context.openPeers() ?? []) : book.neighboursOf(peerId)),

    /** Every record in the book, for the page's graph (issue 6 §1). */
    records: (): PeerRecord[] => book.records(),

    /** Our latest signed record, if any. */
    ownRecord: (): PeerRecord | undefined => attached?.gossip.ownRecord(),

    stats: (): PeersStats & { bookSize: number; bookTried: number } => ({ ...stats, bookSize: book.size, bookTried: book.counts().tried }),
  };
}

/**
 * One peer of the mesh, assembled once for its three hosts: a browser tab
 * (app/start-peer.ts), the Node full node (fullnode/) and the simulator
 * (sim/mesh-sim.ts). It builds the ledger, mempool and protocol node
 * (core/full-node.ts), the peers module (peer exchange, signaling through the
 * mesh), the mesh maintainer (degree and dialing), and wires a connector (the
 * link-making seam, connector.ts) and, where there is one, the relay client.
 *
 *   relay / mesh signal ──► receiveSignal: bans, inbound room (offer gate) ──► connector
 *   connector's signals ──► the relay while it knows the peer, else the mesh (peers.send)
 *   connector's links ──► node.addLink ──► mesh.linked
 *
 * Hosts differ only in their components: the connector, the scheduler, the
 * store, the verifier and the rng. Nothing here touches a timer, the DOM or
 * Math.random: the host calls tick() every second and start() when it is
 * ready for frames.
 */
import { createFullNode, type FullNode } from '../core/full-node.ts';
import type { ChainParams } from '../core/ledger/params.ts';
import type { ChainStore } from '../core/ledger/types.ts';
import type { PeerLink } from '../core/link.ts';
import type { NodeInit } from '../core/node.ts';
import { createPeersModule, type PeersInit, type PeersModule } from '../core/peers/peers-module.ts';
import type { RecordSigner } from '../core/peers/peer-record.ts';
import type { ProtocolModuleFactory } from '../core/protocol-module.ts';
import type { Scheduler } from '../core/scheduler.ts';
import type { Clock, Logger, PeerId, Signer, Verifier } from '../core/types.ts';
import { createMeshMaintainer, type MeshMaintainer, type MeshMaintainerInit } from '../net/mesh-maintainer.ts';
import { createOfferGate } from '../net/offer-gate.ts';
import type { SignalingClient } from '../net/signaling-client.ts';
import type { Connector, ConnectorHooks } from './connector.ts';

/**
 * The relay client's part a peer uses (net/signaling-client.ts, or several
 * behind net/relay-set.ts). `setActive` tells the relay whether this peer
 * wants to be offered to newcomers (docs/PROTOCOL.md, "Relay": active and idle).
 */
export type RelayTransport = Pick<SignalingClient, 'status' | 'sendSignal' | 'events' | 'start' | 'stop'> & { setActive?(wantsPeers: boolean): void };

export interface MeshPeerComponents<C extends Connector = Connector> {
  signer: Signer;
  verifier: Verifier;
  clock: Clock;
  log: Logger;
  /** Durable chain storage: IndexedDB in a tab, LevelDB in the full node, memory in the simulator. */
  store: ChainStore;
  scheduler: Scheduler;
  /** Randomness for sampling, fanout, dial choice and backoff jitter (seeded in the simulator). */
  rng: () => number;
  /** Makes the connector, given the assembly's hooks. */
  connect: (hooks: ConnectorHooks) => C;
  /** The signaling relay, where the host has one. It is started by start(). */
  relay?: RelayTransport;
  /** More protocol modules (the tab's transaction trace). */
  modules?: ProtocolModuleFactory[];
}

export interface MeshPeerInit extends Pick<NodeInit, 'banMs' | 'helloTimeoutMs' | 'pingIntervalMs' | 'peerRateLimit' | 'maxKnownTxs' | 'announcerStanding' | 'protocol'> {
  network: string;
  /** Ledger parameter overrides for tests and the simulator (every node of a network must agree). */
  params?: Partial<ChainParams>;
  /** The mesh's degree settings (D, marks, dials in flight). */
  mesh?: Omit<MeshMaintainerInit, 'random' | 'nowMs' | 'backoff'>;
  /** Peer exchange settings (peers-module.ts DEFAULT_PEERS_SETTINGS). */
  peers?: Omit<PeersInit, 'network'>;
}

export interface MeshPeer<C extends Connector = Connector> extends FullNode {
  readonly id: PeerId;
  readonly peers: PeersModule;
  readonly mesh: MeshMaintainer;
  readonly connector: C;
  /** A sealed signal from `from`, by any route: dropped for a banned peer, refused when we have no inbound room. */
  receiveSignal(from: PeerId, envelopeHex: string): void;
  /** Hands an open link to the node (the connector's links arrive here; the simulator's initial links too). */
  addLink(link: PeerLink): void;
  /** The relay room and the peer book. */
  knownPeers(): PeerId[];
  /** Housekeeping, every second: keepalive and dead links, peer records, expired dials, mesh repair. */
  tick(): void;
  /** Starts the relay client, if any; frames and signals may flow from here on. */
  start(): void;
  /** The node's counters with the peers module's (peers…) and the mesh maintainer's (mesh…). */
  stats(): Record<string, number>;
  /** Stops the relay, abandons dials and closes every link. */
  close(): void;
}

/** Prefixes a component's counters so they never collide with the node's: `peers` + `bookSize` → `peersBookSize`. */
export function prefixedStats(prefix: string, counters: object): Record<string, number> {
  return Object.fromEntries(Object.entries(counters)
    .filter(([, value]) => typeof value === 'number')
    .map(([name, value]) => [`${prefix}${name[0]!.toUpperCase()}${name.slice(1)}`, value as number]));
}

export async function createMeshPeer<C extends Connector>(components: MeshPeerComponents<C>, init: MeshPeerInit): Promise<MeshPeer<C>> {
  const { signer, verifier, clock, log, relay } = components;
  const { network } = init;

  // Records carry the chain we are on (peer-record.ts), read from the ledger when each is signed,
  // so peers across a split see that we have more work and dial us (net/mesh-maintainer-healing.ts).
  const recordSigner: RecordSigner = {
    peerId: signer.peerId,
    publicKey: signer.publicKey,
    identityStamp: signer.identityStamp,
    sign: (message) => signer.sign(message),
    chainTip: () => full.ledger.tip(),
  };
  const peers = createPeersModule({
    signer: recordSigner, verifier, random: components.rng,
    // Both run only once frames flow, after everything below exists (start() and addLink come last).
    acceptsInbound: () => mesh.hasInboundRoom(),
    isTransientLink: (id) => mesh.isFeeler(id),
    onSignal: (from, hex) => receiveSignal(from, hex),
  }, { network, ...(init.params?.identityStampBits !== undefined ? { stampBits: init.params.identityStampBits } : {}), ...init.peers });

  const { params, mesh: meshInit, peers: _peersInit, ...nodeInit } = init;
  const full = await createFullNode({
    verifier, clock, log, store: components.store, scheduler: components.scheduler,
    linked: (a, b) => peers.book.linked(a, b),
    modules: [peers.factory, ...(components.modules ?? [])],
  }, { ...nodeInit, peerId: signer.peerId, identityStamp: signer.identityStamp, ...(params ? { params } : {}) });
  const { node } = full;

  const relayReaches = (id: PeerId) => relay?.status() === 'open' && mesh.inRoom(id);
  const connector = components.connect({
    // The relay introduces; once it is gone (or does not know the peer), signals travel through the mesh.
    sendSignal: (to, hex) => (relayReaches(to) && relay!.sendSignal(to, hex)) || peers.send(to, hex),
    onLink: (link) => node.addLink(link),
    onRefused: () => node.count('signalsRejected'),
    onUnanswered: (id) => mesh.unanswered(id),
  });
  const mesh = createMeshMaintainer({ ...meshInit, random: components.rng, nowMs: () => clock.nowMs(), backoff: peers.book.backoff }, {
    isLinked: (id) => node.hasLink(id),
    isPending: (id) => connector.isPending(id),
    isBanned: (id) => node.banOf(id) !== undefined,
    linkCount: () => node.peers().length,
    pendingCount: () => connector.pendingCount(),
    dial: (id) => connector.dial(id),
    links: () => node.peers(),
    disconnect: (id, reason) => node.disconnect(id, reason),
    bookPeers: () => peers.knownPeers(),
    canSignal: (id) => relayReaches(id) || peers.canRoute(id),
    acceptsInbound: (id) => peers.book.get(id)?.acceptsInbound,
    recordSeq: (id) => peers.book.get(id)?.seq,
    distance: (id) => peers.distance(id),
    workOf: (id) => peers.book.get(id)?.chainWork,
    ownWork: () => full.ledger.tip().chainWork,
    // Outbound links spread over the book's buckets (its source groups), so one source cannot fill them.
    group: (id) => peers.book.groupOf(id),
    sourceOf: (id) => peers.book.sourceOf(id),
    mutualNeighboursOf: (id) => peers.book.mutualNeighboursOf(id),
    relayOpen: () => relay?.status() === 'open',
  });
  const gate = createOfferGate(mesh, connector);
  /** A sealed signal by any route: dropped from a banned peer; an offer refused when we have no inbound room. */
  function receiveSignal(from: PeerId, envelopeHex: string, group?: string): void {
    if (node.banOf(from)) return log.warn('ignored a signal from a banned peer', { peerId: from });
    if (gate(from, envelopeHex, group)) connector.receiveSignal(from, envelopeHex);
  }

  if (relay) {
    // The relay attests members' network groups (docs/PROTOCOL.md, "Relay"): the mesh applies its group limits before a link forms.
    relay.events.on('welcome', (members, groups) => mesh.welcome(members, groups));
    relay.events.on('peer-joined', (id, group) => mesh.joined(id, group));
    relay.events.on('peer-left', (id) => mesh.left(id));
    relay.events.on('signal', (from, data, group) => receiveSignal(from, data, group));
  }
  node.events.on('peer-open', (peer) => mesh.linked(peer.id));

  return {
    ...full,
    id: signer.peerId,
    peers,
    mesh,
    connector,
    receiveSignal,
    addLink: (link) => node.addLink(link),
    knownPeers: () => [...new Set([...mesh.knownPeers(), ...peers.knownPeers()])],
    tick() {
      node.tick();
      connector.tick?.();
      mesh.tick();
      // Below D the maintainer keeps dialling, so only then does the room need to offer us to newcomers;
      // a well-linked peer goes idle and the relay's samples hold those who need peers.
      relay?.setActive?.(node.peers().length < mesh.marks.target);
    },
    start: () => relay?.start(),
    stats: () => ({ ...node.stats(), ...prefixedStats('peers', peers.stats()), ...prefixedStats('mesh', mesh.stats()) }),
    close() {
      relay?.stop();
      connector.close();
      node.close();
    },
  };
}

/**
 * Simulated tabs with the peers module (peer exchange, signaling through the
 * mesh) and the mesh maintainer, and no relay at all (issue 4 §2: "the relay
 * is needed only to bootstrap").
 *
 * Dialing is modelled at the signaling seam: a dial seals a real, signed
 * offer envelope and hands it to the peers module, which routes it through
 * the mesh; the callee's module delivers it, the callee seals an answer and
 * routes it back; when the answer arrives the simulator opens the link
 * (network.link), as a completed WebRTC set-up would. Only the ICE/DTLS part
 * of WebRTC is skipped, so every link opened after the start was set up by
 * signals that crossed the mesh.
 */
import { createFullNode } from '../core/full-node.ts';
import { createMemoryChainStore } from '../core/ledger/memory-chain-store.ts';
import type { PeerLink } from '../core/link.ts';
import { createPeersModule, type PeersInit, type PeersModule } from '../core/peers/peers-module.ts';
import { checkSignalContext, openSignal, sealSignal } from '../core/signal-envelope.ts';
import type { TabmeshNode } from '../core/node.ts';
import type { PeerId } from '../core/types.ts';
import { createMeshMaintainer, type MeshMaintainer, type MeshMaintainerInit } from '../net/mesh-maintainer.ts';
import { parseSignalPayload } from '../net/signal-payload.ts';
import type { SimNetwork } from './sim-network.ts';
import type { SimNodeFactory } from './sim-node.ts';

export type MeshSimNode = TabmeshNode & {
  /** The peers module's handle (node.peers() stays the node's open links). */
  peerExchange: PeersModule;
  mesh: MeshMaintainer;
  /** Dials started, and links opened by an answer that came back through the mesh. */
  dialStats(): { dials: number; meshLinks: number; refusedOffers: number; timeouts: number };
};

export interface MeshSimOptions {
  mesh?: Omit<MeshMaintainerInit, 'random' | 'nowMs' | 'backoff'>;
  peers?: Omit<PeersInit, 'network'>;
  /** A dial with no answer by then fails (the browser dialer abandons after 20 s). */
  dialTimeoutMs?: number;
}

/** A node factory plus `attach(network)`, which the factory's dialers need to open links. */
export function createMeshSim(options: MeshSimOptions = {}) {
  let network: SimNetwork<MeshSimNode> | undefined;
  const dialTimeoutMs = options.dialTimeoutMs ?? 10_000;

  const factory: SimNodeFactory<MeshSimNode> = async ({ index, network: networkName, signer, clock, verifier, log, prng, chainParams }) => {
    const random = () => prng.next();
    const pending = new Map<PeerId, number>();
    const links = new Map<PeerId, PeerLink>();
    const counters = { dials: 0, meshLinks: 0, refusedOffers: 0, timeouts: 0 };
    const ref: { mesh?: MeshMaintainer } = {};

    const seal = (to: PeerId, type: 'offer' | 'answer') =>
      sealSignal(networkName, signer, to, JSON.stringify({ type, sdp: `sim ${type}` }), clock.nowMs());

    function onSignal(from: PeerId, envelopeHex: string): void {
      const opened = openSignal(envelopeHex);
      if (!opened.ok) return;
      const checked = checkSignalContext(opened.value, { stampedFrom: from, self: signer.peerId, nowMs: clock.nowMs() });
      if (!checked.ok) return;
      const payload = parseSignalPayload(checked.value.payload);
      if (!payload.ok) return;
      const { type } = payload.value;
      if (type === 'offer') {
        // Glare: both dialled; the lower id's offer wins, as in webrtc-dialer.ts.
        if (pending.has(from) && signer.peerId < from) return;
        pending.delete(from);
        if (!ref.mesh?.shouldAccept(from, 'in')) {
          counters.refusedOffers++;
          return;
        }
        void seal(from, 'answer').then((hex) => peers.send(from, hex));
      } else if (type === 'answer' && pending.delete(from)) {
        const other = network?.indexOf(from);
        if (other === undefined || !network?.nodes[other]?.alive) return;
        if (network.linkBetween(index, other)) return; // glare: the other side's dial already linked us
        if (network.link(index, other)) counters.meshLinks++;
      }
    }

    const peers = createPeersModule({ signer, verifier, random, onSignal, acceptsInbound: () => ref.mesh?.hasInboundRoom() ?? true }, { network: networkName, ...options.peers });
    const { node } = await createFullNode(
      { verifier, clock, log, store: createMemoryChainStore(), modules: [peers.factory] },
      { network: networkName, peerId: signer.peerId, ...(chainParams ? { params: chainParams } : {}) },
    );

    const mesh = createMeshMaintainer({ ...options.mesh, random, nowMs: () => clock.nowMs(), backoff: peers.book.backoff }, {
      isLinked: (id) => node.hasLink(id),
      isPending: (id) => pending.has(id),
      isBanned: (id) => node.banOf(id) !== undefined,
      linkCount: () => node.peers().length,
      pendingCount: () => pending.size,
      links: () => node.peers(),
      disconnect: (id, reason) => links.get(id)?.close(reason),
      bookPeers: () => peers.knownPeers(),
      canSignal: (id) => peers.canRoute(id),
      acceptsInbound: (id) => peers.book.get(id)?.acceptsInbound,
      distance: (id) => peers.distance(id),
      dial(id) {
        counters.dials++;
        pending.set(id, clock.nowMs());
        void seal(id, 'offer').then((hex) => { if (!peers.send(id, hex)) pending.delete(id); });
      },
    });

    ref.mesh = mesh;
    node.events.on('peer-open', (peer) => mesh.linked(peer.id));
    return Object.assign({}, node, {
      peerExchange: peers,
      mesh: mesh,
      dialStats: () => ({ ...counters }),
      addLink(link: PeerLink) {
        links.set(link.peerId, link);
        link.onClose(() => { if (links.get(link.peerId) === link) links.delete(link.peerId); });
        node.addLink(link);
      },
      tick() {
        node.tick();
        const now = clock.nowMs();
        for (const [id, startedMs] of pending) {
          if (now - startedMs > dialTimeoutMs) {
            pending.delete(id);
            counters.timeouts++;
          }
        }
        mesh.tick();
      },
    });
  };

  return {
    factory,
    attach(net: SimNetwork<MeshSimNode>): void {
      network = net;
    },
  };
}

/**
 * Simulated tabs built by the same assembly a tab runs (peer/mesh-peer.ts):
 * peer exchange, signaling through the mesh and the mesh maintainer, with no
 * relay at all (issue 4 §2: "the relay is needed only to bootstrap"). Links
 * are set up by the simulator's connector (sim-connector.ts): real signed
 * offers and answers cross the mesh, and the simulator opens the link.
 */
import { createMemoryChainStore } from '../core/ledger/memory-chain-store.ts';
import type { TabmeshNode } from '../core/node.ts';
import type { PeersModule } from '../core/peers/peers-module.ts';
import type { MeshMaintainer } from '../net/mesh-maintainer.ts';
import { createMeshPeer, type MeshPeerInit } from '../peer/mesh-peer.ts';
import { createSimConnector, type SimDialStats } from './sim-connector.ts';
import type { SimNetwork } from './sim-network.ts';
import type { SimNodeFactory } from './sim-node.ts';

export type MeshSimNode = TabmeshNode & {
  /** The peers module's handle (node.peers() stays the node's open links). */
  peerExchange: PeersModule;
  mesh: MeshMaintainer;
  /** Dials started, links opened by an answer that came back through the mesh, and dials that timed out. */
  dialStats(): SimDialStats;
};

export interface MeshSimOptions extends Pick<MeshPeerInit, 'mesh' | 'peers'> {
  /** A dial with no answer by then fails (the browser dialer abandons after 20 s). */
  dialTimeoutMs?: number;
}

/** A node factory plus `attach(network)`, which the connectors need to open links. */
export function createMeshSim(options: MeshSimOptions = {}) {
  let network: SimNetwork<MeshSimNode> | undefined;

  const factory: SimNodeFactory<MeshSimNode> = async ({ index, network: networkName, signer, clock, verifier, log, prng, scheduler, chainParams }) => {
    const openLink = (peerId: string) => {
      const other = network?.indexOf(peerId);
      if (other === undefined || !network?.nodes[other]?.alive || network.linkBetween(index, other)) return false; // gone, or glare: their dial linked us
      return network.link(index, other) !== undefined;
    };
    const peer = await createMeshPeer({
      signer, verifier, clock, log, scheduler, store: createMemoryChainStore(), rng: () => prng.next(),
      connect: (hooks) => createSimConnector({ signer, clock, openLink }, { network: networkName, dialTimeoutMs: options.dialTimeoutMs ?? 10_000 }, hooks),
    }, { network: networkName, ...(chainParams ? { params: chainParams } : {}), ...(options.mesh ? { mesh: options.mesh } : {}), ...(options.peers ? { peers: options.peers } : {}) });
    return Object.assign({}, peer.node, {
      peerExchange: peer.peers,
      mesh: peer.mesh,
      dialStats: () => peer.connector.stats(),
      tick: () => peer.tick(),
      close: () => peer.close(),
    });
  };

  return {
    factory,
    attach(net: SimNetwork<MeshSimNode>): void {
      network = net;
    },
  };
}

/**
 * Simulated tabs built by the same assembly a tab runs (peer/mesh-peer.ts):
 * ledger, mempool, peer exchange, signaling through the mesh and the mesh
 * maintainer (with its healing: dials for work, feelers, rotation). By
 * default there is no relay at all (issue 4 §2: "the relay is needed only to
 * bootstrap"); with `relay`, every node is in one simulated relay room
 * (sim-relay.ts) that a partition blocks like any transport. Links are set up
 * by the simulator's connector (sim-connector.ts): real signed offers and
 * answers cross the relay or the mesh, and the simulator opens the link.
 */
import { createMemoryChainStore, type MemoryChainStore } from '../core/ledger/memory-chain-store.ts';
import type { Ledger } from '../core/ledger/ledger.ts';
import type { Mempool } from '../core/ledger/mempool.ts';
import type { TabmeshNode } from '../core/node.ts';
import type { PeersModule } from '../core/peers/peers-module.ts';
import type { MeshMaintainer } from '../net/mesh-maintainer.ts';
import { createMeshPeer, type MeshPeerInit } from '../peer/mesh-peer.ts';
import { createPrng } from './prng.ts';
import { createSimConnector, type SimDialStats } from './sim-connector.ts';
import type { SimNetwork } from './sim-network.ts';
import type { SimNodeFactory, SimNodeLike } from './sim-node.ts';
import { createSimRelay, type SimRelayInit } from './sim-relay.ts';

export type MeshSimNode = TabmeshNode & {
  ledger: Ledger;
  mempool: Mempool;
  store: MemoryChainStore;
  /** The peers module's handle (node.peers() stays the node's open links). */
  peerExchange: PeersModule;
  mesh: MeshMaintainer;
  /** Dials started, links opened by an answer that came back, and dials that timed out. */
  dialStats(): SimDialStats;
};

export interface MeshSimOptions extends Pick<MeshPeerInit, 'mesh' | 'peers' | 'announcerStanding'> {
  /** A dial with no answer by then fails (the browser dialer abandons after 20 s). */
  dialTimeoutMs?: number;
  /** One relay room for every node (sim-relay.ts); default: none, the mesh alone. */
  relay?: boolean | SimRelayInit;
  /** Seeds the relay's welcome samples. Default 1. */
  relaySeed?: number;
}

/** A node factory plus `attach(network)`, which the connectors and the relay need. */
export function createMeshSim(options: MeshSimOptions = {}) {
  let network: SimNetwork<MeshSimNode> | undefined;
  const relay = options.relay
    ? createSimRelay(() => network as SimNetwork<SimNodeLike> | undefined, createPrng(options.relaySeed ?? 1), options.relay === true ? {} : options.relay)
    : undefined;

  const factory: SimNodeFactory<MeshSimNode> = async ({ index, network: networkName, signer, clock, verifier, log, prng, scheduler, chainParams }) => {
    const openLink = (peerId: string) => {
      const other = network?.indexOf(peerId);
      if (other === undefined || !network?.nodes[other]?.alive || network.linkBetween(index, other)) return false; // gone, or glare: their dial linked us
      return network.link(index, other) !== undefined;
    };
    const store = createMemoryChainStore();
    const peer = await createMeshPeer({
      signer, verifier, clock, log, scheduler, store, rng: () => prng.next(),
      ...(relay ? { relay: relay.transport(index, signer.peerId, (delayMs, task) => scheduler.after(delayMs, task)) } : {}),
      connect: (hooks) => createSimConnector({ signer, clock, openLink }, { network: networkName, dialTimeoutMs: options.dialTimeoutMs ?? 10_000 }, hooks),
    }, { network: networkName, ...(chainParams ? { params: chainParams } : {}), ...(options.mesh ? { mesh: options.mesh } : {}), ...(options.peers ? { peers: options.peers } : {}),
      ...(options.announcerStanding === false ? { announcerStanding: false } : {}) });
    peer.start();
    return Object.assign({}, peer.node, {
      ledger: peer.ledger,
      mempool: peer.mempool,
      store,
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
    relayStats: () => relay?.stats(),
  };
}

/**
 * What the full node's RPC (rpc-server.ts) calls: the peer's state and its
 * wallet and miner, as a tab's window.tabmesh offers them.
 */
import type { MeshPeer } from '../src/peer/mesh-peer.ts';
import type { MiningLoop } from '../src/peer/mining-loop.ts';
import type { Wallet } from '../src/peer/wallet.ts';
import type { LedgerStore } from '../src/storage/ledger-store.ts';
import type { RpcTarget } from './rpc-api.ts';

export interface NodeRpcTargetComponents {
  peer: MeshPeer;
  wallet: Wallet;
  mining: Pick<MiningLoop, 'mine'>;
  store: Pick<LedgerStore, 'getTx'>;
}

export function createNodeRpcTarget(components: NodeRpcTargetComponents, network: string): RpcTarget {
  const { peer, wallet, mining, store } = components;
  const { node, ledger, mempool } = peer;
  return {
    status() {
      const { height, hash } = ledger.tip();
      return { id: peer.id, network, tip: { height, hash }, peers: node.peers().length, mempool: mempool.size };
    },
    peers: () => node.peers().map(({ id, rttMs, direction, bytesIn, bytesOut, connectedAtMs }) => ({ id, rttMs, direction, bytesIn, bytesOut, connectedAtMs })),
    /** The mempool, then where the chain holds it, then the wallet's own history (a send not yet relayed back). */
    async findTx(id) {
      if (mempool.has(id)) return { id, status: 'pending' };
      const location = await ledger.txLocation(id);
      if (location) return { id, status: 'confirmed', height: location.height, block: location.blockHash };
      const stored = await store.getTx(id);
      return stored?.status === 'pending' ? { id, status: 'pending' } : { id, status: 'unknown' };
    },
    deployments: () => ledger.deployments(),
    balance: (account) => ledger.account(account).balance,
    send: (to, amount, fee) => wallet.send(to, amount, fee),
    mine: (blocks) => mining.mine(blocks),
  };
}

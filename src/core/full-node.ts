/**
 * One complete peer core: ledger, mempool and protocol node, wired the same
 * way in a tab, in Node tests, in the e2e harness and in the simulator.
 */
import { createLedger, type Ledger } from './ledger/ledger.ts';
import { createMempool, type Mempool } from './ledger/mempool.ts';
import type { ChainParams } from './ledger/params.ts';
import type { ChainStore } from './ledger/types.ts';
import { createNode, type NodeInit, type TabmeshNode } from './node.ts';
import type { ProtocolModuleFactory } from './protocol-module.ts';
import type { Scheduler } from './scheduler.ts';
import type { Clock, Logger, PeerId, Verifier } from './types.ts';

export interface FullNodeComponents {
  verifier: Verifier;
  clock: Clock;
  log: Logger;
  /** Durable chain storage: IndexedDB in a tab, memory in tests and the simulator. */
  store: ChainStore;
  /** Timing: announcement batching and holds (NodeComponents.scheduler). */
  scheduler?: Scheduler;
  /** Whether the peer records say two peers are linked (NodeComponents.linked). */
  linked?: (a: PeerId, b: PeerId) => boolean;
  /** Extra protocol modules (see protocol-module.ts). */
  modules?: ProtocolModuleFactory[];
}

export interface FullNodeInit extends NodeInit {
  /** Parameter overrides for tests and the simulator only (every node of a network must agree). */
  params?: Partial<ChainParams>;
}

export interface FullNode {
  node: TabmeshNode;
  ledger: Ledger;
  mempool: Mempool;
}

export async function createFullNode(components: FullNodeComponents, init: FullNodeInit): Promise<FullNode> {
  const ledger = await createLedger({ store: components.store, verifier: components.verifier, clock: components.clock, log: components.log }, { network: init.network, params: init.params });
  const mempool = createMempool({ params: ledger.params, clock: components.clock, nextBlockParams: () => ledger.nextBlockParams() });
  const node = createNode({ ...components, ledger, mempool }, init);
  return { node, ledger, mempool };
}

/**
 * Mining and funding in the simulator. Coins come only from block rewards
 * (issue 3, "Blocks"), so a node must mine, and the network must accept its
 * block, before its transactions are valid anywhere. On a test network a
 * block needs about 16 hashes (params.ts), so mining here is instant.
 */
import type { Ledger } from '../core/ledger/ledger.ts';
import type { Mempool } from '../core/ledger/mempool.ts';
import { selectBlockTxs } from '../core/ledger/block-template.ts';
import { mineHeader } from '../core/ledger/testing.ts';
import type { Block } from '../core/ledger/types.ts';
import type { Tx } from '../core/tx.ts';
import type { BlockHash } from '../core/types.ts';
import type { RunOptions } from './scheduler.ts';
import { isRejection, SimRejectedError, type SimNetwork } from './sim-network.ts';
import type { SimNodeLike } from './sim-node.ts';

/** A simulated node that has a ledger and can announce blocks it mined. */
export interface MinerNodeLike extends SimNodeLike {
  readonly ledger: Pick<Ledger, 'tip' | 'buildHeaderTemplate' | 'account' | 'params'>;
  readonly mempool: Pick<Mempool, 'selectForBlock'>;
  submitLocalBlock(block: Block): unknown;
}

export interface MineOptions {
  /** The block's transactions: the miner's mempool selection (default), or exactly these. */
  txs?: 'mempool' | readonly Tx[];
  /** Cap on transactions taken from the mempool. */
  maxTxs?: number;
}

/**
 * Node `index` mines one block on its tip and submits it (which announces it).
 * The block's time is the virtual clock, or just after the tip's when several
 * blocks are mined at one instant. Throws SimRejectedError if the node's own
 * ledger refuses it.
 */
export async function mineBlock<N extends MinerNodeLike>(net: SimNetwork<N>, index: number, options: MineOptions = {}): Promise<Block> {
  const { node } = net.nodes[index] ?? {};
  if (!node || !net.nodes[index]!.alive) throw new SimRejectedError(`node ${index} is not a live node`);
  const tip = node.ledger.tip();
  const txs = options.txs === undefined || options.txs === 'mempool'
    ? selectBlockTxs(node.mempool, node.ledger.account, node.ledger.params, options.maxTxs === undefined ? {} : { maxTxs: options.maxTxs }).txs
    : [...options.txs];
  const timeMs = Math.max(net.scheduler.clock.nowMs(), tip.timeMs + 1);
  const block: Block = { header: mineHeader(node.ledger.buildHeaderTemplate(net.nodes[index]!.peerId, txs, timeMs)), txs };
  const result = await net.drive(Promise.resolve(node.submitLocalBlock(block)));
  if (isRejection(result)) throw new SimRejectedError(`node ${index} refused its own block: ${result.reason}${result.detail ? ` (${result.detail})` : ''}`);
  return block;
}

/** Whether every live node's tip is `hash`. */
export function allAtTip<N extends MinerNodeLike>(net: SimNetwork<N>, hash: BlockHash): boolean {
  return net.nodes.every((sim) => !sim.alive || sim.node.ledger.tip().hash === hash);
}

/** Whether every live node has the same tip. */
export function tipsAgree<N extends MinerNodeLike>(net: SimNetwork<N>): boolean {
  const live = net.live();
  return live.every((sim) => sim.node.ledger.tip().hash === live[0]?.node.ledger.tip().hash);
}

/**
 * Gives each listed node one block reward: each mines a block in turn and
 * the network runs until every live node is at that tip. Throws if one does
 * not spread within maxTimeMs (default 30 s virtual).
 */
export async function fund<N extends MinerNodeLike>(net: SimNetwork<N>, indices: readonly number[], options: RunOptions = {}): Promise<void> {
  for (const index of indices) {
    const tip = net.nodes[index]!.node.ledger.tip().hash;
    await mineBlock(net, index, { txs: [] });
    const hash = net.nodes[index]!.node.ledger.tip().hash;
    if (hash === tip) throw new SimRejectedError(`node ${index} mined but its tip did not move`);
    const run = await net.runUntil(() => allAtTip(net, hash), { maxTimeMs: options.maxTimeMs ?? 30_000 });
    if (!run.done) throw new SimRejectedError(`the block node ${index} mined did not reach every node within ${options.maxTimeMs ?? 30_000} ms`);
  }
}

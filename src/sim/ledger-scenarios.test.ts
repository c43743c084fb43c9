/**
 * Ledger scenarios on the simulated network (issue 3, "The simulator"):
 * a double spend raced through both halves of the network, and a 50/50
 * partition where both sides mine and the lighter side's transactions come
 * back after healing.
 */
import { describe, expect } from 'vitest';
import { blockHash } from '../core/ledger/block.ts';
import type { Block } from '../core/ledger/types.ts';
import { txId } from '../core/tx.ts';
import type { TxId } from '../core/types.ts';
import { confirmedTxs, connectWithin, ledgerViolations } from './invariants.ts';
import type { PartitionMode } from './partitions.ts';
import { allAtTip, fund, mineBlock, tipsAgree } from './sim-mining.ts';
import { createSimNetwork, type SimNetwork } from './sim-network.ts';
import type { LedgerSimNode } from './sim-node.ts';
import { simIt } from '../../test/helpers/sim-test.ts';

type Net = SimNetwork<LedgerSimNode>;

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Which of `ids` each live node's best chain confirms. */
async function confirmedBy(net: Net, ids: readonly TxId[]): Promise<TxId[][]> {
  const result: TxId[][] = [];
  for (const sim of net.live()) {
    const confirmed = await confirmedTxs(sim);
    result.push(ids.filter((id) => confirmed.has(id)));
  }
  return result;
}

/**
 * One block on the heaviest tip (among `isMiner` nodes) outweighs every
 * branch, so every live node must move to it: no further mining allowed.
 */
async function mineOnHeaviest(net: Net, isMiner: (index: number) => boolean): Promise<void> {
  const heaviest = net.live().filter((sim) => isMiner(sim.index)).reduce((best, sim) => (sim.node.ledger.tip().chainWork > best.node.ledger.tip().chainWork ? sim : best));
  await mineBlock(net, heaviest.index, { txs: [] });
  const tip = heaviest.node.ledger.tip().hash;
  expect((await net.runUntil(() => allAtTip(net, tip), { maxTimeMs: 30_000 })).done, 'every node follows the heaviest tip').toBe(true);
}

describe('double spend', () => {
  for (const seed of [101, 102, 103]) {
    simIt(`confirms exactly one of two conflicting transactions raced through both halves, the same one everywhere (seed ${seed})`, seed, async (simSeed) => {
      const nodes = 40;
      const net = await createSimNetwork({ seed: simSeed, nodes, degree: 6, latencyMs: 40, jitterMs: 30, ordered: true });
      await net.runUntilIdle();
      const sender = 0;
      await fund(net, [sender]);
      const [toLeft, toRight] = [1, 39];
      const left = [2, 5, 9]; // nodes that first hold the left spend
      const right = [30, 34, 38];
      // Same sender, same nonce, same fee, different recipients: whichever a node sees first it keeps.
      // The sender can afford both, so only the nonce rule keeps the loser out of blocks and pools.
      const spendLeft = await net.transfer(sender, toLeft, { amount: 10_000, fee: 2, nonce: 0 });
      const spendRight = await net.transfer(sender, toRight, { amount: 10_000, fee: 2, nonce: 0 });
      const ids = [txId(spendLeft), txId(spendRight)];
      for (const index of left) net.submit(index, spendLeft);
      for (const index of right) net.submit(index, spendRight);
      // The second copy to reach a node is refused: a same-fee replacement is not allowed.
      expect(() => net.submit(left[0]!, spendRight)).toThrow(/replacement-fee-too-low/);

      await net.runUntilIdle();
      const holding = net.live().map((sim) => ids.filter((id) => sim.node.mempool.has(id)));
      expect(holding.every((held) => held.length === 1)).toBe(true); // one each, never both
      expect(holding.filter((held) => held[0] === ids[0]).length).toBeGreaterThan(0);
      expect(holding.filter((held) => held[0] === ids[1]).length).toBeGreaterThan(0);

      // A miner on each side mines at the same instant: two blocks of equal work, one per spend.
      const [leftBlock, rightBlock] = [await mineBlock(net, left[1]!), await mineBlock(net, right[1]!)];
      expect(leftBlock.txs.map(txId)).toEqual([ids[0]]);
      expect(rightBlock.txs.map(txId)).toEqual([ids[1]]);
      await net.runUntilIdle();
      const split = new Set(net.live().map((sim) => sim.node.ledger.tip().hash));
      expect(split).toEqual(new Set([blockHash(leftBlock.header), blockHash(rightBlock.header)])); // first seen wins, per node

      await mineOnHeaviest(net, (index) => ![sender, toLeft, toRight].includes(index));
      expect(tipsAgree(net)).toBe(true);
      const confirmed = await confirmedBy(net, ids);
      expect(confirmed.every((held) => held.length === 1)).toBe(true);
      const winner = confirmed[0]![0]!;
      const loser = ids.find((id) => id !== winner)!;
      expect(confirmed.every((held) => held[0] === winner)).toBe(true);
      const winnerTo = winner === ids[0] ? toLeft : toRight;
      const loserTo = winner === ids[0] ? toRight : toLeft;
      for (const sim of net.live()) {
        const { ledger, mempool } = sim.node;
        expect(mempool.has(loser)).toBe(false); // disconnected with its block, then refused as bad-nonce
        expect(mempool.has(winner)).toBe(false);
        expect(ledger.account(net.nodes[sender]!.peerId)).toEqual({ balance: 50_000 - 10_002, nonce: 1 });
        expect(ledger.account(net.nodes[winnerTo]!.peerId).balance).toBe(10_000);
        expect(ledger.account(net.nodes[loserTo]!.peerId).balance).toBe(0);
      }
      expect(await ledgerViolations(net)).toEqual([]);
      // No miner can put the loser in a block now: its own ledger refuses the block.
      const loserTx = loser === ids[0] ? spendLeft : spendRight;
      await expect(mineBlock(net, 20, { txs: [loserTx] })).rejects.toThrow(/bad-nonce/);
      // The sender cannot spend the same nonce again, anywhere.
      const replay = await net.transfer(sender, toLeft, { amount: 1, fee: 50, nonce: 0 });
      expect(() => net.submit(20, replay)).toThrow(/bad-nonce/);
      expect(net.nodes.flatMap((sim) => sim.peerEvents.filter((event) => event.kind === 'ban'))).toEqual([]);
    });
  }
});

async function partitionAndHeal(seed: number, mode: PartitionMode) {
  const nodes = 40;
  const net = await createSimNetwork({ seed, nodes, degree: 6, latencyMs: 40, jitterMs: 20, ordered: true, partitionMode: mode });
  await net.runUntilIdle();
  const [alice, bob, carol, dave] = [1, 2, 3, 25]; // alice, bob, carol fund on the losing side's half; dave on the winning half
  await fund(net, [alice, bob, carol, dave]);
  const losing = range(0, 20);
  const winning = range(20, 40);
  net.partition([losing, winning]);
  for (const side of [losing, winning]) connectWithin(net, side);

  // The losing side: three plain payments (alice twice, chained nonces) and carol's spend of nonce 0.
  const fromLosing = [
    await net.transfer(alice, 5, { amount: 1_000, fee: 1, nonce: 0 }),
    await net.transfer(alice, 6, { amount: 2_000, fee: 1, nonce: 1 }),
    await net.transfer(bob, 7, { amount: 3_000, fee: 3, nonce: 0 }),
  ];
  const carolLosing = await net.transfer(carol, 8, { amount: 4_000, fee: 1, nonce: 0 });
  // The winning side: dave pays, and carol spends the same nonce to someone else.
  const daveWinning = await net.transfer(dave, 30, { amount: 5_000, fee: 1, nonce: 0 });
  const carolWinning = await net.transfer(carol, 31, { amount: 6_000, fee: 1, nonce: 0 });
  for (const tx of [...fromLosing, carolLosing]) net.submit(10, tx);
  net.submit(22, daveWinning);
  net.submit(22, carolWinning);
  await net.runFor(2_000);

  /** Mines at `miner` and runs until its whole side has the block, so each side builds one chain. */
  const mineOnSide = async (miner: number, side: readonly number[]) => {
    const block = await mineBlock(net, miner);
    const hash = blockHash(block.header);
    expect((await net.runUntil(() => side.every((index) => net.nodes[index]!.node.ledger.tip().hash === hash), { maxTimeMs: 10_000 })).done).toBe(true);
    return block;
  };
  const losingBlocks = [await mineOnSide(12, losing), await mineOnSide(4, losing)];
  const winningBlocks: Block[] = [];
  for (const miner of [21, 33, 38]) winningBlocks.push(await mineOnSide(miner, winning));
  expect(losingBlocks[0]!.txs.map(txId).sort()).toEqual([...fromLosing, carolLosing].map(txId).sort());
  expect(winningBlocks[0]!.txs.map(txId).sort()).toEqual([daveWinning, carolWinning].map(txId).sort());
  await net.runFor(20_000); // long enough for silent cross links to be closed in 'drop' mode
  const losingTip = net.nodes[12]!.node.ledger.tip();
  const winningTip = net.nodes[21]!.node.ledger.tip();
  expect(losingTip.height).toBe(6);
  expect(winningTip.height).toBe(7);
  for (const index of losing) expect(net.nodes[index]!.node.ledger.tip().hash).toBe(losingTip.hash);
  for (const index of winning) expect(net.nodes[index]!.node.ledger.tip().hash).toBe(winningTip.hash);

  net.heal();
  net.reconnect(); // bare core nodes have no dialer (sim-network.ts)
  const converged = await net.runUntil(() => allAtTip(net, winningTip.hash), { maxTimeMs: 30_000 });
  expect(converged.done).toBe(true);
  const idsLosing = fromLosing.map(txId);
  for (const sim of net.live()) {
    expect(sim.node.ledger.tip()).toEqual(winningTip);
    const confirmed = await confirmedTxs(sim);
    for (const id of [...idsLosing, txId(carolLosing)]) expect(confirmed.has(id)).toBe(false);
    expect(confirmed.has(txId(carolWinning))).toBe(true);
    // The losing side's nodes disconnected those blocks: the plain payments are back, carol's conflicting spend is not.
    if (sim.index < 20) {
      for (const id of idsLosing) expect(sim.node.mempool.has(id)).toBe(true);
      expect(sim.node.mempool.has(txId(carolLosing))).toBe(false);
    }
  }

  // More mining (by a node that held them) confirms them again, on every node.
  const again = await mineBlock(net, 12);
  expect(again.txs.map(txId).sort()).toEqual([...idsLosing].sort());
  const tip = net.nodes[12]!.node.ledger.tip().hash;
  expect((await net.runUntil(() => allAtTip(net, tip), { maxTimeMs: 30_000 })).done).toBe(true);
  const peer = (index: number) => net.nodes[index]!.peerId;
  for (const sim of net.live()) {
    const { ledger, mempool } = sim.node;
    const confirmed = await confirmedTxs(sim);
    for (const id of idsLosing) {
      expect(confirmed.has(id)).toBe(true);
      expect(mempool.has(id)).toBe(false);
    }
    expect(confirmed.has(txId(carolLosing))).toBe(false);
    expect(ledger.account(peer(alice))).toEqual({ balance: 50_000 - 3_002, nonce: 2 });
    expect(ledger.account(peer(carol))).toEqual({ balance: 50_000 - 6_001, nonce: 1 });
    expect(ledger.account(peer(8)).balance).toBe(0);
    expect(ledger.account(peer(31)).balance).toBe(6_000);
  }
  expect(await ledgerViolations(net)).toEqual([]);
  return net;
}

describe('partition and heal', () => {
  simIt('converges on the heavier side after a silent 50/50 partition, and re-confirms the lighter side\'s payments', 201, async (seed) => {
    await partitionAndHeal(seed, 'drop');
  });

  simIt('does the same when the partition cuts the links', 202, async (seed) => {
    await partitionAndHeal(seed, 'disconnect');
  });
});

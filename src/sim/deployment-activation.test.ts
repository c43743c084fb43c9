/**
 * A soft fork on the simulated network (issue 25, part 2): two builds, one
 * that knows minfee2 and one that does not (params.ts, withoutDeployments).
 * Miners of the new build signal, the deployment locks in and activates,
 * the old build follows the same chain throughout, and a block only the
 * new rule refuses, mined by an old-build miner after activation, is
 * refused by new nodes and orphaned when the majority outmines it.
 */
import { describe, expect } from 'vitest';
import { blockHash } from '../core/ledger/block.ts';
import { signalsBit } from '../core/ledger/deployments.ts';
import { MINFEE2, withoutDeployments, type Deployment } from '../core/ledger/params.ts';
import { txId } from '../core/tx.ts';
import { confirmedTxs } from './invariants.ts';
import { allAtTip, mineBlock, tipsAgree } from './sim-mining.ts';
import { createSimNetwork, type SimNetwork } from './sim-network.ts';
import { defaultNodeFactory, type LedgerSimNode, type SimNodeFactory } from './sim-node.ts';
import { simIt } from '../../test/helpers/sim-test.ts';

type Net = SimNetwork<LedgerSimNode>;

/** minfee2 from height 0 in 8-block windows: the first window that can lock it in is heights 8-15. */
const EARLY: Deployment = { name: MINFEE2, bit: 0, startHeight: 0, timeoutHeight: 800, window: 8, threshold: 6 };
const NODES = 16;
/** A quarter of the network runs the previous build. */
const OLD_BUILD = new Set([12, 13, 14, 15]);
const OLD_MINER = 12;
/** Per window: six new-build blocks and two old-build ones, exactly the threshold. */
const SCHEDULE = [0, 1, OLD_MINER, 2, 0, 1, OLD_MINER, 2];

const twoBuilds: SimNodeFactory<LedgerSimNode> = (components) =>
  defaultNodeFactory({ ...components, chainParams: { ...components.chainParams, deployments: OLD_BUILD.has(components.index) ? withoutDeployments([EARLY]) : [EARLY] } });

/** Mines one block at `index` and runs until every live node is at its tip (the old build included). */
async function mineAndSpread(net: Net, index: number): Promise<void> {
  await mineBlock(net, index);
  const hash = net.nodes[index]!.node.ledger.tip().hash;
  expect((await net.runUntil(() => allAtTip(net, hash), { maxTimeMs: 30_000 })).done, `block of node ${index} reaches every node`).toBe(true);
}

const stateAt = (net: Net, index: number) => net.nodes[index]!.node.ledger.deployments()[0]?.state;

describe('a soft fork activated by miners across two builds', () => {
  for (const seed of [2501, 2502]) {
    simIt(`signals, locks in and activates; the old build follows, and its rule-breaking block is orphaned (seed ${seed})`, seed, async (simSeed) => {
      const net = await createSimNetwork({ seed: simSeed, nodes: NODES, degree: 4, latencyMs: 40, jitterMs: 20, nodeFactory: twoBuilds });
      await net.runUntilIdle();
      const states: (string | undefined)[] = [];
      let cheapBefore: string | undefined;
      for (let height = 1; height <= 23; height++) {
        // A fee-1 transfer from the old build, before activation: every node takes it and it confirms.
        if (height === 6) cheapBefore = net.submit(OLD_MINER, await net.transfer(OLD_MINER, 5, { amount: 100, fee: 1 }));
        await mineAndSpread(net, SCHEDULE[(height - 1) % SCHEDULE.length]!);
        expect(tipsAgree(net), `every node, either build, on one tip at height ${height}`).toBe(true);
        states.push(stateAt(net, 0));
      }
      // states[i]: the state for block i + 2, once height i + 1 is the tip.
      expect(states.slice(0, 6)).toEqual(Array(6).fill('DEFINED'));
      expect(states.slice(6, 14)).toEqual(Array(8).fill('STARTED'));
      expect(states.slice(14, 22)).toEqual(Array(8).fill('LOCKED_IN'));
      expect(states[22]).toBe('ACTIVE');
      const chain = net.nodes[0]!.node.ledger;
      const window1 = Array.from({ length: 8 }, (_, i) => chain.ancestorAt(8 + i)!.header.version);
      expect(window1.filter((version) => signalsBit(version, EARLY.bit)).length).toBe(6);
      for (const sim of net.live()) {
        expect(sim.node.ledger.deployments().map((d) => d.state)).toEqual(OLD_BUILD.has(sim.index) ? [] : ['ACTIVE']);
        expect(sim.node.ledger.nextBlockParams().minFee).toBe(OLD_BUILD.has(sim.index) ? 1 : 2);
        expect((await confirmedTxs(sim)).has(cheapBefore!)).toBe(true);
      }

      // After activation a fee-2 transfer from the old build goes everywhere and confirms as usual.
      const fair = net.submit(OLD_MINER, await net.transfer(OLD_MINER, 6, { amount: 100, fee: 2 }));
      await net.runUntilIdle();
      expect(net.allReached(fair)).toBe(true);
      await mineAndSpread(net, 0);
      for (const sim of net.live()) expect((await confirmedTxs(sim)).has(fair)).toBe(true);

      // A fee-1 transfer: the old build's pools take it, the new build's refuse it.
      const cheap = await net.transfer(OLD_MINER, 7, { amount: 100, fee: 1 });
      net.submit(OLD_MINER, cheap);
      await net.runUntilIdle();
      for (const sim of net.live()) if (!OLD_BUILD.has(sim.index)) expect(sim.node.mempool.has(txId(cheap)), `new node ${sim.index}`).toBe(false);
      expect(net.nodes[OLD_MINER]!.node.mempool.has(txId(cheap))).toBe(true);

      // The old-build miner puts it in a block: only the old build takes that block.
      const parent = chain.tip().hash;
      const bad = await mineBlock(net, OLD_MINER);
      expect(bad.txs.map(txId)).toContain(txId(cheap));
      const badHash = blockHash(bad.header);
      await net.runUntilIdle();
      for (const sim of net.live()) {
        if (!OLD_BUILD.has(sim.index)) {
          expect(sim.node.ledger.tip().hash, `new node ${sim.index} stays on the parent`).toBe(parent);
          expect(sim.node.ledger.headerEntry(badHash)?.status).not.toBe('best');
        }
      }
      expect(net.nodes[OLD_MINER]!.node.ledger.tip().hash).toBe(badHash);

      // The majority mines on: two blocks outweigh the old build's one, and every old node moves over.
      await mineBlock(net, 1, { txs: [] });
      await net.runUntilIdle(); // equal work: each old node keeps the block it saw first
      await mineAndSpread(net, 2);
      expect(tipsAgree(net)).toBe(true);
      for (const sim of net.live()) {
        expect(sim.node.ledger.headerEntry(badHash)?.status ?? 'refused', `node ${sim.index}`).not.toBe('best');
        expect((await confirmedTxs(sim)).has(txId(cheap))).toBe(false);
      }
      expect(net.nodes[OLD_MINER]!.node.ledger.headerEntry(badHash)?.status).toBe('side');
      // Nobody was held off: a block that breaks only the deployment's rule is not misbehaviour.
      expect(net.nodes.flatMap((sim) => sim.peerEvents.filter((event) => event.kind === 'ban'))).toEqual([]);
    });
  }
});

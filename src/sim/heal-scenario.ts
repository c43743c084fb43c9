/**
 * A split network heals itself (issue 20, "Healing"): the scenario behind
 * sim/heal.test.ts (60-100 nodes) and bench/heal.ts (1,000). Tabs built by
 * the real assembly (mesh-sim.ts, with the simulated relay) mesh up, are cut
 * in two halves that each mine (the losing half confirms a payment the
 * winning half never sees), and then only the transport block is lifted:
 * nothing reopens a link. The figure is the virtual time from the lift until
 * every node holds the most-work tip. A liveness watch (invariants.ts) runs
 * throughout.
 */
import { txId } from '../core/tx.ts';
import type { TxId } from '../core/types.ts';
import { confirmedTxs, watchSyncLiveness } from './invariants.ts';
import { createMeshSim, type MeshSimNode } from './mesh-sim.ts';
import { allAtTip, fund, mineBlock } from './sim-mining.ts';
import { createSimNetwork, type SimNetwork } from './sim-network.ts';

export interface HealScenarioInit {
  seed: number;
  nodes: number;
  /** Mean feeler interval (the simulator's is shorter than a tab's 2 min). Default 30 s. */
  feelerIntervalMs?: number;
  /** How long the halves stay apart, mining. Default 30 s. */
  splitMs?: number;
  /** Give up waiting for convergence after this long. Default 60 s. */
  maxHealMs?: number;
  /** Told as each phase ends (a long bench run prints its progress). */
  onPhase?: (phase: 'meshed' | 'split' | 'healed', net: SimNetwork<MeshSimNode>) => void;
}

export interface HealScenarioResult {
  net: SimNetwork<MeshSimNode>;
  /** Virtual ms from the lift until every live node held the most-work tip; undefined if not within maxHealMs. */
  healMs: number | undefined;
  /** Nodes on the losing half (they reorganise). */
  losing: number[];
  /** The payment the losing half confirmed, which the winning chain lacks. */
  losingTx: TxId;
  /** Whether that payment was back in every node's mempool (or confirmed) once they converged. */
  returnedToMempools: boolean;
  /** Links that crossed the split when the tips agreed: opened by the maintainers after the lift. */
  crossLinks: number;
  /** invariants.ts watchSyncLiveness over the whole run. */
  livenessViolations: string[];
  worstLagMs: number;
  /** Summed mesh counters: dials for work, feelers, feelers kept, rotations. */
  healing: { workDials: number; feelers: number; feelersPromoted: number; rotations: number };
}

export async function runHealScenario(init: HealScenarioInit): Promise<HealScenarioResult> {
  const { seed, nodes } = init;
  const sim = createMeshSim({ relay: true, relaySeed: seed, mesh: { feelerIntervalMs: init.feelerIntervalMs ?? 30_000 } });
  const net = await createSimNetwork({ seed, nodes, degree: 2, latencyMs: 40, jitterMs: 20, ordered: true, partitionMode: 'disconnect', nodeFactory: sim.factory });
  sim.attach(net);
  const liveness = watchSyncLiveness(net);
  await net.runFor(20_000); // the mesh forms through the relay and peer exchange
  init.onPhase?.('meshed', net);
  const half = Math.floor(nodes / 2);
  const losing = [...Array(half).keys()];
  const winning = [...Array(nodes - half).keys()].map((i) => i + half);
  await fund(net, [0]);

  net.partition([losing]);
  await net.runFor(10_000); // each half re-meshes on its own
  // The losing half confirms a payment; the winning half mines more work without it.
  const payment = await net.transfer(0, 1);
  net.submit(0, payment);
  await net.runFor(2_000);
  const losingBlock = await mineBlock(net, 0);
  if (!losingBlock.txs.some((tx) => txId(tx) === txId(payment))) throw new Error('the losing block does not carry the payment');
  for (let i = 0; i < 2; i++) {
    await mineBlock(net, winning[i]!, { txs: [] });
    await net.runFor(1_000);
  }
  await net.runFor(init.splitMs ?? 30_000);
  const best = net.nodes[winning[0]!]!.node.ledger.tip().hash;

  init.onPhase?.('split', net);
  net.heal();
  const liftedMs = net.nowMs();
  const run = await net.runUntil(() => allAtTip(net, best), { maxTimeMs: init.maxHealMs ?? 60_000 });
  const healMs = run.done ? net.nowMs() - liftedMs : undefined;
  init.onPhase?.('healed', net);
  const losingSide = new Set(losing);
  const crossLinks = net.links().filter((pair) => losingSide.has(pair.a.index) !== losingSide.has(pair.b.index)).length;
  // The reorganised half put the payment back in its mempool and re-announced it, so every node has it pending.
  await net.runFor(3_000);
  const returnedToMempools = net.live().every((node) => node.node.mempool.has(txId(payment)));
  liveness.stop();
  const healing = { workDials: 0, feelers: 0, feelersPromoted: 0, rotations: 0 };
  for (const node of net.live()) {
    const stats = node.node.mesh.stats();
    for (const name of Object.keys(healing) as (keyof typeof healing)[]) healing[name] += stats[name];
  }
  return { net, healMs, losing, losingTx: txId(payment), returnedToMempools, crossLinks, livenessViolations: liveness.violations, worstLagMs: liveness.worstLagMs(), healing };
}

/** After runHealScenario: a winning-half node mines its mempool; true once every node confirms the payment. */
export async function confirmReturnedPayment(result: HealScenarioResult): Promise<boolean> {
  const { net } = result;
  const miner = net.nodes.length - 1;
  const block = await mineBlock(net, miner);
  if (!block.txs.some((tx) => txId(tx) === result.losingTx)) return false;
  const tip = net.nodes[miner]!.node.ledger.tip().hash;
  if (!(await net.runUntil(() => allAtTip(net, tip), { maxTimeMs: 30_000 })).done) return false;
  for (const node of net.live()) if (!(await confirmedTxs(node)).has(result.losingTx)) return false;
  return true;
}

/**
 * Random schedules (issue 3, "The simulator"): fast-check draws networks of
 * 20–60 nodes and sequences of sends (honest, overspending, stale-nonce,
 * replayed and double-spent), blocks that break a rule, mining at random
 * nodes, joins, leaves, reloads, partitions (both modes) and heals.
 *
 * After every step, every live node passes the ledger checks of
 * invariants.ts (balances sum to the coins issued, none negative, the best
 * chain replays from genesis to the same accounts with each sender's nonces
 * 0, 1, 2, ..., no pooled transaction below its sender's nonce), and no
 * node's tip ever loses work. Nodes are built by the peer assembly a tab runs
 * (mesh-sim.ts, with a simulated relay), so a heal only lifts the transport
 * block and the mesh maintainers relink. Throughout, no node stays long on a
 * lighter chain than a peer it is linked to (invariants.ts watchSyncLiveness).
 * At the end the network is healed and settled, and every live node must hold
 * the same tip (agreement at depth 0, stronger than "more than k deep"), with
 * no unexpected bans.
 *
 * Replay: a failure prints the fast-check seed and path and the
 * counterexample (its `seed` field is the network's); SIM_SEED=N reruns the
 * property from fast-check seed N. Shrinking is off (endOnFailure): each run
 * is a whole simulation, and a shrink cut short by the test timeout would
 * print nothing.
 */
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { txId, type Tx } from '../core/tx.ts';
import { bestChain, confirmedTxs, connectWithin, deepDisagreements, ledgerViolations, watchSyncLiveness } from './invariants.ts';
import { createMeshSim, type MeshSimNode } from './mesh-sim.ts';
import { createPrng } from './prng.ts';
import { fund, mineBlock, tipsAgree } from './sim-mining.ts';
import { createSimNetwork, SimRejectedError, type SimNetwork } from './sim-network.ts';
import { simIt } from '../../test/helpers/sim-test.ts';

type Net = SimNetwork<MeshSimNode>;

/**
 * A sync request a 'drop' partition swallowed waits out its timeout (chain-sync.ts HEADERS_TIMEOUT_MS,
 * 10 s) before it is asked again; 12 s covers that and a tick. Beside a connected peer the chase is
 * asked again every 2 s (CLAIM_RETRY_MS).
 */
const LIVENESS_GRACE_MS = 12_000;

/** Node choices are naturals taken modulo the candidates at that moment, so any schedule applies to any network. */
type Step =
  | { kind: 'send'; from: number; to: number; share: number; fee: number }
  | { kind: 'overspend'; from: number; to: number }
  | { kind: 'stale-nonce'; from: number; to: number }
  | { kind: 'replay'; pick: number; at: number }
  | { kind: 'double-spend'; from: number; to: [number, number]; at: [number, number] }
  | { kind: 'mine'; at: number; blocks: number }
  /** A miner tries to break a consensus rule in its own block; its ledger must refuse it. */
  | { kind: 'bad-block'; at: number; pick: number; rule: 'replay' | 'overdraft' | 'nonce-gap' }
  | { kind: 'run'; ms: number }
  | { kind: 'join' }
  | { kind: 'leave'; at: number }
  | { kind: 'rejoin'; at: number }
  | { kind: 'partition'; shuffle: number; share: number; mode: 'drop' | 'disconnect' }
  | { kind: 'heal' };

const pick = fc.nat();
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('send' as const), from: pick, to: pick, share: fc.double({ min: 0.01, max: 1, noNaN: true }), fee: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('overspend' as const), from: pick, to: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stale-nonce' as const), from: pick, to: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick, at: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('double-spend' as const), from: pick, to: fc.tuple(pick, pick), at: fc.tuple(pick, pick) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('mine' as const), at: pick, blocks: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bad-block' as const), at: pick, pick, rule: fc.constantFrom('replay' as const, 'overdraft' as const, 'nonce-gap' as const) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('run' as const), ms: fc.oneof(fc.integer({ min: 10, max: 3_000 }), fc.constant(20_000)) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'join' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), at: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rejoin' as const), at: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('partition' as const), shuffle: fc.nat(), share: fc.double({ min: 0.2, max: 0.8, noNaN: true }), mode: fc.constantFrom('drop' as const, 'disconnect' as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'heal' as const }) },
);

const schedule = fc.record({
  seed: fc.integer({ min: 0, max: 0xffff_ffff }),
  nodes: fc.integer({ min: 20, max: 60 }),
  degree: fc.integer({ min: 4, max: 8 }),
  latencyMs: fc.integer({ min: 10, max: 80 }),
  jitterMs: fc.integer({ min: 0, max: 40 }),
  steps: fc.array(step, { minLength: 25, maxLength: 45 }),
});
type Schedule = typeof schedule extends fc.Arbitrary<infer T> ? T : never;

/** Fewest live nodes a leave may leave behind, and most nodes joins may add. */
const MIN_LIVE = 12;
const MAX_JOINS = 15;

interface Tally {
  sent: number;
  refused: Record<string, number>;
  blocks: number;
  /** Transactions some node admitted, for replays. */
  admitted: Tx[];
  /** Spans of virtual time with a 'drop' partition in force (to: undefined while it lasts). */
  dropSpans: { from: number; to?: number }[];
}

/** Ends a running 'drop' span, if any, now. */
function endDropSpan(net: Net, tally: Tally): void {
  const last = tally.dropSpans.at(-1);
  if (last && last.to === undefined) last.to = net.nowMs();
}

/**
 * How long after a 'drop' partition ends a request it swallowed may still time
 * out: the longest delivery wait (block-relay's 10 s for a block's
 * transactions) plus one 1 s tick.
 */
const STALL_GRACE_MS = 11_000;

/**
 * Bans an honest node may hand out: a 'drop' partition silently swallows
 * frames on links that stay open, which a node cannot tell from a peer that
 * announces data and withholds it, so a delivery timeout during one (or just
 * after) is punished by design (inventory.ts). Any other ban is a fault.
 */
function unexpectedBans(net: Net, tally: Tally): string[] {
  const duringDrop = (atMs: number) => tally.dropSpans.some((span) => atMs >= span.from && atMs <= (span.to ?? Infinity) + STALL_GRACE_MS);
  return net.nodes.flatMap((sim) => sim.peerEvents
    .filter((event) => event.kind === 'ban' && !(/did not deliver|withheld the transactions/.test(event.reason ?? '') && duringDrop(event.atMs)))
    .map((event) => `t=${event.atMs} node ${sim.index} banned node ${net.indexOf(event.peerId)}: ${event.reason}`));
}

/** Submits `tx` at node `at`; a refusal is counted by reason and returned, any other error is rethrown. */
function trySubmit(net: Net, at: number, tx: Tx, tally: Tally): string | undefined {
  try {
    net.submit(at, tx);
    tally.sent++;
    tally.admitted.push(tx);
    return undefined;
  } catch (error) {
    if (!(error instanceof SimRejectedError)) throw error;
    const reason = /refused the transaction: ([a-z-]+)/.exec(error.message)?.[1] ?? error.message;
    tally.refused[reason] = (tally.refused[reason] ?? 0) + 1;
    return reason;
  }
}

async function applyStep(net: Net, s: Step, tally: Tally, initialNodes: number): Promise<void> {
  const live = net.live().map((sim) => sim.index);
  const liveAt = (n: number) => live[n % live.length]!;
  const otherThan = (from: number, n: number) => {
    const others = net.nodes.map((sim) => sim.index).filter((index) => index !== from);
    return others[n % others.length]!;
  };
  const funded = () => live.filter((index) => net.nodes[index]!.node.ledger.account(net.nodes[index]!.peerId).balance > 0);
  switch (s.kind) {
    case 'send': {
      const senders = funded();
      if (senders.length === 0) return;
      const from = senders[s.from % senders.length]!;
      const { ledger, mempool } = net.nodes[from]!.node;
      const me = net.nodes[from]!.peerId;
      const available = ledger.account(me).balance - mempool.pendingSpend(me) - s.fee;
      if (available < 1) return;
      const amount = Math.max(1, Math.floor(available * s.share));
      const tx = await net.transfer(from, otherThan(from, s.to), { amount, fee: s.fee, nonce: mempool.pendingNonce(me, ledger.account) });
      trySubmit(net, from, tx, tally);
      return;
    }
    case 'overspend': {
      const from = liveAt(s.from);
      const { ledger, mempool } = net.nodes[from]!.node;
      const me = net.nodes[from]!.peerId;
      const tx = await net.transfer(from, otherThan(from, s.to), { amount: Math.max(1, ledger.account(me).balance), fee: 1, nonce: mempool.pendingNonce(me, ledger.account) });
      expect(trySubmit(net, from, tx, tally) ?? 'admitted', 'an overspend must be refused').toMatch(/^(insufficient-funds|nonce-too-high)$/);
      return;
    }
    case 'stale-nonce': {
      const senders = live.filter((index) => net.nodes[index]!.node.ledger.account(net.nodes[index]!.peerId).nonce > 0);
      if (senders.length === 0) return;
      const from = senders[s.from % senders.length]!;
      const nonce = net.nodes[from]!.node.ledger.account(net.nodes[from]!.peerId).nonce - 1;
      const tx = await net.transfer(from, otherThan(from, s.to), { amount: 1, fee: 1, nonce });
      expect(trySubmit(net, from, tx, tally) ?? 'admitted', 'a used nonce must be refused').toBe('bad-nonce');
      return;
    }
    case 'replay': {
      // Any node may take a copy it has not seen confirmed; the chain must still confirm it at most once.
      if (tally.admitted.length === 0) return;
      trySubmit(net, liveAt(s.at), tally.admitted[s.pick % tally.admitted.length]!, tally);
      return;
    }
    case 'double-spend': {
      const senders = funded();
      if (senders.length === 0) return;
      const from = senders[s.from % senders.length]!;
      const { ledger, mempool } = net.nodes[from]!.node;
      const me = net.nodes[from]!.peerId;
      const nonce = mempool.pendingNonce(me, ledger.account);
      const amount = Math.max(1, Math.floor((ledger.account(me).balance - mempool.pendingSpend(me)) / 2));
      const [a, b] = [await net.transfer(from, otherThan(from, s.to[0]), { amount, fee: 1, nonce }), await net.transfer(from, otherThan(from, s.to[1]), { amount, fee: 1, nonce })];
      trySubmit(net, liveAt(s.at[0]), a, tally);
      trySubmit(net, liveAt(s.at[1]), b, tally);
      return;
    }
    case 'mine': {
      const at = liveAt(s.at);
      for (let i = 0; i < s.blocks; i++) await mineBlock(net, at);
      tally.blocks += s.blocks;
      return;
    }
    case 'bad-block': {
      const at = liveAt(s.at);
      const { ledger } = net.nodes[at]!.node;
      let tx: Tx | undefined;
      let expected: RegExp;
      if (s.rule === 'replay') {
        const confirmed = (await bestChain(net.nodes[at]!)).flatMap((block) => block.txs);
        if (confirmed.length === 0) return;
        tx = confirmed[s.pick % confirmed.length]!;
        expected = /bad-nonce/;
      } else {
        const from = liveAt(s.pick);
        const account = ledger.account(net.nodes[from]!.peerId);
        const gap = s.rule === 'nonce-gap';
        tx = await net.transfer(from, otherThan(from, s.pick), { amount: gap ? 1 : account.balance + 1, fee: 1, nonce: account.nonce + (gap ? 1 : 0) });
        expected = gap ? /nonce-too-high/ : /insufficient-funds/;
      }
      const tip = ledger.tip().hash;
      await expect(mineBlock(net, at, { txs: [tx] }), `a block breaking '${s.rule}' must be refused`).rejects.toThrow(expected);
      expect(ledger.tip().hash).toBe(tip);
      return;
    }
    case 'run':
      await net.runFor(s.ms);
      return;
    case 'join':
      if (net.nodes.length < initialNodes + MAX_JOINS) await net.join();
      return;
    case 'leave':
      if (live.length > MIN_LIVE) net.leave(liveAt(s.at));
      return;
    case 'rejoin':
      await net.rejoin(s.at % net.nodes.length); // a reload of a live node, or the return of one that left
      return;
    case 'partition': {
      const order = createPrng(s.shuffle).shuffle([...live]);
      const cut = Math.max(1, Math.round(order.length * s.share));
      const sides = [order.slice(0, cut), order.slice(cut)];
      net.partition(sides, s.mode);
      endDropSpan(net, tally);
      if (s.mode === 'drop') tally.dropSpans.push({ from: net.nowMs() });
      for (const side of sides) connectWithin(net, side);
      return;
    }
    case 'heal':
      net.heal();
      endDropSpan(net, tally);
      return;
  }
}

/**
 * Heals and mines until every live node holds one tip. heal() only lifts the
 * transport block: the mesh maintainers redial (through the relay room), and
 * peers that a split or churn left apart find each other by dials for work
 * and feelers (net/mesh-maintainer-healing.ts).
 */
async function settle(net: Net, tally: Tally): Promise<void> {
  net.heal();
  endDropSpan(net, tally);
  await net.runFor(30_000);
  await net.runUntilIdle(60_000);
  // One block at an arbitrary node, then one on the heaviest tip: that block outweighs every branch, so it must reach everyone.
  await mineBlock(net, net.live()[0]!.index, { txs: [] });
  await net.runUntilIdle(60_000);
  const heaviest = net.live().reduce((best, sim) => (sim.node.ledger.tip().chainWork > best.node.ledger.tip().chainWork ? sim : best));
  await mineBlock(net, heaviest.index);
  await net.runUntil(() => tipsAgree(net), { maxTimeMs: 60_000 });
  await net.runUntilIdle(60_000);
}

/** Live nodes grouped by tip, for a failure message: "height hash: nodes". */
function tipSummary(net: Net): string {
  const groups = new Map<string, number[]>();
  for (const sim of net.live()) {
    const tip = sim.node.ledger.tip();
    const key = `${tip.height} ${tip.hash.slice(0, 12)}`;
    groups.set(key, [...(groups.get(key) ?? []), sim.index]);
  }
  return `tips differ after settling: ${[...groups].map(([tip, nodes]) => `${tip}: ${nodes.join(',')}`).join('; ')}`;
}

async function runSchedule(plan: Schedule): Promise<void> {
  const sim = createMeshSim({ relay: true, relaySeed: plan.seed, mesh: { feelerIntervalMs: 30_000 } });
  const net = await createSimNetwork({ seed: plan.seed, nodes: plan.nodes, degree: plan.degree, latencyMs: plan.latencyMs, jitterMs: plan.jitterMs, ordered: true, nodeFactory: sim.factory });
  sim.attach(net);
  const liveness = watchSyncLiveness(net, { graceMs: LIVENESS_GRACE_MS });
  try {
    await net.runUntilIdle();
    await fund(net, [0, 1, 2].map((i) => Math.floor((i * plan.nodes) / 3)));
    const tally: Tally = { sent: 0, refused: {}, blocks: 3, admitted: [], dropSpans: [] };
    /** Each node incarnation's heaviest tip so far: fork choice never moves a node to less work. */
    const bestWork = new Map<string, bigint>();
    for (const [i, s] of plan.steps.entries()) {
      await applyStep(net, s, tally, plan.nodes);
      const problems = [...(await ledgerViolations(net))];
      for (const sim of net.live()) {
        const key = `${sim.index}/${sim.incarnation}`;
        const work = sim.node.ledger.tip().chainWork;
        if (work < (bestWork.get(key) ?? 0n)) problems.push(`node ${sim.index}: tip work fell from ${bestWork.get(key)} to ${work}`);
        bestWork.set(key, work);
      }
      if (problems.length > 0) throw new Error(`after step ${i} (${JSON.stringify(s)}):\n${problems.join('\n')}`);
    }
    await settle(net, tally);
    expect(tipsAgree(net), tipSummary(net)).toBe(true);
    expect(liveness.violations).toEqual([]);
    expect(deepDisagreements(net, 0)).toEqual([]);
    expect(await ledgerViolations(net)).toEqual([]);
    const heights = net.live().map((sim) => sim.node.ledger.tip().height);
    expect(heights[0]).toBeGreaterThanOrEqual(5); // the three funding blocks and two settling blocks, at least
    // No honest node had reason to punish another (beyond stalls a 'drop' partition causes), and none was left alone.
    expect(unexpectedBans(net, tally)).toEqual([]);
    for (const sim of net.live()) expect(sim.node.peers().length).toBeGreaterThan(0);
    // Everything the chain confirmed was once admitted somewhere (the ledger made no transaction up).
    const admitted = new Set(tally.admitted.map(txId));
    const chain = await confirmedTxs(net.live()[0]!);
    for (const id of chain.keys()) expect(admitted.has(id)).toBe(true);
  } finally {
    net.close();
  }
}

describe('random schedules', () => {
  simIt('keep coins, nonces and the chain consistent on every node through sends, mining, churn and partitions', 3, async (seed) => {
    // Each run is a network of whole peers (mesh-sim.ts): 4 of them, 20-60 nodes, take about as long as 8 bare-core runs of 20-100 did.
    await fc.assert(fc.asyncProperty(schedule, runSchedule), { seed, numRuns: 4, endOnFailure: true });
  }, 300_000);
});

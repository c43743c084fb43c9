import { describe, expect } from 'vitest';
import { frameTypeIs } from './frame-kind.ts';
import { summarize } from './metrics.ts';
import { createSimNetwork, type SimNetwork } from './sim-network.ts';
import type { SimNodeLike } from './sim-node.ts';
import { allAtTip, fund, mineBlock, tipsAgree } from './sim-mining.ts';
import { defaultNodeFactory } from './sim-node.ts';
import { simIt } from '../../test/helpers/sim-test.ts';

/** Hop distances from `from` over open links, only through nodes `allowed` admits. */
function bfs<N extends SimNodeLike>(net: SimNetwork<N>, from: number, allowed: (index: number) => boolean = () => true): Map<number, number> {
  const adjacency = new Map<number, number[]>();
  for (const pair of net.links()) {
    adjacency.set(pair.a.index, [...(adjacency.get(pair.a.index) ?? []), pair.b.index]);
    adjacency.set(pair.b.index, [...(adjacency.get(pair.b.index) ?? []), pair.a.index]);
  }
  const distance = new Map([[from, 0]]);
  const queue = [from];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const next of adjacency.get(node) ?? []) {
      if (distance.has(next) || !allowed(next)) continue;
      distance.set(next, distance.get(node)! + 1);
      queue.push(next);
    }
  }
  return distance;
}

const reachedBy = <N extends SimNodeLike>(net: SimNetwork<N>, id: string) => net.nodes.filter((sim) => sim.txs.has(id)).map((sim) => sim.index);

async function scenario(seed: number) {
  const net = await createSimNetwork({ seed, nodes: 60, latencyMs: 30, jitterMs: 40, lossRate: 0.02, duplicateRate: 0.05, faultsApplyTo: frameTypeIs('tx', 'ping', 'pong') });
  await net.runUntilIdle();
  await fund(net, [0, 7, 14, 40]);
  for (let i = 0; i < 3; i++) net.submit(i * 7, await net.transfer(i * 7, i * 7 + 1));
  await net.runFor(500);
  net.leave(3);
  await net.join();
  net.partition([[...Array(30).keys()]]);
  net.submit(40, await net.transfer(40, 41));
  await net.runFor(2_000);
  net.heal();
  net.reconnect(); // bare core nodes have no dialer (sim-network.ts)
  await net.runFor(20_000);
  return { stats: JSON.stringify(net.stats()), arrivals: JSON.stringify(net.nodes.map((sim) => [...sim.txs])) };
}

describe('simulated network', () => {
  simIt('gives byte-identical stats and arrivals for the same seed, and a different trace for another', 11, async (seed) => {
    const first = await scenario(seed);
    const second = await scenario(seed);
    expect(second.stats).toBe(first.stats);
    expect(second.arrivals).toBe(first.arrivals);
    const other = await scenario(seed + 1);
    expect(JSON.parse(other.stats).traceDigest).not.toBe(JSON.parse(first.stats).traceDigest);
    expect(JSON.parse(first.stats).messages).toMatchObject({ lost: expect.any(Number), duplicated: expect.any(Number) });
    expect(JSON.parse(first.stats).messages.lost).toBeGreaterThan(0);
  });

  simIt('delivers a transaction to all 200 nodes exactly once with no loss, and counts duplicates and hops', 21, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 200, latencyMs: 50, jitterMs: 20 });
    expect((await net.runUntilIdle()).done).toBe(true);
    await fund(net, [17]);
    const id = net.submit(17, await net.transfer(17, 18));
    const run = await net.runUntil(() => net.allReached(id), { maxTimeMs: 10_000 });
    expect(run.done).toBe(true);
    await net.runUntilIdle();
    for (const sim of net.nodes) expect(sim.txs.get(id)?.count).toBe(1);
    const stats = net.stats();
    expect(stats.nodeTotals.txAccepted).toBe(199);
    // Announce-and-fetch: the body crosses to each node exactly once; only announcements are duplicated.
    const duplicates = stats.perNode.duplicates.reduce((sum, count) => sum + count, 0);
    expect(stats.byKind.tx!.delivered).toBe(199);
    expect(duplicates).toBe(0);
    expect(stats.nodeTotals.duplicateInv).toBeGreaterThan(199);
    const hops = net.hops(id);
    expect(hops[17]).toBe(0);
    for (const sim of net.nodes) {
      const arrival = sim.txs.get(id)!;
      if (sim.index === 17) continue;
      expect(arrival.fromIndex).toEqual(expect.any(Number));
      expect(net.linkBetween(sim.index, arrival.fromIndex as number)).toBeDefined(); // it came from a neighbour
      expect(arrival.atMs - run.timeMs).toBeLessThanOrEqual(0);
      expect(hops[sim.index]).toBeGreaterThanOrEqual(1);
    }
    const bound = Math.ceil(Math.log(200) / Math.log(8)) + 2;
    expect(summarize(hops.filter((hop): hop is number => hop !== undefined)).p99).toBeLessThanOrEqual(bound);
    expect(stats.verifier.realVerifies).toBe(1);
  });

  simIt('finds shortest paths when latency is constant: hops equal graph distance', 31, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 80, degree: 3, latencyMs: 25 });
    await net.runUntilIdle();
    await fund(net, [0]);
    const sentAt = net.nowMs();
    const id = net.submit(0, await net.transfer(0, 1));
    await net.runUntilIdle();
    const distance = bfs(net, 0);
    const hops = net.hops(id);
    expect(Math.max(...distance.values())).toBeGreaterThan(3);
    for (const sim of net.nodes) {
      expect(hops[sim.index]).toBe(distance.get(sim.index));
      // The signer pushes the body (one one-way trip); each later hop is three: INV, GETDATA, TX.
      const trips = distance.get(sim.index)! === 0 ? 0 : 1 + 3 * (distance.get(sim.index)! - 1);
      expect(sim.txs.get(id)!.atMs - sentAt).toBe(25 * trips);
    }
  });

  simIt('still delivers exactly once under duplication and reordering of gossip frames', 41, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 100, latencyMs: 30, jitterMs: 80, duplicateRate: 0.3, faultsApplyTo: frameTypeIs('tx') });
    await net.runUntilIdle();
    await fund(net, [0, 10, 20, 30, 40]);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(net.submit(i * 10, await net.transfer(i * 10, i * 10 + 1)));
    await net.runUntilIdle();
    const stats = net.stats();
    expect(stats.messages.duplicated).toBeGreaterThan(100);
    expect(stats.messages.reordered).toBeGreaterThan(10);
    for (const id of ids) for (const sim of net.nodes) expect(sim.txs.get(id)?.count).toBe(1);
    expect(stats.nodeTotals.txAccepted).toBe(5 * 99);
    expect(stats.nodeTotals.peersBanned).toBe(0);
  });

  simIt('applies faults to every frame by default: a duplicated HELLO or HEADERS answer gets the peer banned', 43, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 30, duplicateRate: 0.5 });
    await net.runUntilIdle();
    const bans = net.nodes.flatMap((sim) => sim.peerEvents.filter((event) => event.kind === 'ban'));
    // Every link's dialler asks for headers as it opens (chain-sync.ts, outbound proof), so answers are duplicated too.
    expect(bans.some((ban) => ban.reason === 'second hello')).toBe(true);
    expect(bans.some((ban) => ban.reason === 'sent headers nobody asked for')).toBe(true);
    expect(bans.every((ban) => ban.reason === 'second hello' || ban.reason === 'sent headers nobody asked for')).toBe(true);
  });

  simIt('keeps a transaction on its side of a partition, and gossips across again after heal', 51, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 60, latencyMs: 40, jitterMs: 10 });
    await net.runUntilIdle();
    await fund(net, [0, 59]);
    const left = new Set([...Array(30).keys()]);
    net.partition([[...left]]); // the other 30 are the unlisted group
    const id = net.submit(0, await net.transfer(0, 1));
    await net.runUntilIdle();
    expect(reachedBy(net, id).filter((index) => !left.has(index))).toEqual([]);
    expect(reachedBy(net, id)).toEqual([...bfs(net, 0, (index) => left.has(index)).keys()].sort((x, y) => x - y));
    expect(net.stats().messages.partitionDropped).toBeGreaterThan(0);
    net.heal();
    net.reconnect(); // bare core nodes have no dialer (sim-network.ts)
    const after = net.submit(59, await net.transfer(59, 0));
    expect((await net.runUntil(() => net.allReached(after), { maxTimeMs: 5_000 })).done).toBe(true);
  });

  simIt('cuts links across a partition in disconnect mode; heal lifts the block and reconnect reopens them', 52, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 60, partitionMode: 'disconnect' });
    await net.runUntilIdle();
    await fund(net, [0, 45]);
    const linkCount = net.links().length;
    const half = (index: number) => index < 30;
    net.partition([[...Array(30).keys()]]);
    expect(net.links().some((pair) => half(pair.a.index) !== half(pair.b.index))).toBe(false);
    expect(net.links().length).toBeLessThan(linkCount);
    const id = net.submit(45, await net.transfer(45, 46));
    await net.runUntilIdle();
    expect(reachedBy(net, id).some(half)).toBe(false);
    net.heal();
    net.reconnect(); // bare core nodes have no dialer (sim-network.ts)
    expect(net.links()).toHaveLength(linkCount);
    await net.runUntilIdle();
    const after = net.submit(0, await net.transfer(0, 59));
    expect((await net.runUntil(() => net.allReached(after), { maxTimeMs: 5_000 })).done).toBe(true);
  });

  simIt('recovers from a long silent partition: keepalive closes the links, reconnect reopens them', 53, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 40 });
    await net.runUntilIdle();
    await fund(net, [39]);
    net.partition([[...Array(20).keys()]]);
    await net.runFor(30_000); // > 3 ping intervals: the nodes call their cross links dead
    const silent = net.nodes.flatMap((sim) => sim.peerEvents.filter((event) => event.kind === 'close' && /silent/.test(event.reason ?? '')));
    expect(silent.length).toBeGreaterThan(0);
    net.heal();
    net.reconnect(); // bare core nodes have no dialer (sim-network.ts)
    await net.runUntilIdle();
    const id = net.submit(39, await net.transfer(39, 0));
    expect((await net.runUntil(() => net.allReached(id), { maxTimeMs: 5_000 })).done).toBe(true);
  });

  simIt('survives 20% churn: leavers get nothing, joiners and stayers get everything', 61, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 80, jitterMs: 30 });
    await net.runUntilIdle();
    const leavers = net.prng.fork('churn').shuffle([...Array(80).keys()]).slice(0, 16);
    for (const index of leavers) net.leave(index);
    const joiners = [];
    for (let i = 0; i < 16; i++) joiners.push((await net.join()).index);
    await net.runUntilIdle();
    expect(net.live()).toHaveLength(80);
    expect((await net.runUntil(() => tipsAgree(net), { maxTimeMs: 10_000 })).done).toBe(true);
    await fund(net, [joiners[0]!]);
    const id = net.submit(joiners[0]!, await net.transfer(joiners[0]!, 0));
    expect((await net.runUntil(() => net.allReached(id), { maxTimeMs: 10_000 })).done).toBe(true);
    for (const index of leavers) expect(net.nodes[index]!.txs.has(id)).toBe(false);
    const closedByLeavers = net.nodes.flatMap((sim) => sim.peerEvents.filter((event) => event.kind === 'close' && event.reason?.includes('left the network')));
    expect(closedByLeavers.length).toBeGreaterThan(16);
  });

  simIt('rejoins a node as a fresh tab with the same identity and its old neighbours', 71, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 30 });
    await net.runUntilIdle();
    await fund(net, [0]);
    const before = net.nodes[5]!;
    const neighbours = net.links().filter((pair) => pair.a.index === 5 || pair.b.index === 5).length;
    const oldNode = before.node;
    const sim = await net.rejoin(5);
    await net.runUntilIdle();
    expect(sim.peerId).toBe(before.peerId);
    expect(sim.incarnation).toBe(1);
    expect(sim.node).not.toBe(oldNode);
    expect(sim.node.peers()).toHaveLength(neighbours);
    const id = net.submit(0, await net.transfer(0, 5));
    await net.runUntilIdle();
    expect(net.nodes[5]!.txs.get(id)?.count).toBe(1);
  });

  simIt('mines blocks that every node accepts, confirming the gossiped transactions', 85, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 40, jitterMs: 20 });
    await net.runUntilIdle();
    await fund(net, [0]);
    const id = net.submit(0, await net.transfer(0, 1, { amount: 700, fee: 3 }));
    await net.runUntil(() => net.allReached(id), { maxTimeMs: 5_000 });
    const block = await mineBlock(net, 5);
    expect(block.txs.map((tx) => tx.amount)).toEqual([700]);
    const tip = net.nodes[5]!.node.ledger.tip();
    expect(tip.height).toBe(2);
    expect((await net.runUntil(() => allAtTip(net, tip.hash), { maxTimeMs: 5_000 })).done).toBe(true);
    for (const sim of net.nodes) {
      expect(sim.node.ledger.account(net.nodes[1]!.peerId).balance).toBe(700);
      expect(sim.node.mempool.has(id)).toBe(false);
    }
    await expect(net.transfer(2, 3).then((tx) => net.submit(2, tx))).rejects.toThrow(/insufficient-funds/);
  });

  simIt('names the seed when a run fails inside a node', 91, async (seed) => {
    const net = await createSimNetwork({
      seed,
      nodes: 3,
      nodeFactory: async (components) => {
        const node = await defaultNodeFactory(components);
        return { ...node, tick: () => { if (components.index === 2) throw new Error('node 2 tick failed'); } };
      },
    });
    await expect(net.runFor(5_000)).rejects.toThrow(`node 2 tick failed\nsimulation seed: ${seed} (replay with SIM_SEED=${seed})`);
  });

  simIt('builds nodes through a factory that receives the virtual clock, signer and a PRNG stream', 81, async (seed) => {
    const seen: number[] = [];
    const net = await createSimNetwork({
      seed,
      nodes: 10,
      nodeFactory: async (components) => {
        seen.push(components.index);
        const node = await defaultNodeFactory(components);
        return Object.assign(node, { clock: components.clock, luckyNumber: components.prng.int(1_000) });
      },
    });
    expect(seen).toEqual([...Array(10).keys()]);
    await net.runFor(1_234);
    expect(net.nodes[3]!.node.clock.nowMs()).toBe(net.scheduler.clock.epochMs + 1_234);
    expect(net.nodes.map((sim) => sim.node.luckyNumber)).not.toEqual(Array(10).fill(net.nodes[0]!.node.luckyNumber));
    expect(net.nodes[3]!.node.peers().length).toBeGreaterThan(0);
  });
});

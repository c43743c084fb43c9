/**
 * Simulator scale benchmark (GUIDE, "Tests, in tiers", 3 and 5): one block
 * (to fund the sender) and then one transaction gossiped through 1,000 and
 * 10,000 simulated nodes of degree 8, running the real core node with
 * announce-and-fetch gossip (INV → GETDATA → body, docs/PROTOCOL.md). Prints
 * delivery, hop counts against the bound ⌈log_D N⌉ + 2, body deliveries per
 * node (the target is exactly 1), duplicate announcements per node against
 * their floor, and simulator throughput, and writes bench/results/sim-scale.json.
 *
 * Duplicate announcements are INV items a node received for an id it already
 * had or was already fetching (`duplicateInv`). Every link carries at least
 * one INV per id and N - 1 of them lead to a fetch, so the floor is
 * (E - (N - 1)) / N per node, E the links: ≈ D/2 - 1 = 3 at D = 8. Beside it,
 * `announcementsAvoided` counts INVs never sent because the peer had
 * announced the id first (the per-peer known set).
 *
 *   node --import tsx bench/sim-scale.ts [nodeCounts=1000,10000] [seed] [out=bench/results/sim-scale.json]
 *
 * Figures are virtual time (deterministic per seed) except the wall-clock
 * ones (setup, run, events/s), which vary with the machine and its load;
 * CPU time is reported beside wall time because a busy machine skews the latter.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from '../src/sim/metrics.ts';
import { allAtTip, mineBlock } from '../src/sim/sim-mining.ts';
import { createSimNetwork } from '../src/sim/sim-network.ts';
import { createEd25519Verifier } from '../src/crypto/ed25519.ts';

const DEGREE = 8;
const LATENCY_MS = 50;
const JITTER_MS = 20;

const nodeCounts = (process.argv[2] ?? '1000,10000').split(',').map(Number);
const seed = Number(process.argv[3] ?? 1);
const backend = await createEd25519Verifier();

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Per-node counter deltas between two snapshots of every node's stats(). */
type NodeCounters = Record<string, number>[];
const snapshotNodes = (net: { nodes: { node: { stats(): Record<string, number> } }[] }): NodeCounters => net.nodes.map((sim) => sim.node.stats());
const perNode = (after: NodeCounters, before: NodeCounters, name: string) => after.map((counters, index) => (counters[name] ?? 0) - (before[index]?.[name] ?? 0));
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

async function measure(nodes: number) {
  const heapBefore = process.memoryUsage().heapUsed;
  const setupStart = performance.now();
  const net = await createSimNetwork({ seed, nodes, degree: DEGREE, latencyMs: LATENCY_MS, jitterMs: JITTER_MS, verifierBackend: backend });
  const setupMs = performance.now() - setupStart;

  const handshakeStart = performance.now();
  const handshake = await net.runUntilIdle(30_000);
  const handshakeWallMs = performance.now() - handshakeStart;
  const links = net.links().length;
  const duplicateFloor = (links - (nodes - 1)) / nodes;

  // Coins come only from block rewards: the origin mines one block first, which also measures block relay.
  const origin = 0;
  const minedAtMs = net.nowMs();
  const beforeBlock = net.stats();
  const beforeBlockNodes = snapshotNodes(net);
  const blockStart = performance.now();
  await mineBlock(net, origin, { txs: [] });
  const tipHash = net.nodes[origin]!.node.ledger.tip().hash;
  const blockRun = await net.runUntil(() => allAtTip(net, tipHash), { maxTimeMs: 60_000 });
  await net.runUntilIdle(60_000);
  const blockWallMs = performance.now() - blockStart;
  const blockStats = net.stats();
  const blockNodes = snapshotNodes(net);
  const blockDelta = (name: string) => sum(perNode(blockNodes, beforeBlockNodes, name));

  const id = net.submit(origin, await net.transfer(origin, 1));
  const sentAtMs = net.nowMs();
  const eventsBefore = net.scheduler.eventsRun();
  const gossipStart = performance.now();
  const cpuBefore = process.cpuUsage();
  const reached = await net.runUntil(() => net.allReached(id), { maxTimeMs: 60_000 });
  await net.runUntilIdle(60_000);
  const gossipWallMs = performance.now() - gossipStart;
  const cpu = process.cpuUsage(cpuBefore);
  const gossipCpuMs = (cpu.user + cpu.system) / 1000;
  const gossipEvents = net.scheduler.eventsRun() - eventsBefore;

  const stats = net.stats();
  const txNodes = snapshotNodes(net);
  const txDelta = (name: string) => perNode(txNodes, blockNodes, name);
  const kindDelta = (kind: string, field: 'sent' | 'delivered' | 'bytesSent') => (stats.byKind[kind]?.[field] ?? 0) - (blockStats.byKind[kind]?.[field] ?? 0);
  const hops = net.hops(id).filter((hop): hop is number => hop !== undefined);
  const arrivalMs = net.nodes.flatMap((sim) => { const arrival = sim.txs.get(id); return arrival ? [arrival.atMs - sentAtMs] : []; });
  const exactlyOnce = net.nodes.every((sim) => (sim.txs.get(id)?.count ?? 0) === 1);
  const hopBound = Math.ceil(Math.log(nodes) / Math.log(DEGREE)) + 2;
  const hopSummary = summarize(hops);
  // Body deliveries per receiving node: TX frames each node took in (the origin needs none).
  const bodies = txDelta('txBodiesReceived').filter((_count, index) => index !== origin);
  const bodySummary = summarize(bodies);
  const duplicateInv = summarize(txDelta('duplicateInv'));
  const result = {
    nodes,
    degree: DEGREE,
    latencyMs: LATENCY_MS,
    jitterMs: JITTER_MS,
    seed,
    links,
    deliveryPercent: round((100 * net.reached(id)) / nodes, 2),
    exactlyOnce,
    allReachedAtMs: reached.done ? reached.timeMs - sentAtMs : null,
    arrivalMs: { p50: summarize(arrivalMs).p50, p99: summarize(arrivalMs).p99, max: summarize(arrivalMs).max },
    hops: { p50: hopSummary.p50, p99: hopSummary.p99, max: hopSummary.max, mean: round(hopSummary.mean, 2), bound: hopBound, withinBound: hopSummary.p99 <= hopBound },
    txBodiesPerNode: { min: bodySummary.min, mean: round(bodySummary.mean, 3), max: bodySummary.max, onWire: round(kindDelta('tx', 'delivered') / (nodes - 1), 3) },
    announcements: {
      invItemsPerNode: round(sum(txDelta('invReceived')) / nodes, 2),
      duplicateInvPerNode: { mean: round(duplicateInv.mean, 2), p50: duplicateInv.p50, max: duplicateInv.max, floor: round(duplicateFloor, 2) },
      avoidedPerNode: round(sum(txDelta('announcementsAvoided')) / nodes, 2),
      getDataPerNode: round(sum(txDelta('getDataSent')) / nodes, 3),
      fetchRetries: sum(txDelta('fetchRetries')),
    },
    txBytesPerNode: { tx: round(kindDelta('tx', 'bytesSent') / nodes), inv: round(kindDelta('inv', 'bytesSent') / nodes), getData: round(kindDelta('getData', 'bytesSent') / nodes) },
    block: {
      allAtTipAfterMs: blockRun.done ? blockRun.timeMs - minedAtMs : null,
      bodiesPerNode: round(((blockStats.byKind.block?.delivered ?? 0) - (beforeBlock.byKind.block?.delivered ?? 0)) / (nodes - 1), 3),
      compactHits: blockDelta('compactBlockHits'),
      compactMisses: blockDelta('compactBlockMisses'),
      duplicateBodies: blockDelta('blocksDuplicate'),
      duplicateInvPerNode: round(blockDelta('duplicateInv') / nodes, 2),
      wallMs: Math.round(blockWallMs),
    },
    realVerifies: stats.verifier.realVerifies,
    verifyCacheHits: stats.verifier.cacheHits,
    wall: {
      setupMs: Math.round(setupMs),
      handshakeMs: Math.round(handshakeWallMs),
      gossipMs: Math.round(gossipWallMs),
      handshakeEventsPerSec: Math.round(handshake.events / (handshakeWallMs / 1000)),
      gossipCpuMs: Math.round(gossipCpuMs),
      gossipEvents,
      gossipEventsPerSec: Math.round(gossipEvents / (gossipWallMs / 1000)),
      gossipEventsPerCpuSec: Math.round(gossipEvents / (gossipCpuMs / 1000)),
      heapMiB: Math.round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20),
    },
    totalEvents: stats.events,
    traceDigest: stats.traceDigest,
  };
  net.close();
  return result;
}

const results = [];
for (const nodes of nodeCounts) {
  const result = await measure(nodes);
  results.push(result);
  const { announcements: a, txBodiesPerNode: b } = result;
  console.log(`\n${nodes} nodes, degree ${DEGREE}, ${result.links} links, latency ${LATENCY_MS}±${JITTER_MS} ms, seed ${seed}`);
  console.log(`  delivery           ${result.deliveryPercent}% (exactly once: ${result.exactlyOnce}), all reached after ${result.allReachedAtMs} ms virtual`);
  console.log(`  hops               p50 ${result.hops.p50}, p99 ${result.hops.p99}, max ${result.hops.max}  vs bound ⌈log_${DEGREE} ${nodes}⌉+2 = ${result.hops.bound}`);
  console.log(`  tx bodies/node     min ${b.min}, mean ${b.mean}, max ${b.max} (TX frames delivered / (N-1) = ${b.onWire}; target exactly 1)`);
  console.log(`  announcements/node ${a.invItemsPerNode} INV items received, ${a.duplicateInvPerNode.mean} duplicate (p50 ${a.duplicateInvPerNode.p50}, max ${a.duplicateInvPerNode.max}; floor (E-(N-1))/N = ${a.duplicateInvPerNode.floor}), ${a.avoidedPerNode} avoided, ${a.getDataPerNode} GETDATA, ${a.fetchRetries} retries`);
  console.log(`  tx bytes/node      TX ${result.txBytesPerNode.tx}, INV ${result.txBytesPerNode.inv}, GETDATA ${result.txBytesPerNode.getData}`);
  console.log(`  block (empty)      all nodes at tip after ${result.block.allAtTipAfterMs} ms virtual; ${result.block.bodiesPerNode} compact bodies/node, ${result.block.duplicateBodies} duplicate bodies, ${result.block.duplicateInvPerNode} duplicate INV/node, compact hits ${result.block.compactHits}/misses ${result.block.compactMisses}`);
  console.log(`  verification       ${result.realVerifies} real, ${result.verifyCacheHits} cache hits`);
  console.log(`  wall               setup ${result.wall.setupMs} ms, handshake ${result.wall.handshakeMs} ms, gossip ${result.wall.gossipMs} ms (${result.wall.gossipCpuMs} ms CPU) for ${result.wall.gossipEvents} events: ${result.wall.gossipEventsPerSec} events/s wall, ${result.wall.gossipEventsPerCpuSec} per CPU-second; +${result.wall.heapMiB} MiB heap`);
}

const out = process.argv[4] ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'sim-scale.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
console.log(`\nwrote ${out}`);

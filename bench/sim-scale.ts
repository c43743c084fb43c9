/**
 * Simulator scale benchmark (GUIDE, "Tests, in tiers", 3 and 5): one block
 * (to fund the sender) and then one transaction gossiped through 1,000 and
 * 10,000 simulated nodes of degree 8, running the real core node. Prints delivery, hop counts against the bound
 * ⌈log_D N⌉ + 2, duplicate receipts per node and simulator throughput, and
 * writes bench/results/sim-scale.json.
 *
 *   node --import tsx bench/sim-scale.ts [nodeCounts=1000,10000] [seed]
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

async function measure(nodes: number) {
  const heapBefore = process.memoryUsage().heapUsed;
  const setupStart = performance.now();
  const net = await createSimNetwork({ seed, nodes, degree: DEGREE, latencyMs: LATENCY_MS, jitterMs: JITTER_MS, verifierBackend: backend });
  const setupMs = performance.now() - setupStart;

  const handshakeStart = performance.now();
  const handshake = await net.runUntilIdle(30_000);
  const handshakeWallMs = performance.now() - handshakeStart;

  // Coins come only from block rewards: the origin mines one block first, which also measures block relay.
  const origin = 0;
  const minedAtMs = net.nowMs();
  const blockStart = performance.now();
  await mineBlock(net, origin, { txs: [] });
  const tipHash = net.nodes[origin]!.node.ledger.tip().hash;
  const blockRun = await net.runUntil(() => allAtTip(net, tipHash), { maxTimeMs: 60_000 });
  await net.runUntilIdle(60_000);
  const blockWallMs = performance.now() - blockStart;
  const blockStats = net.stats();

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
  const hops = net.hops(id).filter((hop): hop is number => hop !== undefined);
  const arrivalMs = net.nodes.flatMap((sim) => { const arrival = sim.txs.get(id); return arrival ? [arrival.atMs - sentAtMs] : []; });
  const exactlyOnce = net.nodes.every((sim) => (sim.txs.get(id)?.count ?? 0) === 1);
  const hopBound = Math.ceil(Math.log(nodes) / Math.log(DEGREE)) + 2;
  const hopSummary = summarize(hops);
  const duplicates = summarize(stats.perNode.duplicates);
  const txFrames = stats.byKind.tx?.sent ?? 0;
  const result = {
    nodes,
    degree: DEGREE,
    latencyMs: LATENCY_MS,
    jitterMs: JITTER_MS,
    seed,
    links: stats.links.opened,
    deliveryPercent: round((100 * net.reached(id)) / nodes, 2),
    exactlyOnce,
    allReachedAtMs: reached.done ? reached.timeMs - sentAtMs : null,
    arrivalMs: { p50: summarize(arrivalMs).p50, p99: summarize(arrivalMs).p99, max: summarize(arrivalMs).max },
    hops: { p50: hopSummary.p50, p99: hopSummary.p99, max: hopSummary.max, mean: round(hopSummary.mean, 2), bound: hopBound, withinBound: hopSummary.p99 <= hopBound },
    duplicateTxFramesPerNode: { mean: round(duplicates.mean, 2), p50: duplicates.p50, max: duplicates.max },
    txFramesPerNode: round(txFrames / nodes, 2),
    txBytesTotal: stats.byKind.tx?.bytesSent ?? 0,
    block: {
      allAtTipAfterMs: blockRun.done ? blockRun.timeMs - minedAtMs : null,
      blockFramesPerNode: round((blockStats.byKind.block?.sent ?? 0) / nodes, 2),
      compactHits: blockStats.nodeTotals.compactBlockHits ?? 0,
      compactMisses: blockStats.nodeTotals.compactBlockMisses ?? 0,
      duplicateAnnouncementsPerNode: round((blockStats.nodeTotals.blocksDuplicate ?? 0) / nodes, 2),
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
  console.log(`\n${nodes} nodes, degree ${DEGREE}, latency ${LATENCY_MS}±${JITTER_MS} ms, seed ${seed}`);
  console.log(`  delivery           ${result.deliveryPercent}% (exactly once: ${result.exactlyOnce}), all reached after ${result.allReachedAtMs} ms virtual`);
  console.log(`  hops               p50 ${result.hops.p50}, p99 ${result.hops.p99}, max ${result.hops.max}  vs bound ⌈log_${DEGREE} ${nodes}⌉+2 = ${result.hops.bound}`);
  console.log(`  duplicate tx/node  mean ${result.duplicateTxFramesPerNode.mean}, p50 ${result.duplicateTxFramesPerNode.p50}, max ${result.duplicateTxFramesPerNode.max}  (full bodies: no inv/getdata yet)`);
  console.log(`  block (empty)      all nodes at tip after ${result.block.allAtTipAfterMs} ms virtual; ${result.block.blockFramesPerNode} block frames/node, ${result.block.duplicateAnnouncementsPerNode} duplicate announcements/node, compact hits ${result.block.compactHits}/misses ${result.block.compactMisses}`);
  console.log(`  verification       ${result.realVerifies} real, ${result.verifyCacheHits} cache hits`);
  console.log(`  wall               setup ${result.wall.setupMs} ms, handshake ${result.wall.handshakeMs} ms, gossip ${result.wall.gossipMs} ms (${result.wall.gossipCpuMs} ms CPU) for ${result.wall.gossipEvents} events: ${result.wall.gossipEventsPerSec} events/s wall, ${result.wall.gossipEventsPerCpuSec} per CPU-second; +${result.wall.heapMiB} MiB heap`);
}

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'sim-scale.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
console.log(`\nwrote ${out}`);

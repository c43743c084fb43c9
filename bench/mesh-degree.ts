/**
 * Mesh degree benchmark (issue 4 §1: "pick the defaults from measurement"):
 * simulated tabs with the peers module and the mesh maintainer, no relay,
 * each starting with ~2 links. For each target degree D (low ⌈2D/3⌉, high
 * 2D, ⌈D/2⌉ outbound reserved) it prints
 *   - how long until every tab has D links (discovery + mesh signaling),
 *   - the degree spread, the mean shortest path and the diameter
 *     (propagation hops), and the announcements each tab receives per item
 *     (≈ its degree: the duplicate cost of gossip),
 *   - the record gossip load per tab, and
 *   - how long the mesh takes to restore every tab to D after 20% of links are cut.
 * and writes bench/results/mesh-degree.json.
 *
 *   node --import tsx bench/mesh-degree.ts [nodes=200] [degrees=4,6,8] [seed=1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEd25519Verifier } from '../src/crypto/ed25519.ts';
import { createMeshSim, type MeshSimNode } from '../src/sim/mesh-sim.ts';
import { createSimNetwork, type SimNetwork } from '../src/sim/sim-network.ts';

const nodes = Number(process.argv[2] ?? 200);
const degrees = (process.argv[3] ?? '4,6,8').split(',').map(Number);
const seed = Number(process.argv[4] ?? 1);
const backend = await createEd25519Verifier();
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function pathStats(net: SimNetwork<MeshSimNode>) {
  const adjacency = new Map<number, number[]>();
  for (const pair of net.links()) {
    adjacency.set(pair.a.index, [...(adjacency.get(pair.a.index) ?? []), pair.b.index]);
    adjacency.set(pair.b.index, [...(adjacency.get(pair.b.index) ?? []), pair.a.index]);
  }
  let sum = 0;
  let count = 0;
  let diameter = 0;
  for (const sim of net.live()) {
    const distance = new Map([[sim.index, 0]]);
    const queue = [sim.index];
    for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
      for (const next of adjacency.get(at) ?? []) {
        if (distance.has(next)) continue;
        distance.set(next, distance.get(at)! + 1);
        queue.push(next);
      }
    }
    for (const hops of distance.values()) {
      sum += hops;
      count++;
      diameter = Math.max(diameter, hops);
    }
  }
  return { meanPath: round(sum / Math.max(1, count - net.live().length)), diameter, connected: count === net.live().length ** 2 };
}

const degreeOf = (net: SimNetwork<MeshSimNode>) => net.live().map((sim) => sim.node.peers().length);
const sum = (net: SimNetwork<MeshSimNode>, pick: (node: MeshSimNode) => number) => net.live().reduce((total, sim) => total + pick(sim.node), 0);

async function timeUntilDegree(net: SimNetwork<MeshSimNode>, target: number, maxMs: number): Promise<number | undefined> {
  const start = net.nowMs();
  while (net.nowMs() - start < maxMs) {
    if (Math.min(...degreeOf(net)) >= target) return net.nowMs() - start;
    await net.runFor(250);
  }
  return undefined;
}

async function measure(target: number) {
  const wallStart = performance.now();
  const sim = createMeshSim({ mesh: { targetLinks: target } });
  const net = await createSimNetwork({ seed, nodes, degree: 2, latencyMs: 50, jitterMs: 20, nodeFactory: sim.factory, verifierBackend: backend });
  sim.attach(net);
  const reachDegreeMs = await timeUntilDegree(net, target, 60_000);
  await net.runUntil(60_000);
  const recordsBefore = sum(net, (node) => node.peerExchange.stats().recordsReceived);
  const framesBefore = sum(net, (node) => node.peerExchange.stats().recordFramesSent);
  await net.runUntil(120_000);
  const steadyRecordsPerTabPerSec = (sum(net, (node) => node.peerExchange.stats().recordsReceived) - recordsBefore) / nodes / 60;
  const steadyFramesPerTabPerSec = (sum(net, (node) => node.peerExchange.stats().recordFramesSent) - framesBefore) / nodes / 60;
  const degree = degreeOf(net);
  const paths = pathStats(net);
  const booksComplete = net.live().filter((s) => s.node.peerExchange.knownPeers().length === nodes - 1).length;

  // Cut 20% of links at random, then time the repair (all signaling through the mesh).
  const links = net.prng.fork(`cut/${target}`).shuffle(net.links());
  for (const pair of links.slice(0, Math.round(links.length * 0.2))) pair.cut('bench: cut');
  const minAfterCut = Math.min(...degreeOf(net));
  const meshLinksBefore = sum(net, (node) => node.dialStats().meshLinks);
  const repairMs = await timeUntilDegree(net, target, 60_000);
  return {
    target, low: Math.ceil((2 * target) / 3), high: 2 * target, minOutbound: Math.ceil(target / 2),
    reachDegreeMs, degreeMin: Math.min(...degree), degreeMean: round(degree.reduce((a, b) => a + b, 0) / degree.length), degreeMax: Math.max(...degree),
    ...paths, booksComplete,
    steadyRecordsPerTabPerSec: round(steadyRecordsPerTabPerSec), steadyRecordFramesPerTabPerSec: round(steadyFramesPerTabPerSec),
    minDegreeAfterCut: minAfterCut, repairMs, repairLinks: sum(net, (node) => node.dialStats().meshLinks) - meshLinksBefore,
    bans: net.live().reduce((total, s) => total + s.peerEvents.filter((event) => event.kind === 'ban').length, 0),
    wallMs: Math.round(performance.now() - wallStart),
  };
}

const results = [];
for (const target of degrees) {
  const result = await measure(target);
  results.push(result);
  console.log(JSON.stringify(result));
}
console.log(`\n${nodes} tabs, seed ${seed}, no relay, 2 initial links each`);
console.log('D  marks     reach-D  degree(min/mean/max)  path  diam  records/tab/s  repair-after-20%-cut');
for (const r of results) {
  console.log(`${String(r.target).padEnd(2)} ${`${r.low}..${r.high}/${r.minOutbound}`.padEnd(9)} ${String(r.reachDegreeMs ?? '>60000').padStart(6)}ms  ${`${r.degreeMin}/${r.degreeMean}/${r.degreeMax}`.padEnd(20)}  ${String(r.meanPath).padEnd(4)}  ${String(r.diameter).padEnd(4)}  ${String(r.steadyRecordsPerTabPerSec).padEnd(13)}  ${r.repairMs ?? '>60000'}ms (${r.repairLinks} links)`);
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'mesh-degree.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ nodes, seed, results }, null, 2)}\n`);
console.log(`wrote ${out}`);

/**
 * The trace in the deterministic simulator: a transaction gossiped through a
 * sparse mesh of real nodes is traced from a tab several links from its
 * origin, and every report matches what that node's own 'tx' event recorded.
 */
import { describe, expect } from 'vitest';
import { createLedger } from '../ledger/ledger.ts';
import { createMemoryChainStore } from '../ledger/memory-chain-store.ts';
import { createMempool } from '../ledger/mempool.ts';
import { createNode } from '../node.ts';
import { txId } from '../tx.ts';
import { createSimNetwork, fund, type SimNetwork, type SimNodeFactory } from '../../sim/index.ts';
import { simIt } from '../../../test/helpers/sim-test.ts';
import { DEFAULT_EPOCH_MS } from '../../sim/virtual-clock.ts';
import { createTraceModule, type ReceivedTraceReport, type TraceModule } from './trace-module.ts';
import { MAX_TRACE_HOPS } from './trace-frames.ts';
import { withCatchUp } from './catch-up.ts';

type TracedNode = ReturnType<typeof createNode> & { ledger: Awaited<ReturnType<typeof createLedger>>; mempool: ReturnType<typeof createMempool>; trace: TraceModule; reports: ReceivedTraceReport[] };

/** The core node a tab runs, with the trace module fed by the node's 'tx' events exactly as the page wires it. */
const tracedNode: SimNodeFactory<TracedNode> = async ({ signer, clock, verifier, log, network, prng, chainParams }) => {
  const store = createMemoryChainStore();
  const ledger = await createLedger({ store, verifier, clock, log }, { network, ...(chainParams ? { params: chainParams } : {}) });
  const mempool = createMempool({ params: ledger.params, clock });
  const reports: ReceivedTraceReport[] = [];
  const trace = createTraceModule({ signer, verifier, random: () => prng.next(), onReport: (_id, report) => reports.push(report) }, { network });
  const node = createNode({ verifier, clock, log, ledger, mempool, modules: [trace.factory] }, { network, peerId: signer.peerId });
  node.events.on('tx', (_tx, id, source) => trace.noteSeen(id, source));
  return Object.assign(node, { ledger, mempool, trace, reports });
};

/** Links from `from` to every node over the open links (breadth-first). */
function linkDistances(net: SimNetwork<TracedNode>, from: number): Map<number, number> {
  const distance = new Map([[from, 0]]);
  for (let frontier = [from]; frontier.length > 0;) {
    const next: number[] = [];
    for (const pair of net.links()) {
      for (const [x, y] of [[pair.a.index, pair.b.index], [pair.b.index, pair.a.index]] as const) {
        if (frontier.includes(x) && !distance.has(y)) {
          distance.set(y, distance.get(x)! + 1);
          next.push(y);
        }
      }
    }
    frontier = next;
  }
  return distance;
}

describe('transaction trace (simulator)', () => {
  simIt('a trace from a tab far from the origin gathers every tab within the hop limit, each report as that tab recorded it', 21, async (seed) => {
    const net = await createSimNetwork({ seed, nodes: 24, degree: 3, latencyMs: 40, jitterMs: 20, nodeFactory: tracedNode });
    await net.runUntilIdle();
    await fund(net, [0]);
    const tx = await net.transfer(0, 1, { amount: 10, fee: 1 });
    const id = txId(tx);
    net.submit(0, tx);
    await net.runUntil(() => net.allReached(id), { maxTimeMs: 10_000 });

    // Trace from the tab farthest from the origin, so answers cross several links.
    const hops = net.hops(id);
    const far = hops.indexOf(Math.max(...hops.filter((hop) => hop !== undefined)));
    expect(hops[far]).toBeGreaterThanOrEqual(3);
    const requester = net.nodes[far]!.node;
    const started = await net.drive(requester.trace.start(id));
    expect(started.ok).toBe(true);
    await net.runFor(2_000);

    const reports = [...(started.ok ? started.reports : []), ...requester.reports];
    const distances = linkDistances(net, far);
    const reachable = net.nodes.filter((sim) => (distances.get(sim.index) ?? Infinity) <= MAX_TRACE_HOPS).map((sim) => sim.peerId);
    expect(reachable.length).toBeGreaterThanOrEqual(20);
    expect(reports.map((report) => report.reporter).sort()).toEqual(reachable.sort());
    expect(withCatchUp(reports).filter((report) => report.catchUp)).toEqual([]);
    for (const report of reports) {
      const sim = net.nodes[net.indexOf(report.reporter)!]!;
      const arrival = sim.txs.get(id)!;
      expect(report.firstSeenMs - DEFAULT_EPOCH_MS).toBe(arrival.atMs);
      expect(report.from).toBe(arrival.source === 'self' ? 'origin' : arrival.source);
      // Each report came in over one of the requester's own links, whatever its distance.
      if (report.via !== 'self') expect(requester.peers().map((peer) => peer.id)).toContain(report.via);
    }
    expect(reports.filter((report) => report.via !== report.reporter && report.via !== 'self').length).toBeGreaterThan(0);
    expect(net.live().flatMap((sim) => sim.peerEvents.filter((event) => event.kind === 'ban'))).toEqual([]);
  });
});

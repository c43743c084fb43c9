/**
 * Issue 4 §2 in the simulator, with no relay at all: tabs bootstrapped with
 * a couple of links discover the rest through signed peer records, reach the
 * target degree by dialling through mesh signaling, and replace links that
 * close. See mesh-sim.ts and sim-connector.ts for how a dial is modelled.
 */
import { describe, expect } from 'vitest';
import { createMeshSim, type MeshSimNode } from './mesh-sim.ts';
import { createSimNetwork, type SimNetwork } from './sim-network.ts';
import { simIt } from '../../test/helpers/sim-test.ts';

const D = 6;
const HIGH = 12;

async function bootstrap(seed: number, nodes: number) {
  const sim = createMeshSim({ mesh: { targetLinks: D, highLinks: HIGH } });
  // degree 2: each tab starts with about two links, as if the relay had introduced it to two members and then stopped.
  const net = await createSimNetwork({ seed, nodes, degree: 2, latencyMs: 40, jitterMs: 20, nodeFactory: sim.factory });
  sim.attach(net);
  return net;
}

const degrees = (net: SimNetwork<MeshSimNode>) => net.live().map((sim) => sim.node.peers().length);
const total = (net: SimNetwork<MeshSimNode>, pick: (node: MeshSimNode) => number) => net.live().reduce((sum, sim) => sum + pick(sim.node), 0);

describe('peer exchange and mesh signaling, relay-free (simulator)', () => {
  simIt('tabs with two initial links learn every peer and reach the target degree through the mesh', 4, async (seed) => {
    const net = await bootstrap(seed, 40);
    const initialLinks = net.links().length;
    expect(Math.max(...degrees(net))).toBeLessThan(D);
    await net.runUntil(30_000);

    let checked = 0;
    let wrong = 0;
    for (const sim of net.live()) {
      // Every other tab is in the book, from records alone.
      expect(sim.node.peerExchange.knownPeers().length).toBe(39);
      const links = sim.node.peers();
      expect(links.length).toBeGreaterThanOrEqual(D);
      expect(links.length).toBeLessThanOrEqual(HIGH);
      expect(links.filter((link) => link.direction === 'out').length).toBeGreaterThanOrEqual(Math.ceil(D / 2));
      // Records carry neighbour lists: what a tab's book says about a neighbour's links is what that neighbour has.
      const neighbour = links[0]!.id;
      const actual = new Set(net.nodes[net.indexOf(neighbour)!]!.node.peers().map((peer) => peer.id));
      const view = new Set(sim.node.peerExchange.neighboursOf(neighbour));
      checked += actual.size;
      for (const id of actual) if (!view.has(id)) wrong++;
      for (const id of view) if (!actual.has(id)) wrong++;
    }
    // A link is listed at once only by its dialler's record, and push gossip (fanout 3) misses a tab now and then
    // until the next refresh (docs/PROTOCOL.md, "Peer exchange"): about 1 in 300 links here, so at most 1% may differ.
    expect(checked).toBeGreaterThan(200);
    expect(wrong).toBeLessThanOrEqual(Math.ceil(checked / 100));
    // Every link beyond the initial ones was set up by an offer and an answer that crossed the mesh.
    const closed = net.live().flatMap((sim) => sim.peerEvents.filter((event) => event.kind === 'close')).length / 2;
    expect(net.links().length).toBe(initialLinks + total(net, (node) => node.dialStats().meshLinks) - closed);
    expect(total(net, (node) => node.peerExchange.stats().meshSignalsDelivered)).toBeGreaterThanOrEqual(2 * total(net, (node) => node.dialStats().meshLinks));
    expect(total(net, (node) => node.peerExchange.stats().recordsRejected + node.peerExchange.stats().rateLimitViolations)).toBe(0);
    expect(net.live().flatMap((sim) => sim.peerEvents.filter((event) => event.kind === 'ban'))).toEqual([]);
  });

  simIt('a tab whose links are closed is relinked through mesh signaling, and the degree stays up', 9, async (seed) => {
    const net = await bootstrap(seed, 30);
    await net.runUntil(30_000);
    const victim = 5;
    const before = net.nodes[victim]!.node.peers().map((peer) => peer.id);
    const meshLinksBefore = total(net, (node) => node.dialStats().meshLinks);
    // Close all but one of its links: only a route through that one neighbour is left.
    for (const peerId of before.slice(1)) net.linkBetween(victim, net.indexOf(peerId)!)!.cut('closed by the test');
    expect(net.nodes[victim]!.node.peers().length).toBe(1);

    await net.runFor(20_000);
    expect(net.nodes[victim]!.node.peers().length).toBeGreaterThanOrEqual(D);
    expect(Math.min(...degrees(net))).toBeGreaterThanOrEqual(D);
    expect(total(net, (node) => node.dialStats().meshLinks)).toBeGreaterThan(meshLinksBefore);
    // The new links' records reached the others: the victim's neighbours are known network-wide.
    const now = net.nodes[victim]!.node.peers().map((peer) => peer.id).sort();
    expect(net.nodes[(victim + 10) % 30]!.node.peerExchange.neighboursOf(net.nodes[victim]!.peerId).sort()).toEqual(now);
  });

  simIt('replays identically from its seed', 12, async (seed) => {
    const run = async () => {
      const net = await bootstrap(seed, 20);
      await net.runUntil(15_000);
      return JSON.stringify([net.stats(), net.live().map((sim) => [sim.node.peerExchange.stats(), sim.node.peers().map((peer) => peer.id)])]);
    };
    expect(await run()).toBe(await run());
  });
});

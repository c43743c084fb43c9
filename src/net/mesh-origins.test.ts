/**
 * The dial rules of mesh-origins.ts (issue 20, relay down): records told by a
 * peer we dialled rank first, and origins that stalled a link of ours go last.
 * Each test draws many times and fails without its rule, where the draw
 * across origins would give the host's origin about half the dials.
 */
import { describe, expect, it } from 'vitest';
import { createMeshMaintainer, type MeshLink, type MeshView } from './mesh-maintainer.ts';
import { createMeshOrigins } from './mesh-origins.ts';

/** Two honest candidates told by `net:ip4:198.51`, twenty a host told (`net:ip4:203.0`), and a link of each kind. */
function world(hostLink: Partial<MeshLink>) {
  const sources = new Map<string, string>([['honest1', 'net:ip4:198.51'], ['honest2', 'net:ip4:198.51']]);
  for (let i = 0; i < 20; i++) sources.set(`host-id${i}`, 'net:ip4:203.0');
  const links = new Map<string, MeshLink>([
    ['neighbour', { id: 'neighbour', direction: 'out', connectedAtMs: 0, group: 'ip4:198.51', answered: true }],
    ['host', { id: 'host', direction: 'in', connectedAtMs: 0, group: 'ip4:203.0', ...hostLink }],
  ]);
  const dials: string[] = [];
  const view: MeshView = {
    isLinked: (id) => links.has(id),
    isPending: () => false,
    isBanned: () => false,
    linkCount: () => links.size,
    pendingCount: () => 0,
    dial: (id) => void dials.push(id),
    links: () => [...links.values()],
    bookPeers: () => [...sources.keys()],
    sourceOf: (id) => sources.get(id),
  };
  return { view, dials };
}

describe('mesh origins: who to dial with the relay down', () => {
  it('dials records told by a peer we dialled before records only an inbound link brought', () => {
    for (let draw = 0; draw < 20; draw++) {
      const { view, dials } = world({});
      // Two links of D = 3 (one outbound, as reserved): one dial this tick.
      const mesh = createMeshMaintainer({ targetLinks: 3, lowLinks: 2, minOutbound: 1, random: () => draw / 20, nowMs: () => 0, feelerIntervalMs: 0 }, view);
      mesh.tick();
      expect(dials).toHaveLength(1);
      expect(dials[0], `draw ${draw}`).toMatch(/^honest/);
    }
  });

  it('takes no vouch from a peer we dialled until it has answered us', () => {
    for (let draw = 0; draw < 20; draw++) {
      // We dialled one of the host's ids too; it floods its siblings' records but has not answered our headers request.
      const { view, dials } = world({ direction: 'out' });
      const mesh = createMeshMaintainer({ targetLinks: 3, lowLinks: 2, minOutbound: 1, random: () => draw / 20, nowMs: () => 0, feelerIntervalMs: 0, networkGroupLimits: false }, view);
      mesh.tick();
      expect(dials).toHaveLength(1);
      expect(dials[0], `draw ${draw}`).toMatch(/^honest/);
    }
  });

  it('dials the peers a neighbour that served us is linked to before the records it forwarded', () => {
    for (let draw = 0; draw < 20; draw++) {
      // The honest neighbour forwarded the host's records too (all told by its group), as honest tabs do.
      const { view, dials } = world({});
      const forwarded: MeshView = { ...view, sourceOf: () => 'net:ip4:198.51', mutualNeighboursOf: (id) => (id === 'neighbour' ? ['honest2'] : []) };
      const mesh = createMeshMaintainer({ targetLinks: 3, lowLinks: 2, minOutbound: 1, random: () => draw / 20, nowMs: () => 0, feelerIntervalMs: 0 }, forwarded);
      mesh.tick();
      expect(dials, `draw ${draw}`).toEqual(['honest2']);
    }
  });

  it('stops putting confirmed neighbours first once two outbound links serve us, so the mesh keeps mixing', () => {
    const firsts = new Set<string>();
    for (let draw = 0; draw < 20; draw++) {
      const { view, dials } = world({ direction: 'out', answered: true, group: 'ip4:198.60' }); // a second link that serves us
      const forwarded: MeshView = { ...view, sourceOf: () => 'net:ip4:198.51', mutualNeighboursOf: (id) => (id === 'neighbour' ? ['honest2'] : []) };
      const mesh = createMeshMaintainer({ targetLinks: 3, lowLinks: 2, minOutbound: 1, random: () => draw / 20, nowMs: () => 0, feelerIntervalMs: 0 }, forwarded);
      mesh.tick();
      firsts.add(dials[0]!);
    }
    // The draw across origins again: other candidates come first in some draws.
    expect([...firsts].some((id) => id !== 'honest2')).toBe(true);
  });

  it('dials candidates of an origin that stalled one of our links last', () => {
    for (let draw = 0; draw < 20; draw++) {
      // The honest records now come from an inbound link too, so only the stall tells the two origins apart.
      const { view, dials } = world({ stalled: true });
      const noVouch: MeshView = { ...view, links: () => view.links!().map((link) => ({ ...link, direction: 'in' as const })) };
      const mesh = createMeshMaintainer({ targetLinks: 3, lowLinks: 2, minOutbound: 1, random: () => draw / 20, nowMs: () => 0, feelerIntervalMs: 0 }, noVouch);
      mesh.tick(); // the stalled link does not count toward D: two dials
      expect(dials, `draw ${draw}`).toEqual(expect.arrayContaining(['honest1', 'honest2']));
      expect(dials).toHaveLength(2);
    }
  });

  it('applies neither rule in the ablation', () => {
    const origins = createMeshOrigins({ enabled: false, sourceOf: () => 'net:ip4:203.0', mutualNeighboursOf: () => ['honest1'] });
    const stalled: MeshLink = { id: 'host', direction: 'out', connectedAtMs: 0, group: 'ip4:203.0', stalled: true };
    const served: MeshLink = { id: 'neighbour', direction: 'out', connectedAtMs: 0, group: 'ip4:198.51', answered: true };
    origins.observe([stalled]);
    expect(origins.fromStalledOrigin('host-id1')).toBe(false);
    const vouchers = origins.vouchers([stalled, served]);
    expect([vouchers.sources.size, vouchers.neighbours.size]).toEqual([0, 0]);
    expect(origins.groupOf('host')).toBe('ip4:203.0'); // groups are still learnt: the group limits use them
  });

  it('keys a source without a network group by its peer, and finds that peer\'s group once a link showed it', () => {
    const origins = createMeshOrigins({ enabled: true, sourceOf: (id) => (id === 'told' ? 'teller' : undefined) });
    origins.observe([{ id: 'teller', direction: 'in', connectedAtMs: 0, group: 'ip4:203.0' }]);
    origins.observe([{ id: 'other', direction: 'in', connectedAtMs: 0, group: 'ip4:203.0', stalled: true }]);
    expect(origins.fromStalledOrigin('told')).toBe(true);
    expect(origins.fromStalledOrigin('unknown')).toBe(false);
  });
});

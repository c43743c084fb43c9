/**
 * The dial draw across origins (mesh-dial-draw.ts) and the rules that use the
 * relay's attested network groups in the mesh maintainer (issue 20). Each test
 * fails without its rule: a uniform draw over ids, farthest-first as a tier,
 * groups learnt only from links, presumed-gone with the relay down.
 */
import { describe, expect, it } from 'vitest';
import { createMeshMaintainer, type MeshLink, type MeshView } from './mesh-maintainer.ts';
import { drawNext, drawTiers, originOf } from './mesh-dial-draw.ts';

/** A small deterministic generator (mulberry32), so the shares below are fixed. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the dial draw across origins', () => {
  it('draws one origin holding 95 ids no more often than an origin holding one', () => {
    const random = seeded(1);
    let honest = 0;
    for (let run = 0; run < 400; run++) {
      const pool = [...Array.from({ length: 95 }, (_, i) => `sybil${i}`), 'honest'];
      const tiers = drawTiers(pool, () => 0, (id) => originOf(id, id.startsWith('sybil') ? 'host/1' : undefined, 'net:honest/1'));
      if (drawNext(tiers, random) === 'honest') honest++;
    }
    // A uniform draw over ids would pick it 1 time in 96 (about 4 of 400).
    expect(honest).toBeGreaterThan(160);
    expect(honest).toBeLessThan(240);
  });

  it('prefers the farthest ids inside the drawn origin, not across origins', () => {
    const spread = (id: string) => (id.endsWith('far') ? 3 : 2);
    const random = seeded(2);
    const firstPicks = new Set<string>();
    for (let run = 0; run < 50; run++) {
      const tiers = drawTiers(['a-near', 'a-far', 'b-near'], () => 0, (id) => id[0]!);
      firstPicks.add(drawNext(tiers, random, spread)!);
    }
    // Origin a gives its far id; origin b, drawn as often, gives its only (near) one. As a tier, only a-far would come first.
    expect(firstPicks).toEqual(new Set(['a-far', 'b-near']));
  });

  it('keys an origin by network group, else by the record\'s source, else by the id', () => {
    expect(originOf('x', 'ip4:203.0', 'net:ip4:1.2')).toBe('group:ip4:203.0');
    expect(originOf('x', undefined, 'net:ip4:1.2')).toBe('source:net:ip4:1.2');
    expect(originOf('x', undefined, undefined)).toBe('id:x');
  });
});

function view(extra: Partial<MeshView> = {}) {
  const links = new Map<string, MeshLink>();
  const pending = new Set<string>();
  const dials: string[] = [];
  const closed: string[] = [];
  const base: MeshView = {
    isLinked: (id) => links.has(id),
    isPending: (id) => pending.has(id),
    isBanned: () => false,
    linkCount: () => links.size,
    pendingCount: () => pending.size,
    dial: (id) => { dials.push(id); pending.add(id); },
    links: () => [...links.values()],
    disconnect: (id) => { closed.push(id); links.delete(id); },
    ...extra,
  };
  return { view: base, links, pending, dials, closed };
}

describe('mesh maintainer: groups the relay attests', () => {
  it('never dials a welcome member whose attested group already holds an outbound slot', () => {
    const fake = view();
    fake.links.set('held', { id: 'held', direction: 'out', connectedAtMs: 0, group: 'ip4:203.0' });
    const mesh = createMeshMaintainer({ targetLinks: 6, random: seeded(3), nowMs: () => 0 }, fake.view);
    mesh.welcome(['same1', 'same2', 'other'], ['ip4:203.0', 'ip4:203.0', 'ip4:198.51']);
    expect(fake.dials).toEqual(['other']);
  });

  it('refuses an offer from an attested group holding its inbound slot without spending a new-inbound token', () => {
    const fake = view();
    fake.links.set('host1', { id: 'host1', direction: 'in', connectedAtMs: 0, group: 'ip4:203.0' });
    const mesh = createMeshMaintainer({ random: seeded(4), nowMs: () => 0, newInboundLinks: { burst: 1, perSecond: 0 } }, fake.view);
    for (let i = 0; i < 50; i++) expect(mesh.shouldAccept(`host-id${i}`, 'in', 'ip4:203.0')).toBe(false);
    expect(mesh.stats().inboundRateLimited).toBe(0);
    // The one token is still there for an honest newcomer.
    expect(mesh.shouldAccept('honest', 'in', 'ip4:198.51')).toBe(true);
  });

  it('limits links without a group of their own (TURN) by the group the relay attested', () => {
    const fake = view();
    const mesh = createMeshMaintainer({ random: seeded(5), nowMs: () => 0 }, fake.view);
    mesh.joined('t1', 'ip4:203.0');
    mesh.joined('t2', 'ip4:203.0');
    fake.links.set('t1', { id: 't1', direction: 'in', connectedAtMs: 1 });
    fake.links.set('t2', { id: 't2', direction: 'in', connectedAtMs: 2 });
    mesh.tick();
    expect(fake.closed).toEqual(['t2']);
  });

  it('presumes no one gone while the relay is down: an unanswered dial through the mesh is a failed route', () => {
    let relayUp = false;
    const fake = view({ relayOpen: () => relayUp, bookPeers: () => ['far'] });
    const mesh = createMeshMaintainer({ random: seeded(6), nowMs: () => 0 }, fake.view);
    mesh.unanswered('far');
    expect(mesh.stats().presumedGone).toBe(0);
    relayUp = true;
    mesh.unanswered('far');
    expect(mesh.stats().presumedGone).toBe(1);
  });
});

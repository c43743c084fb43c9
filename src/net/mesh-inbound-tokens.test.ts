/**
 * The new-inbound budget split by what we know of the sender
 * (mesh-inbound-tokens.ts; issue 20, relay down). Each test fails with one
 * shared bucket: a stranger flood then spends every token.
 */
import { describe, expect, it } from 'vitest';
import { createMeshMaintainer, type MeshLink, type MeshView } from './mesh-maintainer.ts';
import { STRANGER_INBOUND_PER_SOURCE, createInboundTokens } from './mesh-inbound-tokens.ts';

describe('new-inbound tokens', () => {
  const limit = { burst: 2, perSecond: 0.1 };

  it('strangers cannot spend the tokens of peers whose network group we know', () => {
    const tokens = createInboundTokens({ limit, nowMs: () => 0 });
    const strangers = Array.from({ length: 50 }, () => tokens.take(false));
    expect(strangers.filter((outcome) => outcome === 'stranger')).toHaveLength(limit.burst);
    expect(tokens.take(true)).toBe('known');
    expect(tokens.take(true)).toBe('known');
    expect(tokens.take(true)).toBe('rate-limited');
  });

  it('charges a stranger to the source that told us of it, so one source\'s flood leaves the others\' tokens', () => {
    let now = 0;
    const tokens = createInboundTokens({ limit, nowMs: () => now });
    const flood = Array.from({ length: 50 }, () => tokens.take(false, 'net:host/a'));
    expect(flood.filter((outcome) => outcome === 'vouched')).toHaveLength(STRANGER_INBOUND_PER_SOURCE.burst);
    expect(tokens.take(false, 'net:honest/b')).toBe('vouched');
    expect(tokens.take(false)).toBe('stranger'); // no record: the unsourced bucket, untouched by the flood
    expect(tokens.take(false, 'peer-without-group')).toBe('stranger'); // an ungrouped source: the same bucket
    now += 1_000 / STRANGER_INBOUND_PER_SOURCE.perSecond;
    expect(tokens.take(false, 'net:host/a')).toBe('vouched');
    expect(tokens.take(false, 'net:host/a')).toBe('rate-limited');
  });

  it('shares one bucket in the ablation', () => {
    const tokens = createInboundTokens({ limit, split: false, nowMs: () => 0 });
    for (let i = 0; i < limit.burst; i++) expect(tokens.take(false, 'net:host/a')).toBe('known');
    expect(tokens.take(true)).toBe('rate-limited');
  });
});

describe('mesh maintainer: inbound offers with the relay down', () => {
  function view(sources: Map<string, string>) {
    const links = new Map<string, MeshLink>();
    const mesh: MeshView = {
      isLinked: (id) => links.has(id),
      isPending: () => false,
      isBanned: () => false,
      linkCount: () => links.size,
      pendingCount: () => 0,
      dial: () => {},
      links: () => [...links.values()],
      disconnect: (id) => void links.delete(id),
      sourceOf: (id) => sources.get(id),
    };
    return { view: mesh, links };
  }

  it('lets a former neighbour back in after a host\'s fresh ids have spent the strangers\' tokens', () => {
    const fake = view(new Map());
    const mesh = createMeshMaintainer({ targetLinks: 6, random: () => 0, nowMs: () => 0, newInboundLinks: { burst: 1, perSecond: 0 } }, fake.view);
    fake.links.set('neighbour', { id: 'neighbour', direction: 'out', connectedAtMs: 0, group: 'ip4:198.51' });
    mesh.tick(); // learns the neighbour's group from its link
    fake.links.delete('neighbour'); // it reloads
    for (let i = 0; i < 50; i++) mesh.shouldAccept(`host-id${i}`, 'in'); // offers through the mesh: no group attested
    expect(mesh.stats().inboundStrangers).toBe(1);
    expect(mesh.shouldAccept('neighbour', 'in')).toBe(true);
    expect(mesh.stats().inboundKnown).toBe(1);
  });

  it('takes an honest stranger whose record an honest peer told us while a host floods strangers of its own', () => {
    const sources = new Map<string, string>([['honest-new', 'net:ip4:198.51']]);
    for (let i = 0; i < 50; i++) sources.set(`host-id${i}`, 'net:ip4:203.0');
    const mesh = createMeshMaintainer({ targetLinks: 6, random: () => 0, nowMs: () => 0 }, view(sources).view);
    const taken = Array.from({ length: 50 }, (_, i) => mesh.shouldAccept(`host-id${i}`, 'in')).filter(Boolean).length;
    expect(taken).toBe(STRANGER_INBOUND_PER_SOURCE.burst);
    expect(mesh.shouldAccept('honest-new', 'in')).toBe(true);
  });

  it('charges a stranger that a neighbour which served us is linked to (both records say so) to that neighbour', () => {
    // The hosts' ids were forwarded by the same honest source as the honest stranger's record, and drained it.
    const sources = new Map<string, string>([['honest-new', 'net:ip4:198.51']]);
    for (let i = 0; i < 50; i++) sources.set(`host-id${i}`, 'net:ip4:198.51');
    const mutual = new Map([['neighbour', ['honest-new']], ['host-id0', ['host-id1']]]);
    const fake = view(sources);
    const mesh = createMeshMaintainer({ targetLinks: 6, random: () => 0, nowMs: () => 0 }, { ...fake.view, mutualNeighboursOf: (id) => mutual.get(id) ?? [] });
    fake.links.set('neighbour', { id: 'neighbour', direction: 'in', connectedAtMs: 0, answered: true });
    fake.links.set('host-id0', { id: 'host-id0', direction: 'out', connectedAtMs: 0 }); // never answered us: vouches for no one
    const taken = Array.from({ length: 49 }, (_, i) => mesh.shouldAccept(`host-id${i + 1}`, 'in')).filter(Boolean).length;
    expect(taken).toBe(STRANGER_INBOUND_PER_SOURCE.burst);
    expect(mesh.shouldAccept('honest-new', 'in')).toBe(true);
    // Without a voucher it would have been refused: its source's bucket is empty.
    expect(mesh.shouldAccept('another-stranger', 'in')).toBe(true); // unsourced bucket
    expect(mesh.stats().inboundVouched).toBe(STRANGER_INBOUND_PER_SOURCE.burst + 1);
  });
});

import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.ts';
import { testSigner } from '../../test/helpers/test-keys.ts';
import { sealSignal } from '../core/signal-envelope.ts';
import { NEW_INBOUND_LINKS, createMeshMaintainer, type MeshLink, type MeshView } from './mesh-maintainer.ts';
import { createOfferGate } from './offer-gate.ts';

function fakeView() {
  const linked = new Set<string>();
  const pending = new Set<string>();
  const banned = new Set<string>();
  const dials: string[] = [];
  const view: MeshView = {
    isLinked: (id) => linked.has(id),
    isPending: (id) => pending.has(id),
    isBanned: (id) => banned.has(id),
    linkCount: () => linked.size,
    pendingCount: () => pending.size,
    dial: (id) => { dials.push(id); pending.add(id); },
  };
  return { view, linked, pending, banned, dials };
}

describe('mesh maintainer', () => {
  it('dials welcome members up to the target, never banned ones', () => {
    const fake = fakeView();
    fake.banned.add('p0');
    const mesh = createMeshMaintainer({ targetLinks: 3, random: () => 0, nowMs: () => 0 }, fake.view);
    mesh.welcome(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(fake.dials).toHaveLength(3);
    expect(fake.dials).not.toContain('p0');
  });

  it('members do not dial a newcomer at once, but repair below target on tick', () => {
    const fake = fakeView();
    let now = 0;
    const mesh = createMeshMaintainer({ targetLinks: 2, random: () => 0.5, nowMs: () => now }, fake.view);
    mesh.joined('new');
    expect(fake.dials).toEqual([]);
    mesh.tick();
    expect(fake.dials).toEqual(['new']);
    // The attempt failed: not retried before its backoff elapses, retried after.
    fake.pending.clear();
    mesh.tick();
    expect(fake.dials).toEqual(['new']);
    now += 60_000;
    mesh.tick();
    expect(fake.dials).toEqual(['new', 'new']);
  });

  it('dials a newcomer the relay announced before sampled members, for 30 s', () => {
    for (let draw = 0; draw < 20; draw++) {
      const fake = fakeView();
      let now = 1_000;
      const mesh = createMeshMaintainer({ targetLinks: 1, random: () => draw / 20, nowMs: () => now }, fake.view);
      mesh.welcome([]);
      for (let i = 0; i < 40; i++) mesh.joined(`old${i}`);
      now += 40_000; // the first forty are old news
      mesh.joined('fresh');
      mesh.tick();
      // Were the forty, announced 40 s ago, still preferred, they would share the newcomer's rank and most draws would take one.
      expect(fake.dials).toEqual(['fresh']);
    }
  });

  it('forgets peers that left', () => {
    const fake = fakeView();
    const mesh = createMeshMaintainer({ targetLinks: 2, nowMs: () => 0 }, fake.view);
    mesh.joined('gone');
    mesh.left('gone');
    mesh.tick();
    expect(fake.dials).toEqual([]);
    expect(mesh.knownPeers()).toEqual([]);
  });

  it('presumes a book peer gone when its offer goes unanswered, until a newer record, the relay or a link says otherwise', () => {
    const fake = fakeView();
    const seqs = new Map([['gone', 3], ['slow', 5]]);
    let now = 0;
    const mesh = createMeshMaintainer({ targetLinks: 1, random: () => 0, nowMs: () => now }, { ...fake.view, bookPeers: () => [...seqs.keys()], recordSeq: (id) => seqs.get(id) });
    mesh.joined('slow'); // the relay lists it: a silent dial to it is slowness, not departure
    mesh.unanswered('gone');
    mesh.unanswered('slow');
    expect(mesh.stats().presumedGone).toBe(1);
    const dialsAfter = (ms: number) => {
      now += ms;
      fake.dials.length = 0;
      for (let i = 0; i < 10; i++) {
        fake.pending.clear(); // each dial failed at once
        mesh.tick();
      }
      return new Set(fake.dials);
    };
    // Backoffs long elapsed: only the peer the relay lists is dialled.
    expect(dialsAfter(600_000)).toEqual(new Set(['slow']));
    mesh.left('slow');
    seqs.set('gone', 4); // a newer record: it is alive after all
    expect(dialsAfter(600_000)).toEqual(new Set(['slow', 'gone']));
    mesh.unanswered('gone');
    mesh.unanswered('slow'); // no longer listed by the relay: presumed gone too
    expect(dialsAfter(600_000)).toEqual(new Set());
    mesh.welcome(['slow']);
    mesh.linked('gone');
    expect(dialsAfter(600_000)).toEqual(new Set(['slow', 'gone']));
    expect(mesh.stats().presumedGone).toBe(3);
  });

  it('dials preferred peers (anchors) first, once each', () => {
    const fake = fakeView();
    let now = 0;
    // random() = 0 would always draw the first candidate of a group: the anchor is last in the room's order.
    const mesh = createMeshMaintainer({ targetLinks: 1, random: () => 0, nowMs: () => now }, fake.view);
    mesh.prefer(['anchor']);
    mesh.welcome(['p1', 'p2', 'anchor']);
    expect(fake.dials).toEqual(['anchor']);
    // The anchor's dial failed: the next dial (after its backoff) no longer prefers it over the others.
    fake.pending.clear();
    now += 60_000;
    mesh.tick();
    expect(fake.dials).toEqual(['anchor', 'p1']);
  });
});

/** A view with directions and ages, so the marks, reservations and pruning apply. */
function richView() {
  const links = new Map<string, MeshLink>();
  const pending = new Set<string>();
  const banned = new Set<string>();
  const book: string[] = [];
  const unreachable = new Set<string>();
  const full = new Set<string>();
  const dials: string[] = [];
  const closed: string[] = [];
  const view: MeshView = {
    isLinked: (id) => links.has(id),
    isPending: (id) => pending.has(id),
    isBanned: (id) => banned.has(id),
    linkCount: () => links.size,
    pendingCount: () => pending.size,
    dial: (id) => { dials.push(id); pending.add(id); },
    links: () => [...links.values()],
    disconnect: (id) => { closed.push(id); links.delete(id); },
    bookPeers: () => book,
    canSignal: (id) => !unreachable.has(id),
    acceptsInbound: (id) => (full.has(id) ? false : undefined),
  };
  const add = (count: number, direction: 'in' | 'out', fromMs = 0) => {
    for (let i = 0; i < count; i++) {
      const id = `${direction}${links.size}`;
      links.set(id, { id, direction, connectedAtMs: fromMs + i });
    }
  };
  for (let i = 0; i < 40; i++) book.push(`b${i}`);
  return { view, links, pending, banned, book, unreachable, full, dials, closed, add };
}

/** Counter-based random so a test can see the choice spread over the candidates. */
function cycling() {
  let n = 0;
  return () => ((n++ * 0.6180339887) % 1);
}

describe('mesh maintainer marks (D = 6, 4..12, 3 outbound reserved)', () => {
  it('defaults to gossipsub-like marks', () => {
    expect(createMeshMaintainer({}, richView().view).marks).toEqual({ low: 4, target: 6, high: 12, minOutbound: 3 });
    expect(() => createMeshMaintainer({ targetLinks: 6, highLinks: 5 }, richView().view)).toThrow(RangeError);
  });

  it('dials one peer a tick between the low mark and D, and up to D at once below the low mark', () => {
    const fake = richView();
    const mesh = createMeshMaintainer({ random: cycling(), nowMs: () => 0 }, fake.view);
    fake.add(5, 'out');
    mesh.tick();
    expect(fake.dials).toHaveLength(1);
    const fresh = richView();
    const below = createMeshMaintainer({ random: cycling(), nowMs: () => 0 }, fresh.view);
    fresh.add(2, 'out');
    below.tick();
    expect(fresh.dials).toHaveLength(4);
    expect(new Set(fresh.dials).size).toBe(4);
    fresh.pending.clear();
    fresh.add(6, 'out');
    below.tick();
    expect(fresh.dials).toHaveLength(4); // at 8 ≥ D nothing more
  });

  it('keeps outbound slots: with D inbound links it still dials until 3 are its own', () => {
    const fake = richView();
    const mesh = createMeshMaintainer({ random: cycling(), nowMs: () => 0 }, fake.view);
    fake.add(8, 'in');
    mesh.tick();
    expect(fake.dials).toHaveLength(3);
  });

  it('refuses inbound links beyond high minus the reserved outbound, and any link at the high mark', () => {
    const fake = richView();
    const mesh = createMeshMaintainer({ nowMs: () => 0 }, fake.view);
    fake.add(8, 'in');
    expect(mesh.shouldAccept('new', 'in')).toBe(true);
    expect(mesh.hasInboundRoom()).toBe(true);
    fake.add(1, 'in');
    expect(mesh.shouldAccept('new', 'in')).toBe(false);
    expect(mesh.hasInboundRoom()).toBe(false);
    expect(mesh.shouldAccept('new', 'out')).toBe(true);
    expect(mesh.shouldAccept('in0', 'in')).toBe(true); // a replacement for an existing link
    fake.add(3, 'out');
    expect(mesh.shouldAccept('new', 'out')).toBe(false);
    fake.banned.add('bad');
    expect(createMeshMaintainer({}, fake.view).shouldAccept('bad', 'out')).toBe(false);
    expect(mesh.stats().inboundRefused).toBe(1);
  });

  it('prunes above the high mark: youngest inbound first, never the reserved outbound', () => {
    const fake = richView();
    const mesh = createMeshMaintainer({ nowMs: () => 0 }, fake.view);
    fake.add(10, 'in', 100);
    fake.add(4, 'out', 0);
    mesh.tick();
    expect(fake.closed).toEqual(['in9', 'in8']);
    expect(fake.dials).toEqual([]);

    const outbound = richView();
    const onlyOut = createMeshMaintainer({ nowMs: () => 0 }, outbound.view);
    outbound.add(1, 'in', 0);
    outbound.add(13, 'out', 100);
    onlyOut.tick();
    expect(outbound.closed).toEqual(['in0', 'out13']); // the inbound one, then the youngest outbound
    expect([...outbound.links.values()].filter((link) => link.direction === 'out')).toHaveLength(12);
  });

  it('closes the youngest inbound link when inbound links fill the reserved outbound slots', () => {
    const fake = richView();
    const mesh = createMeshMaintainer({ random: cycling(), nowMs: () => 0 }, fake.view);
    fake.add(12, 'in');
    mesh.tick();
    expect(fake.closed).toEqual(['in11']);
    expect(mesh.stats().evictedForOutbound).toBe(1);
    mesh.tick();
    expect(fake.dials.length).toBeGreaterThan(0);
  });

  it('chooses at random among reachable known peers, preferring ones with inbound room', () => {
    const fake = richView();
    for (let i = 0; i < 40; i++) if (i % 2 === 0) fake.unreachable.add(`b${i}`);
    for (let i = 0; i < 30; i++) fake.full.add(`b${i}`);
    const mesh = createMeshMaintainer({ random: cycling(), nowMs: () => 0 }, fake.view);
    mesh.tick();
    expect(fake.dials).toHaveLength(6);
    // Odd and reachable, and 30..39 have room: 31, 33, ..., 39 (5 of them) come first, then a full one.
    expect(fake.dials.slice(0, 5).sort()).toEqual(['b31', 'b33', 'b35', 'b37', 'b39']);
    expect(fake.dials.every((id) => Number(id.slice(1)) % 2 === 1)).toBe(true);
    expect(mesh.knownPeers()).toHaveLength(40);
  });

  it('backs off a peer whose dial failed, and a link that opens resets it', () => {
    const fake = richView();
    fake.book.length = 0;
    fake.book.push('only');
    let now = 0;
    const mesh = createMeshMaintainer({ random: () => 1, nowMs: () => now }, fake.view);
    mesh.tick();
    expect(fake.dials).toEqual(['only']);
    fake.pending.clear(); // the attempt failed
    now = 1_999;
    mesh.tick();
    expect(fake.dials).toHaveLength(1);
    now = 2_000;
    mesh.tick();
    expect(fake.dials).toHaveLength(2);
    fake.pending.clear();
    now = 5_999; // the second delay is 4 s
    mesh.tick();
    expect(fake.dials).toHaveLength(2);
    mesh.linked('only');
    mesh.tick();
    expect(fake.dials).toHaveLength(3);
  });
});

describe('mesh maintainer: network groups and stalled links', () => {
  const link = (id: string, direction: 'in' | 'out', connectedAtMs: number, extra: Partial<MeshLink> = {}): MeshLink => ({ id, direction, connectedAtMs, ...extra });

  it('keeps one outbound and one inbound link per network group, closing the youngest, and leaves ungrouped links alone', () => {
    const fake = richView();
    const mesh = createMeshMaintainer({ nowMs: () => 0 }, fake.view);
    for (const entry of [link('a1', 'out', 1, { group: 'ip4:203.0' }), link('a2', 'out', 5, { group: 'ip4:203.0' }), link('a3', 'in', 6, { group: 'ip4:203.0' }),
      link('a4', 'in', 7, { group: 'ip4:203.0' }), link('l1', 'out', 2), link('l2', 'out', 3), link('l3', 'in', 4)]) fake.links.set(entry.id, entry);
    mesh.tick();
    expect(fake.closed).toEqual(['a2', 'a4']);
    expect(mesh.stats().groupLimited).toBe(2);
  });

  it('remembers a closed peer\'s group: neither dialled nor let in again while the group holds its slot', () => {
    const fake = richView();
    fake.book.splice(0, fake.book.length, 'x1', 'x2', 'h1');
    const mesh = createMeshMaintainer({ targetLinks: 3, minOutbound: 1, random: () => 0, nowMs: () => 0 }, fake.view);
    fake.links.set('x1', link('x1', 'out', 1, { group: 'host/a' }));
    fake.links.set('x2', link('x2', 'in', 2, { group: 'host/a' }));
    mesh.tick(); // learns both groups; x2 is the only inbound one of its group, so it stays
    expect(fake.closed).toEqual([]);
    fake.links.delete('x2');
    expect(mesh.shouldAccept('x2', 'in')).toBe(true); // the inbound slot of host/a is free again
    fake.links.set('x3', link('x3', 'in', 3, { group: 'host/a' }));
    expect(mesh.shouldAccept('x2', 'in')).toBe(false);
    mesh.tick();
    // Below D (2 of 3), with x2 (host/a, whose outbound slot x1 holds) and h1 (unknown) as candidates: only h1 is dialled.
    expect(fake.dials).toEqual(['h1']);
  });

  it('with the limits off (the ablation), keeps every link of a group', () => {
    const fake = richView();
    const mesh = createMeshMaintainer({ nowMs: () => 0, networkGroupLimits: false }, fake.view);
    for (let i = 0; i < 4; i++) fake.links.set(`a${i}`, link(`a${i}`, 'out', i, { group: 'ip4:203.0' }));
    mesh.tick();
    expect(fake.closed).toEqual([]);
  });

  it('takes new inbound links at most at NEW_INBOUND_LINKS: a burst, then one per 10 s', () => {
    const fake = richView();
    let now = 0;
    const mesh = createMeshMaintainer({ nowMs: () => now }, fake.view);
    const taken = () => Array.from({ length: 20 }, (_, i) => mesh.shouldAccept(`new${now}-${i}`, 'in')).filter(Boolean).length;
    expect(taken()).toBe(NEW_INBOUND_LINKS.burst);
    now += 10_000;
    expect(taken()).toBe(1);
    expect(mesh.shouldAccept('x', 'out')).toBe(true); // our own dials are not limited by it
    expect(mesh.stats().inboundRateLimited).toBe(20 - NEW_INBOUND_LINKS.burst + 19);
  });

  it('does not count stalled links toward D: it keeps dialling up to the high mark', () => {
    const fake = richView();
    const mesh = createMeshMaintainer({ random: cycling(), nowMs: () => 0 }, fake.view);
    for (let i = 0; i < 6; i++) fake.links.set(`s${i}`, link(`s${i}`, i < 3 ? 'out' : 'in', i, { stalled: true }));
    mesh.tick();
    expect(fake.dials).toHaveLength(6); // 0 useful links: below the low mark, so up to D at once
    const calm = richView();
    const steady = createMeshMaintainer({ random: cycling(), nowMs: () => 0 }, calm.view);
    for (let i = 0; i < 6; i++) calm.links.set(`s${i}`, link(`s${i}`, i < 3 ? 'out' : 'in', i));
    steady.tick();
    expect(calm.dials).toEqual([]);
  });
});

describe('offer gate', () => {
  it("drops a new peer's offer when inbound slots are full, and lets answers and candidates through", async () => {
    const fake = richView();
    const mesh = createMeshMaintainer({}, fake.view);
    const pending = new Set<string>();
    const gate = createOfferGate(mesh, { isPending: (id) => pending.has(id) });
    const signer = await testSigner(4);
    const offer = await sealSignal('main', signer, 'ab'.repeat(32), JSON.stringify({ type: 'offer', sdp: 'x' }), 0);
    const candidate = await sealSignal('main', signer, 'ab'.repeat(32), JSON.stringify({ type: 'candidate', candidate: {} }), 0);
    expect(gate(signer.peerId, offer)).toBe(true);
    fake.add(9, 'in');
    expect(gate(signer.peerId, offer)).toBe(false);
    expect(gate(signer.peerId, candidate)).toBe(true);
    pending.add(signer.peerId);
    expect(gate(signer.peerId, offer)).toBe(true);
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter, caps, and resets', () => {
    const backoff = createBackoff({ baseMs: 100, maxMs: 1_000, random: () => 1 });
    expect([1, 2, 3, 4, 5].map(() => backoff.nextDelayMs())).toEqual([100, 200, 400, 800, 1_000]);
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(100);
    const low = createBackoff({ baseMs: 100, random: () => 0 });
    expect(low.nextDelayMs()).toBe(50);
  });
});

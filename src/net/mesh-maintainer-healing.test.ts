import { describe, expect, it } from 'vitest';
import { FEELER_SETTLE_MS } from './mesh-maintainer-healing.ts';
import { createMeshMaintainer, type MeshLink, type MeshView } from './mesh-maintainer.ts';

/** A view at D = 6 outbound links, with a book of 20 peers whose records carry work, and groups. */
function healingView() {
  const links = new Map<string, MeshLink>();
  const pending = new Set<string>();
  const work = new Map<string, bigint>();
  const groups = new Map<string, string>();
  const dials: string[] = [];
  const closed: { id: string; reason: string }[] = [];
  let own = 10n;
  const view: MeshView = {
    isLinked: (id) => links.has(id),
    isPending: (id) => pending.has(id),
    isBanned: () => false,
    linkCount: () => links.size,
    pendingCount: () => pending.size,
    dial: (id) => { dials.push(id); pending.add(id); },
    links: () => [...links.values()],
    disconnect: (id, reason) => { closed.push({ id, reason }); links.delete(id); },
    bookPeers: () => Array.from({ length: 20 }, (_, i) => `b${i}`),
    workOf: (id) => work.get(id),
    ownWork: () => own,
    group: (id) => groups.get(id),
  };
  for (let i = 0; i < 6; i++) {
    links.set(`l${i}`, { id: `l${i}`, direction: 'out', connectedAtMs: 0 });
    work.set(`l${i}`, 10n);
  }
  for (let i = 0; i < 20; i++) work.set(`b${i}`, 10n);
  /** Completes a pending dial: the link opens (the host then calls mesh.linked). */
  const open = (id: string, atMs: number) => {
    pending.delete(id);
    links.set(id, { id, direction: 'out', connectedAtMs: atMs });
  };
  return { view, links, pending, work, groups, dials, closed, open, setOwn: (value: bigint) => { own = value; } };
}

describe('mesh healing (issue 20 §1)', () => {
  it('at D with no record heavier than us, does not search for candidates (canSignal) on its tick', () => {
    const fake = healingView();
    let searched = 0;
    const mesh = createMeshMaintainer({ random: () => 0.3, nowMs: () => 0, feelerIntervalMs: 0, rotationIntervalMs: 0 },
      { ...fake.view, canSignal: () => { searched++; return true; } });
    mesh.tick();
    expect(searched).toBe(0);
    fake.work.set('b3', 12n);
    mesh.tick();
    expect(searched).toBeGreaterThan(0); // now a record beats us, so the candidates are built
    expect(fake.dials).toEqual(['b3']);
  });

  it('at D, dials a peer whose record shows more work than we and every linked peer have, one at a time', () => {
    const fake = healingView();
    let now = 0;
    const mesh = createMeshMaintainer({ random: () => 0.3, nowMs: () => now, feelerIntervalMs: 0, rotationIntervalMs: 0 }, fake.view);
    mesh.tick();
    expect(fake.dials).toEqual([]); // at D, nobody heavier: nothing to do
    fake.work.set('b7', 11n);
    fake.work.set('b9', 15n);
    mesh.tick();
    expect(fake.dials).toEqual(['b9']); // the heaviest
    mesh.tick();
    expect(fake.dials).toEqual(['b9']); // one such dial at a time
    fake.open('b9', now);
    mesh.linked('b9');
    now += 1_000;
    mesh.tick();
    // A linked peer now offers work 15: b7's 11 is no reason to dial.
    expect(fake.dials).toEqual(['b9']);
    expect(mesh.stats().workDials).toBe(1);
  });

  it('opens a feeler at D every interval, closes it after its records came, and keeps it when the peer is heavier', () => {
    const fake = healingView();
    let now = 0;
    const mesh = createMeshMaintainer({ random: () => 0.5, nowMs: () => now, feelerIntervalMs: 60_000, rotationIntervalMs: 0 }, fake.view);
    mesh.tick();
    now = 59_000;
    mesh.tick();
    expect(fake.dials).toEqual([]);
    now = 60_000;
    mesh.tick();
    expect(fake.dials).toHaveLength(1);
    const first = fake.dials[0]!;
    fake.open(first, now);
    mesh.linked(first);
    expect(mesh.isFeeler(first)).toBe(true);
    // The feeler is not part of the degree: at 7 open links the maintainer prunes nothing and counts 6.
    now += FEELER_SETTLE_MS - 1;
    mesh.tick();
    expect(fake.closed).toEqual([]);
    now += 1;
    mesh.tick();
    expect(fake.closed).toEqual([{ id: first, reason: 'feeler: test link done' }]);
    expect(mesh.isFeeler(first)).toBe(false);

    // The next feeler finds a peer with more work than ours: it stays, as an ordinary outbound link.
    now += 60_000;
    mesh.tick();
    const second = fake.dials.at(-1)!;
    expect(second).not.toBe(first);
    fake.open(second, now);
    mesh.linked(second);
    fake.work.set(second, 99n);
    now += FEELER_SETTLE_MS;
    mesh.tick();
    expect(fake.links.has(second)).toBe(true);
    expect(mesh.isFeeler(second)).toBe(false);
    expect(mesh.stats()).toMatchObject({ feelers: 2, feelersClosed: 1, feelersPromoted: 1 });
  });

  it('sends no feeler below D, where the maintainer is dialling anyway', () => {
    const fake = healingView();
    fake.links.delete('l0');
    fake.links.delete('l1');
    let now = 0;
    const mesh = createMeshMaintainer({ random: () => 0.5, nowMs: () => now, feelerIntervalMs: 10_000, rotationIntervalMs: 0, maxPendingDials: 1 }, fake.view);
    for (now = 0; now <= 30_000; now += 1_000) mesh.tick();
    expect(mesh.stats().feelers).toBe(0);
  });

  it('rotates one outbound link at D each interval, holding the peer off so the slot goes elsewhere', () => {
    const fake = healingView();
    let now = 0;
    const mesh = createMeshMaintainer({ random: () => 0.5, nowMs: () => now, feelerIntervalMs: 0, rotationIntervalMs: 300_000 }, fake.view);
    mesh.tick();
    now = 300_000;
    mesh.tick();
    expect(fake.closed).toHaveLength(1);
    const rotated = fake.closed[0]!;
    expect(rotated.reason).toMatch(/^rotated/);
    expect(mesh.stats().rotations).toBe(1);
    // Below D now: the maintainer dials a replacement, never the rotated peer (its backoff holds it off).
    now += 1_000;
    mesh.tick();
    expect(fake.dials).toHaveLength(1);
    expect(fake.dials[0]).not.toBe(rotated.id);
  });

  it('prefers outbound candidates from groups none of its outbound links is in', () => {
    const fake = healingView();
    fake.links.delete('l5');
    for (let i = 0; i < 5; i++) fake.groups.set(`l${i}`, 'crowded');
    for (let i = 0; i < 20; i++) fake.groups.set(`b${i}`, i === 13 ? 'fresh' : 'crowded');
    const mesh = createMeshMaintainer({ random: () => 0, nowMs: () => 0, feelerIntervalMs: 0, rotationIntervalMs: 0 }, fake.view);
    mesh.tick();
    expect(fake.dials).toEqual(['b13']);
  });
});

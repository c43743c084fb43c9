import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.ts';
import { createMeshMaintainer, type MeshView } from './mesh-maintainer.ts';

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

  it('forgets peers that left', () => {
    const fake = fakeView();
    const mesh = createMeshMaintainer({ targetLinks: 2, nowMs: () => 0 }, fake.view);
    mesh.joined('gone');
    mesh.left('gone');
    mesh.tick();
    expect(fake.dials).toEqual([]);
    expect(mesh.knownPeers()).toEqual([]);
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

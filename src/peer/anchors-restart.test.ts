/**
 * Issue 20 §3: the anchors (the peers of our last outbound links) are dialled
 * first after a restart, before anyone the relay or the book offers. This
 * runs the real keeper (peer-book-store.ts) and the real mesh maintainer over
 * one store, across two lives of a peer.
 */
import { describe, expect, it } from 'vitest';
import { nodeVerifier } from '../../test/helpers/test-keys.ts';
import { createPeerBook } from '../core/peers/peer-book.ts';
import { createMeshMaintainer, type MeshView } from '../net/mesh-maintainer.ts';
import { keepPeerBook, type MetaStore } from './peer-book-store.ts';
import { metaStore } from '../../test/helpers/meta-store.ts';

const NETWORK = 'test-anchors';
const quiet = { info: () => undefined, warn: () => undefined };
const id = (n: number) => n.toString(16).padStart(64, '0');
const SELF = id(1);
const NOW_MS = 1_800_000_000_000;


function lcg(seed: number) {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

/** One life of a peer over `store`: nothing linked yet, every dial recorded in order. */
async function life(store: MetaStore, seed: number, links: { id: string; direction: 'in' | 'out'; answered?: boolean }[] = []) {
  const dials: string[] = [];
  const view: MeshView = {
    isLinked: (peerId) => links.some((link) => link.id === peerId),
    isPending: (peerId) => dials.includes(peerId),
    isBanned: () => false,
    linkCount: () => links.length,
    pendingCount: () => dials.length,
    dial: (peerId) => void dials.push(peerId),
  };
  const mesh = createMeshMaintainer({ random: lcg(seed), nowMs: () => NOW_MS }, view);
  const book = createPeerBook({ selfId: SELF, random: lcg(seed) });
  const keeper = await keepPeerBook({ store, verifier: nodeVerifier, clock: { nowMs: () => NOW_MS }, log: quiet, peer: { peers: { book }, node: { peers: () => links }, mesh } }, NETWORK);
  return { dials, mesh, keeper };
}

describe('anchors after a restart', () => {
  const anchors = [id(7), id(8), id(9)];
  const room = Array.from({ length: 40 }, (_, n) => id(100 + n));

  it('dials the last outbound peers first, before the rest of the room', async () => {
    const store = metaStore();
    const before = await life(store, 1, [...anchors.map((peerId) => ({ id: peerId, direction: 'out' as const, answered: true })), { id: id(50), direction: 'in' }]);
    await before.keeper.save();

    for (const seed of [2, 3, 4]) {
      const after = await life(store, seed);
      expect(after.keeper.anchors).toEqual(anchors); // the inbound peer is no anchor
      after.mesh.welcome([...room.slice(0, 20), ...anchors, ...room.slice(20)]);
      expect(after.dials.length).toBeGreaterThan(anchors.length);
      expect(after.dials.slice(0, anchors.length).sort()).toEqual(anchors);
    }
  });

  it('without stored anchors the first dials are drawn from the whole room (contrast)', async () => {
    const firsts = new Set<string>();
    for (const seed of [2, 3, 4]) {
      const fresh = await life(metaStore(), seed);
      expect(fresh.keeper.anchors).toEqual([]);
      fresh.mesh.welcome([...room.slice(0, 20), ...anchors, ...room.slice(20)]);
      for (const peerId of fresh.dials.slice(0, anchors.length)) firsts.add(peerId);
    }
    expect([...firsts].filter((peerId) => !anchors.includes(peerId)).length).toBeGreaterThan(0);
  });
});

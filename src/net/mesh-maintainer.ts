/**
 * Keeps this tab linked to enough peers: it tracks who the relay says is in
 * the room and, on each tick, dials random members until the target degree is
 * reached. Random choice keeps cliques from forming; per-peer backoff keeps a
 * peer that keeps failing from being dialled in a tight loop.
 */
import type { PeerId } from '../core/types.ts';
import { createBackoff } from './backoff.ts';

export interface MeshMaintainerInit {
  /** Links this tab tries to keep. Small networks link fully; the bound protects Chromium's RTCPeerConnection cap. */
  targetLinks: number;
  random?: () => number;
  nowMs?: () => number;
}

export interface MeshView {
  isLinked(peerId: PeerId): boolean;
  isPending(peerId: PeerId): boolean;
  isBanned(peerId: PeerId): boolean;
  linkCount(): number;
  pendingCount(): number;
  dial(peerId: PeerId): void;
}

export function createMeshMaintainer(init: MeshMaintainerInit, view: MeshView) {
  const random = init.random ?? Math.random;
  const nowMs = init.nowMs ?? Date.now;
  const known = new Set<PeerId>();
  const retry = new Map<PeerId, { backoff: ReturnType<typeof createBackoff>; notBeforeMs: number }>();

  function candidates(): PeerId[] {
    const now = nowMs();
    return [...known].filter((id) => !view.isLinked(id) && !view.isPending(id) && !view.isBanned(id) && (retry.get(id)?.notBeforeMs ?? 0) <= now);
  }

  function dialSome(): void {
    let room = init.targetLinks - view.linkCount() - view.pendingCount();
    const pool = candidates();
    while (room > 0 && pool.length > 0) {
      const [peerId] = pool.splice(Math.floor(random() * pool.length), 1);
      const entry = retry.get(peerId!) ?? { backoff: createBackoff({ baseMs: 2_000, maxMs: 60_000, random }), notBeforeMs: 0 };
      entry.notBeforeMs = nowMs() + entry.backoff.nextDelayMs();
      retry.set(peerId!, entry);
      view.dial(peerId!);
      room--;
    }
  }

  return {
    /** The relay's member list on joining: the newcomer dials, members wait. */
    welcome(peers: PeerId[]): void {
      for (const id of peers) known.add(id);
      dialSome();
    },
    joined(peerId: PeerId): void {
      known.add(peerId);
    },
    left(peerId: PeerId): void {
      known.delete(peerId);
      retry.delete(peerId);
    },
    /** A link opened: forget past failures so a later drop is redialled promptly. */
    linked(peerId: PeerId): void {
      retry.get(peerId)?.backoff.reset();
    },
    /** Periodic repair; members call it too, so a newcomer that is full still gets linked. */
    tick(): void {
      dialSome();
    },
    knownPeers(): PeerId[] {
      return [...known];
    },
  };
}

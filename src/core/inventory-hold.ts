/**
 * Transaction announcements that wait before they join a batch (inventory.ts:
 * TX_ANNOUNCE_DELAY_MS on a busy page, SIGNER_NEIGHBOUR_HOLD_MS for a
 * signer's neighbours), per peer (wire ids), with one timer for all of them.
 * What a peer announces to us meanwhile is cancelled (inventory handleInv).
 */
import type { StatName } from './stats.ts';
import type { PeerId } from './types.ts';

export interface AnnouncementHoldComponents {
  count(name: StatName, by?: number): void;
  /** Queues the released wire ids for `peerId`'s next INV; false when the peer is gone. */
  release(peerId: PeerId, wireIds: Set<string>): boolean;
  /** Sends what the release queued (after the current task). */
  flush(): void;
}

export type AnnouncementHold = ReturnType<typeof createAnnouncementHold>;

export function createAnnouncementHold(components: AnnouncementHoldComponents, delayMs: number, counter: 'announcementsDelayed' | 'announcementsHeldForSigner') {
  const held = new Map<PeerId, Set<string>>();
  let running = false;
  const release = () => {
    running = false;
    for (const [peerId, wireIds] of held) if (components.release(peerId, wireIds)) components.count(counter, wireIds.size);
    held.clear();
    components.flush();
  };
  return {
    get running() {
      return running;
    },
    add(peerId: PeerId, wireId: string, after: (delayMs: number, fn: () => void) => void): void {
      let wireIds = held.get(peerId);
      if (!wireIds) held.set(peerId, (wireIds = new Set()));
      wireIds.add(wireId);
      if (running) return;
      running = true;
      after(delayMs, release);
    },
    cancel: (peerId: PeerId, wireId: string): boolean => held.get(peerId)?.delete(wireId) ?? false,
    forget: (peerId: PeerId) => held.delete(peerId),
  };
}

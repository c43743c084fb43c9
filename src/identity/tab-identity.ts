/**
 * Which identity this tab uses (docs/ARCHITECTURE.md, "Identity").
 *
 * Tabs of one origin share IndexedDB and localStorage but not sessionStorage,
 * so sessionStorage holds this tab's pointer (its peer id), and a reload finds
 * it again. Duplicating a tab copies sessionStorage, so two tabs could point at
 * one identity; a Web Lock named after the identity, held for the tab's life,
 * detects that, and the newcomer takes a fresh identity.
 */
import type { PeerId } from '../core/types.ts';

/** How long to wait for the lock: on reload the old page may still be unloading. */
const LOCK_WAIT_MS = 1_500;

export interface IdentityClaim {
  /** The peer id this tab used before (reload), if it may keep it. */
  previousId?: PeerId;
  /** True when another open tab holds the identity sessionStorage pointed at. */
  clashed: boolean;
}

const pointerKey = (network: string) => `tabmesh:identity:${network}`;
const lockName = (network: string, peerId: PeerId) => `tabmesh:identity-lock:${network}:${peerId}`;

/** Holds the identity's lock until the tab closes; resolves false if another tab holds it. */
export async function lockIdentity(network: string, peerId: PeerId, waitMs = LOCK_WAIT_MS): Promise<boolean> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return true; // no Web Locks (very old browser): duplicates go undetected, documented in SECURITY.md
  return new Promise<boolean>((resolve, reject) => {
    const hold = (lock: Lock | null) => {
      resolve(lock !== null);
      // Held until the page goes away; a null lock (ifAvailable and taken) is released at once.
      return lock ? new Promise<void>(() => {}) : undefined;
    };
    const options: LockOptions = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
    locks.request(lockName(network, peerId), options, hold).catch((error: unknown) => {
      if (error instanceof DOMException && (error.name === 'AbortError' || error.name === 'TimeoutError')) resolve(false);
      else reject(error);
    });
  });
}

/** Reads this tab's pointer and claims it, or reports a clash with a duplicated tab. */
export async function claimPreviousIdentity(network: string): Promise<IdentityClaim> {
  const previousId = globalThis.sessionStorage?.getItem(pointerKey(network)) ?? undefined;
  if (!previousId) return { clashed: false };
  if (await lockIdentity(network, previousId)) return { previousId, clashed: false };
  return { clashed: true };
}

export function rememberIdentity(network: string, peerId: PeerId): void {
  globalThis.sessionStorage?.setItem(pointerKey(network), peerId);
}

/**
 * Which account this tab uses (docs/ARCHITECTURE.md, "Identity").
 *
 * Tabs of one origin share IndexedDB and localStorage but not sessionStorage,
 * so sessionStorage holds this tab's pointer (its account id), and a reload
 * finds it again. Duplicating a tab copies sessionStorage, so two tabs could
 * point at one account; a Web Lock named after the account, held for the
 * tab's life, detects that, and the newcomer takes another account. The same
 * locks say which accounts other tabs hold (a new tab skips those, and an
 * account held by a tab cannot be deleted).
 */
import type { PeerId } from '../core/types.ts';

/** How long to wait for the lock: on reload the old page may still be unloading. */
const LOCK_WAIT_MS = 1_500;

/** An account's lock, held by this tab until released or the page goes. */
export interface AccountLock {
  release(): void;
}

export interface IdentityClaim {
  /** The account this tab used before (reload or switch), if it may keep it; its lock is held. */
  previous?: { id: PeerId; lock: AccountLock };
  /** True when another open tab holds the account sessionStorage pointed at. */
  clashed: boolean;
}

const pointerKey = (network: string) => `tabmesh:identity:${network}`;
const LOCK_PREFIX = 'tabmesh:identity-lock:';
const lockName = (network: string, peerId: PeerId) => `${LOCK_PREFIX}${network}:${peerId}`;

/**
 * Takes the account's lock; undefined if another tab holds it (after waiting
 * up to `waitMs`; 0 asks only if it is free now). Held until released or the
 * page goes away.
 */
export async function lockIdentity(network: string, peerId: PeerId, waitMs = LOCK_WAIT_MS): Promise<AccountLock | undefined> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return { release: () => undefined }; // no Web Locks (very old browser): duplicates go undetected, documented in SECURITY.md
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  return new Promise<AccountLock | undefined>((resolve, reject) => {
    const hold = (lock: Lock | null) => {
      resolve(lock ? { release } : undefined);
      // Held until released; a null lock (ifAvailable and taken) is released at once.
      return lock ? held : undefined;
    };
    const options: LockOptions = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
    locks.request(lockName(network, peerId), options, hold).catch((error: unknown) => {
      if (error instanceof DOMException && (error.name === 'AbortError' || error.name === 'TimeoutError')) resolve(undefined);
      else reject(error);
    });
  });
}

/** The accounts of `network` some tab of this origin holds now (this one included). */
export async function heldAccounts(network: string): Promise<Set<PeerId>> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return new Set();
  const prefix = lockName(network, '');
  const { held = [] } = await locks.query();
  return new Set(held.flatMap((lock) => (lock.name?.startsWith(prefix) ? [lock.name.slice(prefix.length)] : [])));
}

/** Reads this tab's pointer and claims it, or reports a clash with a duplicated tab. */
export async function claimPreviousIdentity(network: string): Promise<IdentityClaim> {
  const previousId = globalThis.sessionStorage?.getItem(pointerKey(network)) ?? undefined;
  if (!previousId) return { clashed: false };
  const lock = await lockIdentity(network, previousId);
  return lock ? { previous: { id: previousId, lock }, clashed: false } : { clashed: true };
}

/** Points this tab at `peerId`: the next load (a reload, or a switch) opens it. */
export function rememberIdentity(network: string, peerId: PeerId): void {
  globalThis.sessionStorage?.setItem(pointerKey(network), peerId);
}

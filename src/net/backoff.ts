/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter"): spreads reconnects so a restarted relay is not hit by
 * every tab in the same millisecond.
 */
export interface BackoffInit {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

export function createBackoff(init: BackoffInit = {}) {
  const baseMs = init.baseMs ?? 500;
  const maxMs = init.maxMs ?? 15_000;
  const random = init.random ?? Math.random;
  let attempt = 0;
  return {
    /** The delay before the next attempt; grows with each call until reset(). */
    nextDelayMs(): number {
      const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
      attempt++;
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
    },
    reset(): void {
      attempt = 0;
    },
  };
}

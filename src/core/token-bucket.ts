/**
 * Token bucket for message rates (relay sockets, peer links, mesh signals).
 * The clock is injected so the bucket is tested without waiting; the relay passes `performance.now`, which
 * is monotonic (a wall-clock jump must not refill or freeze a bucket).
 */

export interface RateLimit {
  /** Messages a socket may send back to back after being idle. */
  burst: number;
  /** Sustained messages per second once the burst is spent. */
  perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly nowMs: () => number,
  ) {
    this.tokens = limit.burst;
    this.lastMs = nowMs();
  }

  /** Takes one token; false means the message is over the limit. */
  take(): boolean {
    const now = this.nowMs();
    const elapsedMs = Math.max(0, now - this.lastMs);
    this.lastMs = now;
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsedMs * this.limit.perSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

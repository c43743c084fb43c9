/**
 * Token buckets for message rates: one bucket (relay sockets, peer links) and
 * one bucket per key (the peers and trace modules' per-link limits), sharing
 * one refill rule. The clock is injected so buckets are tested without
 * waiting, and the core stays pure; the relay passes `performance.now`, which
 * is monotonic (a wall-clock jump must not refill or freeze a bucket).
 */
import { InvalidArgumentError } from './result.ts';

export interface RateLimit {
  /** Messages a socket may send back to back after being idle. */
  burst: number;
  /** Sustained messages per second once the burst is spent. */
  perSecond: number;
}

/** Tokens after `elapsedMs` of refilling at `perSecond`, never above `burst` (time going backwards adds none). */
function refilled(tokens: number, elapsedMs: number, perSecond: number, burst: number): number {
  return Math.min(burst, tokens + (Math.max(0, elapsedMs) * perSecond) / 1000);
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
    this.tokens = refilled(this.tokens, now - this.lastMs, this.limit.perSecond, this.limit.burst);
    this.lastMs = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * A token bucket per key (a peer id), with the time passed to each call. Used
 * for the per-link limits of docs/SECURITY.md: what a peer may send us
 * (exceeding it is misbehaviour) and, with a lower rate, what we send a peer,
 * so an honest forwarder never trips its neighbour's limit.
 */
export interface TokenBucketInit {
  /** Tokens added per second. */
  ratePerSec: number;
  /** Bucket size: the burst allowed after a quiet spell. */
  burst: number;
}

export class TokenBuckets<K> {
  private readonly buckets = new Map<K, { tokens: number; atMs: number }>();

  constructor(private readonly init: TokenBucketInit) {
    if (!(init.ratePerSec > 0) || !(init.burst >= 1)) throw new InvalidArgumentError(`token bucket needs ratePerSec > 0 and burst >= 1, got ${init.ratePerSec}/${init.burst}`);
  }

  /** Takes `cost` tokens for `key` at `nowMs`; false (and nothing taken) when there are not enough. */
  take(key: K, nowMs: number, cost = 1): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.init.burst, atMs: nowMs };
    bucket.tokens = refilled(bucket.tokens, nowMs - bucket.atMs, this.init.ratePerSec, this.init.burst);
    bucket.atMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  /** Tokens `key` has at `nowMs` (without taking any). */
  available(key: K, nowMs: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.init.burst;
    return refilled(bucket.tokens, nowMs - bucket.atMs, this.init.ratePerSec, this.init.burst);
  }

  /** Forgets `key` (a link closed), so the map stays bounded by the open links. */
  delete(key: K): void {
    this.buckets.delete(key);
  }
}

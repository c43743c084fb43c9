/**
 * A token bucket per key, on the injected clock (pure: no timers). Used for
 * the per-link rate limits of docs/SECURITY.md: what a peer may send us
 * (exceeding it is misbehaviour) and, with a lower rate, what we send a peer,
 * so an honest forwarder never trips its neighbour's limit.
 */
import { InvalidArgumentError } from '../result.ts';

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
    const elapsedMs = Math.max(0, nowMs - bucket.atMs);
    bucket.tokens = Math.min(this.init.burst, bucket.tokens + (elapsedMs * this.init.ratePerSec) / 1000);
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
    return Math.min(this.init.burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) * this.init.ratePerSec) / 1000);
  }

  /** Forgets `key` (a link closed), so the map stays bounded by the open links. */
  delete(key: K): void {
    this.buckets.delete(key);
  }
}

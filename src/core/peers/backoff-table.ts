/**
 * Per-peer exponential backoff with jitter, pure (net/backoff.ts's rule on an
 * injected clock and random): the n-th consecutive attempt waits a delay drawn
 * uniformly from [c/2, c] with c = min(maxMs, baseMs * 2^n) ("Exponential
 * Backoff And Jitter", AWS architecture blog). Half the ceiling is kept as a
 * floor so a failing peer is never redialled in a tight loop.
 */
import { InvalidArgumentError } from '../result.ts';
import type { PeerId } from '../types.ts';

export interface BackoffTableInit {
  /** First delay ceiling. 2 s: a WebRTC set-up on one machine takes ~0.1–1 s, so a retry sooner is noise. */
  baseMs?: number;
  /** Largest delay. 60 s: a peer that went away is retried about once a minute, until its record expires. */
  maxMs?: number;
  /** Entries kept; the oldest are forgotten beyond it (a forgotten peer starts again from baseMs). */
  capacity?: number;
  random: () => number;
}

interface Entry {
  attempts: number;
  notBeforeMs: number;
}

export class BackoffTable {
  private readonly entries = new Map<PeerId, Entry>();
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly capacity: number;

  constructor(private readonly init: BackoffTableInit) {
    this.baseMs = init.baseMs ?? 2_000;
    this.maxMs = init.maxMs ?? 60_000;
    this.capacity = init.capacity ?? 2_000;
    if (!(this.baseMs > 0) || this.maxMs < this.baseMs) throw new InvalidArgumentError(`backoff needs 0 < baseMs <= maxMs, got ${this.baseMs}/${this.maxMs}`);
  }

  /** Records an attempt at `nowMs`; returns the delay before the next one may start. */
  attempt(peerId: PeerId, nowMs: number): number {
    const entry = this.entries.get(peerId) ?? { attempts: 0, notBeforeMs: 0 };
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(entry.attempts, 30));
    const delayMs = Math.round(ceiling / 2 + (this.init.random() * ceiling) / 2);
    entry.attempts++;
    entry.notBeforeMs = nowMs + delayMs;
    this.entries.delete(peerId); // re-insert: Map order is recency, oldest evicted first
    this.entries.set(peerId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as PeerId);
    return delayMs;
  }

  /** A link opened: the next drop is retried promptly. */
  reset(peerId: PeerId): void {
    this.entries.delete(peerId);
  }

  /** True when `peerId` may be tried at `nowMs`. */
  ready(peerId: PeerId, nowMs: number): boolean {
    return (this.entries.get(peerId)?.notBeforeMs ?? 0) <= nowMs;
  }

  /** When the next attempt may start (0: now). */
  notBeforeMs(peerId: PeerId): number {
    return this.entries.get(peerId)?.notBeforeMs ?? 0;
  }

  /** Consecutive attempts since the last reset. */
  attempts(peerId: PeerId): number {
    return this.entries.get(peerId)?.attempts ?? 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The node's state for one link: HELLO and keepalive bookkeeping, traffic
 * counters, the inbound rate limit, in-order frame handling, and an outbox.
 * Frames queued during one task leave together after it, packed into as few
 * messages as fit (frame-bundle.ts); the outbox also holds them while the
 * data channel's buffer is full (backpressure).
 */
import { packFrames } from './frame-bundle.ts';
import type { LinkDirection, PeerLink } from './link.ts';
import { TokenBucket, type RateLimit } from './token-bucket.ts';
import type { Clock, PeerId } from './types.ts';

/** Above this many queued bytes on a link, frames wait in the outbox. */
const HIGH_WATER_BYTES = 1024 * 1024;
/** A peer whose outbox grows past this is too slow to keep up; the link is closed. */
const MAX_OUTBOX_FRAMES = 4_000;

export interface PeerInfo {
  id: PeerId;
  direction: LinkDirection;
  rttMs?: number;
  connectedAtMs: number;
  bytesIn: number;
  bytesOut: number;
  /** The link's network group (PeerLink.remoteGroup), when known. */
  group?: string;
  /** True while the peer leaves a request of ours unanswered past the delivery timeout (inventory.ts). */
  stalled?: boolean;
  /**
   * The peer has answered a headers request of ours (each link is asked as it opens, chain-sync.ts): it serves
   * us. Only such links vouch for candidates (net/mesh-origins.ts), and only outbound ones are kept as anchors.
   */
  answered?: boolean;
  /** What HELLO negotiated (protocol-version.ts), once it has: the session's version and the peer's range and features. */
  protocol?: SessionProtocol;
}

/** A session's protocol: the version both speak, and what the peer advertised. */
export interface SessionProtocol {
  version: number;
  peerMin: number;
  peerMax: number;
  peerFeatures: number;
}

export class PeerSession {
  readonly openedAtMs: number;
  helloReceived = false;
  /** Set by HELLO: the version this session speaks and what the peer offers. */
  protocol?: SessionProtocol;
  /**
   * Set when this side said GOODBYE: the close waits for the node's next tick, so the GOODBYE leaves
   * first (a WebRTC link's close drops what is still queued). Meanwhile only a GOODBYE is handled.
   */
  leaving?: string;
  lastHeardMs: number;
  rttMs?: number;
  pingNonce?: number;
  pingSentMs?: number;
  bytesIn = 0;
  bytesOut = 0;
  readonly rate: TokenBucket;
  private queue: Promise<void> = Promise.resolve();
  /** Frames queued since the last flush, not yet packed. */
  private pending: Uint8Array[] = [];
  private flushScheduled = false;
  /** Packed messages waiting for room in the data channel's buffer. */
  private readonly outbox: Uint8Array[] = [];

  constructor(
    readonly link: PeerLink,
    clock: Clock,
    rateLimit: RateLimit,
    /** Told about every message that left, for the node's totals. */
    private readonly onSent: (bytes: number) => void,
    /** Runs the flush after the current task (the node's scheduler). */
    private readonly defer: (fn: () => void) => void,
  ) {
    this.openedAtMs = clock.nowMs();
    this.lastHeardMs = this.openedAtMs;
    this.rate = new TokenBucket(rateLimit, () => clock.nowMs());
  }

  get peerId(): PeerId {
    return this.link.peerId;
  }

  /** Queues a frame to leave after the current task; false when the peer is too slow and was closed. */
  send(bytes: Uint8Array): boolean {
    if (this.outbox.length + this.pending.length >= MAX_OUTBOX_FRAMES) {
      this.link.close(`too slow: ${MAX_OUTBOX_FRAMES} frames waiting`);
      return false;
    }
    this.pending.push(bytes);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.defer(() => this.flush());
    }
    return true;
  }

  /** Packs the frames queued so far and sends what the link can take now. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    this.outbox.push(...packFrames(this.pending));
    this.pending = [];
    this.drain();
  }

  /** Sends waiting messages until the link's buffer is above the high-water mark again. */
  drain(): void {
    while (this.outbox.length > 0 && this.link.bufferedAmount() < HIGH_WATER_BYTES) {
      const bytes = this.outbox.shift()!;
      if (!this.link.send(bytes)) return;
      this.bytesOut += bytes.length;
      this.onSent(bytes.length);
    }
  }

  /** Runs `task` after the frames before it: one link's frames are handled in arrival order. */
  enqueue(task: () => Promise<void> | void, onError: (error: unknown) => void): void {
    this.queue = this.queue.then(task).catch(onError);
  }

  info(): PeerInfo {
    return {
      id: this.link.peerId, direction: this.link.direction, rttMs: this.rttMs,
      connectedAtMs: this.openedAtMs, bytesIn: this.bytesIn, bytesOut: this.bytesOut,
      ...(this.link.remoteGroup !== undefined ? { group: this.link.remoteGroup } : {}),
      ...(this.protocol ? { protocol: { ...this.protocol } } : {}),
    };
  }
}

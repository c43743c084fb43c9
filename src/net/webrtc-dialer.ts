/**
 * Sets up WebRTC links from signed signaling (docs/PROTOCOL.md, "Link set-up").
 *
 * - Every outgoing signal is sealed (signed) by this tab; every incoming one
 *   is parsed, checked for sender, recipient and age, and its signature is
 *   verified by the worker pool before simple-peer sees it. A relay that
 *   rewrites an SDP (and so the DTLS fingerprint) fails that check and the
 *   connection is refused with a logged reason.
 * - Who dials: a tab that joins dials the members it is told about; members
 *   wait for it. If both sides still offer at once (glare), the offer from
 *   the lower peer id wins, on both sides, so exactly one connection survives.
 */
import type { Instance as SimplePeerInstance, Options as SimplePeerOptions } from 'simple-peer';
import type { LinkDirection, PeerLink } from '../core/link.ts';
import { checkSignalContext, openSignal, sealSignal, signalVerifyItem } from '../core/signal-envelope.ts';
import type { Clock, Logger, PeerId, Signer, Verifier } from '../core/types.ts';
import { ownOfferWinsGlare, parseSignalPayload } from './signal-payload.ts';
import { createSimplePeerLink } from './simple-peer-link.ts';

export interface DialerComponents {
  signer: Signer;
  verifier: Verifier;
  clock: Clock;
  log: Logger;
  /** Creates a simple-peer instance (browser bundle, or npm entry with wrtc in Node). */
  createPeer(options: SimplePeerOptions): SimplePeerInstance;
  /** Sends a sealed envelope (hex) toward `to`; false when there is no route. */
  sendSignal(to: PeerId, envelopeHex: string): boolean;
  /** Receives each link once its data channel is open. */
  onLink(link: PeerLink): void;
  /** Called when a signal is refused, with the reason, for stats and the page. */
  onRefused(peerId: PeerId, reason: string): void;
  /** Our offer reached nobody, or no signal came back before answerTimeoutMs (ConnectorHooks.onUnanswered). */
  onUnanswered?(peerId: PeerId): void;
}

export interface DialerInit {
  network: string;
  /** ICE servers; empty by default because tabs on one machine need none. Deployments add STUN/TURN. */
  iceServers?: RTCIceServer[];
  /** 'relay' gathers only TURN candidates (for testing a TURN deployment); default 'all'. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** A connection that has not opened by then is abandoned. */
  connectTimeoutMs?: number;
  /**
   * Our offer with no signal back by then is abandoned (default 6 s), long before connectTimeoutMs: the
   * peer is gone, or a silent Sybil holding a dial slot. Answers came in 0.1-1.5 s here, relayed or
   * through the mesh; ICE after an answer keeps the full connectTimeoutMs (TURN can take seconds).
   */
  answerTimeoutMs?: number;
}

interface Pending {
  peer: SimplePeerInstance;
  initiator: boolean;
  timer: ReturnType<typeof setTimeout>;
  /** Our offer's wait for a first signal back (initiators only); cleared when one arrives. */
  answerTimer?: ReturnType<typeof setTimeout>;
}

export type WebrtcDialer = ReturnType<typeof createWebrtcDialer>;

export function createWebrtcDialer(components: DialerComponents, init: DialerInit) {
  const { signer, verifier, clock, log } = components;
  const selfId = signer.peerId;
  const pending = new Map<PeerId, Pending>();
  /** Incoming signals are processed in order per peer: candidates must follow their offer. */
  const queues = new Map<PeerId, Promise<void>>();

  function abandon(peerId: PeerId, reason: string): void {
    const entry = pending.get(peerId);
    if (!entry) return;
    pending.delete(peerId);
    clearTimeout(entry.timer);
    clearTimeout(entry.answerTimer);
    entry.peer.destroy();
    log.info('connection attempt abandoned', { peerId, reason });
  }

  /** Gives up our offer that nobody answered, and says so: the peer may have left for good. */
  function unanswered(peerId: PeerId, entry: Pending, reason: string): void {
    if (pending.get(peerId) !== entry) return;
    abandon(peerId, reason);
    components.onUnanswered?.(peerId);
  }

  function start(peerId: PeerId, initiator: boolean): SimplePeerInstance {
    abandon(peerId, 'superseded');
    const peer = components.createPeer({ initiator, trickle: true, config: { iceServers: init.iceServers ?? [], iceTransportPolicy: init.iceTransportPolicy ?? 'all' } });
    const timer = setTimeout(() => abandon(peerId, 'timed out'), init.connectTimeoutMs ?? 20_000);
    const entry: Pending = { peer, initiator, timer };
    if (initiator) entry.answerTimer = setTimeout(() => unanswered(peerId, entry, 'no answer'), init.answerTimeoutMs ?? 6_000);
    pending.set(peerId, entry);
    peer.on('signal', (data: unknown) => {
      const isOffer = (data as { type?: unknown } | null)?.type === 'offer';
      void sealSignal(init.network, signer, peerId, JSON.stringify(data), clock.nowMs())
        .then((hex) => {
          if (components.sendSignal(peerId, hex)) return;
          log.warn('no route for a signal', { peerId });
          // An offer that reached nobody would hold the attempt for connectTimeoutMs, and meanwhile win the
          // glare against the peer's own offer (a lower id), so neither link could form: give it up now.
          if (isOffer) unanswered(peerId, entry, 'no route for the offer');
        })
        .catch((error: unknown) => abandon(peerId, `could not sign a signal: ${String(error)}`));
    });
    peer.on('connect', () => {
      if (pending.get(peerId) !== entry) return;
      pending.delete(peerId);
      clearTimeout(timer);
      clearTimeout(entry.answerTimer);
      const direction: LinkDirection = initiator ? 'out' : 'in';
      components.onLink(createSimplePeerLink(peer, peerId, direction));
    });
    peer.on('error', (error: Error) => {
      if (pending.get(peerId) === entry) abandon(peerId, `error: ${error.message}`);
    });
    return peer;
  }

  async function handleSignal(stampedFrom: PeerId, envelopeHex: string): Promise<void> {
    const refuse = (reason: string) => {
      log.warn('refused a signal', { peerId: stampedFrom, reason });
      abandon(stampedFrom, reason);
      components.onRefused(stampedFrom, reason);
    };
    const opened = openSignal(envelopeHex);
    if (!opened.ok) return refuse(`malformed envelope: ${opened.detail}`);
    const checked = checkSignalContext(opened.value, { stampedFrom, self: selfId, nowMs: clock.nowMs() });
    if (!checked.ok) return refuse(checked.detail);
    const [valid] = await verifier.verify([signalVerifyItem(init.network, checked.value)]);
    if (!valid) return refuse('signature does not verify: the signal was forged or rewritten in transit (SDP tampering)');
    const payload = parseSignalPayload(checked.value.payload);
    if (!payload.ok) return refuse(`bad payload: ${payload.detail}`);
    const existing = pending.get(stampedFrom);
    if (payload.value.type === 'offer') {
      if (existing?.initiator && ownOfferWinsGlare(selfId, stampedFrom)) return;
      start(stampedFrom, false).signal(payload.value.data as never);
      return;
    }
    if (!existing) return; // a late candidate for an attempt already finished or abandoned
    clearTimeout(existing.answerTimer); // the peer is there: ICE has the rest of connectTimeoutMs
    existing.peer.signal(payload.value.data as never);
  }

  return {
    /** Opens a connection to `peerId` unless one is already being set up. */
    dial(peerId: PeerId): void {
      if (peerId === selfId || pending.has(peerId)) return;
      start(peerId, true);
    },
    isPending(peerId: PeerId): boolean {
      return pending.has(peerId);
    },
    pendingCount(): number {
      return pending.size;
    },
    /** Takes a sealed envelope that arrived from `from` (as stamped by the relay). */
    receiveSignal(from: PeerId, envelopeHex: string): void {
      const previous = queues.get(from) ?? Promise.resolve();
      const next = previous.then(() => handleSignal(from, envelopeHex)).catch((error: unknown) => {
        log.warn('signal handling failed', { peerId: from, error: String(error) });
        abandon(from, 'signal handling failed');
      });
      queues.set(from, next);
      void next.then(() => { if (queues.get(from) === next) queues.delete(from); });
    },
    close(): void {
      for (const peerId of [...pending.keys()]) abandon(peerId, 'shutting down');
    },
  };
}

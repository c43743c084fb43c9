/**
 * Signaling through the mesh (docs/PROTOCOL.md, "Signaling through the
 * mesh"; issue 4 §2): a tab dials a peer it is not linked to by sending its
 * sealed signaling envelopes (signal-envelope.ts) through common neighbours,
 * so the relay is needed only to bootstrap.
 *
 * Routing, at the origin and at each forwarder, toward `to`:
 *   1. linked to `to`: send it there;
 *   2. else the neighbour a signal *from* `to` last came through (a reverse
 *      route, so answers and ICE candidates retrace the offer's path);
 *   3. else neighbours that the peer records place within reach of `to`
 *      (breadth-first over the records' neighbour lists), nearest first;
 *   4. else, with hops to spare, random neighbours (a bounded flood).
 * At most 2 next hops; `hops` (≤ 3) counts the links a signal may still cross.
 *
 * Every hop verifies the envelope's signature before forwarding (through the
 * batched Verifier), so a forged signal is blamed on the link it came from
 * and the mesh is never an amplifier for forgeries. Duplicates are dropped by
 * envelope hash; each link's inbound signals are rate-limited.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { BoundedSet } from '../bounded-set.ts';
import { fromHex, toHex } from '../bytes.ts';
import type { ProtocolContext } from '../protocol-context.ts';
import { SIGNAL_MAX_AGE_MS, openSignal, signalVerifyItem, type SignalEnvelope } from '../signal-envelope.ts';
import type { PeerId, Verifier } from '../types.ts';
import type { PeerBook } from './peer-book.ts';
import { MAX_MESH_SIGNAL_PAYLOAD, MAX_SIGNAL_HOPS, MESH_SIGNAL, encodeMeshSignal } from './peers-frames.ts';
import type { PeersStats } from './peers-stats.ts';
import { TokenBuckets } from '../token-bucket.ts';

export interface MeshSignalDeps {
  context: ProtocolContext;
  network: string;
  selfId: PeerId;
  verifier: Verifier;
  random: () => number;
  book: PeerBook;
  stats: PeersStats;
  /** A verified signal addressed to us; the app hands it to dialer.receiveSignal(from, envelopeHex). */
  onSignal(from: PeerId, envelopeHex: string): void;
}

/**
 * MESH_SIGNAL frames a link may carry to us: 20 a second, bursts of 50
 * (issue 4's example). One link set-up is an offer or answer plus ~5–10
 * trickled candidates each way, so a burst of 50 covers several concurrent
 * set-ups through one neighbour. We send at most 15 a second (bursts of 40)
 * per link, so our forwards never trip a neighbour's limit.
 */
export const MESH_SIGNALS_IN = { ratePerSec: 20, burst: 50 };
export const MESH_SIGNALS_OUT = { ratePerSec: 15, burst: 40 };
/** Next hops per signal: 2 survives one stale neighbour list at twice the cost. */
export const MAX_SIGNAL_FANOUT = 2;
/** Envelope hashes remembered: ~30 s of signals at the full inbound rate of 6 links. */
const SEEN_SIGNALS = 4_096;
/** Reverse routes kept; one per origin, for as long as its envelopes stay fresh. */
const MAX_REVERSE_ROUTES = 1_024;

export function createMeshSignal(deps: MeshSignalDeps) {
  const { context, network, selfId, verifier, random, book, stats } = deps;
  const seen = new BoundedSet<string>(SEEN_SIGNALS);
  const reverse = new Map<PeerId, { via: PeerId; atMs: number }>();
  const signalsIn = new TokenBuckets<PeerId>(MESH_SIGNALS_IN);
  const signalsOut = new TokenBuckets<PeerId>(MESH_SIGNALS_OUT);

  const hashOf = (bytes: Uint8Array) => toHex(sha256(bytes));
  /** Hop distances from us over our links and the records' graph, up to MAX_SIGNAL_HOPS; recomputed at most once per clock ms. */
  let fromSelf: { atMs: number; distance: Map<PeerId, number> } | undefined;

  /** Breadth-first over the records' graph: peers in `frontier` are at `depth - 1`; fills `distance` up to `maxDepth`. */
  function expand(distance: Map<PeerId, number>, frontier: PeerId[], depth: number, maxDepth: number): Map<PeerId, number> {
    for (; depth <= maxDepth && frontier.length > 0; depth++) {
      const next: PeerId[] = [];
      for (const peerId of frontier) {
        for (const neighbour of book.neighboursOf(peerId)) {
          if (distance.has(neighbour)) continue;
          distance.set(neighbour, depth);
          next.push(neighbour);
        }
      }
      frontier = next;
    }
    return distance;
  }

  function distancesFromSelf(nowMs: number): Map<PeerId, number> {
    if (fromSelf?.atMs === nowMs) return fromSelf.distance;
    const distance = new Map<PeerId, number>([[selfId, 0]]);
    const linked = context.openPeers();
    for (const peerId of linked) distance.set(peerId, 1);
    fromSelf = { atMs: nowMs, distance: expand(distance, linked, 2, MAX_SIGNAL_HOPS) };
    return distance;
  }

  function learnRoute(origin: PeerId, via: PeerId, nowMs: number): void {
    reverse.delete(origin);
    reverse.set(origin, { via, atMs: nowMs });
    if (reverse.size > MAX_REVERSE_ROUTES) reverse.delete(reverse.keys().next().value as PeerId);
  }

  /** Hop distances to `to` over the records' graph, up to `maxDepth` (≤ 2: at most 1 + 16 + 256 peers visited). */
  function distancesTo(to: PeerId, maxDepth: number): Map<PeerId, number> {
    return expand(new Map([[to, 0]]), [to], 1, maxDepth);
  }

  /** Up to MAX_SIGNAL_FANOUT neighbours to send a signal for `to` that may cross `hops` more links. */
  function nextHops(to: PeerId, hops: number, exclude: ReadonlySet<PeerId>, nowMs: number): PeerId[] {
    const open = context.openPeers().filter((peerId) => !exclude.has(peerId));
    if (open.includes(to)) return [to];
    const picks: PeerId[] = [];
    const route = reverse.get(to);
    if (route && nowMs - route.atMs <= SIGNAL_MAX_AGE_MS && open.includes(route.via)) picks.push(route.via);
    if (hops >= 2) {
      const distance = distancesTo(to, hops - 1);
      const reachable = open.filter((peerId) => !picks.includes(peerId) && distance.has(peerId))
        .map((peerId) => ({ peerId, rank: distance.get(peerId)! + random() }))
        .sort((a, b) => a.rank - b.rank);
      for (const { peerId } of reachable) if (picks.length < MAX_SIGNAL_FANOUT) picks.push(peerId);
      if (picks.length === 0) {
        // Nothing known about `to`: a bounded flood through random neighbours.
        const shuffled = open.map((peerId) => ({ peerId, rank: random() })).sort((a, b) => a.rank - b.rank);
        for (const { peerId } of shuffled.slice(0, MAX_SIGNAL_FANOUT)) picks.push(peerId);
      }
    }
    return picks;
  }

  function sendTo(targets: PeerId[], hops: number, envelope: Uint8Array, nowMs: number): number {
    let sent = 0;
    const payload = encodeMeshSignal(hops, envelope);
    for (const target of targets) {
      if (!signalsOut.take(target, nowMs)) {
        stats.meshSignalsShaped++;
        continue;
      }
      if (context.sendModuleFrame(target, MESH_SIGNAL, payload)) sent++;
    }
    return sent;
  }

  return {
    /** Links between us and `to` as our links and the records say; undefined beyond MAX_SIGNAL_HOPS or unknown. */
    distance(to: PeerId): number | undefined {
      return distancesFromSelf(context.clock.nowMs()).get(to);
    },

    /** True when a signal for `to` has somewhere better than a blind flood to go. */
    canRoute(to: PeerId): boolean {
      const nowMs = context.clock.nowMs();
      const route = reverse.get(to);
      if (route && nowMs - route.atMs <= SIGNAL_MAX_AGE_MS && context.openPeers().includes(route.via)) return true;
      return distancesFromSelf(nowMs).has(to);
    },

    /** Sends our own sealed envelope (hex) toward `to`; false when it went nowhere. */
    send(to: PeerId, envelopeHex: string): boolean {
      const bytes = fromHex(envelopeHex);
      const opened = openSignal(envelopeHex);
      if (!bytes || !opened.ok || opened.value.from !== selfId || opened.value.to !== to || bytes.length + 1 > MAX_MESH_SIGNAL_PAYLOAD) return false;
      const nowMs = context.clock.nowMs();
      seen.add(hashOf(bytes));
      const sent = sendTo(nextHops(to, MAX_SIGNAL_HOPS, new Set(), nowMs), MAX_SIGNAL_HOPS, bytes, nowMs);
      if (sent > 0) stats.meshSignalsSent++;
      else stats.meshSignalsNoRoute++;
      return sent > 0;
    },

    async handle(from: PeerId, hops: number, envelope: SignalEnvelope, envelopeBytes: Uint8Array, envelopeHex: string): Promise<void> {
      const nowMs = context.clock.nowMs();
      if (!signalsIn.take(from, nowMs)) {
        stats.rateLimitViolations++;
        return context.punish(from, `MESH_SIGNAL above ${MESH_SIGNALS_IN.ratePerSec}/s (burst ${MESH_SIGNALS_IN.burst})`);
      }
      const hash = hashOf(envelopeBytes);
      if (seen.has(hash) || envelope.from === selfId) {
        stats.meshSignalsDuplicate++;
        return;
      }
      seen.add(hash);
      if (Math.abs(nowMs - envelope.sentAtMs) > SIGNAL_MAX_AGE_MS) {
        stats.meshSignalsExpired++;
        return;
      }
      const [valid] = await verifier.verify([signalVerifyItem(network, envelope)]);
      if (!valid) {
        stats.meshSignalsRejected++;
        return context.punish(from, 'a mesh signal does not verify');
      }
      const atMs = context.clock.nowMs();
      learnRoute(envelope.from, from, atMs);
      if (envelope.to === selfId) {
        stats.meshSignalsDelivered++;
        deps.onSignal(envelope.from, envelopeHex);
        return;
      }
      if (hops <= 1) {
        stats.meshSignalsHopLimit++;
        return;
      }
      const targets = nextHops(envelope.to, hops - 1, new Set([from, envelope.from]), atMs);
      if (sendTo(targets, hops - 1, envelopeBytes, atMs) > 0) stats.meshSignalsForwarded++;
      else stats.meshSignalsNoRoute++;
    },

    onPeerClose(peerId: PeerId): void {
      signalsIn.delete(peerId);
      signalsOut.delete(peerId);
    },
  };
}

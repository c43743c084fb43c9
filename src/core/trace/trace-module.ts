/**
 * The transaction trace (issue 6 §2; docs/PROTOCOL.md, "Transaction trace"):
 * a diagnostic that asks the reachable network when each tab first had a
 * transaction and from which neighbour, so the page can draw the wave.
 *
 *   const trace = createTraceModule({ signer, verifier, random }, { network });
 *   createFullNode({ ..., modules: [peers.factory, trace.factory] }, init);
 *   node.events.on('tx', (_tx, id, source) => trace.noteSeen(id, source));
 *   const started = await trace.start(txId);   // reports arrive through onReport
 *
 * A signed TRACE_REQUEST floods out to `hops` links, deduplicated by nonce;
 * each tab that has announced the transaction answers once with a
 * TRACE_REPORT to the link the request came from, and every forwarder passes
 * reports back the same way, so they retrace the request's path. A tab that
 * never announced the transaction stays silent: it reveals nothing it did not
 * gossip. Requests are rate-limited per link (punished above the limit) and
 * per origin (dropped); all state is bounded and expires.
 */
import { BoundedSet } from '../bounded-set.ts';
import { isHexOfLength, toHex } from '../bytes.ts';
import type { ProtocolContext } from '../protocol-context.ts';
import type { ProtocolModule, ProtocolModuleFactory } from '../protocol-module.ts';
import { Feature } from '../protocol-version.ts';
import { InvalidArgumentError } from '../result.ts';
import { TokenBuckets } from '../token-bucket.ts';
import type { PeerId, Signer, TxId, Verifier } from '../types.ts';
import {
  MAX_TRACE_HOPS, TRACE_FRAME_SPECS, TRACE_NONCE_BYTES, TRACE_REPORT, TRACE_REQUEST,
  decodeTraceFrame, encodeTraceReport, encodeTraceRequest, signTraceRequest, traceRequestVerifyItem,
  type TraceMessage, type TraceReport, type TraceRequest,
} from './trace-frames.ts';
import { FirstSeenLog, PendingTraces, createTraceStats, type PendingTrace, type ReceivedTraceReport } from './trace-state.ts';

export type { ReceivedTraceReport } from './trace-state.ts';

/**
 * Requests a link may send us: 5 a second, bursts of 20. Every trace in the
 * network crosses each link at most once each way, so this bounds the whole
 * network's trace rate as one link sees it; the page traces once per 10 s per
 * tab at most, and people click rarely. We forward at most 4 a second
 * (bursts of 15) per link, so an honest forwarder never trips the limit.
 */
export const TRACE_REQUESTS_IN = { ratePerSec: 5, burst: 20 };
export const TRACE_REQUESTS_OUT = { ratePerSec: 4, burst: 15 };
/**
 * Traces one origin may start: a burst of 4 (a person clicking through a few
 * transactions), then one per 5 s. Others allow a quarter more, so clock
 * jitter between hops never drops an honest origin's request.
 */
export const ORIGIN_TRACES_OWN = { ratePerSec: 0.2, burst: 4 };
export const ORIGIN_TRACES_IN = { ratePerSec: 0.25, burst: 5 };
/** Origins with a bucket; beyond it the least recently seen is forgotten (it starts again with a full burst). */
const MAX_ORIGINS = 1_024;
/** Requests older or newer than this are dropped (the signal envelopes' window): a captured request cannot be replayed later. */
export const TRACE_MAX_AGE_MS = 60_000;
/** How long a tab keeps a trace's reverse path. Reports cross ≤ 6 links of ~100 ms; 15 s covers slow links and busy tabs. */
export const TRACE_STATE_MS = 15_000;
/** Traces in flight per tab: 15 s at the inbound limit of 6 links is ~450. */
const MAX_PENDING_TRACES = 512;
/** Request nonces remembered (with signatures): the same ~450 traces, with room for copies from every link. */
const SEEN_REQUESTS = 4_096;
/**
 * Reports one trace may bring back. 256 tabs is a larger network than any
 * page draws; each forwarder passes at most this many, so a link sending more
 * for one trace is misbehaving.
 */
export const MAX_REPORTS_PER_TRACE = 256;

export interface TraceComponents {
  signer: Signer;
  /** Checks request signatures (the worker pool in a tab). */
  verifier: Verifier;
  /** Nonces (core has no Math.random). */
  random: () => number;
  /** A report for a trace we started, as it arrives. */
  onReport?(txId: TxId, report: ReceivedTraceReport): void;
}

export interface TraceInit {
  network: string;
}

export type TraceStart =
  | { ok: true; nonce: string; txId: TxId; startedAtMs: number; hops: number; linksAsked: number; reports: ReceivedTraceReport[] }
  | { ok: false; reason: 'not-running' | 'rate-limited'; detail: string; retryInMs?: number };

export type TraceModule = ReturnType<typeof createTraceModule>;

export function createTraceModule(components: TraceComponents, init: TraceInit) {
  const { signer, verifier, random } = components;
  const { network } = init;
  const selfId = signer.peerId;
  const stats = createTraceStats();
  const firstSeen = new FirstSeenLog();
  const pending = new PendingTraces(MAX_PENDING_TRACES);
  const seenRequests = new BoundedSet<string>(SEEN_REQUESTS);
  const requestsIn = new TokenBuckets<PeerId>(TRACE_REQUESTS_IN);
  const requestsOut = new TokenBuckets<PeerId>(TRACE_REQUESTS_OUT);
  const originsIn = new TokenBuckets<PeerId>(ORIGIN_TRACES_IN);
  const originOrder = new Map<PeerId, true>();
  const own = new TokenBuckets<'self'>(ORIGIN_TRACES_OWN);
  /** When each open link completed HELLO, to tell catch-up from gossip. */
  const linkOpenedAt = new Map<PeerId, number>();
  let context: ProtocolContext | undefined;

  const randomNonce = (): string => toHex(Uint8Array.from({ length: TRACE_NONCE_BYTES }, () => Math.floor(random() * 256)));

  function originAllows(origin: PeerId, nowMs: number): boolean {
    originOrder.delete(origin);
    originOrder.set(origin, true);
    if (originOrder.size > MAX_ORIGINS) {
      const oldest = originOrder.keys().next().value as PeerId;
      originOrder.delete(oldest);
      originsIn.delete(oldest);
    }
    return originsIn.take(origin, nowMs);
  }

  /** Our own answer for `txId`, if we announced it. */
  function ownReport(nonce: string, txId: TxId): TraceReport | undefined {
    const seen = firstSeen.get(txId);
    if (!seen) return undefined;
    const report: TraceReport = { nonce, reporter: selfId, firstSeenMs: seen.atMs, from: seen.from };
    if (seen.fromLinkedAtMs !== undefined) report.fromLinkedAtMs = seen.fromLinkedAtMs;
    return report;
  }

  /** Sends the request on to every link but `except`, within our per-link budget; returns the links asked. */
  function flood(ctx: ProtocolContext, request: TraceRequest, except: ReadonlySet<PeerId>, nowMs: number): Set<PeerId> {
    const sentTo = new Set<PeerId>();
    const payload = encodeTraceRequest(request);
    for (const peerId of ctx.openPeers()) {
      if (except.has(peerId)) continue;
      if (!requestsOut.take(peerId, nowMs)) {
        stats.requestsShaped++;
        continue;
      }
      if (ctx.sendModuleFrame(peerId, TRACE_REQUEST, payload)) sentTo.add(peerId);
    }
    return sentTo;
  }

  /** Passes a report toward the trace's upstream (or keeps it, at the requester), at most MAX_REPORTS_PER_TRACE per trace. */
  function deliver(ctx: ProtocolContext, trace: PendingTrace, report: TraceReport, via: PeerId | 'self'): void {
    if (trace.reporters.has(report.reporter)) {
      stats.reportsDuplicate++;
      return;
    }
    trace.reporters.add(report.reporter);
    if (trace.upstream === 'self') {
      const received = { ...report, via };
      trace.reports?.push(received);
      if (via !== 'self') components.onReport?.(trace.txId, received);
      return;
    }
    if (trace.forwarded >= MAX_REPORTS_PER_TRACE) return;
    trace.forwarded++;
    if (ctx.sendModuleFrame(trace.upstream, TRACE_REPORT, encodeTraceReport(report)) && via !== 'self') stats.reportsForwarded++;
  }

  async function handleRequest(ctx: ProtocolContext, from: PeerId, request: TraceRequest): Promise<void> {
    const nowMs = ctx.clock.nowMs();
    stats.requestsReceived++;
    if (!requestsIn.take(from, nowMs)) {
      stats.rateLimitViolations++;
      return ctx.punish(from, `TRACE_REQUEST above ${TRACE_REQUESTS_IN.ratePerSec}/s (burst ${TRACE_REQUESTS_IN.burst})`);
    }
    const key = `${request.nonce}:${request.signature}`;
    if (seenRequests.has(key) || request.origin === selfId) {
      stats.requestsDuplicate++;
      return;
    }
    seenRequests.add(key);
    if (Math.abs(nowMs - request.issuedAtMs) > TRACE_MAX_AGE_MS) {
      stats.requestsExpired++;
      return;
    }
    const [valid] = await verifier.verify([traceRequestVerifyItem(network, request)]);
    if (!valid) {
      stats.requestsRejected++;
      return ctx.punish(from, 'a trace request does not verify');
    }
    const atMs = ctx.clock.nowMs();
    // After the signature, so a forger cannot spend an honest origin's budget.
    if (pending.get(request.nonce, atMs)) {
      stats.requestsDuplicate++;
      return;
    }
    if (!originAllows(request.origin, atMs)) {
      stats.requestsOriginLimited++;
      return;
    }
    const trace: PendingTrace = {
      txId: request.txId, upstream: from, expiresAtMs: atMs + TRACE_STATE_MS,
      sentTo: new Set(), receivedFrom: new Map(), reporters: new Set(), forwarded: 0,
    };
    pending.add(request.nonce, trace);
    const mine = ownReport(request.nonce, request.txId);
    if (mine) {
      stats.requestsAnswered++;
      deliver(ctx, trace, mine, 'self');
    } else {
      stats.requestsUnknownTx++;
    }
    if (request.hops > 1) {
      trace.sentTo = flood(ctx, { ...request, hops: request.hops - 1 }, new Set([from, request.origin]), atMs);
      if (trace.sentTo.size > 0) stats.requestsForwarded++;
    }
  }

  function handleReport(ctx: ProtocolContext, from: PeerId, report: TraceReport): void {
    stats.reportsReceived++;
    const trace = pending.get(report.nonce, ctx.clock.nowMs());
    if (!trace) {
      stats.reportsUnmatched++;
      return;
    }
    if (!trace.sentTo.has(from)) {
      stats.rateLimitViolations++;
      return ctx.punish(from, `sent a TRACE_REPORT for trace ${report.nonce} that we never asked it about`);
    }
    const count = (trace.receivedFrom.get(from) ?? 0) + 1;
    trace.receivedFrom.set(from, count);
    if (count > MAX_REPORTS_PER_TRACE) {
      stats.rateLimitViolations++;
      return ctx.punish(from, `sent more than ${MAX_REPORTS_PER_TRACE} TRACE_REPORTs for one trace`);
    }
    if (report.reporter === selfId) {
      stats.reportsDuplicate++;
      return;
    }
    deliver(ctx, trace, report, from);
  }

  const factory: ProtocolModuleFactory = (attached) => {
    context = attached;
    const module: ProtocolModule<TraceMessage> = {
      name: 'trace',
      frames: TRACE_FRAME_SPECS,
      // Peers without it (the full node, the previous build) are not asked (docs/PROTOCOL.md, "Versioning").
      feature: Feature.txTrace,
      decode: decodeTraceFrame,
      handle: (peerId, message) => (message.kind === 'request' ? handleRequest(attached, peerId, message.request) : handleReport(attached, peerId, message.report)),
      onPeerOpen: (peerId) => void linkOpenedAt.set(peerId, attached.clock.nowMs()),
      onPeerClose(peerId) {
        linkOpenedAt.delete(peerId);
        requestsIn.delete(peerId);
        requestsOut.delete(peerId);
      },
      tick: () => pending.expire(attached.clock.nowMs()),
    };
    return module as ProtocolModule;
  };

  return {
    factory,

    /** The node accepted and announced transaction `id` (its 'tx' event): what this tab may later answer about. */
    noteSeen(id: TxId, source: PeerId | 'self'): void {
      if (!context) return;
      const atMs = context.clock.nowMs();
      // A peer we no longer have a link to (it closed meanwhile) counts as linked since the start of time: not catch-up.
      firstSeen.note(id, source === 'self' ? { atMs, from: 'origin' } : { atMs, from: source, fromLinkedAtMs: linkOpenedAt.get(source) ?? 0 });
    },

    /** When this tab first had `id`, if it announced it. */
    firstSeen: (id: TxId) => firstSeen.get(id),

    /**
     * Starts a trace of `txId` reaching up to `hops` links away. Reports
     * arrive through onReport and collect in reportsOf(nonce) until the trace
     * expires (TRACE_STATE_MS); our own sighting, if any, is the first.
     */
    async start(txId: TxId, hops = MAX_TRACE_HOPS): Promise<TraceStart> {
      if (!isHexOfLength(txId, 32)) throw new InvalidArgumentError('txId must be a transaction id (64 lower-case hex characters)');
      if (!Number.isInteger(hops) || hops < 1 || hops > MAX_TRACE_HOPS) throw new InvalidArgumentError(`hops must be an integer from 1 to ${MAX_TRACE_HOPS}`);
      const ctx = context;
      if (!ctx) return { ok: false, reason: 'not-running', detail: 'the node has not started' };
      const nowMs = ctx.clock.nowMs();
      if (!own.take('self', nowMs)) {
        const retryInMs = Math.ceil(((1 - own.available('self', nowMs)) / ORIGIN_TRACES_OWN.ratePerSec) * 1000);
        return { ok: false, reason: 'rate-limited', detail: `at most ${ORIGIN_TRACES_OWN.burst} traces at once, then one per ${1 / ORIGIN_TRACES_OWN.ratePerSec} s`, retryInMs };
      }
      const request = await signTraceRequest(network, signer, { nonce: randomNonce(), txId, issuedAtMs: nowMs, hops });
      const trace: PendingTrace = {
        txId, upstream: 'self', expiresAtMs: ctx.clock.nowMs() + TRACE_STATE_MS,
        sentTo: new Set(), receivedFrom: new Map(), reporters: new Set(), forwarded: 0, reports: [],
      };
      pending.add(request.nonce, trace);
      const mine = ownReport(request.nonce, txId);
      if (mine) deliver(ctx, trace, mine, 'self');
      trace.sentTo = flood(ctx, request, new Set(), ctx.clock.nowMs());
      stats.requestsSent++;
      return { ok: true, nonce: request.nonce, txId, startedAtMs: nowMs, hops, linksAsked: trace.sentTo.size, reports: [...trace.reports!] };
    },

    /** Everything gathered for a trace we started, ours first; empty once it expired. */
    reportsOf(nonce: string): ReceivedTraceReport[] {
      const trace = context ? pending.get(nonce, context.clock.nowMs()) : undefined;
      return trace?.upstream === 'self' ? [...trace.reports!] : [];
    },

    stats: () => ({ ...stats, firstSeenSize: firstSeen.size, pendingTraces: pending.size }),
  };
}

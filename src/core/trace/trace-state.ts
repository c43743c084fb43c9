/**
 * The bounded memory of the trace module: when this tab first had each
 * transaction (what it may answer), the traces in flight through it (the
 * reverse path for reports), and its counters.
 */
import type { PeerId, TxId } from '../types.ts';
import type { TraceReport } from './trace-frames.ts';

/** A report as the requester holds it: `via` is the neighbour that delivered it ('self' for our own). */
export type ReceivedTraceReport = TraceReport & { via: PeerId | 'self' };

/**
 * First sightings remembered: 10,000 ids is 100 s of traffic at the 100 tx/s
 * the page is built for (issue 6), about 1.5 MB; traces are asked about
 * recent transactions.
 */
export const MAX_FIRST_SEEN = 10_000;

export interface FirstSeen {
  atMs: number;
  from: PeerId | 'origin';
  /** When our link to `from` opened (HELLO), to tell catch-up from gossip (catch-up.ts). */
  fromLinkedAtMs?: number;
}

/** When this tab accepted and announced each transaction, and from whom; the oldest are forgotten first. */
export class FirstSeenLog {
  private readonly entries = new Map<TxId, FirstSeen>();

  constructor(private readonly capacity = MAX_FIRST_SEEN) {}

  /** Keeps only the first note of an id: later ones (a reorg re-adding it) do not move it. */
  note(id: TxId, seen: FirstSeen): void {
    if (this.entries.has(id)) return;
    this.entries.set(id, seen);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as TxId);
  }

  get(id: TxId): FirstSeen | undefined {
    return this.entries.get(id);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A trace passing through (or started by) this tab, until it expires. */
export interface PendingTrace {
  txId: TxId;
  /** Where reports go: the link the request came from, or 'self' when we asked. */
  upstream: PeerId | 'self';
  expiresAtMs: number;
  /** Links we forwarded the request to: the only ones that may report to us for it. */
  sentTo: Set<PeerId>;
  /** Reports received per link, against MAX_REPORTS_PER_TRACE. */
  receivedFrom: Map<PeerId, number>;
  /** Reporters seen, so each is passed on once. */
  reporters: Set<PeerId>;
  /** Reports sent upstream (ours included). */
  forwarded: number;
  /** At the requester only: everything gathered so far. */
  reports?: ReceivedTraceReport[];
}

/** Traces in flight per node, keyed by nonce; the oldest is dropped beyond the bound. */
export class PendingTraces {
  private readonly byNonce = new Map<string, PendingTrace>();

  constructor(private readonly capacity: number) {}

  get(nonce: string, nowMs: number): PendingTrace | undefined {
    const trace = this.byNonce.get(nonce);
    if (trace && trace.expiresAtMs <= nowMs) {
      this.byNonce.delete(nonce);
      return undefined;
    }
    return trace;
  }

  add(nonce: string, trace: PendingTrace): void {
    this.byNonce.set(nonce, trace);
    if (this.byNonce.size > this.capacity) this.byNonce.delete(this.byNonce.keys().next().value as string);
  }

  expire(nowMs: number): void {
    for (const [nonce, trace] of this.byNonce) if (trace.expiresAtMs <= nowMs) this.byNonce.delete(nonce);
  }

  get size(): number {
    return this.byNonce.size;
  }
}

export function createTraceStats() {
  return {
    /** Traces this tab started. */
    requestsSent: 0,
    requestsReceived: 0,
    requestsForwarded: 0,
    /** Requests this tab answered with its own first sighting. */
    requestsAnswered: 0,
    /** Requests for a transaction this tab never announced: forwarded, not answered. */
    requestsUnknownTx: 0,
    requestsDuplicate: 0,
    requestsExpired: 0,
    /** Requests dropped because their origin asked more often than ORIGIN_TRACES_IN allows. */
    requestsOriginLimited: 0,
    /** Forwards skipped because our per-link send budget was spent. */
    requestsShaped: 0,
    /** Requests whose signature failed: the sender is punished. */
    requestsRejected: 0,
    reportsReceived: 0,
    reportsForwarded: 0,
    /** Reports for a trace we no longer (or never) held: late answers, dropped. */
    reportsUnmatched: 0,
    reportsDuplicate: 0,
    /** Peers punished for exceeding a limit of this module. */
    rateLimitViolations: 0,
  };
}

export type TraceStats = ReturnType<typeof createTraceStats>;

/**
 * Network-wide counters and a trace digest. Everything in a snapshot comes
 * from virtual time and the run itself, never from wall time, so two runs of
 * one seed give byte-identical JSON; the digest (FNV-1a over every delivery's
 * time, ends and bytes) makes that a strong check.
 */
import type { SimVerifierStats } from './sim-verifier.ts';
import type { SimNode, SimNodeLike } from './sim-node.ts';
import { frameKind, framesOf } from './frame-kind.ts';

export interface KindCounters {
  sent: number;
  bytesSent: number;
  delivered: number;
}

export interface SimStats {
  seed: number;
  network: string;
  timeMs: number;
  events: number;
  instants: number;
  nodes: { created: number; alive: number };
  links: { opened: number; open: number };
  messages: { sent: number; delivered: number; lost: number; duplicated: number; reordered: number; partitionDropped: number; closedDropped: number };
  bytes: { sent: number; delivered: number };
  /** Per frame type ('hello', 'tx', 'ping', ...), keys sorted. */
  byKind: Record<string, KindCounters>;
  verifier: SimVerifierStats;
  /** Each node stats() counter summed over every node ever created, keys sorted. */
  nodeTotals: Record<string, number>;
  /** Per node index: tx frames dropped as already known, and txs accepted. */
  perNode: { duplicates: number[]; txAccepted: number[] };
  /** 64-bit hex digest of every delivery, in order. */
  traceDigest: string;
}

export interface SnapshotContext<N extends SimNodeLike> {
  seed: number;
  network: string;
  timeMs: number;
  events: number;
  instants: number;
  nodes: readonly SimNode<N>[];
  openLinks: number;
  verifier: SimVerifierStats;
}

const sortedRecord = <V>(entries: Iterable<[string, V]>): Record<string, V> =>
  Object.fromEntries([...entries].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));

export function createSimStatsCollector() {
  const messages = { sent: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, partitionDropped: 0, closedDropped: 0 };
  const bytes = { sent: 0, delivered: 0 };
  const byKind = new Map<string, KindCounters>();
  let linksOpened = 0;
  let h1 = 0x811c_9dc5;
  let h2 = 0x0100_0193 ^ 0x5bd1_e995;

  const kind = (frame: Uint8Array) => {
    const name = frameKind(frame);
    let counters = byKind.get(name);
    if (!counters) byKind.set(name, (counters = { sent: 0, bytesSent: 0, delivered: 0 }));
    return counters;
  };
  const mix = (value: number) => {
    h1 = Math.imul(h1 ^ value, 0x0100_0193);
    h2 = Math.imul(h2 ^ value, 0x5bd1_e995);
    h2 ^= h2 >>> 15;
  };

  return {
    onLinkOpened: () => void linksOpened++,
    onSend(_from: number, _to: number, frame: Uint8Array) {
      messages.sent++;
      bytes.sent += frame.length;
      for (const inner of framesOf(frame)) {
        const counters = kind(inner);
        counters.sent++;
        counters.bytesSent += inner.length;
      }
    },
    onDeliver(atMs: number, from: number, to: number, frame: Uint8Array, reordered: boolean) {
      messages.delivered++;
      if (reordered) messages.reordered++;
      bytes.delivered += frame.length;
      for (const inner of framesOf(frame)) kind(inner).delivered++;
      mix(atMs);
      mix(from);
      mix(to);
      mix(frame.length);
      for (let i = 0; i < frame.length; i++) mix(frame[i]!);
    },
    onDrop(_from: number, _to: number, _frame: Uint8Array, why: 'lost' | 'partition' | 'closed') {
      if (why === 'lost') messages.lost++;
      else if (why === 'partition') messages.partitionDropped++;
      else messages.closedDropped++;
    },
    onDuplicate: () => void messages.duplicated++,
    snapshot<N extends SimNodeLike>(context: SnapshotContext<N>): SimStats {
      const totals = new Map<string, number>();
      const duplicates: number[] = [];
      const txAccepted: number[] = [];
      for (const sim of context.nodes) {
        const nodeStats = sim.node.stats();
        for (const [name, value] of Object.entries(nodeStats)) totals.set(name, (totals.get(name) ?? 0) + value);
        duplicates.push(nodeStats.duplicatesDropped ?? 0);
        txAccepted.push(nodeStats.txAccepted ?? 0);
      }
      const hex = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
      return {
        seed: context.seed,
        network: context.network,
        timeMs: context.timeMs,
        events: context.events,
        instants: context.instants,
        nodes: { created: context.nodes.length, alive: context.nodes.filter((sim) => sim.alive).length },
        links: { opened: linksOpened, open: context.openLinks },
        messages: { ...messages },
        bytes: { ...bytes },
        byKind: sortedRecord([...byKind].map(([name, counters]) => [name, { ...counters }])),
        verifier: context.verifier,
        nodeTotals: sortedRecord(totals),
        perNode: { duplicates, txAccepted },
        traceDigest: hex(h1) + hex(h2),
      };
    },
  };
}

/**
 * Simulated PeerLinks: each message is delivered by a scheduler event after
 * the link's latency, subject to its loss, duplication and jitter, so a
 * simulated node sees exactly the PeerLink seam a tab sees.
 *
 * A pair is two ends: `atA` is A's link to B (outbound), `atB` is B's link to
 * A (inbound), as in memory-link.ts. Closing an end closes it at once and
 * tells the other end one latency later, as a real channel would.
 */
import type { PeerLink } from '../core/link.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { PeerId } from '../core/types.ts';
import type { Prng } from './prng.ts';
import type { Scheduler } from './scheduler.ts';

export interface LinkConditions {
  /** One-way delay, whole milliseconds. */
  latencyMs: number;
  /** Extra delay drawn uniformly from 0..jitterMs per message; reorders unless `ordered`. */
  jitterMs: number;
  /** Probability a message is silently lost. */
  lossRate: number;
  /** Probability a message is delivered twice (each copy with its own jitter). */
  duplicateRate: number;
  /**
   * Deliver in send order per direction, like a WebRTC data channel with
   * default settings: jitter then delays but never reorders.
   */
  ordered: boolean;
  /**
   * Which messages loss, duplication and jitter apply to; others take
   * `latencyMs` exactly. Undefined: all. A real channel never duplicates, and
   * the node bans a peer for a second HELLO, so tests of gossip under
   * duplication aim the faults at gossip frames (see frameTypeIs).
   */
  faultsApplyTo?: (bytes: Uint8Array) => boolean;
}

export interface LinkCounters {
  sent: number;
  bytesSent: number;
  delivered: number;
  bytesDelivered: number;
  lost: number;
  duplicated: number;
  /** Dropped because a 'drop' partition separated the ends. */
  partitionDropped: number;
  /** Arrived after the receiving end had closed. */
  closedDropped: number;
  /** Delivered after a message sent later on the same direction: evidence of reordering. */
  reordered: number;
}

export interface SimLinkEndpoint {
  index: number;
  peerId: PeerId;
  /** The node's network group as its links report it (PeerLink.remoteGroup); SimNetworkInit.networkGroupOf. */
  group?: string | undefined;
}

/** What a link needs from its network. */
export interface SimLinkHost {
  scheduler: Scheduler;
  /** False while a partition in 'drop' mode separates the two nodes. */
  canDeliver(from: number, to: number): boolean;
  /** Background messages (keepalive) do not keep runUntilIdle running. */
  isBackground(bytes: Uint8Array): boolean;
  onSend(from: number, to: number, bytes: Uint8Array): void;
  onDeliver(from: number, to: number, bytes: Uint8Array, reordered: boolean): void;
  onDrop(from: number, to: number, bytes: Uint8Array, why: 'lost' | 'partition' | 'closed'): void;
  onDuplicate(from: number, to: number): void;
}

export interface SimLinkPair {
  readonly id: number;
  readonly a: SimLinkEndpoint;
  readonly b: SimLinkEndpoint;
  readonly atA: PeerLink;
  readonly atB: PeerLink;
  /** Mutable: a test may degrade one link mid-run. */
  conditions: LinkConditions;
  readonly aToB: LinkCounters;
  readonly bToA: LinkCounters;
  /** Both ends still open. */
  isOpen(): boolean;
  /** Closes both ends at the same instant (partition cut, node leaving). */
  cut(reason: string): void;
}

export const newLinkCounters = (): LinkCounters => ({
  sent: 0, bytesSent: 0, delivered: 0, bytesDelivered: 0, lost: 0, duplicated: 0, partitionDropped: 0, closedDropped: 0, reordered: 0,
});

export function assertLinkConditions(conditions: LinkConditions): void {
  const { latencyMs, jitterMs, lossRate, duplicateRate } = conditions;
  if (!Number.isSafeInteger(latencyMs) || latencyMs < 0) throw new InvalidArgumentError(`latencyMs must be a non-negative integer, got ${latencyMs}`);
  if (!Number.isSafeInteger(jitterMs) || jitterMs < 0) throw new InvalidArgumentError(`jitterMs must be a non-negative integer, got ${jitterMs}`);
  if (!(lossRate >= 0 && lossRate <= 1)) throw new InvalidArgumentError(`lossRate must be in [0, 1], got ${lossRate}`);
  if (!(duplicateRate >= 0 && duplicateRate <= 1)) throw new InvalidArgumentError(`duplicateRate must be in [0, 1], got ${duplicateRate}`);
}

interface Direction {
  from: SimLinkEndpoint;
  to: SimLinkEndpoint;
  counters: LinkCounters;
  /** Latest scheduled arrival, for ordered delivery. */
  lastArrivalMs: number;
  /** Send sequence of the latest-sent message delivered so far. */
  highestDeliveredSeq: number;
}

interface End {
  link: PeerLink;
  closed: boolean;
  /** Closes this end now; the reason reaches its handlers. */
  end(reason: string): void;
  deliver(bytes: Uint8Array): void;
}

export function createSimLinkPair(host: SimLinkHost, prng: Prng, id: number, a: SimLinkEndpoint, b: SimLinkEndpoint, conditions: LinkConditions): SimLinkPair {
  assertLinkConditions(conditions);
  const { scheduler } = host;
  const aToB: Direction = { from: a, to: b, counters: newLinkCounters(), lastArrivalMs: 0, highestDeliveredSeq: -1 };
  const bToA: Direction = { from: b, to: a, counters: newLinkCounters(), lastArrivalMs: 0, highestDeliveredSeq: -1 };

  function transmit(direction: Direction, receiver: End, bytes: Uint8Array): void {
    const { counters, from, to } = direction;
    const seq = counters.sent++;
    counters.bytesSent += bytes.length;
    host.onSend(from.index, to.index, bytes);
    const c = pair.conditions;
    const faulty = c.faultsApplyTo ? c.faultsApplyTo(bytes) : true;
    if (faulty && prng.chance(c.lossRate)) {
      counters.lost++;
      host.onDrop(from.index, to.index, bytes, 'lost');
      return;
    }
    const copies = faulty && prng.chance(c.duplicateRate) ? 2 : 1;
    if (copies === 2) {
      counters.duplicated++;
      host.onDuplicate(from.index, to.index);
    }
    const background = host.isBackground(bytes);
    for (let copy = 0; copy < copies; copy++) {
      let arrivalMs = scheduler.nowMs() + c.latencyMs + (faulty && c.jitterMs > 0 ? prng.int(c.jitterMs + 1) : 0);
      if (c.ordered) arrivalMs = Math.max(arrivalMs, direction.lastArrivalMs);
      direction.lastArrivalMs = Math.max(direction.lastArrivalMs, arrivalMs);
      scheduler.at(arrivalMs, () => {
        if (receiver.closed) {
          counters.closedDropped++;
          host.onDrop(from.index, to.index, bytes, 'closed');
        } else if (!host.canDeliver(from.index, to.index)) {
          counters.partitionDropped++;
          host.onDrop(from.index, to.index, bytes, 'partition');
        } else {
          counters.delivered++;
          counters.bytesDelivered += bytes.length;
          const reordered = seq < direction.highestDeliveredSeq;
          if (reordered) counters.reordered++;
          else direction.highestDeliveredSeq = seq;
          host.onDeliver(from.index, to.index, bytes, reordered);
          receiver.deliver(bytes);
        }
      }, { background });
    }
  }

  function createEnd(remote: SimLinkEndpoint, linkDirection: 'in' | 'out', outgoing: Direction, other: () => End): End {
    const messageHandlers: ((bytes: Uint8Array) => void)[] = [];
    const closeHandlers: ((reason: string) => void)[] = [];
    let closeReason = '';
    const end: End = {
      closed: false,
      end(reason) {
        if (end.closed) return;
        end.closed = true;
        closeReason = reason;
        for (const handler of closeHandlers) handler(reason);
      },
      deliver(bytes) {
        for (const handler of messageHandlers) handler(bytes);
      },
      link: {
        peerId: remote.peerId,
        direction: linkDirection,
        remoteGroup: remote.group,
        send(bytes) {
          if (end.closed) return false;
          // The sender may reuse its buffer; the wire carries a copy.
          transmit(outgoing, other(), bytes.slice());
          return true;
        },
        bufferedAmount: () => 0,
        onMessage: (handler) => void messageHandlers.push(handler),
        onClose(handler) {
          if (end.closed) handler(closeReason);
          else closeHandlers.push(handler);
        },
        close(reason) {
          if (end.closed) return;
          end.end(reason);
          scheduler.after(pair.conditions.latencyMs, () => other().end(`remote closed: ${reason}`));
        },
      },
    };
    return end;
  }

  const endA: End = createEnd(b, 'out', aToB, () => endB);
  const endB: End = createEnd(a, 'in', bToA, () => endA);

  const pair: SimLinkPair = {
    id,
    a,
    b,
    atA: endA.link,
    atB: endB.link,
    conditions: { ...conditions },
    aToB: aToB.counters,
    bToA: bToA.counters,
    isOpen: () => !endA.closed && !endB.closed,
    cut(reason) {
      endA.end(reason);
      endB.end(reason);
    },
  };
  return pair;
}

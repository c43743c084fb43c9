/**
 * Which inbound link to close when a new inbound offer arrives and the
 * inbound slots are full (docs/PROTOCOL.md, "Mesh"; docs/SECURITY.md,
 * "Inbound eviction"). Bitcoin Core's AttemptToEvictConnection
 * (node/eviction.cpp SelectNodeToEvict), scaled to our 9 inbound slots:
 * instead of refusing every newcomer once peers that dialled us fill the
 * slots (an attacker's identities can take them all and keep them), we close
 * a peer that has earned nothing, so a newcomer can always get in unless
 * every slot is held by a peer that proved useful.
 *
 * Protected, in this order (each class takes its peers out of the running):
 *  1. the few peers that most recently delivered a novel transaction;
 *  2. the few that most recently delivered a novel block;
 *  3. the few with the lowest round-trip time;
 *  4. half of the rest, the longest connected.
 * The youngest of what is left is evicted; nothing left means refuse.
 * An attacker can fake none of 1-2 without relaying what honest peers
 * relay, and must hold a link long to earn 4. Bitcoin also protects by
 * network group (IP prefix); a tab sees no addresses of its WebRTC peers, so
 * that class has no counterpart here.
 */
import type { PeerId } from '../core/types.ts';

/** An inbound link as the eviction sees it (node.peers() gives these fields). */
export interface EvictionCandidate {
  id: PeerId;
  connectedAtMs: number;
  rttMs?: number;
  /** When this peer last delivered a transaction new to us; undefined: never. */
  lastNovelTxAtMs?: number;
  /** When this peer last delivered a block new to us; undefined: never. */
  lastNovelBlockAtMs?: number;
}

export interface InboundEvictionInit {
  /** Protected by recent novel transactions. Default 2 (Bitcoin: 4 of ~115 inbound; ours are 9). */
  byTx?: number;
  /** Protected by recent novel blocks. Default 2 (Bitcoin: 4). */
  byBlock?: number;
  /** Protected by lowest RTT. Default 2 (Bitcoin: 8). */
  byRtt?: number;
}

/** Defaults: with 9 inbound slots, 6 can be protected by service and 1-2 by age; the youngest 1-2 others are eligible. */
export const INBOUND_EVICTION_DEFAULTS: Required<InboundEvictionInit> = { byTx: 2, byBlock: 2, byRtt: 2 };

/** Takes out of `list` the first `count` of those `eligible`, ranked by `better` (a sort comparator, best first). */
function protect<T>(list: T[], count: number, eligible: (item: T) => boolean, better: (a: T, b: T) => number): T[] {
  const ranked = list.filter(eligible).sort(better).slice(0, count);
  return list.filter((item) => !ranked.includes(item));
}

/**
 * The inbound peer to close so a new one can take its slot, or undefined when
 * every candidate is protected (refuse the newcomer). Pure: same input, same answer.
 */
export function selectInboundToEvict(candidates: readonly EvictionCandidate[], init: InboundEvictionInit = {}): PeerId | undefined {
  const { byTx, byBlock, byRtt } = { ...INBOUND_EVICTION_DEFAULTS, ...init };
  let left = [...candidates];
  // Only a peer that delivered something has earned these: one that never relayed anything is not protected by them.
  left = protect(left, byTx, (c) => c.lastNovelTxAtMs !== undefined, (a, b) => b.lastNovelTxAtMs! - a.lastNovelTxAtMs!);
  left = protect(left, byBlock, (c) => c.lastNovelBlockAtMs !== undefined, (a, b) => b.lastNovelBlockAtMs! - a.lastNovelBlockAtMs!);
  left = protect(left, byRtt, (c) => c.rttMs !== undefined, (a, b) => a.rttMs! - b.rttMs!);
  // Half of the rest by age (Bitcoin: "the half that have been connected the longest").
  left = protect(left, Math.floor(left.length / 2), () => true, (a, b) => a.connectedAtMs - b.connectedAtMs);
  let youngest: EvictionCandidate | undefined;
  for (const candidate of left) if (!youngest || candidate.connectedAtMs > youngest.connectedAtMs) youngest = candidate;
  return youngest?.id;
}

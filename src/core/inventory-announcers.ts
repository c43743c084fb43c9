/**
 * Whom to ask for an announced id, and for how long (docs/PROTOCOL.md,
 * "Inventory"; Bitcoin Core txrequest.cpp). Several peers may announce one
 * id; each is asked in turn, never two at once. A peer that dialled us
 * (inbound) costs an attacker nothing but an identity, while our outbound
 * peers are ones we chose: so an outbound ("preferred") announcer is asked
 * first, and an inbound one only once INBOUND_ANNOUNCER_DELAY_MS has passed
 * since it announced, leaving time for an outbound announcer to come along.
 * Identities that announce everything and deliver nothing (docs/SECURITY.md,
 * "Measured attacks") then stand behind every honest outbound announcer.
 */
import type { PeerId } from './types.ts';

/** Bitcoin Core's NONPREF_PEER_TX_DELAY: an inbound announcer is asked no sooner than 2 s after it announced. */
export const INBOUND_ANNOUNCER_DELAY_MS = 2_000;
/**
 * With no round-trip time known for the peer asked, it has this long to
 * deliver (or say NOTFOUND) before the next announcer is asked too: a tab
 * whose CPU is starved handles frames seconds late, and is not taken for a
 * liar (docs/SECURITY.md, "Announce and fetch: slow is not malicious").
 */
export const DELIVERY_TIMEOUT_MS = 5_000;
/**
 * With a round-trip time known, the wait is RTT_TIMEOUT_FACTOR × the peer's
 * last ping RTT, within [MIN_DELIVERY_TIMEOUT_MS, DELIVERY_TIMEOUT_MS]. A
 * GETDATA is answered from memory through the same in-order frame queue as a
 * PING, so a peer whose pongs take r ms answers in about r ms; 4r lets its
 * queue grow fourfold between two pings (5 s apart), and a starved tab, whose
 * pongs come back late too, keeps the full 5 s. Moving on punishes nobody: the
 * first peer may still deliver (its body is then late, not unsolicited); the
 * cost of moving on too soon is one more body on the wire.
 */
export const RTT_TIMEOUT_FACTOR = 4;
/** The floor: one node tick (1 s) plus a little, so a peer on a fast link is not passed over between two ticks. */
export const MIN_DELIVERY_TIMEOUT_MS = 1_000;

/** What the node knows of an announcer: did we dial it (outbound), and its last ping RTT. */
export interface AnnouncerInfo {
  preferred: boolean;
  rttMs?: number;
}

/** A peer that announced an id and has not been asked for it yet. */
export interface Announcer {
  peerId: PeerId;
  preferred: boolean;
  /** It may be asked from this time on (inbound: INBOUND_ANNOUNCER_DELAY_MS after its announcement). */
  readyAtMs: number;
}

/** The announcer record for `peerId` announcing at `nowMs`. */
export function announcerAt(peerId: PeerId, info: AnnouncerInfo, nowMs: number): Announcer {
  return { peerId, preferred: info.preferred, readyAtMs: info.preferred ? nowMs : nowMs + INBOUND_ANNOUNCER_DELAY_MS };
}

/**
 * Takes the announcer to ask next out of `waiting`: the first preferred one,
 * else the inbound one ready earliest, if its delay has passed; undefined when
 * none may be asked yet (the rest stay in `waiting`).
 */
export function takeNextAnnouncer(waiting: Announcer[], nowMs: number): Announcer | undefined {
  let best = -1;
  for (let i = 0; i < waiting.length; i++) {
    const one = waiting[i]!;
    if (one.readyAtMs > nowMs) continue;
    if (one.preferred) {
      best = i;
      break;
    }
    if (best < 0 || one.readyAtMs < waiting[best]!.readyAtMs) best = i;
  }
  return best < 0 ? undefined : waiting.splice(best, 1)[0];
}

/** How long the peer asked has to answer before the next announcer is asked too. */
export function deliveryTimeoutMs(rttMs: number | undefined): number {
  if (rttMs === undefined) return DELIVERY_TIMEOUT_MS;
  return Math.min(DELIVERY_TIMEOUT_MS, Math.max(MIN_DELIVERY_TIMEOUT_MS, RTT_TIMEOUT_FACTOR * rttMs));
}

/**
 * Peer exchange (docs/PROTOCOL.md, "Peer exchange"; issue 4 §2): gossip of
 * signed, expiring peer records.
 *
 * - On link open each side sends its own record and a random sample of its
 *   book (one PEER_RECORDS frame), so a new link teaches both ends the mesh.
 * - Our record is re-signed every refreshIntervalMs, and when the outbound
 *   links we chose change (at most once per minResignIntervalMs), then sent
 *   to every neighbour. Inbound links and inbound room change at others'
 *   will, so they wait for the refresh: each re-sign crosses the whole
 *   network, and a peer that opens and closes links to every tab would
 *   otherwise make each re-sign every 10 s (docs/PROTOCOL.md, "Peer
 *   exchange"). Every link is still listed promptly by its dialling end.
 * - A verified record that is news is forwarded to `fanout` random
 *   neighbours that have not seen it (epidemic push); a stale one goes no
 *   further, so a record costs about fanout × N sends network-wide.
 * - A tab with a thin book asks a random neighbour with GET_PEERS.
 *
 * Sends are queued per link and paced by a token bucket below the
 * receiver's limit, so an honest peer never trips its neighbour's limit.
 */
import type { LinkDirection } from '../link.ts';
import type { ProtocolContext } from '../protocol-context.ts';
import type { PeerId, Signer, Verifier } from '../types.ts';
import type { PeerBook } from './peer-book.ts';
import { MAX_RECORD_NEIGHBOURS, checkPeerRecord, nextRecordSeq, peerRecordVerifyItem, signPeerRecord, type ParsedPeerRecord, type PeerRecord } from './peer-record.ts';
import { GET_PEERS, MAX_RECORDS_PER_FRAME, PEER_RECORDS, encodeGetPeers, encodePeerRecords } from './peers-frames.ts';
import type { PeersStats } from './peers-stats.ts';
import { randomIndex } from './random-index.ts';
import { createRecordKnowledge } from './record-knowledge.ts';
import { TokenBuckets } from '../token-bucket.ts';

export interface RecordGossipSettings {
  recordTtlMs: number;
  refreshIntervalMs: number;
  minResignIntervalMs: number;
  fanout: number;
  /** Below this many records, ask a neighbour for more. */
  thinBookSize: number;
  getPeersIntervalMs: number;
}

export interface RecordGossipDeps {
  context: ProtocolContext;
  network: string;
  signer: Signer;
  verifier: Verifier;
  random: () => number;
  book: PeerBook;
  stats: PeersStats;
  acceptsInbound(): boolean;
  /** PeersComponents.isTransientLink: a link our record does not list (a feeler). */
  isTransientLink(peerId: PeerId): boolean;
  settings: RecordGossipSettings;
  /** Identity stamp difficulty when the host overrides the network's (the simulator's params). */
  stampBits?: number;
}

/** Records queued per link. Four frames' worth: beyond that the link is slower than the gossip, and a later refresh repairs the loss. */
const MAX_QUEUED_RECORDS = 4 * MAX_RECORDS_PER_FRAME;
/**
 * Peers whose newest verified seq is remembered, with which links have it (record-knowledge.ts): four books' worth, so
 * a record the full book evicted is not news when a copy comes back.
 */
const KNOWN_PEERS = 4_096;
/**
 * PEER_RECORDS frames a peer may send: 4 a second, bursts of 20. We send at
 * most 2 a second (bursts of 8), so the limit has a 2× margin for delivery
 * jitter. 4 × 24 records/s is far above what gossip needs (each tab receives
 * about fanout × N / refresh records a second: 50/s for 1,000 tabs).
 */
export const RECORD_FRAMES_IN = { ratePerSec: 4, burst: 20 };
export const RECORD_FRAMES_OUT = { ratePerSec: 2, burst: 8 };
/** GET_PEERS a peer may send: one per 10 s, bursts of 3. We send at most one per getPeersIntervalMs (30 s) in all. */
export const GET_PEERS_IN = { ratePerSec: 0.1, burst: 3 };

export function createRecordGossip(deps: RecordGossipDeps) {
  const { context, network, signer, verifier, random, book, stats, settings } = deps;
  const selfId = signer.peerId;
  const queues = new Map<PeerId, Map<PeerId, PeerRecord>>();
  const knowledge = createRecordKnowledge(KNOWN_PEERS);
  /** Links we dialled (feelers too: recordNeighbours leaves them out). */
  const outbound = new Set<PeerId>();
  /** The outbound neighbours our record listed when signed. */
  let listedOutbound: PeerId[] = [];
  const framesIn = new TokenBuckets<PeerId>(RECORD_FRAMES_IN);
  const framesOut = new TokenBuckets<PeerId>(RECORD_FRAMES_OUT);
  const getPeersIn = new TokenBuckets<PeerId>(GET_PEERS_IN);
  let own: PeerRecord | undefined;
  let signing = false;
  /** Set when signing failed: try again at the next tick. Link changes are found by comparing neighbours. */
  let dirty = true;
  let lastSignedMs = Number.NEGATIVE_INFINITY;
  let lastGetPeersMs = Number.NEGATIVE_INFINITY;

  const linkKnows = (peerId: PeerId, record: Pick<PeerRecord, 'peerId' | 'seq'>): boolean => knowledge.linkHas(peerId, record.peerId, record.seq);
  /**
   * A replacement issued less than half the re-sign interval after the record
   * held: an honest peer re-signs at most every minResignIntervalMs, so only a
   * peer re-signing in a loop sends these, and each would otherwise cross the
   * whole network as news. Dropped, not punished (a reload may re-sign early;
   * its next record is news).
   */
  const tooSoon = (item: Pick<PeerRecord, 'peerId' | 'issuedAtMs'>): boolean => {
    const held = book.get(item.peerId);
    return held !== undefined && item.issuedAtMs < held.issuedAtMs + settings.minResignIntervalMs / 2;
  };
  /** Not ours, newer than any seq of its peer heard (kept or evicted since) and than the book's, and not too soon. */
  const isNews = (item: ParsedPeerRecord): boolean =>
    item.peerId !== selfId && knowledge.seqOf(item.peerId) < item.seq && book.wouldAccept(item) && !tooSoon(item);

  function enqueue(peerId: PeerId, record: PeerRecord): void {
    if (record.peerId === peerId || linkKnows(peerId, record)) return;
    let queue = queues.get(peerId);
    if (!queue) queues.set(peerId, (queue = new Map()));
    if (!queue.has(record.peerId) && queue.size >= MAX_QUEUED_RECORDS) {
      stats.recordsQueueDropped++;
      return;
    }
    queue.delete(record.peerId); // newest record per peer, re-queued at the back
    queue.set(record.peerId, record);
  }

  function flush(peerId: PeerId, nowMs: number): void {
    const queue = queues.get(peerId);
    while (queue && queue.size > 0 && framesOut.take(peerId, nowMs)) {
      const batch = [...queue.values()].slice(0, MAX_RECORDS_PER_FRAME);
      for (const record of batch) queue.delete(record.peerId);
      if (!context.sendModuleFrame(peerId, PEER_RECORDS, encodePeerRecords(network, batch))) return;
      for (const record of batch) knowledge.noteVerified(peerId, record.peerId, record.seq);
      stats.recordFramesSent++;
      stats.recordsSent += batch.length;
    }
  }

  /** The neighbours our record lists: open links but feelers, sorted (the record's canonical order). */
  const recordNeighbours = (): PeerId[] =>
    context.openPeers().filter((peerId) => !deps.isTransientLink(peerId)).sort().slice(0, MAX_RECORD_NEIGHBOURS);
  const outboundNeighbours = (neighbours: PeerId[]): PeerId[] => neighbours.filter((peerId) => outbound.has(peerId));
  const outboundChanged = (): boolean => {
    const now = outboundNeighbours(recordNeighbours());
    return now.length !== listedOutbound.length || now.some((peerId, i) => peerId !== listedOutbound[i]);
  };

  async function refreshOwn(): Promise<void> {
    if (signing) return;
    signing = true;
    dirty = false;
    const nowMs = context.clock.nowMs();
    try {
      const neighbours = recordNeighbours();
      listedOutbound = outboundNeighbours(neighbours);
      own = await signPeerRecord(network, signer, {
        seq: nextRecordSeq(own?.seq, nowMs), issuedAtMs: Math.floor(nowMs), expiresAtMs: Math.floor(nowMs) + settings.recordTtlMs,
        acceptsInbound: deps.acceptsInbound(), neighbours,
      });
      lastSignedMs = nowMs;
      stats.ownRecordsSigned++;
      const sendAtMs = context.clock.nowMs();
      for (const peerId of context.openPeers()) {
        enqueue(peerId, own);
        flush(peerId, sendAtMs);
      }
    } catch (error) {
      dirty = true;
      context.log.warn('could not sign our peer record', { error: String(error) });
    } finally {
      signing = false;
    }
  }

  /** Queues news for `fanout` random neighbours that have not seen it (not its sender, not its subject); returns them. */
  function forward(record: PeerRecord, from: PeerId): PeerId[] {
    const targets = context.openPeers().filter((peerId) => peerId !== from && peerId !== record.peerId && !linkKnows(peerId, record));
    const chosen: PeerId[] = [];
    for (let i = 0; i < settings.fanout && targets.length > 0; i++) {
      const [target] = targets.splice(randomIndex(random, targets.length), 1);
      enqueue(target!, record);
      chosen.push(target!);
    }
    return chosen;
  }

  return {
    ownRecord: () => own,

    onPeerOpen(peerId: PeerId, direction: LinkDirection): void {
      if (direction === 'out') outbound.add(peerId);
      knowledge.linkOpened(peerId);
      if (own) enqueue(peerId, own);
      for (const record of book.sample(MAX_RECORDS_PER_FRAME - 1, new Set([peerId]))) enqueue(peerId, record);
      flush(peerId, context.clock.nowMs());
      if (!own) void refreshOwn();
    },

    onPeerClose(peerId: PeerId): void {
      outbound.delete(peerId);
      queues.delete(peerId);
      knowledge.linkClosed(peerId);
      framesIn.delete(peerId);
      framesOut.delete(peerId);
      getPeersIn.delete(peerId);
    },

    /** PEER_RECORDS: rate limit, cheap drops, one batched verification, then book and forward. */
    async handleRecords(from: PeerId, parsed: ParsedPeerRecord[]): Promise<void> {
      const nowMs = context.clock.nowMs();
      if (!framesIn.take(from, nowMs)) {
        stats.rateLimitViolations++;
        return context.punish(from, `PEER_RECORDS above ${RECORD_FRAMES_IN.ratePerSec}/s (burst ${RECORD_FRAMES_IN.burst})`);
      }
      stats.recordsReceived += parsed.length;
      const fresh: PeerRecord[] = [];
      for (const item of parsed) {
        // A copy of what we hold is dropped on its seq alone, before its stamp is hashed or its record built:
        // fanout 3 delivers each record about three times, so most of what arrives is such a copy.
        knowledge.noteCopy(from, item.peerId, item.seq);
        if (!isNews(item) || fresh.some((other) => other.peerId === item.peerId && other.seq >= item.seq)) {
          stats.recordsStale++;
          continue;
        }
        const checked = checkPeerRecord(item, { network, nowMs, ...(deps.stampBits !== undefined ? { stampBits: deps.stampBits } : {}) });
        if (!checked.ok) {
          if (checked.reason === 'wrong-network') stats.recordsWrongNetwork++;
          else if (checked.reason === 'expired') stats.recordsExpired++;
          else {
            // The stamp (checkPeerRecord's only other rejection): an honest peer checks it before forwarding.
            stats.recordsBadStamp++;
            return context.punish(from, checked.detail);
          }
          continue;
        }
        fresh.push(checked.value);
      }
      if (fresh.length === 0) return;
      const valid = await verifier.verify(fresh.map((record) => peerRecordVerifyItem(network, record)));
      const forged = valid.filter((ok) => !ok).length;
      if (forged > 0) {
        stats.recordsRejected += forged;
        return context.punish(from, 'a peer record signature does not verify');
      }
      const atMs = context.clock.nowMs();
      const group = context.networkGroup?.(from);
      const source = group === undefined ? from : `net:${group}`;
      const touched = new Set<PeerId>();
      for (const record of fresh) {
        // Bucketed by who told us (peer-book.ts): the network group of `from`'s link where it has one (so a few hosts
        // holding many identities are a few sources), else `from`, which is the record's own peer when it sends its own.
        knowledge.noteVerified(from, record.peerId, record.seq); // verified: an unverified seq must never hide a peer's real records
        const outcome = book.upsert(record, atMs, source);
        if (outcome !== 'added' && outcome !== 'replaced') continue;
        stats.recordsAccepted++;
        for (const target of forward(record, from)) touched.add(target);
      }
      // One incoming frame's news leaves as one frame per neighbour, now; what the pacing holds back goes on later ticks.
      for (const target of touched) flush(target, atMs);
    },

    handleGetPeers(from: PeerId, want: number): void {
      const nowMs = context.clock.nowMs();
      if (!getPeersIn.take(from, nowMs)) {
        stats.rateLimitViolations++;
        return context.punish(from, `GET_PEERS above one per ${1 / GET_PEERS_IN.ratePerSec} s (burst ${GET_PEERS_IN.burst})`);
      }
      stats.getPeersReceived++;
      // A reply is an answer, not gossip: resend even what the asker may have seen.
      knowledge.forgetLink(from);
      if (own) enqueue(from, own);
      for (const record of book.sample(want - (own ? 1 : 0), new Set([from]))) enqueue(from, record);
      flush(from, nowMs);
    },

    tick(): void {
      const nowMs = context.clock.nowMs();
      book.prune(nowMs);
      const sinceSigned = nowMs - lastSignedMs;
      const changed = dirty || (own !== undefined && outboundChanged());
      if (!own || sinceSigned >= settings.refreshIntervalMs || (changed && sinceSigned >= settings.minResignIntervalMs)) void refreshOwn();
      const open = context.openPeers();
      for (const peerId of open) flush(peerId, nowMs);
      if (open.length > 0 && book.size < settings.thinBookSize && nowMs - lastGetPeersMs >= settings.getPeersIntervalMs) {
        const target = open[randomIndex(random, open.length)]!;
        if (context.sendModuleFrame(target, GET_PEERS, encodeGetPeers(MAX_RECORDS_PER_FRAME))) {
          lastGetPeersMs = nowMs;
          stats.getPeersSent++;
        }
      }
    },
  };
}

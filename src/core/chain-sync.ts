/**
 * Headers-first catch-up (docs/PROTOCOL.md, "Sync"). When a peer's HELLO
 * names a tip we lack, or it sends a block whose parent we lack, we send our
 * block locator; the peer answers with up to 100 headers after the fork
 * point. The header chain is checked first (header-chain.ts: linkage,
 * proof-of-work, targets, and that it carries more work than our tip); only
 * then are bodies requested, in parallel from every peer that has them, a
 * bounded number per peer, each as a full block in one round trip. The
 * ledger connects the bodies that arrived together in one store commit (a
 * group commit), and moves its tip only once that commit is written, so an
 * interrupted sync resumes from the stored tip.
 *
 * Liveness (issue 20): every block a peer shows us it has (its HELLO tip, an
 * announcement, a block whose parent we lack) is a claim, and a claim stays
 * open until the block is in our header index (an orphan does not count:
 * `ledger.hasBlock` is true for orphans, so the announcement path alone would
 * never ask again). While a peer has an open claim and no headers request is
 * out, the tick asks it again, every CLAIM_RETRY_MS, up to MAX_CLAIM_ASKS
 * times. An empty HEADERS answer therefore ends one attempt, not the chase: a
 * peer announces a block when its ledger has checked it, before its tip moves
 * (node.ts, 'validated'), so a headers request that crosses that announcement
 * is answered from the old tip, and used to leave a tab on the losing fork
 * for good.
 *
 * Outbound proof (issue 20; docs/SECURITY.md, "Eclipse resistance"): every
 * peer is asked for headers as its link opens, whatever its tip, and an
 * answer (an empty one will do) shows it serves us (PeerInfo.answered). A
 * peer we dialled must answer. One that has not answered within
 * OUTBOUND_PROOF_MS is stalled (PeerInfo.stalled: the maintainer dials a
 * replacement and ranks its origin last), and it is held off after
 * OUTBOUND_HOLD_OFF_AFTER_MS. Without this, a host that answers nothing kept
 * a young tab's outbound slots for good: honest announcers answer first, so
 * it was never asked for anything and never stalled. Bitcoin Core challenges
 * its outbound peers with a getheaders the same way (its outbound peer
 * eviction).
 */
import { MAX_HEADERS_PER_FRAME, MAX_LOCATOR_HASHES } from './frames.ts';
import { checkHeaderChain } from './header-chain.ts';
import type { Inventory } from './inventory.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { BlockHeader } from './ledger/types.ts';
import type { ProtocolContext } from './protocol-context.ts';
import type { LinkDirection } from './link.ts';
import type { BlockHash, PeerId } from './types.ts';
import { blockHash } from './ledger/block.ts';
import { STALLED_HOLD_OFF_AFTER_MS, STALLED_HOLD_OFF_MS } from './inventory.ts';

/**
 * Bodies requested from one peer and not yet connected; with the 64-block orphan pool, out-of-order
 * arrivals fit. The bodies that arrive while one group commit is in flight share the next (ledger.ts),
 * so this also bounds a group: 16 synced 6,000-6,200 tx/s in bench/sync-node.ts where 8 gave 5,650-5,900.
 */
const MAX_IN_FLIGHT_PER_PEER = 16;
/**
 * Bodies in flight from all peers together: each waits in the block relay until the ledger has it,
 * and the relay holds at most 32 (MAX_PENDING_BLOCKS, block-relay.ts); the rest is left for announced blocks.
 */
const MAX_IN_FLIGHT = 24;
/**
 * A node missing at most this many blocks is following the tip, not catching up: its mempool holds
 * most of a new block's transactions (it gets here when a block arrived before its parent, or a new
 * link showed one block more), so sync asks for those blocks compact, as an announcement would, and
 * downloads only the transactions it lacks. Further behind (a joiner, a tab back from sleep), a compact
 * block would miss nearly every transaction and cost a second round trip, so blocks come whole. Bitcoin
 * Core chooses the same way (BIP152: compact blocks for blocks near the tip). Fetched whole, the parents
 * of out-of-order blocks at 16 tabs downloaded 2,334 transactions the tabs already had
 * (docs/PERFORMANCE.md, "Bandwidth").
 */
const COMPACT_FETCH_WITHIN = 2;
/** A headers request unanswered this long may be sent again. */
const HEADERS_TIMEOUT_MS = 10_000;
/**
 * After a full HEADERS answer, the next request waits until this few bodies
 * are left to fetch, and then asks from our tip. Asking on at once, from the
 * answer's last header, failed: that header has no body yet, so the check
 * found its parent unknown and re-asked from the tip, a headers round trip per
 * block or two (54 requests for 500 blocks, measured with bench/sync-node.ts).
 * Two peers' worth of in-flight bodies keeps the download busy meanwhile.
 */
const ASK_HEADERS_BELOW = 2 * MAX_IN_FLIGHT_PER_PEER;

/**
 * A peer's open claim is asked after again this long after the last HEADERS
 * answer (or the claim itself): long enough for a block announced on
 * validation to reach the peer's tip (one store commit, 0.4-1 s on a busy tab),
 * short enough that a node never sits on a lighter chain for more than a few
 * seconds beside a peer on a heavier one (the simulator's liveness check).
 */
export const CLAIM_RETRY_MS = 2_000;
/** An outbound peer that has not answered its first headers request by then is stalled (an honest link answers in its round trip). */
export const OUTBOUND_PROOF_MS = 5_000;
/** ...and held off after this long without an answer (as long as an announcer stalling our requests, inventory.ts). */
export const OUTBOUND_HOLD_OFF_AFTER_MS = STALLED_HOLD_OFF_AFTER_MS;
/** Asks per claim before it is dropped: a peer that never serves the headers of a block it claims is not chased forever. */
const MAX_CLAIM_ASKS = 5;
/** Claims kept per peer (the newest): its tip and the few blocks it announced last. */
const MAX_CLAIMS_PER_PEER = 8;

interface PeerSync {
  headersAskedMs?: number;
  /**
   * GET_HEADERS sent to it and HEADERS it sent us. A request that timed out may still be answered
   * after the next one went out: only an answer beyond our requests is unsolicited.
   */
  asks: number;
  answers: number;
  /** When its last HEADERS answer came (or a claim was added): open claims are asked after CLAIM_RETRY_MS from here. */
  settledMs?: number;
  /** Blocks it showed us it has that are not in our header index yet, with the asks spent on each. */
  claims: Map<BlockHash, number>;
  /** Its last HEADERS answer was full: it may have more, to ask for once the queue runs low. */
  moreHeaders?: boolean;
  inFlight: Set<BlockHash>;
  /** Blocks this peer showed us it has (its headers). */
  has: Set<BlockHash>;
  /** A link we dialled that has not yet answered a headers request: since when it was first asked. */
  provingSinceMs?: number;
}

export interface SyncProgress {
  /** Blocks known from headers and not yet connected. */
  blocksWanted: number;
  /** The best height announced by peers' headers or HELLOs. */
  bestHeaderHeight: number;
}

export interface ChainSyncInit {
  ledger: Ledger;
  inventory: Inventory;
  /** False while a block is already on its way in (e.g. being rebuilt from a compact block): do not ask again. */
  wants?(hash: BlockHash): boolean;
  /**
   * Asks a peer for a whole block in one round trip (block-relay.ts fetchFull), used while more than
   * COMPACT_FETCH_WITHIN blocks are missing. Otherwise, or without it, bodies come through the
   * inventory as compact blocks, which a joiner's empty mempool cannot fill.
   */
  fetchBlock?(peerId: PeerId, hash: BlockHash): void;
  /** False: outbound peers need not answer a headers request (the attack bench's ablation). Default true. */
  outboundProof?: boolean;
}

export function createChainSync(context: ProtocolContext, init: ChainSyncInit) {
  const { ledger, inventory } = init;
  const peers = new Map<PeerId, PeerSync>();
  /** Bodies to download, in chain order. */
  const queue = new Map<BlockHash, BlockHeader>();
  let bestHeaderHeight = 0;

  const stateOf = (peerId: PeerId): PeerSync => {
    let state = peers.get(peerId);
    if (!state) peers.set(peerId, (state = { asks: 0, answers: 0, inFlight: new Set(), has: new Set(), claims: new Map() }));
    return state;
  };

  /** Indexed (connected or on a side branch with its ancestry): nothing more to learn about it. An orphan is not. */
  const resolved = (hash: BlockHash) => ledger.headerEntry(hash) !== undefined;

  /** Records that `peerId` has `hash`; true when it is news we must chase (not indexed here). */
  function claim(peerId: PeerId, hash: BlockHash): boolean {
    if (resolved(hash)) return false;
    const state = stateOf(peerId);
    if (!state.claims.has(hash)) {
      if (state.claims.size >= MAX_CLAIMS_PER_PEER) state.claims.delete(state.claims.keys().next().value!);
      state.claims.set(hash, 0);
    }
    state.settledMs ??= context.clock.nowMs();
    return true;
  }

  /** Drops resolved and exhausted claims; true when `state` still has one to chase. */
  function openClaims(state: PeerSync): boolean {
    for (const [hash, asks] of state.claims) if (resolved(hash) || asks >= MAX_CLAIM_ASKS) state.claims.delete(hash);
    return state.claims.size > 0;
  }

  function askHeaders(peerId: PeerId): void {
    const state = stateOf(peerId);
    const now = context.clock.nowMs();
    if (state.headersAskedMs !== undefined && now - state.headersAskedMs < HEADERS_TIMEOUT_MS) return;
    state.headersAskedMs = now;
    state.asks++;
    for (const [hash, asks] of state.claims) state.claims.set(hash, asks + 1);
    context.count('headersRequested');
    context.send(peerId, { type: 'getHeaders', locator: ledger.locator().slice(0, MAX_LOCATOR_HASHES) });
  }

  /** Spreads outstanding body requests over the peers that have them, least busy first. */
  function pump(): void {
    const open = context.openPeers();
    if (queue.size <= ASK_HEADERS_BELOW) {
      for (const peerId of open) {
        const state = peers.get(peerId);
        if (!state?.moreHeaders) continue;
        state.moreHeaders = false;
        askHeaders(peerId);
      }
    }
    let inFlight = 0;
    for (const state of peers.values()) inFlight += state.inFlight.size;
    for (const hash of queue.keys()) {
      if (inFlight >= MAX_IN_FLIGHT) break;
      if (ledger.hasBlock(hash)) {
        queue.delete(hash);
        continue;
      }
      if (inventory.isRequested('block', hash) || init.wants?.(hash) === false) continue;
      const holder = open
        .map((peerId) => ({ peerId, state: peers.get(peerId) }))
        .filter(({ state }) => state?.has.has(hash) && state.inFlight.size < MAX_IN_FLIGHT_PER_PEER)
        .sort((a, b) => a.state!.inFlight.size - b.state!.inFlight.size)[0];
      if (!holder) continue;
      holder.state!.inFlight.add(hash);
      inFlight++;
      if (init.fetchBlock && queue.size > COMPACT_FETCH_WITHIN) {
        context.count('blocksRequested');
        init.fetchBlock(holder.peerId, hash);
      } else {
        context.count('blocksRequestedCompact');
        inventory.request(holder.peerId, 'block', hash);
      }
    }
  }

  return {
    /** A peer's HELLO names its tip; fetch headers if we do not have it. */
    onHello(peerId: PeerId, tipHash: BlockHash, tipHeight: number, direction: LinkDirection): void {
      const state = stateOf(peerId);
      bestHeaderHeight = Math.max(bestHeaderHeight, tipHeight);
      // Every new link is asked once, whatever its tip (Bitcoin Core sends getheaders to each peer as it connects):
      // the answer shows the peer serves us (PeerInfo.answered). Only a link we dialled must answer.
      const asking = init.outboundProof !== false;
      if (asking && direction === 'out') state.provingSinceMs = context.clock.nowMs();
      if (claim(peerId, tipHash) || asking) askHeaders(peerId);
    },

    /** Has `peerId` answered a headers request of ours (for a link we dialled: passed the outbound proof)? */
    hasAnswered: (peerId: PeerId): boolean => (peers.get(peerId)?.answers ?? 0) > 0,

    /** A link we dialled that has left its first headers request unanswered for OUTBOUND_PROOF_MS. */
    isStalled(peerId: PeerId): boolean {
      const since = peers.get(peerId)?.provingSinceMs;
      return since !== undefined && context.clock.nowMs() - since > OUTBOUND_PROOF_MS;
    },

    /**
     * A peer announced a block (INV). One we lack is fetched by the inventory; one we hold as an
     * orphan is not, so its headers are asked for here, as they would be for a HELLO naming it.
     */
    onAnnounced(peerId: PeerId, hash: BlockHash): void {
      if (claim(peerId, hash) && ledger.hasBlock(hash)) askHeaders(peerId);
    },

    /**
     * Asks `peerId` for the headers after our tip: a block from it had an unknown parent (`hash`, kept
     * as a claim until its ancestry is indexed), or one stalled elsewhere.
     */
    askHeadersOf(peerId: PeerId, hash?: BlockHash): void {
      if (hash !== undefined) claim(peerId, hash);
      askHeaders(peerId);
    },

    handleGetHeaders(peerId: PeerId, locator: BlockHash[]): void {
      context.send(peerId, { type: 'headers', headers: ledger.headersAfter(locator, MAX_HEADERS_PER_FRAME) });
    },

    handleHeaders(peerId: PeerId, headers: BlockHeader[]): void {
      const state = stateOf(peerId);
      if (state.answers >= state.asks) return context.punish(peerId, 'sent headers nobody asked for');
      state.answers++;
      state.provingSinceMs = undefined;
      state.headersAskedMs = undefined;
      state.settledMs = context.clock.nowMs();
      // Whatever the answer named, we now know where it stands (a lighter branch is not fetched).
      for (const header of headers) state.claims.delete(blockHash(header));
      // Empty: the peer is on our chain, or answered from a tip it has not moved yet; open claims are asked again on the tick.
      if (headers.length === 0) return;
      const checked = checkHeaderChain(ledger, headers);
      if (!checked.ok) {
        if (checked.reason === 'time-too-new') return context.log.info('peer headers are ahead of our clock; will retry', { peerId });
        if (checked.reason === 'unknown-parent') return askHeaders(peerId);
        return context.punish(peerId, `sent an invalid header chain: ${checked.reason} (${checked.detail})`);
      }
      const { wanted, beatsTip, lastHash } = checked.value;
      bestHeaderHeight = Math.max(bestHeaderHeight, headers[headers.length - 1]!.height);
      for (const { hash } of wanted) state.has.add(hash);
      const full = headers.length === MAX_HEADERS_PER_FRAME;
      // Bodies are fetched only for a chain that will beat our tip; a full answer may continue, so ask on.
      if (beatsTip || full) for (const { hash, header } of wanted) if (!queue.has(hash)) queue.set(hash, header);
      if (full && lastHash) state.moreHeaders = true;
      context.count('headersReceived', headers.length);
      pump();
    },

    /** A requested (or announced) block's fetch ended; free its slot and request more. */
    onBlockArrived(hash: BlockHash): void {
      queue.delete(hash);
      for (const state of peers.values()) state.inFlight.delete(hash);
      pump();
    },

    tick(): void {
      for (const state of peers.values()) {
        // A body that came and waits for the ledger (its group commit) still holds its slot until
        // onBlockArrived: freeing it earlier let a fast peer fill the block relay's pending limit.
        for (const hash of state.inFlight) if (!inventory.isRequested('block', hash) && init.wants?.(hash) !== false) state.inFlight.delete(hash);
      }
      const now = context.clock.nowMs();
      for (const peerId of context.openPeers()) {
        const state = peers.get(peerId);
        if (state?.provingSinceMs !== undefined && now - state.provingSinceMs > OUTBOUND_HOLD_OFF_AFTER_MS) {
          context.holdOff(peerId, `a peer we dialled answered no headers request in ${Math.round((now - state.provingSinceMs) / 1000)} s`, STALLED_HOLD_OFF_MS);
          continue;
        }
        if (!state || !openClaims(state) || now - (state.settledMs ?? 0) < CLAIM_RETRY_MS) continue;
        if (state.headersAskedMs === undefined || now - state.headersAskedMs >= HEADERS_TIMEOUT_MS) {
          context.count('headersRetried');
          askHeaders(peerId);
        }
      }
      pump();
    },

    forgetPeer(peerId: PeerId): void {
      peers.delete(peerId);
      pump();
    },

    progress(): SyncProgress {
      return { blocksWanted: queue.size, bestHeaderHeight: Math.max(bestHeaderHeight, ledger.tip().height) };
    },
  };
}

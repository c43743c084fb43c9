/**
 * Announce-and-fetch gossip (docs/PROTOCOL.md, "Inventory"): ids are
 * announced (INV), bodies are sent only to peers that ask (GETDATA), so a body
 * crosses each link at most once. For every peer we remember which ids it
 * already knows (it announced them, or we announced or sent them to it) and
 * never announce those to it. Announcements and requests are batched:
 * everything queued for a peer while one task runs leaves in one INV and one
 * GETDATA.
 *
 * On the wire a transaction is named by its short id (frames.ts `invId`), a
 * block by its hash. The callers speak full ids; this module maps between
 * them with an index of the transaction ids it has seen (short-id-index.ts).
 *
 * Requests are tracked: each id is asked of one announcer at a time. NOTFOUND
 * or a timeout moves the request to the next announcer (Bitcoin Core's
 * txrequest). Announcers are asked in order of standing: one that has
 * answered a GETDATA of ours before, then one that has not yet been asked
 * (a new link), then one *stalled* (it has left a GETDATA of ours
 * unanswered for DELIVERY_TIMEOUT_MS). A request waiting on a stalled
 * announcer moves as soon as another announces the item, and one waiting on
 * an unproven announcer moves after PREEMPT_UNPROVEN_MS if one that has
 * answered before announced it too. A block waiting on an announcer that
 * has never answered is asked of the next announcer after
 * PREEMPT_UNPROVEN_BLOCK_MS, whatever its standing (as BIP152 takes a block
 * from up to three peers): before the first block no peer has answered
 * anything, a few Sybils announce every block first, and a block must not
 * wait out a timeout per hop. An honest announcer answers within that, so
 * a calm network fetches each block once. An announcer that never delivers (a
 * Sybil announcing everything it hears) so costs about a second per link,
 * not DELIVERY_TIMEOUT_MS per item and hop. Moving on is not punishment: a
 * body the first announcer sends late is still welcome. A peer that has
 * answered none of our GETDATAs for STALLED_HOLD_OFF_AFTER_MS is closed and
 * held off for STALLED_HOLD_OFF_MS (not a ban for misbehaviour: a tab
 * starved that long relays nothing either), so Sybils that announce and
 * never deliver cannot sit in a tab's slots and keep it from honest peers.
 *
 * Slowness is never punished as misbehaviour: a tab whose CPU is starved handles
 * frames seconds late, and must not take an honest peer for a liar
 * (docs/SECURITY.md, "Announce and fetch: slow is not malicious"). Only an announcer that
 * answered a *later* GETDATA while skipping this one is punished (a peer
 * answers GETDATAs in order, so that is proof it withheld the body), and data
 * nobody asked for is misbehaviour. docs/SECURITY.md, "Announce and fetch".
 */
import { createShortIdIndex } from './short-id-index.ts';
import { MAX_INV_ITEMS, type InvItem, type InvKind } from './frames.ts';
import type { ProtocolContext } from './protocol-context.ts';
import type { PeerId } from './types.ts';
import { BoundedSet } from './bounded-set.ts';

/** Ids remembered per peer: a few minutes of traffic at 100 tx/s. */
const KNOWN_PER_PEER = 20_000;
/** Fetches in flight across all peers; announcements beyond this wait for the next one. */
const MAX_REQUESTS = 5_000;
/** A peer that announced an id has this long to deliver it (or say NOTFOUND) before we also ask another. */
export const DELIVERY_TIMEOUT_MS = 5_000;
/**
 * A request asked of an announcer that has never answered us moves to one that has, after this long. An
 * honest new link answers within its round trip (p99 0.73 s at 8 loaded tabs, docs/PERFORMANCE.md); a
 * late answer is still taken, so a slow honest peer costs one duplicate body at most.
 */
export const PREEMPT_UNPROVEN_MS = 1_000;
/**
 * A block asked of an announcer that has never answered us is asked of the next announcer after this long,
 * whatever that one's standing (a compact block is small; the first answer ends the request). Longer than
 * a round trip (the simulator's 80-120 ms, a loaded tab's p50), short against a hop of a block.
 */
export const PREEMPT_UNPROVEN_BLOCK_MS = 500;
/** A peer that has answered none of our GETDATAs for this long is closed: 4 × DELIVERY_TIMEOUT_MS. */
export const STALLED_HOLD_OFF_AFTER_MS = 4 * DELIVERY_TIMEOUT_MS;
/** ...and held off this long (a ban for misbehaviour lasts 10 minutes). */
export const STALLED_HOLD_OFF_MS = 2 * 60_000;
/** Requests that moved on from a peer whose body may still arrive (late, not unsolicited): as many as can be in flight. */
const MAX_RETIRED = MAX_REQUESTS;
/** Transaction ids whose short ids we can resolve: as many as tx-relay's seen-cache holds. */
const LOCAL_TX_IDS = 100_000;
/**
 * While the page is busy (InventoryInit.busy) and the node has a timer
 * (InventoryInit.after), transaction announcements wait this long, like
 * Bitcoin's trickle but short: those of a burst leave in one INV per peer,
 * and a peer that announces the same transaction to us meanwhile is not told
 * about it again. With 8 visible tabs at 100 tx/s the latency p50 was
 * 7-25% lower in each of 5 interleaved pairs of runs (fewer, larger messages
 * on main threads that are behind), and the INV bytes about 5% lower. A calm
 * page announces at once: a fixed delay put 20 ms on every hop of an idle
 * network (docs/PERFORMANCE.md). Blocks are never delayed.
 */
export const TX_ANNOUNCE_DELAY_MS = 20;
/**
 * An announcement of a transaction to a peer that the peer records place on a
 * link to the transaction's signer waits this long: the signer pushes its
 * transactions to every peer (pushTx), so that peer is about to have it, and
 * an INV arriving first made it fetch the transaction from us and then take
 * the push as a second body (1.02–1.03 bodies per tab per transaction at 8
 * tabs, docs/PERFORMANCE.md). If the push was lost or the records are stale,
 * the INV still goes, this much later; one the peer sends us first cancels it.
 */
export const SIGNER_NEIGHBOUR_HOLD_MS = 100;
/**
 * Two neighbours of a signer both get its push, and both would announce the
 * transaction to each other when their holds end, crossing on the wire: most
 * of the INV bytes at 16 tabs, where most tabs are a signer's neighbours
 * (docs/PERFORMANCE.md, "Bandwidth"). The one with the higher peer id holds
 * twice as long, so the other's announcement usually arrives first and
 * cancels it (InventoryInit.selfId).
 */
export const SIGNER_NEIGHBOUR_LATE_HOLD_MS = 2 * SIGNER_NEIGHBOUR_HOLD_MS;

const keyOf = (kind: InvKind, wireId: string) => `${kind}:${wireId}`;

interface Request {
  kind: InvKind;
  /** The id as the wire names it (a transaction's short id). */
  wireId: string;
  /** The peer asked now, when, and in which of our GETDATA frames to it. */
  askedPeer: PeerId;
  askedMs: number;
  askedSeq: number;
  /** Other peers that announced it, to ask next. */
  alternatives: PeerId[];
}

interface PeerState {
  known: BoundedSet<string>;
  invOut: InvItem[];
  getDataOut: InvItem[];
  /** Sequence number of our latest GETDATA frame to this peer (the one being filled, if getDataOut is not empty). */
  getDataSeq: number;
  /** The highest GETDATA sequence whose answer (a body or NOTFOUND) we have handled. */
  answeredSeq: number;
  /** When each unanswered GETDATA frame (by sequence) was sent; answers remove theirs. */
  askedAtMs: Map<number, number>;
  /** When the peer last answered a GETDATA of ours (a body or NOTFOUND we matched); 0: never. */
  lastAnswerMs: number;
}

/** Unanswered GETDATA frames remembered per peer: only the oldest matters, and a peer that answers keeps few. */
const MAX_ASK_TIMES = 1_024;

export interface InventoryInit {
  /** Does this node want the body (it has not got it and is not rebuilding it)? Full ids. */
  wants(kind: InvKind, id: string): boolean;
  /** Sends the body to `peerId` if we have it; false means NOTFOUND. Full ids. */
  provide(kind: InvKind, id: string, peerId: PeerId): Promise<boolean> | boolean;
  /** Runs `flush` after the current task, so announcements and requests made meanwhile leave together. */
  defer(flush: () => void): void;
  /** Runs `fn` after `delayMs`; without it, transaction announcements are not delayed (TX_ANNOUNCE_DELAY_MS). */
  after?: (delayMs: number, fn: () => void) => void;
  /** Is the page behind on its tasks? Announcements are delayed only then; absent means always. */
  busy?: () => boolean;
  /**
   * Do the peer records say `a` and `b` are linked? Absent means unknown (no SIGNER_NEIGHBOUR_HOLD_MS).
   * A page whose timers cannot keep a 100 ms hold (a hidden tab) answers false, as `busy` does.
   */
  linked?: (a: PeerId, b: PeerId) => boolean;
  /** This node's id: of two signer's neighbours, the higher id holds its announcement longer (SIGNER_NEIGHBOUR_LATE_HOLD_MS). */
  selfId?: PeerId;
  /**
   * False: announcers are asked in the order they announced, nobody is stalled or held off, and a block is
   * asked of one announcer at a time (only the attack bench's ablation). Default true.
   */
  announcerStanding?: boolean;
}

export type Inventory = ReturnType<typeof createInventory>;

export function createInventory(context: ProtocolContext, init: InventoryInit) {
  const peers = new Map<PeerId, PeerState>();
  const requests = new Map<string, Request>();
  /** (peer, item) → the GETDATA sequence it was asked in: requests that moved on before that peer answered. */
  const retired = new Map<string, number>();
  const txIds = createShortIdIndex(LOCAL_TX_IDS);
  let flushScheduled = false;
  /** Transaction announcements waiting out TX_ANNOUNCE_DELAY_MS (a busy page) or SIGNER_NEIGHBOUR_HOLD_MS. */
  const busyHold = createAnnouncementHold(TX_ANNOUNCE_DELAY_MS, 'announcementsDelayed');
  const signerHold = createAnnouncementHold(SIGNER_NEIGHBOUR_HOLD_MS, 'announcementsHeldForSigner');
  const signerLateHold = createAnnouncementHold(SIGNER_NEIGHBOUR_LATE_HOLD_MS, 'announcementsHeldForSigner');

  const stateOf = (peerId: PeerId): PeerState => {
    let state = peers.get(peerId);
    if (!state) peers.set(peerId, (state = { known: new BoundedSet(KNOWN_PER_PEER), invOut: [], getDataOut: [], getDataSeq: 0, answeredSeq: 0, askedAtMs: new Map(), lastAnswerMs: 0 }));
    return state;
  };
  /**
   * How long `peerId` has left a GETDATA of ours unanswered without answering any since: 0 when it has
   * none waiting, or answered after the oldest was sent (an answer we could not match must not make an
   * honest peer look stalled).
   */
  const stalledForMs = (peerId: PeerId): number => {
    if (init.announcerStanding === false) return 0;
    const state = peers.get(peerId);
    const oldest = state?.askedAtMs.get(state.answeredSeq + 1);
    return oldest === undefined || state!.lastAnswerMs > oldest ? 0 : context.clock.nowMs() - oldest;
  };
  /** Has `peerId` left a GETDATA of ours unanswered for longer than DELIVERY_TIMEOUT_MS? */
  const stalled = (peerId: PeerId): boolean => stalledForMs(peerId) > DELIVERY_TIMEOUT_MS;
  /** An announcer's standing (higher is asked first): 2 answered before, 1 not yet asked or still in time, 0 stalled. */
  const standing = (peerId: PeerId): number => {
    if (init.announcerStanding === false) return 1;
    return stalled(peerId) ? 0 : (peers.get(peerId)?.answeredSeq ?? 0) > 0 ? 2 : 1;
  };
  /** The wire id of a full id; a transaction's is also indexed, so an announcement of it resolves. */
  const wireIdOf = (kind: InvKind, id: string): string => (kind === 'tx' ? txIds.add(id) : id);
  const retiredKey = (peerId: PeerId, key: string) => `${peerId}|${key}`;

  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    init.defer(flush);
  }

  function sendBatches(peerId: PeerId, type: 'inv' | 'getData', items: InvItem[]): void {
    for (let start = 0; start < items.length; start += MAX_INV_ITEMS) {
      const batch = items.slice(start, start + MAX_INV_ITEMS);
      if (context.send(peerId, { type, items: batch })) context.count(type === 'inv' ? 'invSent' : 'getDataSent', batch.length);
    }
  }

  function flush(): void {
    flushScheduled = false;
    for (const [peerId, state] of peers) {
      if (state.invOut.length > 0) sendBatches(peerId, 'inv', state.invOut.splice(0));
      flushGetData(peerId, state);
    }
  }

  function flushGetData(peerId: PeerId, state: PeerState): void {
    if (state.getDataOut.length > 0) sendBatches(peerId, 'getData', state.getDataOut.splice(0));
  }

  /**
   * Transaction announcements that wait before they join a batch, per peer (wire ids); one timer
   * for all of them. What a peer announces to us meanwhile is cancelled (handleInv).
   */
  function createAnnouncementHold(delayMs: number, counter: 'announcementsDelayed' | 'announcementsHeldForSigner') {
    const held = new Map<PeerId, Set<string>>();
    let running = false;
    const release = () => {
      running = false;
      for (const [peerId, wireIds] of held) {
        const state = peers.get(peerId);
        if (!state) continue;
        for (const wireId of wireIds) state.invOut.push({ kind: 'tx', id: wireId });
        context.count(counter, wireIds.size);
      }
      held.clear();
      scheduleFlush();
    };
    return {
      get running() {
        return running;
      },
      add(peerId: PeerId, wireId: string, after: NonNullable<InventoryInit['after']>): void {
        let wireIds = held.get(peerId);
        if (!wireIds) held.set(peerId, (wireIds = new Set()));
        wireIds.add(wireId);
        if (running) return;
        running = true;
        after(delayMs, release);
      },
      cancel: (peerId: PeerId, wireId: string): boolean => held.get(peerId)?.delete(wireId) ?? false,
      forget: (peerId: PeerId) => held.delete(peerId),
    };
  }

  /** Queues an announcement to one peer; `signer` (a transaction's) lets one to the signer's neighbours wait. */
  function queue(peerId: PeerId, kind: InvKind, wireId: string, signer?: PeerId): void {
    const key = keyOf(kind, wireId);
    const state = stateOf(peerId);
    if (state.known.has(key)) {
      context.count('announcementsAvoided');
      return;
    }
    state.known.add(key);
    if (kind === 'tx' && init.after) {
      if (signer !== undefined && init.linked?.(signer, peerId)) {
        const hold = init.selfId !== undefined && init.selfId > peerId && init.linked(signer, init.selfId) ? signerLateHold : signerHold;
        return hold.add(peerId, wireId, init.after);
      }
      if (busyHold.running || init.busy?.() !== false) return busyHold.add(peerId, wireId, init.after);
    }
    state.invOut.push({ kind, id: wireId });
    scheduleFlush();
  }

  function ask(request: Request): void {
    const state = stateOf(request.askedPeer);
    if (state.getDataOut.length === 0) {
      state.getDataSeq++;
      if (state.askedAtMs.size < MAX_ASK_TIMES) state.askedAtMs.set(state.getDataSeq, context.clock.nowMs());
    }
    state.getDataOut.push({ kind: request.kind, id: request.wireId });
    request.askedMs = context.clock.nowMs();
    request.askedSeq = state.getDataSeq;
    scheduleFlush();
  }

  /** Remembers that `peerId` was asked for `key` and may still deliver it. */
  function retire(peerId: PeerId, key: string, seq: number): void {
    retired.set(retiredKey(peerId, key), seq);
    if (retired.size > MAX_RETIRED) retired.delete(retired.keys().next().value!);
  }

  /** Moves a request to the next announcer (the first of the best standing), or drops it when none is left. */
  function retry(key: string, request: Request): void {
    let index = 0;
    for (let i = 1; i < request.alternatives.length; i++) if (standing(request.alternatives[i]!) > standing(request.alternatives[index]!)) index = i;
    const [next] = request.alternatives.splice(index, 1);
    if (!next) {
      requests.delete(key);
      return;
    }
    request.askedPeer = next;
    context.count('fetchRetries');
    ask(request);
  }

  /**
   * A request waiting on an announcer that has never answered us moves on: a transaction after
   * PREEMPT_UNPROVEN_MS to one that has answered before, a block after PREEMPT_UNPROVEN_BLOCK_MS to any other.
   */
  function preemptUnproven(key: string, now: number): void {
    const request = requests.get(key);
    // Standing 1 is "never answered, not stalled"; the ablation ranks everyone 1, so it is excluded by name.
    if (init.announcerStanding === false || !request || standing(request.askedPeer) !== 1) return;
    const block = request.kind === 'block';
    if (now - request.askedMs < (block ? PREEMPT_UNPROVEN_BLOCK_MS : PREEMPT_UNPROVEN_MS)) return;
    if (request.alternatives.some((peerId) => (block ? standing(peerId) > 0 : standing(peerId) === 2))) moveOn(key, request);
  }

  /** Asks the next announcer; the one asked may still deliver late. */
  function moveOn(key: string, request: Request): void {
    retire(request.askedPeer, key, request.askedSeq);
    retry(key, request);
  }

  /** `peerId` answered (body or NOTFOUND) our GETDATA number `seq`. */
  function answered(peerId: PeerId, seq: number): void {
    const state = peers.get(peerId);
    if (state) state.lastAnswerMs = context.clock.nowMs();
    if (!state || seq <= state.answeredSeq) return;
    for (let answered = state.answeredSeq + 1; answered <= seq; answered++) state.askedAtMs.delete(answered);
    state.answeredSeq = seq;
  }

  function startRequest(peerId: PeerId, kind: InvKind, wireId: string): void {
    const request: Request = { kind, wireId, askedPeer: peerId, askedMs: 0, askedSeq: 0, alternatives: [] };
    requests.set(keyOf(kind, wireId), request);
    ask(request);
  }

  /** Whether an announced item is one we lack; a short id we have seen resolves to the full ids that carry it. */
  function wanted(kind: InvKind, wireId: string): boolean {
    if (kind === 'block') return init.wants(kind, wireId);
    return txIds.fullIds(wireId).every((id) => init.wants(kind, id));
  }

  return {
    /**
     * Queues an announcement of `id` to every open peer that does not know it (and is not `except`).
     * A transaction's `signer` pushed it to its own peers: announcements to those wait (SIGNER_NEIGHBOUR_HOLD_MS).
     */
    announce(kind: InvKind, id: string, except?: PeerId, signer?: PeerId): void {
      const wireId = wireIdOf(kind, id);
      for (const peerId of context.openPeers()) if (peerId !== except) queue(peerId, kind, wireId, signer);
    },

    /** Queues announcements to one peer, e.g. our whole mempool to a peer that just linked (BIP35's idea). */
    announceTo(peerId: PeerId, kind: InvKind, ids: Iterable<string>): void {
      for (const id of ids) queue(peerId, kind, wireIdOf(kind, id));
    },

    /** Records that `peerId` has `id` (it sent or announced it), so we never announce it back. */
    markKnown(peerId: PeerId, kind: InvKind, id: string): void {
      stateOf(peerId).known.add(keyOf(kind, wireIdOf(kind, id)));
    },

    /** Ids this node holds that it learnt elsewhere (storage), so announcements of them are not fetched. */
    remember(kind: InvKind, ids: Iterable<string>): void {
      for (const id of ids) wireIdOf(kind, id);
    },

    handleInv(peerId: PeerId, items: InvItem[]): void {
      context.count('invReceived', items.length);
      const state = stateOf(peerId);
      for (const { kind, id } of items) {
        const key = keyOf(kind, id);
        state.known.add(key);
        // It announced first: ours, still waiting, is not sent.
        if (kind === 'tx' && (busyHold.cancel(peerId, id) || signerHold.cancel(peerId, id) || signerLateHold.cancel(peerId, id))) context.count('announcementsAvoided');
        const pending = requests.get(key);
        if (pending) {
          if (pending.askedPeer !== peerId && !pending.alternatives.includes(peerId)) pending.alternatives.push(peerId);
          context.count('duplicateInv');
          // Waiting on a stalled announcer: ask this one now (moveOn keeps the first one's late answer welcome).
          if (pending.askedPeer !== peerId && standing(pending.askedPeer) === 0 && standing(peerId) > 0) moveOn(key, pending);
          // A block waiting on an unproven announcer: look again once an honest one would have answered.
          else if (kind === 'block' && standing(pending.askedPeer) === 1 && init.after) init.after(PREEMPT_UNPROVEN_BLOCK_MS, () => preemptUnproven(key, context.clock.nowMs()));
          continue;
        }
        if (!wanted(kind, id)) {
          context.count('duplicateInv');
          continue;
        }
        if (requests.size >= MAX_REQUESTS) continue;
        startRequest(peerId, kind, id);
      }
    },

    /**
     * Asks `peerId` for a body without an announcement (sync knows the peer has it from its headers).
     * The GETDATA leaves before this returns (with anything batched for that peer), so a frame the
     * caller sends next follows it on the link (block-relay's fetchFull relies on that order).
     */
    request(peerId: PeerId, kind: InvKind, id: string): void {
      const wireId = wireIdOf(kind, id);
      if (requests.has(keyOf(kind, wireId))) return;
      startRequest(peerId, kind, wireId);
      flushGetData(peerId, stateOf(peerId));
    },

    /** Has `peerId` left a GETDATA of ours unanswered past DELIVERY_TIMEOUT_MS (it is asked last, and the mesh does not count it)? */
    isStalled: (peerId: PeerId): boolean => stalled(peerId),

    isRequested: (kind: InvKind, id: string): boolean => requests.has(keyOf(kind, wireIdOf(kind, id))),

    /** Is a transaction with this short id (as the wire names it) being fetched from a peer? */
    isTxInFlight: (shortId: string): boolean => requests.has(keyOf('tx', shortId)),

    /** Answers each item in order (a body, or NOTFOUND for the rest after them): askers rely on that order. */
    async handleGetData(peerId: PeerId, items: InvItem[]): Promise<void> {
      context.count('getDataReceived', items.length);
      const state = stateOf(peerId);
      const missing: InvItem[] = [];
      for (const item of items) {
        state.known.add(keyOf(item.kind, item.id));
        const candidates = item.kind === 'tx' ? txIds.fullIds(item.id) : [item.id];
        let sent = false;
        for (const id of candidates) if (!sent) sent = await provideSafely(item.kind, id, peerId);
        if (!sent) missing.push(item);
      }
      if (missing.length > 0) context.send(peerId, { type: 'notFound', items: missing });
    },

    handleNotFound(peerId: PeerId, items: InvItem[]): void {
      for (const { kind, id } of items) {
        const key = keyOf(kind, id);
        const request = requests.get(key);
        const late = retired.get(retiredKey(peerId, key));
        if (request?.askedPeer === peerId) {
          answered(peerId, request.askedSeq);
          retry(key, request);
        } else if (late !== undefined) {
          answered(peerId, late);
          retired.delete(retiredKey(peerId, key));
        }
      }
    },

    /**
     * A body arrived from `peerId`. True when we asked that peer for it, now
     * or before the request moved on (a late body is not unsolicited); false
     * means nobody asked, which the caller treats as misbehaviour. A
     * transaction is matched by its short id, so a different transaction with
     * the same short id (a collision its maker ground) is accepted as the
     * answer: docs/SECURITY.md, "Short transaction ids".
     */
    delivered(peerId: PeerId, kind: InvKind, id: string): boolean {
      const key = keyOf(kind, wireIdOf(kind, id));
      stateOf(peerId).known.add(key);
      const request = requests.get(key);
      const late = retired.get(retiredKey(peerId, key));
      if (request?.askedPeer !== peerId && late === undefined) return false;
      if (request?.askedPeer === peerId) {
        answered(peerId, request.askedSeq);
      } else {
        answered(peerId, late!);
        retired.delete(retiredKey(peerId, key));
        // The body is here: the peer asked since may still answer, and that answer is not unsolicited either.
        if (request) retire(request.askedPeer, key, request.askedSeq);
      }
      requests.delete(key);
      return true;
    },

    /**
     * Sends a transaction's body unannounced to every open peer that does not
     * know it: the first hop of a transaction this tab signed (docs/PROTOCOL.md,
     * "A tab pushes its own transactions"). Nobody can have it yet, so no body
     * crosses a link twice, and each peer saves the INV and GETDATA legs.
     */
    pushTx(id: string, sendBody: (peerId: PeerId) => boolean): void {
      const key = keyOf('tx', wireIdOf('tx', id));
      for (const peerId of context.openPeers()) {
        const state = stateOf(peerId);
        if (state.known.has(key)) continue;
        state.known.add(key);
        if (sendBody(peerId)) context.count('txPushed');
      }
    },

    /**
     * A peer pushed us a body nobody asked for, and the caller accepted it (it
     * is the peer's own transaction). A request for it from another announcer
     * ends; that announcer's answer, when it comes, is late rather than unsolicited.
     */
    acceptPushed(peerId: PeerId, id: string): void {
      const key = keyOf('tx', wireIdOf('tx', id));
      stateOf(peerId).known.add(key);
      const request = requests.get(key);
      if (!request) return;
      retire(request.askedPeer, key, request.askedSeq);
      requests.delete(key);
    },

    /** Ends the request for `id` without a delivery (e.g. the block's announcer is rebuilding it). */
    settle(kind: InvKind, id: string): void {
      requests.delete(keyOf(kind, wireIdOf(kind, id)));
    },

    /**
     * Requests unanswered for DELIVERY_TIMEOUT_MS move to the next announcer;
     * the one asked may still deliver. It is punished only if it answered a
     * later GETDATA of ours meanwhile: it skipped this item on purpose.
     */
    tick(): void {
      const now = context.clock.nowMs();
      for (const [key, request] of requests) {
        if (now - request.askedMs <= DELIVERY_TIMEOUT_MS) {
          preemptUnproven(key, now);
          continue;
        }
        const { askedPeer, askedSeq } = request;
        retire(askedPeer, key, askedSeq);
        retry(key, request);
        if ((peers.get(askedPeer)?.answeredSeq ?? 0) > askedSeq) {
          context.punish(askedPeer, `announced ${request.kind} ${request.wireId.slice(0, 12)} and did not deliver it, though it answered later requests`);
        }
      }
      for (const peerId of peers.keys()) {
        const ms = stalledForMs(peerId);
        if (ms > STALLED_HOLD_OFF_AFTER_MS) context.holdOff(peerId, `answered none of our requests for ${Math.round(ms / 1000)} s`, STALLED_HOLD_OFF_MS);
      }
    },

    forgetPeer(peerId: PeerId): void {
      peers.delete(peerId);
      busyHold.forget(peerId);
      signerHold.forget(peerId);
      signerLateHold.forget(peerId);
      for (const [key, request] of requests) {
        request.alternatives = request.alternatives.filter((id) => id !== peerId);
        if (request.askedPeer === peerId) retry(key, request);
      }
    },
  };

  async function provideSafely(kind: InvKind, id: string, peerId: PeerId): Promise<boolean> {
    try {
      return await init.provide(kind, id, peerId);
    } catch (error) {
      // Answer NOTFOUND rather than nothing: a missing answer would look like withholding to the asker.
      context.log.warn('could not provide an inventory item', { peerId, kind, id, error: String(error) });
      return false;
    }
  }
}

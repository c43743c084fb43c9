/**
 * Keeps this tab's degree bounded (issue 4 §1; docs/PROTOCOL.md, "Mesh"):
 * between `lowLinks` and `highLinks` links around a target D, with some slots
 * reserved for links this tab dialled.
 *
 * - Candidates are the relay room plus the peer book, chosen at random,
 *   skipping banned peers, peers in backoff and, when the app says so, peers
 *   no signal can reach (relay down, no mesh route). Peers whose record says
 *   they have no inbound room are tried last, and the farthest peers first:
 *   drawing uniformly among the nearest (all a relay-free mesh can reach)
 *   grew a lattice with twice the path length of a random graph (measured).
 * - Below D it dials one peer per tick; below the low mark, up to D at once.
 * - At least `minOutbound` links are ones we dialled: inbound links are
 *   refused beyond `highLinks - minOutbound` (shouldAccept), and if inbound
 *   links fill the slots anyway the youngest is closed to make room, so
 *   peers that dial us cannot eclipse us (Bitcoin Core keeps 8 outbound
 *   slots for the same reason).
 * - Above the high mark the extras are pruned: youngest inbound first, then
 *   the youngest outbound beyond the reserved ones. Older links have proved
 *   they stay up, and a peer that just dialled in can find another.
 * - Each dial starts a per-peer exponential backoff with jitter; a link that
 *   opens resets it, so a dropped link is redialled promptly.
 * - Healing (issue 20; docs/PROTOCOL.md, "Healing"): two halves of a split
 *   that each sit at D would never dial each other. So a peer whose record
 *   shows more chain work than we and every linked peer have is dialled even
 *   at D (one at a time); a feeler link (Bitcoin Core's) tests a random known
 *   peer every few minutes and is closed once its records have come, unless
 *   the peer has more work; and one outbound slot is rotated now and then,
 *   so the mesh keeps mixing (mesh-maintainer-healing.ts).
 * - Outbound diversity: candidates from groups (the peer book's buckets) that
 *   none of our outbound links is in come first, so one source cannot fill
 *   every outbound slot; and within a tier of equally preferred candidates
 *   the draw goes across origins (network group, else the record's source)
 *   before ids (mesh-dial-draw.ts), so a host's thousands of ids count once.
 * - Network groups (core/peers/network-group.ts): at most one outbound and
 *   one inbound link per group of the far end's address. A few attacker
 *   hosts holding thousands of stamped identities then hold a few slots,
 *   whatever they offer, and eclipsing a tab takes as many hosts in distinct
 *   networks as it has outbound links. The group is learnt when a link
 *   opens, or before, from the relay, which attests each member's group in
 *   welcomes, announcements and forwarded signals (docs/PROTOCOL.md,
 *   "Relay"); the youngest link over the limit is closed, and a peer whose
 *   group is known is not dialled, nor its offer taken (nor a new inbound
 *   token spent on it), while the group's slot is held. Links without a
 *   group (loopback, LAN, TURN) are not limited.
 * - New inbound links are taken at most at NEW_INBOUND_LINKS (12, then one
 *   per 10 s), so no one can spend a page's RTCPeerConnections; peers whose
 *   group we know, and strangers by who told us of them, spend separate
 *   buckets, so a host's fresh ids cannot starve everyone else's offers
 *   (mesh-inbound-tokens.ts).
 * - With the relay down (mesh-origins.ts): peers that a link which served us
 *   (PeerInfo.answered) is linked to, by both records, are dialled first and
 *   their offers spend that link's bucket; records told by a peer we dialled
 *   come before records only inbound links brought; and candidates of an
 *   origin that stalled one of our links are dialled last.
 * - A peer whose offer went unanswered while the relay was up and did not
 *   list it is presumed gone, and left out of the candidates until the relay
 *   lists it, it links to us, or a newer record of it arrives (unanswered).
 *   With the relay down nothing lists anyone, and an unanswered dial through
 *   the mesh is only a failed route: its backoff covers it.
 * - A stalled link (the peer leaves our requests unanswered, inventory.ts, or
 *   a peer we dialled has not answered its first headers request,
 *   chain-sync.ts) does not count toward D: a tab whose slots fill with peers
 *   that announce and never deliver keeps dialling, up to the high mark.
 *
 * Driven by the app's tick (no timers of its own); time and randomness are
 * injectable for tests.
 */
import { BackoffTable } from '../core/peers/backoff-table.ts';
import type { RateLimit } from '../core/token-bucket.ts';
import type { LinkDirection } from '../core/link.ts';
import type { PeerId } from '../core/types.ts';
import { drawNext, drawTiers, originOf } from './mesh-dial-draw.ts';
import { createInboundTokens } from './mesh-inbound-tokens.ts';
import { createMeshOrigins, servesUs } from './mesh-origins.ts';
import { createMeshHealing, DEFAULT_FEELER_INTERVAL_MS, DEFAULT_ROTATION_INTERVAL_MS, type MeshHealing } from './mesh-maintainer-healing.ts';

/**
 * D = 6 links (gossipsub's D; the mesh keeps 4..12). Measured with the simulator (bench/mesh-degree.ts,
 * 200 tabs without a relay): D=6 reaches its degree in ~12-25 s with a mean path of 4.8 hops; D=8 is
 * slower to fill and repair (22 s vs 13.5 s after cutting 20% of links). Far below Chromium's 500 cap.
 * A tab's ?links= and the full node's --links take 1 to MAX_TARGET_LINKS.
 */
export const DEFAULT_TARGET_LINKS = 6;
/** 2 x 32 = 64 links at the high mark: an eighth of Chromium's 500-connection cap per page. */
export const MAX_TARGET_LINKS = 32;

/**
 * For this long after the relay announces a newcomer to us, it is dialled
 * before other candidates (after anchors). The relay announces a joiner to a
 * few members short of links, across addresses (docs/PROTOCOL.md, "Relay"):
 * it is live and wants links, where a sampled member may be gone or a silent
 * Sybil. Two honest tabs in a room of hundreds of silent Sybils found each
 * other this way (e2e/sybil-flood.spec.ts). 30 s: a few dial rounds; a Sybil
 * rejoining to stay fresh is held to its address's join rate (1/s).
 */
const NEWCOMER_PREFERRED_MS = 30_000;

export interface MeshMaintainerInit {
  /** D, the degree aimed for. Default 6 (gossipsub's D; measured in docs/PROTOCOL.md, "Mesh"). */
  targetLinks?: number;
  /** Below it, dial up to D at once instead of one a tick. Default ⌈2D/3⌉ (4 for D = 6, gossipsub's D_lo). */
  lowLinks?: number;
  /** Never more links than this: extras are pruned. Default 2D (12 for D = 6, gossipsub's D_hi). */
  highLinks?: number;
  /** Slots reserved for links we dialled. Default ⌈D/2⌉ (3 for D = 6, gossipsub's D_out is D/2 at most). */
  minOutbound?: number;
  /** Dials in flight at once. Default D: a tab starting alone links up in one round of set-ups. */
  maxPendingDials?: number;
  /** Shared with the peer book so all failures of a peer count together. Default: its own table. */
  backoff?: BackoffTable;
  /** Mean time between feeler links; 0: none. Default DEFAULT_FEELER_INTERVAL_MS (2 min, Bitcoin Core's). */
  feelerIntervalMs?: number;
  /** Mean time between rotations of one outbound slot; 0: none. Default DEFAULT_ROTATION_INTERVAL_MS (10 min). */
  rotationIntervalMs?: number;
  /** False: no preference for candidates from unused groups (only the attack bench's ablation). Default true. */
  outboundDiversity?: boolean;
  /** False: no per-network-group limit on links (only the attack bench's ablation). Default true. */
  networkGroupLimits?: boolean;
  /** New inbound links taken at most at this rate. Default NEW_INBOUND_LINKS. */
  newInboundLinks?: RateLimit;
  random?: () => number;
  nowMs?: () => number;
}

export interface MeshLink {
  id: PeerId;
  direction: LinkDirection;
  connectedAtMs: number;
  /** The far end's network group (PeerLink.remoteGroup), when known. */
  group?: string;
  /** The peer leaves our requests unanswered (PeerInfo.stalled): the link does not count toward D. */
  stalled?: boolean;
  /** The peer answered our headers request (PeerInfo.answered): only such links vouch for candidates. */
  answered?: boolean;
}

/** Outbound links that serve us (PeerInfo.answered), below which confirmed neighbours are dialled first (preferenceTiers). */
const SERVED_OUTBOUND_WANTED = 2;

/**
 * New inbound links a tab takes: 12 at once, then one every 10 s. Each link is an RTCPeerConnection, and
 * Chromium allows a page 500 over its lifetime (failed ones too): without a bound, an attacker that keeps
 * offering fresh identities (whose links the network-group limit or the stall hold-off then close) would
 * spend them all. Measured in the attack bench ("links the hosts opened, per honest node").
 */
export const NEW_INBOUND_LINKS: RateLimit = { burst: 12, perSecond: 0.1 };

/** Peers presumed gone (unanswered): a record's lifetime of churn, oldest forgotten first. */
const MAX_PRESUMED_GONE = 4_096;

export interface MeshView {
  isLinked(peerId: PeerId): boolean;
  isPending(peerId: PeerId): boolean;
  isBanned(peerId: PeerId): boolean;
  linkCount(): number;
  pendingCount(): number;
  dial(peerId: PeerId): void;
  /** Open links with direction and age (node.peers()); without it every link counts as outbound and nothing is pruned. */
  links?(): MeshLink[];
  /** Closes a link (for pruning and for making room for outbound links). */
  disconnect?(peerId: PeerId, reason: string): void;
  /** Peers from the peer book, added to the relay room's members. */
  bookPeers?(): PeerId[];
  /** False when no signal can reach `peerId` now (relay down and no mesh route). Default: always reachable. */
  canSignal?(peerId: PeerId): boolean;
  /** What `peerId`'s record says about its inbound room; undefined when unknown. */
  acceptsInbound?(peerId: PeerId): boolean | undefined;
  /** Links between us and `peerId` per the peer records (peers.distance); undefined when farther or unknown. */
  distance?(peerId: PeerId): number | undefined;
  /** The chain work `peerId`'s newest record claims; undefined when unknown. */
  workOf?(peerId: PeerId): bigint | undefined;
  /** Our own tip's chain work. Without it (and workOf), no dial is made for work. */
  ownWork?(): bigint;
  /** The group (the peer book's bucket of its source) `peerId` is in; undefined when unknown. */
  group?(peerId: PeerId): string | undefined;
  /** Who told us of `peerId` (the peer book's source: a link's network group or a peer id); undefined when unknown. */
  sourceOf?(peerId: PeerId): string | undefined;
  /** The peers whose records and `peerId`'s both list the other (peer-book.ts mutualNeighboursOf). */
  mutualNeighboursOf?(peerId: PeerId): PeerId[];
  /** False while the relay is down (or there is none): no member list says who is gone. Default: up. */
  relayOpen?(): boolean;
  /** The sequence number of `peerId`'s newest record in the book; undefined when it has none. */
  recordSeq?(peerId: PeerId): number | undefined;
}

export type MeshMaintainer = ReturnType<typeof createMeshMaintainer>;

export function createMeshMaintainer(init: MeshMaintainerInit, view: MeshView) {
  const target = init.targetLinks ?? DEFAULT_TARGET_LINKS;
  const high = init.highLinks ?? 2 * target;
  const low = Math.min(target, init.lowLinks ?? Math.ceil((2 * target) / 3));
  const minOutbound = Math.min(target, init.minOutbound ?? Math.ceil(target / 2));
  const maxPending = init.maxPendingDials ?? target;
  if (!(low >= 0 && low <= target && target <= high)) throw new RangeError(`mesh marks must satisfy low <= target <= high, got ${low}/${target}/${high}`);
  const random = init.random ?? Math.random;
  const nowMs = init.nowMs ?? Date.now;
  const backoff = init.backoff ?? new BackoffTable({ random });
  const room = new Set<PeerId>();
  /** Anchors (peer/peer-book-store.ts): dialled before anyone else, once each, whenever a signal can reach them. */
  const preferred = new Set<PeerId>();
  /** Newcomers the relay announced to us (peer-joined), by when: live and looking for links, so dialled next. */
  const announced = new Map<PeerId, number>();
  /** Dials we started that have not yet opened or failed: counted as outbound-to-be. */
  const dialling = new Set<PeerId>();
  const counters = { dials: 0, pruned: 0, evictedForOutbound: 0, inboundRefused: 0, groupLimited: 0, inboundRateLimited: 0, inboundKnown: 0, inboundVouched: 0, inboundStrangers: 0, presumedGone: 0 };
  /**
   * Peers whose offer went unanswered while the relay did not list them, with the record sequence we held
   * then: presumed gone (a closed tab), so not dialled again until the relay lists them, they link to us, or
   * a newer record shows them alive. Without this a closed tab stays a candidate until its record expires
   * (10 min), redialled at each backoff step, and each dial costs an RTCPeerConnection: in the soak, 296
   * of an anchor tab's 378 connections an hour were offers to tabs that had left (docs/PERFORMANCE.md, "Soak").
   */
  const presumedGone = new Map<PeerId, number | undefined>();
  const groupLimits = init.networkGroupLimits !== false;
  // Peers of known network group and strangers spend separate buckets (mesh-inbound-tokens.ts); the ablation shares one.
  const newInbound = createInboundTokens({ limit: init.newInboundLinks ?? NEW_INBOUND_LINKS, split: groupLimits, nowMs });
  // Network groups learnt or attested, and the dial rules that use them (mesh-origins.ts); the ablation has neither rule.
  const origins = createMeshOrigins({
    enabled: init.outboundDiversity !== false,
    ...(view.sourceOf ? { sourceOf: view.sourceOf } : {}), ...(view.mutualNeighboursOf ? { mutualNeighboursOf: view.mutualNeighboursOf } : {}),
  });
  // Feelers, dials for work and rotation: mesh-maintainer-healing.ts. Its feeler links stay out of the degree's counts.
  const healing: MeshHealing = createMeshHealing({
    feelerIntervalMs: init.feelerIntervalMs ?? DEFAULT_FEELER_INTERVAL_MS,
    rotationIntervalMs: init.rotationIntervalMs ?? DEFAULT_ROTATION_INTERVAL_MS,
    random,
  }, view);

  const links = (): MeshLink[] => (view.links?.() ?? []).filter((link) => !healing.isFeeler(link.id));
  const linkCount = () => (view.links ? links().length : view.linkCount());

  function census() {
    for (const id of [...dialling]) if (view.isLinked(id) || !view.isPending(id)) dialling.delete(id);
    const all = links();
    origins.observe(all);
    const inbound = all.filter((link) => link.direction === 'in');
    const outbound = view.links ? all.length - inbound.length : view.linkCount();
    const total = linkCount();
    const useful = view.links ? all.filter((link) => !link.stalled).length : total;
    return { all, inbound, outbound, total, useful, pendingOut: dialling.size + healing.pendingCount() };
  }

  const heldGroups = (all: MeshLink[], direction: LinkDirection) => origins.held(all, direction);

  /** The relay attested `peerId`'s network group (a welcome, an announcement or a forwarded signal). */
  function attest(peerId: PeerId, group: string | undefined): void {
    if (group !== undefined) origins.learn(peerId, group);
  }

  /** False for a peer known to be in a network group one of our `direction` links already holds. */
  function groupHasRoom(peerId: PeerId, held: Set<string>): boolean {
    const group = origins.groupOf(peerId);
    return !groupLimits || group === undefined || !held.has(group);
  }

  /** True while `peerId` is presumed gone; a newer record than the one held when it went silent lifts it. */
  function isPresumedGone(peerId: PeerId): boolean {
    if (!presumedGone.has(peerId)) return false;
    const seq = view.recordSeq?.(peerId);
    const seqThen = presumedGone.get(peerId);
    if (seq === undefined || (seqThen !== undefined && seq <= seqThen)) return true;
    presumedGone.delete(peerId);
    return false;
  }

  function candidates(now: number): PeerId[] {
    const pool = new Set(room);
    for (const id of view.bookPeers?.() ?? []) if (!isPresumedGone(id)) pool.add(id);
    const heldOut = heldGroups(links(), 'out');
    return [...pool].filter((id) => !view.isLinked(id) && !view.isPending(id) && !view.isBanned(id)
      && backoff.ready(id, now) && (view.canSignal?.(id) ?? true) && groupHasRoom(id, heldOut));
  }

  /** Groups our outbound links (and dials) are in: a candidate from another group is preferred. */
  function usedGroups(): Set<string> {
    const used = new Set<string>();
    if (!view.group || init.outboundDiversity === false) return used;
    for (const link of links()) if (link.direction === 'out') used.add(view.group(link.id) ?? '');
    for (const id of dialling) used.add(view.group(id) ?? '');
    used.delete('');
    return used;
  }

  /**
   * Candidates in preference order, as tiers drawn across origins
   * (mesh-dial-draw.ts): peers with inbound room before full ones, and within
   * the drawn origin the farthest first (unknown distance counts as
   * farthest, `spread`). A link to a far peer shortens the mesh's paths most,
   * and near peers (which would close triangles and grow cliques) are the
   * last choice; measured in bench/mesh-degree.ts.
   */
  function preferenceTiers(pool: PeerId[]) {
    const used = usedGroups();
    const all = links();
    const { sources: chosen, neighbours: vouchedIds } = origins.vouchers(all);
    // Confirmed neighbours are a local choice (two hops from us), good for finding honest peers and bad for mixing
    // the mesh: preferred always, they kept both halves of a lifted split dialling inside their own half (heal at
    // 100 vs 100: 3.7 → 45.5 s). So they come first only while fewer than SERVED_OUTBOUND_WANTED outbound links
    // serve us, as in an eclipse; otherwise the draw across origins explores as before.
    const served = all.filter((link) => link.direction === 'out' && servesUs(link)).length;
    const confirmFirst = served < SERVED_OUTBOUND_WANTED;
    const rankOf = (id: PeerId) => {
      const bucket = view.group?.(id);
      const fresh = bucket !== undefined && !used.has(bucket) ? 1_000 : 0;
      const newcomer = (announced.get(id) ?? -Infinity) > nowMs() - NEWCOMER_PREFERRED_MS ? 50_000 : 0;
      // The ablation (no diversity) keeps farthest-first as a tier, as before the draw across origins.
      const tierSpread = init.outboundDiversity === false ? spread(id) : 0;
      if (preferred.has(id)) return 100_000;
      // An origin that left our requests unanswered is dialled last (mesh-origins.ts).
      if (origins.fromStalledOrigin(id)) return -1;
      // Introduced by the relay, or told of by a peer we dialled: before what only inbound links told us.
      const source = view.sourceOf?.(id);
      const vouched = init.outboundDiversity !== false && (room.has(id) || (source !== undefined && chosen.has(source))) ? 2_000 : 0;
      // Linked, by both records, to a peer that served us: before any record's claim of inbound room, which a host's
      // ids always make (mesh-origins.ts vouchers).
      const confirmed = confirmFirst && vouchedIds.has(id) ? 20_000 : 0;
      return newcomer + confirmed + (view.acceptsInbound?.(id) === false ? 0 : 10_000) + vouched + fresh + tierSpread;
    };
    const origin = (id: PeerId) => (init.outboundDiversity === false ? `id:${id}` : originOf(id, origins.groupOf(id), view.sourceOf?.(id)));
    return drawTiers(pool, rankOf, origin);
  }

  const spread = (id: PeerId) => view.distance?.(id) ?? 99;

  function dial(count: number, now: number): void {
    const tiers = preferenceTiers(candidates(now));
    for (let i = 0; i < count; i++) {
      const id = drawNext(tiers, random, spread);
      if (id === undefined) return;
      backoff.attempt(id!, now);
      preferred.delete(id!); // one try, as Bitcoin Core tries each anchor once
      dialling.add(id!);
      counters.dials++;
      view.dial(id!);
    }
  }

  function youngestFirst(list: MeshLink[]): MeshLink[] {
    return [...list].sort((a, b) => b.connectedAtMs - a.connectedAtMs);
  }

  /** Closes the youngest links past one per network group and direction; true when it closed any. */
  function limitGroups(all: MeshLink[]): boolean {
    if (!groupLimits) return false;
    const seen = new Set<string>();
    let closed = false;
    // Oldest first, so the link a group already held keeps its slot.
    for (const link of [...all].sort((a, b) => a.connectedAtMs - b.connectedAtMs)) {
      const group = origins.groupOfLink(link);
      if (group === undefined) continue;
      const key = `${link.direction}|${group}`;
      if (!seen.has(key)) {
        seen.add(key);
        continue;
      }
      counters.groupLimited++;
      closed = true;
      view.disconnect!(link.id, `another ${link.direction === 'out' ? 'outbound' : 'inbound'} link is in network group ${group}`);
    }
    return closed;
  }

  function prune(state: ReturnType<typeof census>): void {
    if (!view.disconnect || !view.links) return;
    if (limitGroups(state.all)) return;
    let excess = state.total - high;
    if (excess > 0) {
      const outbound = state.all.filter((link) => link.direction === 'out');
      const victims = [...youngestFirst(state.inbound), ...youngestFirst(outbound).slice(0, Math.max(0, outbound.length - minOutbound))];
      for (const link of victims) {
        if (excess-- <= 0) break;
        counters.pruned++;
        view.disconnect(link.id, `pruned: more than ${high} links`);
      }
      return;
    }
    // Inbound links fill the slots kept for our own dials: close the youngest to make room (anti-eclipse).
    if (state.outbound + state.pendingOut < minOutbound && state.total + state.pendingOut >= high && state.inbound.length > 0) {
      counters.evictedForOutbound++;
      view.disconnect(youngestFirst(state.inbound)[0]!.id, 'making room for an outbound link');
    }
  }

  /** Repair and pruning; call on the app's tick (members call it too, so a full newcomer still gets linked). */
  function tick(): void {
    const now = nowMs();
    const state = census();
    prune(state);
    const inFlight = Math.max(state.pendingOut, view.pendingCount());
    const capacity = Math.min(maxPending - state.pendingOut, high - state.total - inFlight);
    const forDegree = target - state.useful - inFlight;
    const forOutbound = minOutbound - state.outbound - state.pendingOut;
    const wanted = Math.max(state.useful < low ? forDegree : Math.min(1, forDegree), forOutbound);
    if (wanted > 0 && capacity > 0) dial(Math.min(wanted, capacity), now);
    const spare = capacity - Math.max(0, Math.min(wanted, capacity));
    healing.tick(now, { candidates: () => candidates(now), attempt: (id) => backoff.attempt(id, now), atTarget: state.useful >= target, spare });
  }

  return {
    marks: { low, target, high, minOutbound },
    tick,

    /**
     * The relay's member list on joining: the newcomer dials, members wait. `groups[i]`, when the relay
     * attests it, is `peers[i]`'s network group, so the per-group limits apply before any link is spent.
     */
    welcome(peers: PeerId[], groups?: readonly (string | undefined)[]): void {
      for (const [i, id] of peers.entries()) {
        room.add(id);
        presumedGone.delete(id);
        attest(id, groups?.[i]);
      }
      tick();
    },
    /** The relay announced a member (a newcomer, or the sender of a signal), with its attested network group. */
    joined(peerId: PeerId, group?: string): void {
      attest(peerId, group);
      room.add(peerId);
      presumedGone.delete(peerId);
      const now = nowMs();
      announced.set(peerId, now);
      for (const [id, atMs] of announced) if (atMs <= now - NEWCOMER_PREFERRED_MS) announced.delete(id);
    },
    left(peerId: PeerId): void {
      room.delete(peerId);
    },
    /**
     * Our offer to `peerId` reached nobody or got no signal back (ConnectorHooks.onUnanswered). A peer the
     * relay still lists is only slow, and its backoff covers it; one the relay does not list is presumed
     * gone (isPresumedGone).
     */
    unanswered(peerId: PeerId): void {
      if (view.relayOpen?.() === false || room.has(peerId) || presumedGone.has(peerId)) return;
      presumedGone.set(peerId, view.recordSeq?.(peerId));
      counters.presumedGone++;
      if (presumedGone.size > MAX_PRESUMED_GONE) presumedGone.delete(presumedGone.keys().next().value!);
    },
    /** A link opened: forget past failures so a later drop is redialled promptly. */
    linked(peerId: PeerId): void {
      presumedGone.delete(peerId);
      backoff.reset(peerId);
      dialling.delete(peerId);
      healing.linked(peerId, nowMs());
    },

    /**
     * May a new link with `peerId` open? The dialer asks before answering an
     * offer ('in'). Inbound links stop at highLinks − minOutbound, so the
     * reserved outbound slots stay free. `group` is the sender's network
     * group when the relay attests it on the offer: an offer from a group
     * already holding its slot is refused before it spends an inbound token.
     */
    shouldAccept(peerId: PeerId, direction: LinkDirection, group?: string): boolean {
      if (view.isBanned(peerId)) return false;
      if (view.isLinked(peerId)) return true; // a replacement link, not a new slot
      attest(peerId, group);
      const state = census();
      const groupRoom = groupHasRoom(peerId, heldGroups(state.all, direction));
      const ok = groupRoom && (direction === 'out' ? state.total < high : state.total < high && state.inbound.length < high - minOutbound);
      if (!ok && direction === 'in') counters.inboundRefused++;
      if (!ok || direction === 'out') return ok;
      const paid = newInbound.take(origins.groupOf(peerId) !== undefined, view.sourceOf?.(peerId), origins.voucherOf(peerId, state.all));
      if (paid === 'rate-limited') counters.inboundRateLimited++;
      else counters[paid === 'known' ? 'inboundKnown' : paid === 'vouched' ? 'inboundVouched' : 'inboundStrangers']++;
      return paid !== 'rate-limited';
    },

    /** Whether an inbound link would be accepted now (advertised in our peer record). */
    hasInboundRoom(): boolean {
      const state = census();
      return state.total < high && state.inbound.length < high - minOutbound;
    },

    /**
     * Peers to dial before any other candidate (the anchors, our last outbound
     * links): each is tried once, as soon as it is a candidate (a signal can reach it).
     */
    prefer(ids: readonly PeerId[]): void {
      for (const id of ids) preferred.add(id);
    },

    /** True when the relay listed `peerId` in our room (send its signals by relay; others by the mesh). */
    inRoom: (peerId: PeerId): boolean => room.has(peerId),

    knownPeers(): PeerId[] {
      return [...new Set([...room, ...(view.bookPeers?.() ?? [])])];
    },

    /** True for a feeler link (a short test link, kept out of the degree): the host need not record it as an anchor. */
    isFeeler: (peerId: PeerId): boolean => healing.isFeeler(peerId),

    stats: () => ({ ...counters, ...healing.stats(), pendingDials: dialling.size }),
  };
}

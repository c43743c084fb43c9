/**
 * The mesh maintainer's healing (issue 20 §1; docs/PROTOCOL.md, "Healing"):
 * what makes two halves of a split that each sit at D find each other again.
 *
 * - Dial for work: a candidate whose peer record shows more chain work than
 *   our tip and every linked peer's record is dialled even at D, one such
 *   dial at a time. Records are signed with the signer's tip (peer-record.ts)
 *   and a node's work never falls, so a record's work is a floor on the
 *   peer's: a heavier record is a chain our links cannot give us.
 * - Feelers (Bitcoin Core's FEELER_INTERVAL, 2 min): at D, a short test link
 *   to a random known peer, outside the degree's counts. Peer exchange runs on
 *   it (both ends send their record and a sample of their book), so it
 *   refreshes the book and carries records across a split; it is closed
 *   FEELER_SETTLE_MS after HELLO, unless the peer has more work than we do,
 *   when it stays as an ordinary outbound link and sync runs over it.
 * - Rotation: at D, now and then one random outbound link is closed (and the
 *   peer held off by its backoff), so the next dial renews the slot with a
 *   random candidate and an old split-era topology does not persist.
 *
 * Intervals are jittered (0.5-1.5 × the mean) so a network's nodes do not
 * act in step. No timers: the maintainer's tick drives it.
 */
import { BoundedSet } from '../core/bounded-set.ts';
import type { PeerId } from '../core/types.ts';
import { randomIndex } from '../core/peers/random-index.ts';
import type { MeshView } from './mesh-maintainer.ts';

/** Bitcoin Core's FEELER_INTERVAL: at 1,000 nodes that is ~8 test links a second network-wide. */
export const DEFAULT_FEELER_INTERVAL_MS = 120_000;
/** One outbound slot renewed every ~10 min: a tab at D = 6 (3 reserved outbound) mixes its outbound set within the hour. */
export const DEFAULT_ROTATION_INTERVAL_MS = 600_000;
/**
 * A feeler link stays this long after HELLO: both ends send their record and a book sample on open
 * (peer-exchange.ts), which arrive within a round trip or two; then the peer's fresh record says
 * whether it has more work than we do.
 */
export const FEELER_SETTLE_MS = 2_000;
/** Feeler targets remembered, so feelers walk the book rather than retest one peer (a few hours of feelers). */
const RECENT_FEELERS = 128;

export interface MeshHealingInit {
  feelerIntervalMs: number;
  rotationIntervalMs: number;
  random: () => number;
}

/** What the maintainer's tick hands the healing. */
export interface HealingTick {
  /** Dial candidates now (not linked, not pending, not banned, out of backoff, reachable). */
  candidates(): PeerId[];
  /** Records a dial attempt in the shared backoff. */
  attempt(peerId: PeerId): void;
  /** The degree is at D or above: feelers and rotation run only then (below it the maintainer is dialling anyway). */
  atTarget: boolean;
  /** Dials that may still start this tick (the maintainer's pending and high-mark limits). */
  spare: number;
}

export type MeshHealing = ReturnType<typeof createMeshHealing>;

export function createMeshHealing(init: MeshHealingInit, view: MeshView) {
  const { random } = init;
  /** Feeler dials and links: when the link opened (undefined while dialling). */
  const feelers = new Map<PeerId, { openedMs?: number }>();
  /** Peers tested lately (the last RECENT_FEELERS): the next feeler prefers someone else. */
  const felt = new BoundedSet<PeerId>(RECENT_FEELERS);
  let workDial: PeerId | undefined;
  let nextFeelerMs: number | undefined;
  let nextRotationMs: number | undefined;
  const counters = { feelers: 0, feelersPromoted: 0, feelersClosed: 0, workDials: 0, rotations: 0 };
  const jittered = (now: number, meanMs: number) => now + meanMs * (0.5 + random());
  const workOf = (id: PeerId) => view.workOf?.(id) ?? 0n;
  const gone = (id: PeerId) => !view.isLinked(id) && !view.isPending(id);

  /** Feelers that settled: promoted when the peer is heavier than us, else closed; failed ones forgotten. */
  function settleFeelers(now: number): void {
    for (const [id, feeler] of feelers) {
      if (gone(id)) {
        feelers.delete(id);
        continue;
      }
      if (feeler.openedMs === undefined || now - feeler.openedMs < FEELER_SETTLE_MS) continue;
      feelers.delete(id);
      if (view.ownWork && workOf(id) > view.ownWork()) {
        counters.feelersPromoted++;
        continue;
      }
      counters.feelersClosed++;
      view.disconnect?.(id, 'feeler: test link done');
    }
  }

  /** One dial at a time to the heaviest candidate whose record beats us and every linked peer. */
  function dialForWork(tick: HealingTick): boolean {
    if (workDial !== undefined && gone(workDial)) workDial = undefined;
    if (workDial !== undefined || tick.spare <= 0 || !view.workOf || !view.ownWork) return false;
    let best = view.ownWork();
    for (const link of view.links?.() ?? []) if (workOf(link.id) > best) best = workOf(link.id);
    // Work is known only from book records, so when no record beats `best` no candidate can: skip building the
    // candidates (a reachability search over the mesh) on the ticks of a network that agrees, almost all of them.
    // Measured in the simulator: 8.8% of its CPU at 200 tabs, and the search grows with the book.
    if (view.bookPeers && !view.bookPeers().some((id) => workOf(id) > best)) return false;
    let heaviest: PeerId[] = [];
    let heaviestWork = best;
    for (const id of tick.candidates()) {
      const work = workOf(id);
      if (work > heaviestWork) [heaviest, heaviestWork] = [[id], work];
      else if (work === heaviestWork && heaviest.length > 0) heaviest.push(id);
    }
    if (heaviest.length === 0) return false;
    workDial = heaviest[randomIndex(random, heaviest.length)]!;
    tick.attempt(workDial);
    counters.workDials++;
    view.dial(workDial);
    return true;
  }

  function feel(now: number, tick: HealingTick): void {
    if (init.feelerIntervalMs <= 0) return;
    nextFeelerMs ??= jittered(now, init.feelerIntervalMs);
    if (now < nextFeelerMs) return;
    nextFeelerMs = jittered(now, init.feelerIntervalMs);
    if (!tick.atTarget || tick.spare <= 0) return;
    const candidates = tick.candidates();
    const untested = candidates.filter((id) => !felt.has(id));
    const pool = untested.length > 0 ? untested : candidates;
    if (pool.length === 0) return;
    const id = pool[randomIndex(random, pool.length)]!;
    tick.attempt(id);
    feelers.set(id, {});
    felt.add(id);
    counters.feelers++;
    view.dial(id);
  }

  function rotate(now: number, tick: HealingTick): void {
    if (init.rotationIntervalMs <= 0 || !view.disconnect || !view.links) return;
    nextRotationMs ??= jittered(now, init.rotationIntervalMs);
    if (now < nextRotationMs) return;
    nextRotationMs = jittered(now, init.rotationIntervalMs);
    if (!tick.atTarget || tick.candidates().length === 0) return;
    const outbound = view.links().filter((link) => link.direction === 'out' && !feelers.has(link.id));
    if (outbound.length === 0) return;
    const victim = outbound[randomIndex(random, outbound.length)]!.id;
    // Held off by its backoff, so the slot goes to someone else.
    tick.attempt(victim);
    counters.rotations++;
    view.disconnect(victim, 'rotated: one outbound slot is renewed now and then');
  }

  return {
    isFeeler: (id: PeerId): boolean => feelers.has(id),

    /** Feeler and work dials still setting up (outbound-to-be). */
    pendingCount(): number {
      let count = workDial !== undefined && view.isPending(workDial) ? 1 : 0;
      for (const [id, feeler] of feelers) if (feeler.openedMs === undefined && view.isPending(id)) count++;
      return count;
    },

    linked(id: PeerId, now: number): void {
      const feeler = feelers.get(id);
      if (feeler) feeler.openedMs = now;
      if (id === workDial) workDial = undefined;
    },

    tick(now: number, tick: HealingTick): void {
      settleFeelers(now);
      if (dialForWork(tick)) tick = { ...tick, spare: tick.spare - 1 };
      feel(now, tick);
      rotate(now, tick);
    },

    stats: () => ({ ...counters }),
  };
}

/**
 * How the mesh maintainer draws whom to dial (docs/PROTOCOL.md, "Mesh";
 * docs/SECURITY.md, "Eclipse"): candidates are ranked into tiers (anchors,
 * announced newcomers, peers with inbound room, unused buckets), and within a
 * tier the draw goes across *origins* before ids, as Bitcoin Core's addrman
 * draws a bucket before an address and the relay draws an address before a
 * member. Within the drawn origin, the farthest ids come first.
 *
 * Farthest first is a preference inside an origin, not a tier of its own: as
 * a tier it handed the attacker every dial, because a host's identities list
 * only each other, so its ids sit one hop past the one linked to us, beyond
 * most honest peers a young tab knows (measured: relay down, 100 vs 100, the
 * same 7 of 100 tabs eclipsed with or without the draw across origins).
 *
 * A candidate's origin is what an attacker pays for rather than a key:
 *  1. its network group, when a link or the relay attested it
 *     (core/peers/network-group.ts): a Sybil host holding thousands of ids is
 *     one origin;
 *  2. else the peer book's source of its record (the network group of the
 *     link that told us): a host's flood is as many origins as hosts;
 *  3. else the id itself (a room member no one vouched for, as before).
 *
 * Measured (issue 20; docs/SECURITY.md, "Eclipse resistance"): with the relay
 * down, a uniform draw over ids picked an attacker's id 80-95% of the time,
 * because its flood filled 80-95% of the book; drawn across origins, it is
 * one origin per host against one per honest neighbour.
 */
import type { PeerId } from '../core/types.ts';
import { randomIndex } from '../core/peers/random-index.ts';

/** One tier of equally preferred candidates, keyed by origin. */
export type DrawTier = Map<string, PeerId[]>;

/** Groups `pool` into tiers, best first (`rankOf`: higher is better), each keyed by `originOf`. */
export function drawTiers(pool: readonly PeerId[], rankOf: (id: PeerId) => number, originOf: (id: PeerId) => string): DrawTier[] {
  const tiers = new Map<number, DrawTier>();
  for (const id of pool) {
    const rank = rankOf(id);
    let tier = tiers.get(rank);
    if (!tier) tiers.set(rank, (tier = new Map()));
    const origin = originOf(id);
    const ids = tier.get(origin);
    if (ids) ids.push(id);
    else tier.set(origin, [id]);
  }
  return [...tiers.entries()].sort((a, b) => b[0] - a[0]).map(([, tier]) => tier);
}

/**
 * Takes one candidate out of the best non-empty tier: a uniformly drawn
 * origin, then one of its ids with the highest `spreadOf` (the farthest),
 * drawn uniformly. Undefined when every tier is empty.
 */
export function drawNext(tiers: DrawTier[], random: () => number, spreadOf: (id: PeerId) => number = () => 0): PeerId | undefined {
  while (tiers.length > 0 && tiers[0]!.size === 0) tiers.shift();
  const tier = tiers[0];
  if (!tier) return undefined;
  const origins = [...tier.keys()];
  const origin = origins[randomIndex(random, origins.length)]!;
  const ids = tier.get(origin)!;
  const best = Math.max(...ids.map(spreadOf));
  const farthest = ids.flatMap((id, at) => (spreadOf(id) === best ? [at] : []));
  const [id] = ids.splice(farthest[randomIndex(random, farthest.length)]!, 1);
  if (ids.length === 0) tier.delete(origin);
  return id;
}

/** The origin key of a candidate (see the file comment): its network group, else its record's source, else itself. */
export function originOf(id: PeerId, networkGroup: string | undefined, source: string | undefined): string {
  if (networkGroup !== undefined) return `group:${networkGroup}`;
  if (source !== undefined) return `source:${source}`;
  return `id:${id}`;
}

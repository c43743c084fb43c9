/**
 * What the mesh maintainer knows of where its peers come from (issue 20;
 * docs/SECURITY.md, "Eclipse resistance"): each peer's network group, learnt
 * from a link or attested by the relay, and what that tells the dial draw
 * about a candidate it has never linked to.
 *
 * Three rules live here, all for the relay-down case, where no candidate's
 * group is known before a link forms:
 *  - **Confirmed neighbours of links that served us first** (vouchers,
 *    voucherOf): a link serves us once it answered our headers request
 *    (PeerInfo.answered). The peers that both its record and theirs list are
 *    dialled before anything but anchors and newcomers while fewer than two
 *    outbound links serve us (mesh-maintainer.ts preferenceTiers), and their
 *    offers spend that link's own new-inbound bucket (mesh-inbound-tokens.ts).
 *    Measured (relay down, 100 vs 1,000, seeds 1-3): eclipsed tabs 7/11/4 →
 *    0/0/0 with the outbound proof (core/chain-sync.ts).
 *  - **Vouched sources next.** The peer book's *source* (who first told us of
 *    a record) is the best proxy for a stranger's group: records told by a
 *    peer we dialled that served us (or by the relay room) rank before
 *    records only inbound links brought. A Sybil host
 *    reaches a tab by offering it links, so its floods arrive on inbound
 *    links; what our own dials tell us was told by peers we picked. Measured
 *    (relay down, 100 vs 100, seeds 1-3): outbound links to attackers
 *    57/56/8% → 44/42/6% (docs/SECURITY.md, "Measured attacks").
 *  - **Origins that stalled us go last.** A link that left our requests
 *    unanswered (PeerInfo.stalled: the announce-and-withhold attack) marks its
 *    group; candidates of that group, or whose records that group told us,
 *    are dialled only when nothing else is left. It ranks, never bans: a slow
 *    honest tab's group is only dialled later (docs/SECURITY.md, "Announce and
 *    fetch: slow is not malicious").
 */
import type { LinkDirection } from '../core/link.ts';
import { LruCache } from '../core/lru-cache.ts';
import type { PeerId } from '../core/types.ts';
import type { MeshLink } from './mesh-maintainer.ts';

/** Peers whose network group we learnt: enough for a few thousand Sybil ids, oldest forgotten first. */
const MAX_KNOWN_GROUPS = 4_096;
/** Origins that stalled a link of ours: a few hosts' worth many times over, oldest forgotten first. */
const MAX_STALLED_ORIGINS = 256;

/** A link that serves us: it answered our headers request (PeerInfo.answered) and leaves nothing of ours unanswered now. */
export const servesUs = (link: MeshLink): boolean => link.answered === true && !link.stalled;

export interface MeshOriginsInit {
  /** Who first told us of `peerId` (the peer book's source: `net:<group>` or a peer id); undefined when unknown. */
  sourceOf?(peerId: PeerId): string | undefined;
  /** The peers whose records and `peerId`'s both list the other. */
  mutualNeighboursOf?(peerId: PeerId): PeerId[];
  /** False: the ablation, where neither rule above applies. */
  enabled: boolean;
}

export type MeshOrigins = ReturnType<typeof createMeshOrigins>;

export function createMeshOrigins(init: MeshOriginsInit) {
  /** Peer id → the network group its last link reported (or the relay attested). */
  const knownGroups = new LruCache<PeerId, string>(MAX_KNOWN_GROUPS);
  const stalledOrigins = new LruCache<string, true>(MAX_STALLED_ORIGINS);
  const learn = (peerId: PeerId, group: string): void => knownGroups.set(peerId, group);

  /**
   * A link's network group: what the link reports, else what the relay attested for the peer. A peer that forces
   * its link through TURN (which reports none) keeps the group of the address the relay saw.
   */
  const groupOfLink = (link: MeshLink): string | undefined => link.group ?? knownGroups.peek(link.id);

  /** The group a source names: `net:<group>` is a link's group; a peer id (a link without one) is that peer's group if known. */
  const sourceGroup = (source: string): string => (source.startsWith('net:') ? source.slice(4) : knownGroups.peek(source) ?? source);

  return {
    learn,
    groupOf: (peerId: PeerId): string | undefined => knownGroups.peek(peerId),
    groupOfLink,

    /** Learns the groups of open links, and marks the origin of each stalled one. */
    observe(links: readonly MeshLink[]): void {
      for (const link of links) {
        if (link.group !== undefined) learn(link.id, link.group);
        if (!link.stalled || !init.enabled) continue;
        stalledOrigins.set(groupOfLink(link) ?? link.id, true);
      }
    },

    /** Network groups our links in `direction` are in. */
    held(links: readonly MeshLink[], direction: LinkDirection): Set<string> {
      const held = new Set<string>();
      for (const link of links) {
        const group = groupOfLink(link);
        if (link.direction === direction && group !== undefined) held.add(group);
      }
      return held;
    },

    /** True when `peerId`'s origin (its group, else its record's source) has stalled one of our links. */
    fromStalledOrigin(peerId: PeerId): boolean {
      if (stalledOrigins.size === 0) return false;
      const group = knownGroups.peek(peerId);
      if (group !== undefined) return stalledOrigins.has(group);
      const source = init.sourceOf?.(peerId);
      return stalledOrigins.has(source === undefined ? peerId : sourceGroup(source));
    },

    /**
     * What the peers that served us vouch for (PeerInfo.answered: they answered our headers request):
     *  - the sources our outbound links are (their ids, and `net:<group>`, as the book keys a source), whose
     *    records rank as vouched: a host's id reached by our dial floods its siblings' records at once, and
     *    before `answered` was required they ranked as vouched until it stalled;
     *  - the neighbours of any such link (inbound too) that both ends' records list. With the relay down this
     *    is the rule that finds honest peers: honest tabs forward a host's records like any others, so at 10:1
     *    the records a source we chose told us were still ~97% the host's ids. An honest peer's record lists
     *    the hosts' links to it too (5 of its 8 neighbours, measured), but a host's ids list only each other,
     *    so confirmed links lead to honest tabs (docs/SECURITY.md, "Eclipse resistance"). A host that lists
     *    its real links passes; it then gets at most one link per group, as it would anyway.
     */
    vouchers(links: readonly MeshLink[]): { sources: Set<string>; neighbours: Set<PeerId> } {
      const sources = new Set<string>();
      const neighbours = new Set<PeerId>();
      if (!init.enabled) return { sources, neighbours };
      for (const link of links) {
        if (!servesUs(link)) continue;
        for (const id of init.mutualNeighboursOf?.(link.id) ?? []) neighbours.add(id);
        if (link.direction !== 'out') continue;
        sources.add(link.id);
        const group = groupOfLink(link);
        if (group !== undefined) sources.add(`net:${group}`);
      }
      return { sources, neighbours };
    },

    /** A link that served us and whose record and `peerId`'s list each other (see vouchers); undefined when none. */
    voucherOf(peerId: PeerId, links: readonly MeshLink[]): PeerId | undefined {
      if (!init.enabled) return undefined;
      return links.find((link) => servesUs(link) && (init.mutualNeighboursOf?.(link.id) ?? []).includes(peerId))?.id;
    },
  };
}

/**
 * The new-inbound budget of the mesh maintainer (docs/SECURITY.md, "Eclipse
 * resistance"): how many new inbound links a tab takes, and from whom.
 *
 * Every inbound link is an RTCPeerConnection, and Chromium allows a page 500
 * over its lifetime, so new ones are rate-limited (NEW_INBOUND_LINKS). One
 * shared bucket let an attacker starve everyone else: with the relay down, no
 * offer carries an attested network group, so each fresh identity of a host
 * spent a token before its link opened and showed the host's group (then the
 * per-group limit closed it). Four hosts offering 400 links a second took
 * every token the moment it refilled (518-1,388 refusals per tab per run), so
 * a reloaded tab found no honest peer to take it back, and an honest tab's
 * dials to other honest tabs went unanswered while the hosts' ids always
 * answered (issue 20; docs/SECURITY.md, "Measured attacks").
 *
 * So the budget is split by what we know of the sender, as Bitcoin Core
 * protects inbound peers by what sets them apart (netgroup, time connected)
 * rather than by arrival order:
 *  - **known**: a peer whose network group we know (the relay attested it,
 *    or an earlier link showed it: a former neighbour coming back). A host
 *    cannot drain it: an id of a group already holding an inbound link is
 *    refused before any token is spent (mesh-maintainer.ts shouldAccept), so
 *    a host spends one each time its inbound link closes;
 *  - **per source**: a stranger whose record a grouped link told us (the
 *    peer book's source `net:<group>`) is charged to that source, so a host's
 *    flood of its own records spends its own bucket, not everyone's;
 *  - **per voucher**: a stranger that a link of ours which served us is
 *    linked to, by both their records (mesh-origins.ts voucherOf), is charged
 *    to that link, before any source: honest tabs find each other through
 *    their common neighbours, and a host's ids, which list only each other,
 *    never have one;
 *  - **unsourced**: strangers with no record, or told by a link without a
 *    group (loopback, LAN, TURN, which no group rule limits either).
 * A source is only a proxy: honest peers forward the hosts' records too, so
 * some host ids arrive sourced by an honest group and spend its bucket
 * (measured: honest offers refused for a drained honest source, 25-45 per
 * run at 100 vs 100); the voucher's bucket is what lets honest strangers in.
 *
 * Links a page spends: at most the known and unsourced buckets' rate, plus
 * STRANGER_INBOUND_PER_SOURCE per grouped source that is telling us records
 * (a few neighbours at a time). Measured in the attack bench: 22 → 34 links
 * the hosts opened per honest tab at 100 vs 100 with the relay down.
 */
import { LruCache } from '../core/lru-cache.ts';
import { TokenBucket, type RateLimit } from '../core/token-bucket.ts';

/**
 * What one source's strangers may take: 2 at once, then one a minute. Honest sources tell us of a few
 * newcomers a minute at most; a host's flood is one source (its network group), so its fresh ids get
 * one new inbound link a minute from each tab, which the group limit then closes.
 */
export const STRANGER_INBOUND_PER_SOURCE: RateLimit = { burst: 2, perSecond: 1 / 60 };
/** Sources whose buckets are kept, least recently used forgotten first (a forgotten source's bucket starts full). */
const MAX_SOURCES = 256;

export interface InboundTokensInit {
  /** The known peers' bucket, and the bucket of strangers no one told us of. */
  limit: RateLimit;
  /** Each source's bucket for the strangers it told us of. Default STRANGER_INBOUND_PER_SOURCE. */
  perSource?: RateLimit;
  /** False: one bucket for every offer, as before the split (only the attack bench's ablation). Default true. */
  split?: boolean;
  nowMs: () => number;
}

/** Which bucket paid for an accepted offer, or why it was refused. */
export type InboundTokenOutcome = 'known' | 'vouched' | 'stranger' | 'rate-limited';

export interface InboundTokens {
  /**
   * Takes a token for a new inbound link. `groupKnown`: the peer's network group is known. `source`: who first
   * told us of the peer (the peer book's source of its record), when we hold one. `voucher`: a link of ours
   * that served us and is linked to the peer by both records.
   */
  take(groupKnown: boolean, source?: string, voucher?: string): InboundTokenOutcome;
}

/** The new-inbound budget: a bucket for peers of known network group, one per grouped source for strangers, one for the rest. */
export function createInboundTokens(init: InboundTokensInit): InboundTokens {
  const known = new TokenBucket(init.limit, init.nowMs);
  if (init.split === false) return { take: () => (known.take() ? 'known' : 'rate-limited') };
  const unsourced = new TokenBucket(init.limit, init.nowMs);
  const perSource = init.perSource ?? STRANGER_INBOUND_PER_SOURCE;
  const sources = new LruCache<string, TokenBucket>(MAX_SOURCES);
  return {
    take(groupKnown, source, voucher) {
      if (groupKnown) return known.take() ? 'known' : 'rate-limited';
      // A source without a network group (a loopback, LAN or TURN link, keyed by its peer id) is not limited per
      // group anywhere else either: its strangers share the unsourced bucket, as every stranger did before.
      const key = voucher !== undefined ? `via:${voucher}` : source?.startsWith('net:') ? source : undefined;
      if (key === undefined) return unsourced.take() ? 'stranger' : 'rate-limited';
      let bucket = sources.get(key);
      if (!bucket) sources.set(key, (bucket = new TokenBucket(perSource, init.nowMs)));
      return bucket.take() ? 'vouched' : 'rate-limited';
    },
  };
}

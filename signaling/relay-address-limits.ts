/**
 * Per-address limits of the relay (docs/SECURITY.md, "Relay"; issue 20 §2):
 * one address, which is what a script on one machine has, gets a bounded
 * share of the relay. Three limits, each refusal named and counted:
 *
 *  - join attempts: every new socket takes a token from its address's bucket
 *    (core/token-bucket.ts), so 1,000 scripted joins from one address are
 *    refused past the burst, before any signature is checked;
 *  - pending sockets (accepted, not yet joined): a share per address, and
 *    when the whole pool is full a newcomer evicts the oldest pending socket
 *    of the address holding the most (of the oldest address among equals),
 *    so a flood of idle sockets, from a few addresses or from one per
 *    address, cannot turn everyone else away (bench/figures/relay-flood.ts);
 *  - members: joined ids per address, per relay process (with Redis, each
 *    process counts its own sockets).
 *
 * An address is the peer's IP, an IPv6 one cut to its /64 (one subscriber's
 * usual allocation, so rotating through it gains nothing). Behind a reverse
 * proxy every socket comes from the proxy: `trustProxyHops` then takes the
 * client's address from X-Forwarded-For (clientAddress below).
 */
import { networkGroupOf } from '../src/core/peers/network-group.ts';
import type http from 'node:http';
import { isIP } from 'node:net';
import { TokenBuckets } from '../src/core/token-bucket.ts';

/** Why the relay turned a socket or a join away; each has a counter in RelayStats.refusals. */
export type RelayRefusal =
  | 'capacity'
  | 'pending-pool'
  | 'pending-per-address'
  | 'join-rate'
  | 'members-per-address'
  | 'bad-stamp'
  | 'no-stamp';

export const RELAY_REFUSALS: readonly RelayRefusal[] = ['capacity', 'pending-pool', 'pending-per-address', 'join-rate', 'members-per-address', 'bad-stamp', 'no-stamp'];

export interface AddressLimitsInit {
  /** Join attempts (new sockets) per address: a burst, then a steady rate per minute. */
  joinsPerAddress: { burst: number; perMinute: number };
  /** Pending sockets one address may hold. */
  maxPendingPerAddress: number;
  /** Pending sockets over all addresses. */
  maxPendingJoins: number;
  /** Joined members one address may hold on this process. */
  maxMembersPerAddress: number;
}

/** A pending socket as the limits see it: still pending, and how to evict it. */
export interface PendingSocket {
  readonly pending: boolean;
  evict(reason: string): void;
}

export type SocketAdmission = { ok: true } | { ok: false; refusal: RelayRefusal; status: 429 | 503; detail: string };

/**
 * The address a socket counts against. Without trusted proxies it is the TCP
 * peer. With `trustProxyHops` = n, the proxies nearest us appended the
 * addresses they saw to X-Forwarded-For, so the client is the n-th entry from
 * the right (Express's `trust proxy` = n); entries further left are whatever
 * the client sent and are never used. A missing or malformed entry falls back
 * to the TCP peer (the proxy), so a misconfigured proxy shares one address
 * and is throttled rather than trusted.
 */
export function clientAddress(req: Pick<http.IncomingMessage, 'headers' | 'socket'>, trustProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustProxyHops <= 0) return addressKey(peer);
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  const candidate = entries[entries.length - trustProxyHops];
  return addressKey(candidate !== undefined && isIP(candidate) !== 0 ? candidate : peer);
}

/**
 * The network group the relay attests for a member from its address key (docs/PROTOCOL.md, "Relay"): the
 * rule links use (core/peers/network-group.ts), so /16 of IPv4 and /32 of IPv6, never the address itself.
 * Undefined for loopback, private and other addresses without a group.
 */
export function attestedGroupOf(address: string | undefined): string | undefined {
  return networkGroupOf(address?.replace(/::\/64$/, '::'));
}

/** The key an IP is limited under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64 prefix. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail] = ip.toLowerCase().split('%', 1)[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16)).join(':')}::/64`;
}

/** The relay's per-address bookkeeping; `nowMs` is monotonic (performance.now). */
export function createAddressLimits(init: AddressLimitsInit, nowMs: () => number) {
  const joins = new TokenBuckets<string>({ ratePerSec: init.joinsPerAddress.perMinute / 60, burst: init.joinsPerAddress.burst });
  /** Addresses with a join bucket, to forget them once the bucket is full again. */
  const bucketed = new Set<string>();
  /** Pending sockets by address, oldest first (insertion order); settled ones are pruned when counted. */
  const pending = new Map<string, Set<PendingSocket>>();
  /** Every pending socket, oldest first, with its address: the pool's FIFO (settled ones pruned when counted). */
  const order = new Map<PendingSocket, string>();
  /** Joined members by address: `network/peerId` -> the socket holding it. */
  const members = new Map<string, Map<string, unknown>>();
  const refusals = Object.fromEntries(RELAY_REFUSALS.map((name) => [name, 0])) as Record<RelayRefusal, number>;
  let pendingEvicted = 0;

  const forget = (socket: PendingSocket, address: string): void => {
    order.delete(socket);
    const set = pending.get(address);
    set?.delete(socket);
    if (set?.size === 0) pending.delete(address);
  };
  const pendingOf = (address: string): number => {
    const set = pending.get(address);
    if (!set) return 0;
    for (const socket of set) if (!socket.pending) forget(socket, address);
    return pending.get(address)?.size ?? 0;
  };
  /** Prunes settled sockets: O(pool), only for sockets that passed the per-address checks. */
  const pendingTotal = (): number => {
    for (const [socket, address] of order) if (!socket.pending) forget(socket, address);
    return order.size;
  };
  const refuse = (refusal: RelayRefusal, status: 429 | 503, detail: string): SocketAdmission => {
    refusals[refusal]++;
    return { ok: false, refusal, status, detail };
  };

  /**
   * Frees a slot in the full pool for a newcomer from `address`, which would
   * then hold `own` pending sockets. The address holding the most gives up its
   * oldest socket if it holds more than `own`; if the heaviest hold exactly
   * `own` (a flood spread over many addresses, one socket each), the oldest
   * socket of any of them goes: an honest join is pending for one round trip,
   * so the oldest is the likeliest to be idle. False when every address holds
   * fewer than `own`: the newcomer's own address is the heaviest.
   */
  function evictFor(address: string): boolean {
    const own = pendingOf(address) + 1;
    let heaviest: string | undefined;
    let most = 0;
    for (const [other, set] of pending) if (set.size > most) [heaviest, most] = [other, set.size];
    if (heaviest === undefined || most < own) return false;
    let victim: PendingSocket | undefined;
    if (most > own) victim = pending.get(heaviest)!.values().next().value;
    else {
      for (const [socket, other] of order) {
        if ((pending.get(other)?.size ?? 0) < own) continue;
        victim = socket;
        break;
      }
    }
    if (victim === undefined) return false;
    forget(victim, order.get(victim)!);
    victim.evict(most > own ? 'pending pool full: the address holding the most pending sockets gives one up' : 'pending pool full: the oldest pending socket gives way');
    pendingEvicted++;
    return true;
  }

  return {
    /** May `address` open one more socket? Takes a join token; may evict another address's pending socket. */
    admitSocket(address: string): SocketAdmission {
      if (pendingOf(address) >= init.maxPendingPerAddress) {
        return refuse('pending-per-address', 429, `your address has ${init.maxPendingPerAddress} sockets that have not joined yet`);
      }
      bucketed.add(address);
      if (!joins.take(address, nowMs())) {
        const { burst, perMinute } = init.joinsPerAddress;
        return refuse('join-rate', 429, `joins from your address are over ${burst} at once or ${perMinute} a minute`);
      }
      if (pendingTotal() >= init.maxPendingJoins && !evictFor(address)) {
        return refuse('pending-pool', 503, `the relay holds ${init.maxPendingJoins} sockets that have not joined yet`);
      }
      return { ok: true };
    },

    /** Counts a socket admitted by admitSocket until it joins or closes. */
    addPending(address: string, socket: PendingSocket): void {
      let set = pending.get(address);
      if (!set) pending.set(address, (set = new Set()));
      set.add(socket);
      order.set(socket, address);
    },

    pendingCount: pendingTotal,

    /**
     * Claims a member slot for `key` (network/peerId) held by `holder`. A key
     * this address already holds (a reload: the new socket replaces the old)
     * takes no new slot. False, counted, when the address is full.
     */
    claimMember(address: string, key: string, holder: unknown): boolean {
      let held = members.get(address);
      if (!held?.has(key) && (held?.size ?? 0) >= init.maxMembersPerAddress) {
        refusals['members-per-address']++;
        return false;
      }
      if (!held) members.set(address, (held = new Map()));
      held.set(key, holder);
      return true;
    },

    /** Frees `key`'s slot if `holder` still holds it (a replaced socket's late leave frees nothing). */
    releaseMember(address: string, key: string, holder: unknown): void {
      const held = members.get(address);
      if (!held || held.get(key) !== holder) return;
      held.delete(key);
      if (held.size === 0) members.delete(address);
    },

    /** Counts a refusal decided elsewhere (capacity, stamps). */
    count(refusal: RelayRefusal): void {
      refusals[refusal]++;
    },

    /** Forgets join buckets that have refilled, so the map holds only recently active addresses. */
    prune(): void {
      const now = nowMs();
      for (const address of bucketed) {
        if (joins.available(address, now) >= init.joinsPerAddress.burst) {
          joins.delete(address);
          bucketed.delete(address);
        }
      }
    },

    stats() {
      return { refusals: { ...refusals }, pendingEvicted, addresses: members.size };
    },
  };
}

export type AddressLimits = ReturnType<typeof createAddressLimits>;

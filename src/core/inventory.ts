/**
 * Announce-and-fetch gossip (docs/PROTOCOL.md, "Inventory"): ids are
 * announced (INV), bodies are sent only to peers that ask (GETDATA), so a body
 * crosses each link at most once. For every peer we remember which ids it
 * already knows (it announced them, or we announced or sent them to it) and
 * never announce those to it. Announcements are batched: everything queued
 * while one task runs leaves in one INV per peer.
 *
 * Requests are tracked: each id is asked of one announcer at a time. An
 * announcer that answers NOTFOUND is skipped for the next; one that neither
 * delivers nor says NOTFOUND within the timeout announced data it would not
 * deliver, which is misbehaviour. Data nobody asked for is misbehaviour too.
 */
import { BoundedSet } from './bounded-set.ts';
import { MAX_INV_ITEMS, type InvItem, type InvKind } from './frames.ts';
import type { ProtocolContext } from './protocol-context.ts';
import type { PeerId } from './types.ts';

/** Ids remembered per peer: a few minutes of traffic at 100 tx/s. */
const KNOWN_PER_PEER = 20_000;
/** Fetches in flight across all peers; announcements beyond this wait for the next one. */
const MAX_REQUESTS = 5_000;
/** A peer that announced an id has this long to deliver it (or say NOTFOUND). */
export const DELIVERY_TIMEOUT_MS = 5_000;

const keyOf = (kind: InvKind, id: string) => `${kind}:${id}`;

interface Request {
  kind: InvKind;
  id: string;
  /** The peer asked now, and when. */
  askedPeer: PeerId;
  askedMs: number;
  /** Other peers that announced it, to ask next. */
  alternatives: PeerId[];
}

export interface InventoryInit {
  /** Does this node want the body (it has not got it and is not rebuilding it)? */
  wants(kind: InvKind, id: string): boolean;
  /** Sends the body to `peerId` if we have it; false means NOTFOUND. */
  provide(kind: InvKind, id: string, peerId: PeerId): Promise<boolean> | boolean;
  /** Runs `flush` after the current task, so announcements made meanwhile leave together. */
  defer(flush: () => void): void;
}

export type Inventory = ReturnType<typeof createInventory>;

export function createInventory(context: ProtocolContext, init: InventoryInit) {
  const known = new Map<PeerId, BoundedSet<string>>();
  const outbox = new Map<PeerId, InvItem[]>();
  const requests = new Map<string, Request>();
  let flushScheduled = false;

  const knownBy = (peerId: PeerId): BoundedSet<string> => {
    let set = known.get(peerId);
    if (!set) known.set(peerId, (set = new BoundedSet(KNOWN_PER_PEER)));
    return set;
  };

  function flush(): void {
    flushScheduled = false;
    for (const [peerId, items] of outbox) {
      for (let start = 0; start < items.length; start += MAX_INV_ITEMS) {
        const batch = items.slice(start, start + MAX_INV_ITEMS);
        if (context.send(peerId, { type: 'inv', items: batch })) context.count('invSent', batch.length);
      }
    }
    outbox.clear();
  }

  function queue(peerId: PeerId, kind: InvKind, id: string): void {
    const key = keyOf(kind, id);
    const peerKnows = knownBy(peerId);
    if (peerKnows.has(key)) {
      context.count('announcementsAvoided');
      return;
    }
    peerKnows.add(key);
    let items = outbox.get(peerId);
    if (!items) outbox.set(peerId, (items = []));
    items.push({ kind, id });
    if (!flushScheduled) {
      flushScheduled = true;
      init.defer(flush);
    }
  }

  function ask(request: Request): void {
    request.askedMs = context.clock.nowMs();
    context.count('getDataSent');
    context.send(request.askedPeer, { type: 'getData', items: [{ kind: request.kind, id: request.id }] });
  }

  /** Moves a request to the next announcer, or drops it when none is left. */
  function retry(key: string, request: Request): void {
    const next = request.alternatives.shift();
    if (!next) {
      requests.delete(key);
      return;
    }
    request.askedPeer = next;
    context.count('fetchRetries');
    ask(request);
  }

  return {
    /** Queues an announcement of `id` to every open peer that does not know it (and is not `except`). */
    announce(kind: InvKind, id: string, except?: PeerId): void {
      for (const peerId of context.openPeers()) if (peerId !== except) queue(peerId, kind, id);
    },

    /** Queues announcements to one peer, e.g. our whole mempool to a peer that just linked (BIP35's idea). */
    announceTo(peerId: PeerId, kind: InvKind, ids: Iterable<string>): void {
      for (const id of ids) queue(peerId, kind, id);
    },

    /** Records that `peerId` has `id` (it sent or announced it), so we never announce it back. */
    markKnown(peerId: PeerId, kind: InvKind, id: string): void {
      knownBy(peerId).add(keyOf(kind, id));
    },

    handleInv(peerId: PeerId, items: InvItem[]): void {
      context.count('invReceived', items.length);
      for (const { kind, id } of items) {
        const key = keyOf(kind, id);
        knownBy(peerId).add(key);
        const pending = requests.get(key);
        if (pending) {
          if (pending.askedPeer !== peerId && !pending.alternatives.includes(peerId)) pending.alternatives.push(peerId);
          context.count('duplicateInv');
          continue;
        }
        if (!init.wants(kind, id)) {
          context.count('duplicateInv');
          continue;
        }
        if (requests.size >= MAX_REQUESTS) continue;
        const request: Request = { kind, id, askedPeer: peerId, askedMs: 0, alternatives: [] };
        requests.set(key, request);
        ask(request);
      }
    },

    /** Asks `peerId` for a body without an announcement (sync knows the peer has it from its headers). */
    request(peerId: PeerId, kind: InvKind, id: string): void {
      const key = keyOf(kind, id);
      if (requests.has(key)) return;
      const request: Request = { kind, id, askedPeer: peerId, askedMs: 0, alternatives: [] };
      requests.set(key, request);
      ask(request);
    },

    isRequested: (kind: InvKind, id: string): boolean => requests.has(keyOf(kind, id)),

    async handleGetData(peerId: PeerId, items: InvItem[]): Promise<void> {
      context.count('getDataReceived', items.length);
      const missing: InvItem[] = [];
      for (const item of items) {
        knownBy(peerId).add(keyOf(item.kind, item.id));
        if (!(await init.provide(item.kind, item.id, peerId))) missing.push(item);
      }
      if (missing.length > 0) context.send(peerId, { type: 'notFound', items: missing });
    },

    handleNotFound(peerId: PeerId, items: InvItem[]): void {
      for (const { kind, id } of items) {
        const key = keyOf(kind, id);
        const request = requests.get(key);
        if (request?.askedPeer === peerId) retry(key, request);
      }
    },

    /**
     * A body arrived from `peerId`. True when we had asked that peer for it;
     * false means nobody asked, which the caller treats as misbehaviour.
     */
    delivered(peerId: PeerId, kind: InvKind, id: string): boolean {
      const key = keyOf(kind, id);
      knownBy(peerId).add(key);
      const request = requests.get(key);
      if (request?.askedPeer !== peerId) return false;
      requests.delete(key);
      return true;
    },

    /** Ends the request for `id` without a delivery (e.g. the block's announcer is rebuilding it). */
    settle(kind: InvKind, id: string): void {
      requests.delete(keyOf(kind, id));
    },

    /** Times out undelivered requests: the silent announcer is punished, the next one asked. */
    tick(): void {
      const now = context.clock.nowMs();
      for (const [key, request] of requests) {
        if (now - request.askedMs <= DELIVERY_TIMEOUT_MS) continue;
        const asked = request.askedPeer;
        const askedMs = request.askedMs;
        retry(key, request);
        // A peer that kept talking but withheld the body misbehaved; one that went silent altogether
        // is stalled or cut off (the keepalive will close it), so it is only skipped.
        if ((context.lastHeardMs(asked) ?? 0) > askedMs) {
          context.punish(asked, `announced ${request.kind} ${request.id.slice(0, 12)} and did not deliver it within ${DELIVERY_TIMEOUT_MS / 1000} s`);
        }
      }
    },

    forgetPeer(peerId: PeerId): void {
      known.delete(peerId);
      outbox.delete(peerId);
      for (const [key, request] of requests) {
        request.alternatives = request.alternatives.filter((id) => id !== peerId);
        if (request.askedPeer === peerId) retry(key, request);
      }
    },
  };
}

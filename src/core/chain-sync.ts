/**
 * Headers-first catch-up (docs/PROTOCOL.md, "Sync"). When a peer's HELLO
 * names a tip we lack, or it sends a block whose parent we lack, we send our
 * block locator; the peer answers with up to 100 headers after the fork
 * point. Each header is checked in context (work, time, target) before its
 * body is requested, and bodies are fetched a bounded number at a time, so a
 * late joiner or a reloaded tab catches up without trusting anyone.
 */
import { MAX_HEADERS_PER_FRAME, MAX_LOCATOR_HASHES } from './frames.ts';
import { blockHash } from './ledger/block.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { BlockHeader } from './ledger/types.ts';
import type { ProtocolContext } from './protocol-context.ts';
import type { BlockHash, PeerId } from './types.ts';

/** Blocks requested from one peer and not yet received; below the ledger's orphan pool (64) so out-of-order arrivals fit. */
const MAX_IN_FLIGHT_PER_PEER = 16;
/** A block request unanswered this long is given to another peer. */
const BLOCK_TIMEOUT_MS = 10_000;
/** A headers request unanswered this long may be sent again. */
const HEADERS_TIMEOUT_MS = 10_000;

interface PeerSync {
  headersAskedMs?: number;
  inFlight: Map<BlockHash, number>;
}

export interface SyncProgress {
  /** Headers we know of whose blocks are not yet in (queued or in flight). */
  blocksWanted: number;
  /** Best header height announced by peers. */
  bestHeaderHeight: number;
}

export function createChainSync(context: ProtocolContext, init: { ledger: Ledger }) {
  const { ledger } = init;
  const peers = new Map<PeerId, PeerSync>();
  /** Blocks to download, in chain order, with the peer that announced them. */
  const queue = new Map<BlockHash, { header: BlockHeader; from: PeerId }>();
  let bestHeaderHeight = 0;

  const stateOf = (peerId: PeerId): PeerSync => {
    let state = peers.get(peerId);
    if (!state) peers.set(peerId, (state = { inFlight: new Map() }));
    return state;
  };

  function askHeaders(peerId: PeerId, from?: BlockHash): void {
    const state = stateOf(peerId);
    const now = context.clock.nowMs();
    if (state.headersAskedMs !== undefined && now - state.headersAskedMs < HEADERS_TIMEOUT_MS) return;
    state.headersAskedMs = now;
    const locator = [...(from ? [from] : []), ...ledger.locator()].slice(0, MAX_LOCATOR_HASHES);
    context.count('headersRequested');
    context.send(peerId, { type: 'getHeaders', locator });
  }

  function pump(): void {
    for (const [hash, { from }] of queue) {
      if (ledger.hasBlock(hash)) {
        queue.delete(hash);
        continue;
      }
      const owner = [...peers.values()].find((state) => state.inFlight.has(hash));
      if (owner) continue;
      const candidates = [from, ...context.openPeers()].filter((peerId) => (peers.get(peerId)?.inFlight.size ?? 0) < MAX_IN_FLIGHT_PER_PEER);
      const peerId = candidates.find((id) => context.openPeers().includes(id));
      if (!peerId) return;
      stateOf(peerId).inFlight.set(hash, context.clock.nowMs());
      context.count('blocksRequested');
      context.send(peerId, { type: 'getBlock', hash });
    }
  }

  return {
    /** A peer's HELLO names its tip; fetch headers if we do not have it. */
    onHello(peerId: PeerId, tipHash: BlockHash, tipHeight: number): void {
      stateOf(peerId);
      bestHeaderHeight = Math.max(bestHeaderHeight, tipHeight);
      if (!ledger.hasBlock(tipHash)) askHeaders(peerId);
    },

    /** A block from `peerId` had an unknown parent. */
    onOrphan(peerId: PeerId): void {
      askHeaders(peerId);
    },

    handleGetHeaders(peerId: PeerId, locator: BlockHash[]): void {
      context.send(peerId, { type: 'headers', headers: ledger.headersAfter(locator, MAX_HEADERS_PER_FRAME) });
    },

    handleHeaders(peerId: PeerId, headers: BlockHeader[]): void {
      const state = stateOf(peerId);
      if (state.headersAskedMs === undefined) return context.punish(peerId, 'sent headers nobody asked for');
      state.headersAskedMs = undefined;
      let parent: BlockHash | undefined;
      for (const header of headers) {
        if (parent !== undefined && header.prevHash !== parent) return context.punish(peerId, 'sent headers that do not form a chain');
        const hash = blockHash(header);
        parent = hash;
        const check = ledger.checkHeader(header);
        if (!check.ok) return context.punish(peerId, `sent an invalid header: ${check.reason} (${check.detail})`);
        bestHeaderHeight = Math.max(bestHeaderHeight, header.height);
        if (check.value !== 'known' && !queue.has(hash)) queue.set(hash, { header, from: peerId });
      }
      if (headers.length === MAX_HEADERS_PER_FRAME && parent) askHeaders(peerId, parent);
      pump();
    },

    /** A requested (or announced) block arrived; free its slot and request more. */
    onBlockArrived(hash: BlockHash): void {
      queue.delete(hash);
      for (const state of peers.values()) state.inFlight.delete(hash);
      pump();
    },

    tick(): void {
      const now = context.clock.nowMs();
      for (const state of peers.values()) {
        for (const [hash, askedMs] of state.inFlight) if (now - askedMs > BLOCK_TIMEOUT_MS) state.inFlight.delete(hash);
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

/**
 * The node's built-in protocols, wired to each other: inventory (announce and
 * fetch), transaction relay, compact block relay and headers-first sync
 * (docs/PROTOCOL.md, "Link frames" onwards). node.ts owns the sessions and
 * hands each parsed frame of a built-in type to `route`; newer protocols plug
 * in as modules instead (protocol-module.ts).
 */
import { createBlockRelay } from './block-relay.ts';
import { createChainSync } from './chain-sync.ts';
import type { Frame } from './frames.ts';
import { createInventory } from './inventory.ts';
import { blockHash } from './ledger/block.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { Mempool } from './ledger/mempool.ts';
import type { ProtocolContext } from './protocol-context.ts';
import type { Scheduler } from './scheduler.ts';
import { createTxRelay, type TxSource } from './tx-relay.ts';
import type { Tx } from './tx.ts';
import type { BlockHash, PeerId, TxId, Verifier } from './types.ts';

export interface BuiltinProtocolsComponents {
  verifier: Verifier;
  ledger: Ledger;
  mempool: Mempool;
  /** NodeComponents.scheduler: delays and holds announcements when present. */
  scheduler?: Scheduler;
  /** NodeComponents.linked. */
  linked?: (a: PeerId, b: PeerId) => boolean;
  /** Runs a task after the current one (the scheduler's, or a microtask). */
  defer: (fn: () => void) => void;
  /** Packs and sends what every session queued (PeerSession.flush). */
  flushSessions: () => void;
  onTx: (tx: Tx, id: TxId, source: TxSource) => void;
  onTxsDropped: (ids: TxId[]) => void;
  onBlock: (hash: BlockHash, from: PeerId) => void;
}

export interface BuiltinProtocolsInit {
  network: string;
  selfId: PeerId;
  maxKnownTxs?: number;
  announcerStanding?: boolean;
}

/** Builds inventory, transaction relay, sync and block relay over one protocol context. */
export function createBuiltinProtocols(context: ProtocolContext, components: BuiltinProtocolsComponents, init: BuiltinProtocolsInit) {
  const { verifier, ledger, mempool, scheduler, linked, defer, flushSessions } = components;
  const inventory = createInventory(context, {
    wants: (kind, id) => (kind === 'tx' ? !txRelay.knows(id) : blockRelay.wants(id)),
    provide: (kind, id, peerId) => (kind === 'tx' ? txRelay.provide(id, peerId) : blockRelay.provide(id, peerId)),
    // The inventory's batch is itself a deferred task: what it queues leaves at its end, not a task later.
    defer: (flush) => defer(() => {
      flush();
      flushSessions();
    }),
    ...(scheduler ? {
      after: (delayMs: number, fn: () => void) => scheduler.after(delayMs, fn),
      // A host whose timers do not keep time (a hidden page) neither delays nor holds announcements.
      busy: () => scheduler.punctual() && scheduler.busy(),
      linked: (a: PeerId, b: PeerId) => scheduler.punctual() && (linked?.(a, b) ?? false),
    } : {}),
    selfId: init.selfId,
    ...(init.announcerStanding === false ? { announcerStanding: false } : {}),
  });
  const txRelay = createTxRelay(context, {
    network: init.network, selfId: init.selfId, verifier, ledger, mempool, inventory, maxKnownTxs: init.maxKnownTxs,
    onAccepted: (tx, id, source) => {
      blockRelay.txArrived(tx, id);
      components.onTx(tx, id, source);
    },
    onDropped: (ids) => components.onTxsDropped(ids),
  });
  const sync = createChainSync(context, {
    ledger, inventory, wants: (hash) => blockRelay.wants(hash), fetchBlock: (peerId, hash) => blockRelay.fetchFull(peerId, hash),
    ...(init.announcerStanding === false ? { outboundProof: false } : {}),
  });
  const blockRelay = createBlockRelay(context, {
    ledger, mempool, inventory,
    onOrphan: (peerId, hash) => sync.askHeadersOf(peerId, hash),
    onBlockArrived: (hash) => sync.onBlockArrived(hash),
    onAccepted: (hash, from) => components.onBlock(hash, from),
    // Headers from the other peers name the block again if they have it; sync then fetches it whole.
    onStalled: (_hash, from) => {
      for (const peerId of context.openPeers()) if (peerId !== from) sync.askHeadersOf(peerId);
    },
    isTxComing: (shortId) => inventory.isTxInFlight(shortId) || txRelay.isVerifying(shortId),
    heldTxs: () => txRelay.held(),
  });
  // A block that passed every ledger rule is announced at once, while this node stores it: the new
  // tip is announced only after that commit, which took 0.4-1 s on a busy tab, and every hop of a
  // block's way waited for one (Bitcoin Core relays compact blocks before it has even connected
  // them; docs/PERFORMANCE.md, "Saturation"). Peers that learn of it ask now, and it is served from memory.
  const unsubscribeValidated = ledger.events.on('validated', (blocks) => {
    const newest = blocks[blocks.length - 1]!;
    blockRelay.keepToServe(newest);
    inventory.announce('block', blockHash(newest.header));
  });
  const unsubscribeTip = ledger.events.on('tip', (change) => {
    const update = mempool.onTip(change, ledger.account);
    // Announce the new tip (the inventory skips peers that know it), and the transactions a reorg
    // returned to the pool, so peers on the winning side can confirm them too.
    inventory.announce('block', change.tip.hash);
    for (const id of update.readded) inventory.announce('tx', id);
    txRelay.retryWaiting();
    if (update.dropped.length > 0) components.onTxsDropped(update.dropped);
  });

  /** Routes one parsed frame; the async modules report their own failures. */
  function route(peerId: PeerId, frame: Frame): Promise<void> | void {
    switch (frame.type) {
      case 'tx': return txRelay.handleTx(peerId, frame.tx);
      case 'block': return blockRelay.handleBlock(peerId, frame.header, frame.shortIds);
      case 'getBlockTxs': return blockRelay.handleGetBlockTxs(peerId, frame.hash, frame.indexes);
      case 'blockTxs': return blockRelay.handleBlockTxs(peerId, frame.hash, frame.txs);
      case 'inv':
        // A block announced that we hold only as an orphan is not fetched again: sync asks for its headers.
        for (const item of frame.items) if (item.kind === 'block') sync.onAnnounced(peerId, item.id);
        return inventory.handleInv(peerId, frame.items);
      case 'getData': return inventory.handleGetData(peerId, frame.items);
      case 'notFound': return inventory.handleNotFound(peerId, frame.items);
      case 'getHeaders': return sync.handleGetHeaders(peerId, frame.locator);
      case 'headers': return sync.handleHeaders(peerId, frame.headers);
      case 'hello': case 'ping': case 'pong': case 'goodbye': return;
    }
  }

  return {
    inventory, txRelay, sync, blockRelay, route,
    /** Stops following the ledger (the node is closing). */
    close(): void {
      unsubscribeTip();
      unsubscribeValidated();
    },
  };
}

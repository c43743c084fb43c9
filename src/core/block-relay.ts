/**
 * Compact block relay (BIP152 low-bandwidth mode, simplified; docs/PROTOCOL.md
 * "Blocks"). A block is announced by hash (INV); a peer that wants it asks
 * (GETDATA) and receives its header plus 8-byte short transaction ids. It
 * rebuilds the body from its mempool and asks only for the transactions it
 * lacks (GET_BLOCK_TXS → BLOCK_TXS). If the rebuilt body does not match the
 * header's Merkle root (short ids that collide with a different mempool
 * transaction), it falls back to fetching every transaction of the block.
 *
 * Headers-first sync fetches full blocks instead (fetchFull): a joiner's
 * mempool is empty, so a compact block would always miss and cost a second
 * round trip. GETDATA and an empty GET_BLOCK_TXS ("every transaction") go out
 * together, and the peer answers BLOCK then BLOCK_TXS in one round trip.
 */
import { BoundedSet } from './bounded-set.ts';
import { MAX_TXS_PER_FRAME, shortTxId } from './frames.ts';
import type { Inventory } from './inventory.ts';
import { blockHash } from './ledger/block.ts';
import type { BlockAcceptance, Ledger } from './ledger/ledger.ts';
import type { Mempool } from './ledger/mempool.ts';
import type { Block, BlockHeader, LedgerRejectReason, LedgerResult } from './ledger/types.ts';
import type { ProtocolContext } from './protocol-context.ts';
import { txId, type Tx } from './tx.ts';
import type { BlockHash, PeerId } from './types.ts';

/** Blocks being rebuilt at once; more are refused until some finish (a peer cannot make us hold unbounded state). */
const MAX_PENDING_BLOCKS = 32;
/** A peer that does not send the missing transactions within this time announced what it would not deliver. */
const PENDING_TIMEOUT_MS = 10_000;
/** Rejections an honest peer can cause without malice: clock skew. Everything else is misbehaviour. */
const FORGIVEN: ReadonlySet<LedgerRejectReason> = new Set(['time-too-new']);
/**
 * Full-block answers whose BLOCK_TXS may still arrive after their BLOCK was not used (we had the
 * block by then, or dropped it), as `peer:hash`: those are not unsolicited. Sync keeps at most 8
 * requests in flight per peer, so 1,024 covers many peers.
 */
const MAX_LATE_FULL_ANSWERS = 1_024;

interface PendingBlock {
  header: BlockHeader;
  from: PeerId;
  slots: (Tx | undefined)[];
  shortIds: string[];
  startedMs: number;
  /** Set once we asked for every transaction after a failed rebuild. */
  fullFetch: boolean;
  /** Slots filled from our mempool rather than from the peer. */
  guessed: boolean;
}

export interface BlockRelayInit {
  ledger: Ledger;
  mempool: Mempool;
  inventory: Inventory;
  /** The block's parent is unknown: the sync module fetches the missing headers. */
  onOrphan(peerId: PeerId): void;
  /** A block's fetch ended (accepted, refused or abandoned); the sync module frees its slot. */
  onBlockArrived(hash: BlockHash): void;
  /** A block from a peer was accepted (for the page's propagation view). */
  onAccepted?(hash: BlockHash, from: PeerId): void;
}

export function createBlockRelay(context: ProtocolContext, init: BlockRelayInit) {
  const { ledger, mempool, inventory } = init;
  const pending = new Map<BlockHash, PendingBlock>();
  /**
   * Full-block requests whose BLOCK has not arrived, per peer, with any of their BLOCK_TXS that came
   * first (a link may reorder: the simulator's do). Cleared with the link or the request; bounded by
   * sync's in-flight limit, as only requested hashes are kept.
   */
  const awaitingFull = new Map<PeerId, Map<BlockHash, { index: number; tx: Tx }[]>>();
  const lateFullAnswers = new BoundedSet<string>(MAX_LATE_FULL_ANSWERS);
  const fullKey = (peerId: PeerId, hash: BlockHash) => `${peerId}:${hash}`;

  /**
   * When `from` sends the BLOCK of a full request we made (once): the BLOCK_TXS that came before it.
   * The rest follow it; any that arrive after the block was settled otherwise are not unsolicited.
   */
  function takeFullAnswer(from: PeerId, hash: BlockHash): { index: number; tx: Tx }[] | undefined {
    const awaiting = awaitingFull.get(from);
    const early = awaiting?.get(hash);
    if (!early) return undefined;
    awaiting!.delete(hash);
    lateFullAnswers.add(fullKey(from, hash));
    return early;
  }

  /** Fills `entry`'s slots with transactions from its sender; completes the block once every slot is filled. */
  async function fill(hash: BlockHash, entry: PendingBlock, txs: { index: number; tx: Tx }[]): Promise<void> {
    for (const { index, tx } of txs) {
      if (index >= entry.slots.length || shortTxId(txId(tx)) !== entry.shortIds[index]) {
        pending.delete(hash);
        init.onBlockArrived(hash);
        return context.punish(entry.from, `sent a transaction that does not match block ${hash.slice(0, 12)} at index ${index}`);
      }
      entry.slots[index] = tx;
    }
    if (entry.slots.every((tx) => tx !== undefined)) await complete(hash, entry);
  }
  /** The block served last: a full-block request reads it twice (BLOCK, then BLOCK_TXS). */
  let lastServed: { hash: BlockHash; block: Block } | undefined;

  async function served(hash: BlockHash): Promise<Block | undefined> {
    if (lastServed?.hash === hash) return lastServed.block;
    const block = await ledger.getBlock(hash);
    if (block) lastServed = { hash, block };
    return block;
  }

  function compact(block: Block) {
    return { type: 'block' as const, header: block.header, shortIds: block.txs.map((tx) => shortTxId(txId(tx))) };
  }

  /** Logs, punishes and announces according to the ledger's verdict on a block from `source`. */
  function record(block: Block, source: PeerId | 'self', result: LedgerResult<BlockAcceptance>): void {
    const hash = blockHash(block.header);
    if (!result.ok) {
      if (source !== 'self' && !FORGIVEN.has(result.reason)) context.punish(source, `block ${hash.slice(0, 12)} is invalid: ${result.reason} (${result.detail})`);
      return;
    }
    context.count('blocksAccepted');
    if (source !== 'self') init.onAccepted?.(hash, source);
    if (result.value.status === 'orphan' && source !== 'self') init.onOrphan(source);
    // The new tip is announced by the node on the ledger's 'tip' event: it may be a descendant of this
    // block (waiting orphans connect behind it), not this block itself.
  }

  async function accept(block: Block, source: PeerId | 'self'): Promise<LedgerResult<BlockAcceptance>> {
    const result = await ledger.acceptBlock(block, source);
    record(block, source, result);
    return result;
  }

  function requestTxs(entry: PendingBlock, hash: BlockHash, indexes: number[]): void {
    context.count('blockTxsRequested', indexes.length);
    context.send(entry.from, { type: 'getBlockTxs', hash, indexes });
  }

  async function complete(hash: BlockHash, entry: PendingBlock): Promise<void> {
    const block: Block = { header: entry.header, txs: entry.slots as Tx[] };
    let result: LedgerResult<BlockAcceptance>;
    try {
      result = await ledger.acceptBlock(block, entry.from);
    } catch (error) {
      pending.delete(hash);
      init.onBlockArrived(hash);
      throw error;
    }
    if (!result.ok && result.reason === 'bad-merkle-root' && entry.guessed && !entry.fullFetch) {
      // Our mempool guessed a wrong transaction for some short id: fall back to the full block.
      context.count('compactBlockFallbacks');
      entry.fullFetch = true;
      entry.slots = entry.slots.map(() => undefined);
      entry.startedMs = context.clock.nowMs();
      return requestTxs(entry, hash, entry.slots.map((_tx, index) => index));
    }
    record(block, entry.from, result);
    // Held until the ledger has it, so an announcement arriving meanwhile is seen as a duplicate,
    // and sync asks for more only as fast as the ledger connects.
    pending.delete(hash);
    init.onBlockArrived(hash);
  }

  return {
    /** A block mined by this tab. */
    submitLocal: (block: Block) => accept(block, 'self'),

    /** Does this node need the block? (Neither stored nor being rebuilt.) */
    wants: (hash: BlockHash): boolean => !ledger.hasBlock(hash) && !pending.has(hash),

    /**
     * Sync: asks `peerId` for the whole block in one round trip (GETDATA, tracked by the inventory,
     * plus GET_BLOCK_TXS with no indexes, meaning every transaction; docs/PROTOCOL.md "Sync").
     */
    fetchFull(peerId: PeerId, hash: BlockHash): void {
      inventory.request(peerId, 'block', hash);
      let awaiting = awaitingFull.get(peerId);
      if (!awaiting) awaitingFull.set(peerId, (awaiting = new Map()));
      awaiting.set(hash, []);
      context.send(peerId, { type: 'getBlockTxs', hash, indexes: [] });
    },

    /** Answers GETDATA for a block with its compact form. */
    async provide(hash: BlockHash, peerId: PeerId): Promise<boolean> {
      const block = await served(hash);
      return block !== undefined && context.send(peerId, compact(block));
    },

    async handleBlock(from: PeerId, header: BlockHeader, shortIds: string[]): Promise<void> {
      const hash = blockHash(header);
      context.count('blockBodiesReceived');
      const requested = inventory.delivered(from, 'block', hash);
      const early = takeFullAnswer(from, hash);
      if (ledger.hasBlock(hash) || pending.has(hash)) return context.count('blocksDuplicate');
      // A block we neither asked for nor already have is unsolicited data: misbehaviour.
      if (!requested) return context.punish(from, `sent block ${hash.slice(0, 12)} that nobody asked for`);
      const check = ledger.checkHeader(header);
      if (!check.ok) {
        init.onBlockArrived(hash);
        if (!FORGIVEN.has(check.reason)) context.punish(from, `block header ${hash.slice(0, 12)} is invalid: ${check.reason} (${check.detail})`);
        return;
      }
      if (pending.size >= MAX_PENDING_BLOCKS) {
        init.onBlockArrived(hash);
        return context.log.warn('too many blocks being rebuilt; dropped one', { peerId: from });
      }
      if (early) {
        // We asked for the full block: its transactions come in BLOCK_TXS without another request.
        context.count('blockTxsRequested', shortIds.length);
        const entry: PendingBlock = { header, from, slots: shortIds.map(() => undefined), shortIds, startedMs: context.clock.nowMs(), fullFetch: true, guessed: false };
        pending.set(hash, entry);
        return fill(hash, entry, early);
      }
      const byShortId = new Map<string, Tx | null>();
      for (const entry of mempool.list()) {
        const key = shortTxId(entry.id);
        byShortId.set(key, byShortId.has(key) ? null : entry.tx); // null marks a collision: fetch it instead
      }
      const slots = shortIds.map((shortId) => byShortId.get(shortId) ?? undefined);
      const entry: PendingBlock = { header, from, slots, shortIds, startedMs: context.clock.nowMs(), fullFetch: false, guessed: slots.some((tx) => tx) };
      pending.set(hash, entry);
      const missing = slots.flatMap((tx, index) => (tx ? [] : [index]));
      if (missing.length === 0) {
        context.count('compactBlockHits');
        return complete(hash, entry);
      }
      context.count('compactBlockMisses');
      requestTxs(entry, hash, missing);
    },

    async handleBlockTxs(from: PeerId, hash: BlockHash, txs: { index: number; tx: Tx }[]): Promise<void> {
      const entry = pending.get(hash);
      if (entry?.from === from) return fill(hash, entry, txs);
      const early = awaitingFull.get(from)?.get(hash);
      // Ahead of the BLOCK they belong to: kept for it (at most one block's worth; checked against its short ids).
      if (early && early.length + txs.length <= ledger.params.maxBlockTxs) return void early.push(...txs);
      // A late answer to our full-block request (we got the block elsewhere, or dropped it) is not misbehaviour.
      if (lateFullAnswers.has(fullKey(from, hash))) return;
      context.punish(from, `sent transactions of block ${hash.slice(0, 12)} that nobody asked for`);
    },

    /** Answers GET_BLOCK_TXS; no indexes asks for every transaction (a full-block request). */
    async handleGetBlockTxs(from: PeerId, hash: BlockHash, requested: number[]): Promise<void> {
      const block = await served(hash);
      if (!block) return context.punish(from, `asked for transactions of block ${hash.slice(0, 12)}, which we never announced to it`);
      if (requested.some((index) => index >= block.txs.length)) return context.punish(from, `asked for a transaction index beyond block ${hash.slice(0, 12)}`);
      const indexes = requested.length > 0 ? requested : block.txs.map((_tx, index) => index);
      for (let start = 0; start < indexes.length; start += MAX_TXS_PER_FRAME) {
        const txs = indexes.slice(start, start + MAX_TXS_PER_FRAME).map((index) => ({ index, tx: block.txs[index]! }));
        context.send(from, { type: 'blockTxs', hash, txs });
      }
    },

    /** A rebuild whose peer never sent the missing transactions: that peer announced what it would not deliver. */
    tick(): void {
      // A full request the inventory gave up on (no BLOCK in time) is over: a later BLOCK from that peer is a plain one.
      for (const awaiting of awaitingFull.values()) for (const hash of awaiting.keys()) if (!inventory.isRequested('block', hash)) awaiting.delete(hash);
      const now = context.clock.nowMs();
      for (const [hash, entry] of pending) {
        if (now - entry.startedMs <= PENDING_TIMEOUT_MS) continue;
        pending.delete(hash);
        init.onBlockArrived(hash);
        context.punish(entry.from, `did not deliver the transactions of block ${hash.slice(0, 12)} within ${PENDING_TIMEOUT_MS / 1000} s`);
      }
    },

    forgetPeer(peerId: PeerId): void {
      awaitingFull.delete(peerId);
      for (const [hash, entry] of pending) {
        if (entry.from !== peerId) continue;
        pending.delete(hash);
        init.onBlockArrived(hash);
      }
    },
  };
}

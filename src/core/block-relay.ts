/**
 * Compact block relay (BIP152, simplified; docs/PROTOCOL.md "Blocks").
 * A block travels as its header plus 8-byte short transaction ids. The
 * receiver rebuilds the body from its mempool and asks the sender only for
 * the transactions it lacks (getBlockTxs → blockTxs), then hands the block to
 * the ledger. A block that becomes the tip is announced onward the same way.
 * Short ids that collide within our mempool are fetched instead of guessed; a
 * collision between a mempool transaction and a block transaction needs two
 * ids to share 64 bits (~1 in 10^12 per block at full mempool), so it is not
 * worth a round trip.
 */
import { MAX_TXS_PER_FRAME, SHORT_ID_BYTES } from './frames.ts';
import { blockHash } from './ledger/block.ts';
import type { BlockAcceptance, Ledger } from './ledger/ledger.ts';
import type { Mempool } from './ledger/mempool.ts';
import type { Block, BlockHeader, LedgerRejectReason, LedgerResult } from './ledger/types.ts';
import type { ProtocolContext } from './protocol-context.ts';
import { txId, type Tx } from './tx.ts';
import type { BlockHash, PeerId } from './types.ts';

/** Blocks being rebuilt at once; more are refused until some finish (a peer cannot make us hold unbounded state). */
const MAX_PENDING_BLOCKS = 32;
/** A peer that does not send the missing transactions within this time loses the block's slot. */
const PENDING_TIMEOUT_MS = 15_000;
/** Rejections an honest peer can cause without malice: clock skew. Everything else is misbehaviour. */
const FORGIVEN: ReadonlySet<LedgerRejectReason> = new Set(['time-too-new']);

export const shortTxId = (id: string): string => id.slice(0, SHORT_ID_BYTES * 2);

interface PendingBlock {
  header: BlockHeader;
  from: PeerId;
  slots: (Tx | undefined)[];
  shortIds: string[];
  startedMs: number;
}

export interface BlockRelayInit {
  ledger: Ledger;
  mempool: Mempool;
  /** The block's parent is unknown: the sync module fetches the missing headers. */
  onOrphan(peerId: PeerId): void;
  /** A block arrived (rebuilt) from a peer; the sync module stops waiting for it. */
  onBlockArrived(hash: BlockHash): void;
}

export function createBlockRelay(context: ProtocolContext, init: BlockRelayInit) {
  const { ledger, mempool } = init;
  const pending = new Map<BlockHash, PendingBlock>();

  function compact(block: Block) {
    return { type: 'block' as const, header: block.header, shortIds: block.txs.map((tx) => shortTxId(txId(tx))) };
  }

  async function accept(block: Block, source: PeerId | 'self'): Promise<LedgerResult<BlockAcceptance>> {
    const hash = blockHash(block.header);
    const result = await ledger.acceptBlock(block, source);
    if (!result.ok) {
      if (source !== 'self' && !FORGIVEN.has(result.reason)) context.punish(source, `block ${hash.slice(0, 12)} is invalid: ${result.reason} (${result.detail})`);
      return result;
    }
    context.count('blocksAccepted');
    if (result.value.status === 'orphan' && source !== 'self') init.onOrphan(source);
    // Announce what became our tip; peers that have it ignore the announcement.
    if (ledger.tip().hash === hash) context.broadcast(compact(block), source === 'self' ? undefined : source);
    return result;
  }

  function requestMissing(entry: PendingBlock, hash: BlockHash): void {
    const indexes = entry.slots.flatMap((tx, index) => (tx ? [] : [index]));
    context.count('blockTxsRequested', indexes.length);
    context.send(entry.from, { type: 'getBlockTxs', hash, indexes });
  }

  async function complete(hash: BlockHash, entry: PendingBlock): Promise<void> {
    const block: Block = { header: entry.header, txs: entry.slots as Tx[] };
    try {
      await accept(block, entry.from);
    } finally {
      // Held until the ledger has it, so an announcement arriving meanwhile is seen as a duplicate,
      // and sync asks for more only as fast as the ledger connects.
      pending.delete(hash);
      init.onBlockArrived(hash);
    }
  }

  return {
    compact,

    /** A block mined by this tab. */
    submitLocal: (block: Block) => accept(block, 'self'),

    async handleBlock(from: PeerId, header: BlockHeader, shortIds: string[]): Promise<void> {
      const hash = blockHash(header);
      if (ledger.hasBlock(hash) || pending.has(hash)) {
        context.count('blocksDuplicate');
        init.onBlockArrived(hash);
        return;
      }
      const check = ledger.checkHeader(header);
      if (!check.ok) {
        if (!FORGIVEN.has(check.reason)) context.punish(from, `block header ${hash.slice(0, 12)} is invalid: ${check.reason} (${check.detail})`);
        return;
      }
      if (pending.size >= MAX_PENDING_BLOCKS) return context.log.warn('too many blocks being rebuilt; dropped an announcement', { peerId: from });
      const byShortId = new Map<string, Tx | null>();
      for (const entry of mempool.list()) {
        const key = shortTxId(entry.id);
        byShortId.set(key, byShortId.has(key) ? null : entry.tx); // null marks a collision: fetch it instead
      }
      const slots = shortIds.map((shortId) => byShortId.get(shortId) ?? undefined);
      const entry: PendingBlock = { header, from, slots, shortIds, startedMs: context.clock.nowMs() };
      pending.set(hash, entry);
      if (slots.every((tx) => tx !== undefined)) {
        context.count('compactBlockHits');
        return complete(hash, entry);
      }
      context.count('compactBlockMisses');
      requestMissing(entry, hash);
    },

    async handleBlockTxs(from: PeerId, hash: BlockHash, txs: { index: number; tx: Tx }[]): Promise<void> {
      const entry = pending.get(hash);
      if (!entry || entry.from !== from) return context.count('unsolicitedDropped');
      for (const { index, tx } of txs) {
        if (index >= entry.slots.length || shortTxId(txId(tx)) !== entry.shortIds[index]) {
          pending.delete(hash);
          return context.punish(from, `sent a transaction that does not match block ${hash.slice(0, 12)} at index ${index}`);
        }
        entry.slots[index] = tx;
      }
      if (entry.slots.every((tx) => tx !== undefined)) await complete(hash, entry);
    },

    async handleGetBlockTxs(from: PeerId, hash: BlockHash, indexes: number[]): Promise<void> {
      const block = await ledger.getBlock(hash);
      if (!block) return context.log.info('asked for transactions of a block we do not have', { peerId: from, hash });
      if (indexes.some((index) => index >= block.txs.length)) return context.punish(from, `asked for a transaction index beyond block ${hash.slice(0, 12)}`);
      for (let start = 0; start < indexes.length; start += MAX_TXS_PER_FRAME) {
        const txs = indexes.slice(start, start + MAX_TXS_PER_FRAME).map((index) => ({ index, tx: block.txs[index]! }));
        context.send(from, { type: 'blockTxs', hash, txs });
      }
    },

    async handleGetBlock(from: PeerId, hash: BlockHash): Promise<void> {
      const block = await ledger.getBlock(hash);
      if (block) context.send(from, compact(block));
      else context.log.info('asked for a block we do not have', { peerId: from, hash });
    },

    /** Drops rebuilds whose peer went quiet, so their slots free up. */
    tick(): void {
      const now = context.clock.nowMs();
      for (const [hash, entry] of pending) {
        if (now - entry.startedMs > PENDING_TIMEOUT_MS) {
          pending.delete(hash);
          context.log.warn('a peer did not deliver the transactions of a block it announced', { peerId: entry.from, hash });
        }
      }
    },

    forgetPeer(peerId: PeerId): void {
      for (const [hash, entry] of pending) if (entry.from === peerId) pending.delete(hash);
    },
  };
}

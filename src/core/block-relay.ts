/**
 * Compact block relay (BIP152 low-bandwidth mode, simplified; docs/PROTOCOL.md
 * "Blocks"). A block is announced by hash (INV); a peer that wants it asks
 * (GETDATA) and receives its header plus 8-byte short transaction ids. It
 * rebuilds the body from the transactions it has (compact-sources.ts) and
 * asks only for those it lacks (GET_BLOCK_TXS → BLOCK_TXS). If every one it
 * lacks is already on its way (requested by gossip, or being verified), it
 * waits for them instead, up to WAIT_FOR_COMING_MS, rather than download
 * them twice. If the rebuilt body does not match the header's Merkle root
 * (short ids that collide with a different transaction), it falls back to
 * fetching every transaction of the block.
 *
 * Headers-first sync fetches full blocks instead (fetchFull): a joiner's
 * mempool is empty, so a compact block would always miss and cost a second
 * round trip. GETDATA and an empty GET_BLOCK_TXS ("every transaction") go out
 * together, and the peer answers BLOCK then BLOCK_TXS in one round trip.
 */
import { LruCache } from './lru-cache.ts';
import { BoundedSet } from './bounded-set.ts';
import { createCompactSources } from './compact-sources.ts';
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
/**
 * A rebuild whose transactions have not all come within this time is given up, and the block fetched
 * elsewhere. The peer is punished only if it answered a later GET_BLOCK_TXS of ours meanwhile (peers
 * answer in order, so it skipped this one); otherwise it may just be slow (docs/SECURITY.md).
 */
const PENDING_TIMEOUT_MS = 10_000;
/**
 * How long a compact block waits for the transactions it lacks when all of them are already on their
 * way to us (gossip fetched them first and they have not reached the mempool yet), before asking its
 * sender after all. Checked at the node's tick, so the wait ends within a tick after this. Under load
 * a transaction's last hop takes hundreds of ms (docs/PERFORMANCE.md, "Compact blocks"), and asking for those
 * bodies again cost a duplicate download and an extra round trip for a third of the blocks.
 */
const WAIT_FOR_COMING_MS = 1_000;
/** Recent blocks kept in memory to serve (block-relay's `served`): the tip, a competing block or two, and sync's current one. */
const RECENT_BLOCKS = 4;
/**
 * Rejections an honest peer can cause without malice: clock skew, and a block that breaks only an
 * ACTIVE deployment's rule, which a build that does not know the deployment relays in good faith
 * (deployments.ts). Everything else is misbehaviour.
 */
const FORGIVEN: ReadonlySet<LedgerRejectReason> = new Set(['time-too-new', 'deployment-rule']);
/**
 * Requests whose BLOCK_TXS may still arrive after we stopped waiting for them (a full-block answer
 * whose BLOCK was not used, or a rebuild given up as too slow), as `peer:hash`: those are not
 * unsolicited. Sync keeps at most 16 requests in flight per peer (24 in all), so 1,024 covers many peers.
 */
const MAX_LATE_ANSWERS = 1_024;

interface PendingBlock {
  header: BlockHeader;
  from: PeerId;
  slots: (Tx | undefined)[];
  shortIds: string[];
  startedMs: number;
  /** Set once we asked for every transaction after a failed rebuild. */
  fullFetch: boolean;
  /** The number of our latest GET_BLOCK_TXS to `from` for this block (0: none was needed). */
  askedSeq: number;
  /** Slots filled from our mempool rather than from the peer. */
  guessed: boolean;
  /** While waiting for transactions already on their way (WAIT_FOR_COMING_MS): when to stop and ask. */
  waitUntilMs?: number;
}

export interface BlockRelayInit {
  ledger: Ledger;
  mempool: Mempool;
  inventory: Inventory;
  /** The block's parent is unknown: the sync module fetches the missing headers, and keeps asking until the block is indexed. */
  onOrphan(peerId: PeerId, hash: BlockHash): void;
  /** A block's fetch ended (accepted, refused or abandoned); the sync module frees its slot. */
  onBlockArrived(hash: BlockHash): void;
  /** A block from a peer was accepted (for the page's propagation view). */
  onAccepted?(hash: BlockHash, from: PeerId): void;
  /** A rebuild from `from` was given up as too slow: the sync module looks for the block at other peers. */
  onStalled?(hash: BlockHash, from: PeerId): void;
  /**
   * Is a transaction with this short id on its way to the mempool (fetched from a peer, or being
   * verified)? A compact block lacking only such transactions waits for them. Absent: never waits.
   */
  isTxComing?(shortId: string): boolean;
  /**
   * Verified transactions the mempool could not take yet (an earlier nonce of their sender had not
   * arrived): a block that carries them is rebuilt from them too. Absent: none.
   */
  heldTxs?(): Iterable<{ id: string; tx: Tx }>;
}

/** A full-block request whose BLOCK has not come yet: its GET_BLOCK_TXS number, and any BLOCK_TXS that came first. */
interface FullRequest {
  askedSeq: number;
  early: { index: number; tx: Tx }[];
}

/** Per peer: our GET_BLOCK_TXS requests to it, numbered, and the latest one it answered. */
interface TxsRequests {
  askedSeq: number;
  answeredSeq: number;
}

export function createBlockRelay(context: ProtocolContext, init: BlockRelayInit) {
  const { ledger, mempool, inventory } = init;
  const pending = new Map<BlockHash, PendingBlock>();
  /**
   * Full-block requests whose BLOCK has not arrived, per peer, with any of their BLOCK_TXS that came
   * first (a link may reorder: the simulator's do). Cleared with the link or the request; bounded by
   * sync's in-flight limit, as only requested hashes are kept.
   */
  const awaitingFull = new Map<PeerId, Map<BlockHash, FullRequest>>();
  const lateAnswers = new BoundedSet<string>(MAX_LATE_ANSWERS);
  const answerKey = (peerId: PeerId, hash: BlockHash) => `${peerId}:${hash}`;
  const txsRequests = new Map<PeerId, TxsRequests>();
  const sources = createCompactSources({ pooled: () => mempool.list(), held: init.heldTxs });
  /** Short id → the blocks waiting for that transaction to reach the mempool (see WAIT_FOR_COMING_MS). */
  const awaitingTxs = new Map<string, BlockHash[]>();

  /** Ends a block's wait for coming transactions: it no longer appears in awaitingTxs. */
  function stopWaiting(hash: BlockHash, entry: PendingBlock): void {
    entry.waitUntilMs = undefined;
    entry.shortIds.forEach((shortId, index) => {
      if (entry.slots[index]) return;
      const hashes = awaitingTxs.get(shortId)?.filter((waiting) => waiting !== hash);
      if (hashes && hashes.length > 0) awaitingTxs.set(shortId, hashes);
      else awaitingTxs.delete(shortId);
    });
  }

  /** Sends GET_BLOCK_TXS to `peerId` and returns the request's number. */
  function sendGetBlockTxs(peerId: PeerId, hash: BlockHash, indexes: number[]): number {
    let numbers = txsRequests.get(peerId);
    if (!numbers) txsRequests.set(peerId, (numbers = { askedSeq: 0, answeredSeq: 0 }));
    context.send(peerId, { type: 'getBlockTxs', hash, indexes });
    return ++numbers.askedSeq;
  }

  /**
   * When `from` sends the BLOCK of a full request we made (once): the BLOCK_TXS that came before it.
   * The rest follow it; any that arrive after the block was settled otherwise are not unsolicited.
   */
  function takeFullAnswer(from: PeerId, hash: BlockHash): FullRequest | undefined {
    const awaiting = awaitingFull.get(from);
    const request = awaiting?.get(hash);
    if (!request) return undefined;
    awaiting!.delete(hash);
    lateAnswers.add(answerKey(from, hash));
    return request;
  }

  /** Fills `entry`'s slots with transactions from its sender; completes the block once every slot is filled. */
  async function fill(hash: BlockHash, entry: PendingBlock, txs: { index: number; tx: Tx }[]): Promise<void> {
    const numbers = txsRequests.get(entry.from);
    if (numbers && entry.askedSeq > numbers.answeredSeq) numbers.answeredSeq = entry.askedSeq;
    for (const { index, tx } of txs) {
      if (index >= entry.slots.length || shortTxId(txId(tx)) !== entry.shortIds[index]) {
        pending.delete(hash);
        init.onBlockArrived(hash);
        return context.punish(entry.from, `sent a transaction that does not match block ${hash.slice(0, 12)} at index ${index}`);
      }
      entry.slots[index] = tx;
    }
    if (entry.slots.every((tx) => tx !== undefined)) complete(hash, entry);
  }
  /**
   * Blocks that just joined the chain here, and those served last. Peers ask for a new tip as soon as
   * it is announced, and a full-block request reads its block twice (BLOCK, then BLOCK_TXS): from
   * memory, neither waits for IndexedDB, and the asking link's later frames do not queue behind a read.
   */
  const recentBlocks = new LruCache<BlockHash, Block>(RECENT_BLOCKS);

  async function served(hash: BlockHash): Promise<Block | undefined> {
    const recent = recentBlocks.get(hash);
    if (recent) return recent;
    const block = await ledger.getBlock(hash);
    if (block) recentBlocks.set(hash, block);
    return block;
  }

  function compact(block: Block) {
    return { type: 'block' as const, header: block.header, shortIds: block.txs.map((tx) => shortTxId(txId(tx))) };
  }

  /** Logs, punishes and announces according to the ledger's verdict on a block from `source`. */
  function record(block: Block, source: PeerId | 'self', result: LedgerResult<BlockAcceptance>): void {
    const hash = blockHash(block.header);
    if (!result.ok) {
      if (source !== 'self') context.count('blocksRefused');
      if (source !== 'self' && !FORGIVEN.has(result.reason)) context.punish(source, `block ${hash.slice(0, 12)} is invalid: ${result.reason} (${result.detail})`);
      return;
    }
    context.count('blocksAccepted');
    sources.remember(block);
    if (result.value.status === 'connected' || result.value.status === 'reorged') recentBlocks.set(hash, block);
    if (source !== 'self') init.onAccepted?.(hash, source);
    if (result.value.status === 'orphan' && source !== 'self') init.onOrphan(source, hash);
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
    entry.askedSeq = sendGetBlockTxs(entry.from, hash, indexes);
  }

  /**
   * Hands a rebuilt block to the ledger without holding the link's frame queue
   * until it is stored: the bodies that arrive meanwhile join the ledger's
   * next group commit (ledger.ts). The ledger takes blocks in call order, so
   * one link's blocks still connect in the order they came.
   */
  function complete(hash: BlockHash, entry: PendingBlock): void {
    const block: Block = { header: entry.header, txs: entry.slots as Tx[] };
    ledger.acceptBlock(block, entry.from).then(
      (result) => settle(hash, entry, block, result),
      (error: unknown) => {
        pending.delete(hash);
        init.onBlockArrived(hash);
        context.log.warn('a block could not be stored', { hash, peerId: entry.from, error: String(error) });
      },
    );
  }

  function settle(hash: BlockHash, entry: PendingBlock, block: Block, result: LedgerResult<BlockAcceptance>): void {
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

    /**
     * A block the ledger validated and is storing (LedgerEvents.validated): kept to serve, since peers
     * told of it now ask before it is in IndexedDB.
     */
    keepToServe(block: Block): void {
      recentBlocks.set(blockHash(block.header), block);
    },

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
      awaiting.set(hash, { askedSeq: sendGetBlockTxs(peerId, hash, []), early: [] });
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
      const full = takeFullAnswer(from, hash);
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
      if (full) {
        // We asked for the full block: its transactions come in BLOCK_TXS without another request.
        context.count('blockTxsRequested', shortIds.length);
        const entry: PendingBlock = { header, from, slots: shortIds.map(() => undefined), shortIds, startedMs: context.clock.nowMs(), fullFetch: true, guessed: false, askedSeq: full.askedSeq };
        pending.set(hash, entry);
        return fill(hash, entry, full.early);
      }
      const byShortId = sources.byShortId();
      const slots = shortIds.map((shortId) => byShortId.get(shortId) ?? undefined);
      const entry: PendingBlock = { header, from, slots, shortIds, startedMs: context.clock.nowMs(), fullFetch: false, guessed: slots.some((tx) => tx), askedSeq: 0 };
      pending.set(hash, entry);
      const missing = slots.flatMap((tx, index) => (tx ? [] : [index]));
      if (missing.length === 0) {
        context.count('compactBlockHits');
        return complete(hash, entry);
      }
      if (init.isTxComing && missing.every((index) => init.isTxComing!(shortIds[index]!))) {
        // All of them are on their way already: wait for gossip to deliver them (txArrived) rather than download them twice.
        context.count('compactBlockWaits');
        entry.waitUntilMs = context.clock.nowMs() + WAIT_FOR_COMING_MS;
        for (const index of missing) awaitingTxs.set(shortIds[index]!, [...(awaitingTxs.get(shortIds[index]!) ?? []), hash]);
        return;
      }
      context.count('compactBlockMisses');
      requestTxs(entry, hash, missing);
    },

    /** A transaction reached the mempool: it fills the blocks waiting for it, and completes those it was the last of. */
    txArrived(tx: Tx, id: string): void {
      const shortId = shortTxId(id);
      const hashes = awaitingTxs.get(shortId);
      if (!hashes) return;
      awaitingTxs.delete(shortId);
      for (const hash of hashes) {
        const entry = pending.get(hash);
        if (entry?.waitUntilMs === undefined) continue;
        entry.shortIds.forEach((candidate, index) => {
          if (candidate === shortId && !entry.slots[index]) entry.slots[index] = tx;
        });
        // A short id can collide: the Merkle root check falls back to fetching the whole block (settle).
        entry.guessed = true;
        if (entry.slots.every((slot) => slot !== undefined)) {
          stopWaiting(hash, entry);
          context.count('compactBlockHits');
          complete(hash, entry);
        }
      }
    },

    async handleBlockTxs(from: PeerId, hash: BlockHash, txs: { index: number; tx: Tx }[]): Promise<void> {
      const entry = pending.get(hash);
      if (entry?.from === from) return fill(hash, entry, txs);
      const early = awaitingFull.get(from)?.get(hash)?.early;
      // Ahead of the BLOCK they belong to: kept for it (at most one block's worth; checked against its short ids).
      if (early && early.length + txs.length <= ledger.params.maxBlockTxs) return void early.push(...txs);
      // A late answer (we got the block elsewhere, dropped it, or stopped waiting) is not misbehaviour.
      if (lateAnswers.has(answerKey(from, hash))) return;
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

    /**
     * Gives up rebuilds still missing transactions after PENDING_TIMEOUT_MS. Slowness is not punished
     * (a CPU-starved tab answers seconds late); only a peer that answered a later GET_BLOCK_TXS of ours
     * meanwhile skipped this one on purpose. Either way the block is looked for elsewhere.
     */
    tick(): void {
      // A full request the inventory gave up on (no BLOCK in time) is over: a later BLOCK from that peer
      // is a plain one, and its BLOCK_TXS a late answer.
      for (const [peerId, awaiting] of awaitingFull) {
        for (const hash of awaiting.keys()) {
          if (inventory.isRequested('block', hash)) continue;
          awaiting.delete(hash);
          lateAnswers.add(answerKey(peerId, hash));
        }
      }
      const now = context.clock.nowMs();
      for (const [hash, entry] of pending) {
        if (entry.waitUntilMs !== undefined && entry.waitUntilMs <= now) {
          // They did not all come in time: ask the block's sender for the rest after all.
          stopWaiting(hash, entry);
          context.count('compactBlockMisses');
          requestTxs(entry, hash, entry.slots.flatMap((tx, index) => (tx ? [] : [index])));
        }
        // A complete block is with the ledger, however slow: nothing is missing from anyone.
        if (now - entry.startedMs <= PENDING_TIMEOUT_MS || entry.slots.every((tx) => tx !== undefined)) continue;
        pending.delete(hash);
        lateAnswers.add(answerKey(entry.from, hash));
        init.onBlockArrived(hash);
        if ((txsRequests.get(entry.from)?.answeredSeq ?? 0) > entry.askedSeq) {
          context.punish(entry.from, `withheld the transactions of block ${hash.slice(0, 12)}: answered a later request but not this one within ${PENDING_TIMEOUT_MS / 1000} s`);
        } else {
          context.count('blockRebuildsAbandoned');
          context.log.info('gave up rebuilding a block: its transactions came too slowly; looking elsewhere', { peerId: entry.from, hash });
          init.onStalled?.(hash, entry.from);
        }
      }
    },

    forgetPeer(peerId: PeerId): void {
      awaitingFull.delete(peerId);
      txsRequests.delete(peerId);
      for (const [hash, entry] of pending) {
        if (entry.from !== peerId) continue;
        stopWaiting(hash, entry);
        pending.delete(hash);
        init.onBlockArrived(hash);
      }
    },
  };
}

/**
 * Projects the ledger into the page: the tip, recent blocks, reorgs, the
 * status of recent transactions, the wallet and the mempool. Storage follows
 * blocks by itself: each block's commit confirms its transactions (txIndex),
 * and adds the wallet's first seen inside it to the history (LedgerStore
 * commitConnect), so nothing here writes per transaction.
 */
import { blockHash } from '../core/ledger/block.ts';
import type { Ledger, TipEvent } from '../core/ledger/ledger.ts';
import type { Mempool } from '../core/ledger/mempool.ts';
import type { Block } from '../core/ledger/types.ts';
import { blockRewardAt } from '../core/ledger/params.ts';
import { txId, type Tx } from '../core/tx.ts';
import type { Clock, Logger, PeerId, TxId } from '../core/types.ts';
import { LruCache } from '../core/lru-cache.ts';
import type { TabmeshStore } from '../ui/store.ts';
import type { AccountView, BlockView, TxView } from '../ui/view-models.ts';

/** Blocks shown when the page loads; the list then grows as blocks arrive. */
const RECENT_BLOCKS_ON_LOAD = 20;
const MEMPOOL_VIEW_LIMIT = 200;

/**
 * Statuses tx(id) answers from memory: every transaction this tab saw
 * recently. 20,000 entries (about 4 MB) hold minutes of traffic at 100 tx/s
 * and keep the heap flat in chain length (docs/PERFORMANCE.md, "Memory");
 * older ids are answered from IndexedDB (RunningPeer.findTx).
 */
export const TX_STATUS_INDEX_ENTRIES = 20_000;

/**
 * What tx(id) answers; dropped transactions are absent (tx() says 'unknown'). `receivedAtMs` is when
 * this tab first saw the transaction, on the page's clock (start-peer.ts).
 */
export type TxStatusIndex = LruCache<TxId, { status: 'pending' | 'confirmed'; height?: number; receivedAtMs: number }>;

export const createTxStatusIndex = (maxEntries = TX_STATUS_INDEX_ENTRIES): TxStatusIndex => new LruCache(maxEntries);

export function txToView(tx: Tx, id: TxId, receivedAtMs: number, source: PeerId | 'self', height?: number): TxView {
  return {
    id, from: tx.from, to: tx.to, amount: tx.amount, fee: tx.fee, nonce: tx.nonce,
    status: height === undefined ? 'pending' : 'confirmed', height, receivedAtMs, source,
  };
}

export function createChainView(components: { ledger: Ledger; mempool: Mempool; ui: TabmeshStore; clock: Clock; log: Logger }, selfId: PeerId, txIndex: TxStatusIndex) {
  const { ledger, mempool, ui, clock, log } = components;

  function blockView(block: Block, receivedAtMs: number, txIds: TxId[] = block.txs.map(txId)): BlockView {
    return {
      hash: blockHash(block.header), height: block.header.height, miner: block.header.miner, txCount: block.txs.length,
      timeMs: block.header.timeMs, receivedAtMs, fees: block.txs.reduce((sum, tx) => sum + tx.fee, 0),
      reward: blockRewardAt(block.header.height, ledger.params),
      txIds,
    };
  }

  /**
   * Applies a tip change to the transactions list in ONE store update: a
   * syncing tab connects hundreds of transactions a second, and a store
   * update per transaction (each copying the list and notifying the view)
   * was a visible share of its main thread (docs/PERFORMANCE.md, "Late-joiner sync").
   */
  function updateTxViews(event: TipEvent, connectedIds: TxId[][], now: number): void {
    const changed = new Map<TxId, { status: 'pending' | 'confirmed'; height?: number }>();
    const added: TxView[] = [];
    for (const block of event.disconnected) {
      for (const tx of block.txs) {
        const id = txId(tx);
        txIndex.set(id, { status: 'pending', receivedAtMs: txIndex.get(id)?.receivedAtMs ?? now });
        changed.set(id, { status: 'pending' });
      }
    }
    event.connected.forEach((block, b) => {
      const height = block.header.height;
      block.txs.forEach((tx, i) => {
        const id = connectedIds[b]![i]!;
        const known = txIndex.get(id);
        txIndex.set(id, { status: 'confirmed', height, receivedAtMs: known?.receivedAtMs ?? now });
        changed.set(id, { status: 'confirmed', height });
        // First seen inside a block: it joins the list as confirmed (and a wallet transaction the history:
        // the block's commit stored it so).
        if (!known) added.push(txToView(tx, id, now, block.header.miner, height));
      });
    });
    if (changed.size > 0) ui.getState().updateTxs(added.reverse(), changed);
  }

  function onTip(event: TipEvent): void {
    const now = clock.nowMs();
    const state = ui.getState();
    const connectedIds = event.connected.map((block) => block.txs.map(txId));
    updateTxViews(event, connectedIds, now);
    if (event.disconnected.length > 0) {
      state.noteReorg({
        atMs: now,
        disconnected: event.disconnected.map((block) => blockHash(block.header)),
        connected: event.connected.map((block) => blockHash(block.header)),
        newTipHeight: event.tip.height,
      });
      log.warn(`reorg: ${event.disconnected.length} block(s) replaced`, { newTipHeight: event.tip.height });
    }
    state.addBlocks(event.connected.map((block, b) => blockView(block, now, connectedIds[b])));
    state.setTip({ height: event.tip.height, hash: event.tip.hash, timeMs: event.tip.timeMs });
    accountsStale = true;
    refreshWallet();
  }

  function refreshWallet(): void {
    const balance = ledger.account(selfId).balance;
    const pending = mempool.pendingSpend(selfId);
    ui.getState().setBalance(balance, pending > 0 ? balance - pending : undefined);
    const entries = mempool.list();
    ui.getState().setMempool(entries.slice(0, MEMPOOL_VIEW_LIMIT).map((entry) => txToView(entry.tx, entry.id, entry.addedMs, entry.tx.from === selfId ? 'self' : entry.tx.from)), entries.length);
  }

  /** Set when the tip moves; balances change only then. */
  let accountsStale = true;

  /**
   * Publishes every account's balance for the Balances table, at most once
   * per call and only after the tip moved: the caller (the page's one-second
   * tick) keeps a fast sync from sorting the accounts once per block.
   */
  function refreshAccounts(): void {
    if (!accountsStale) return;
    accountsStale = false;
    const accounts: AccountView[] = [];
    for (const [id, account] of ledger.accounts()) accounts.push({ id, balance: account.balance, nonce: account.nonce });
    ui.getState().setAccounts(accounts);
  }

  /** Fills the chain panel with the recent best chain (from storage) at start. */
  async function load(): Promise<void> {
    const tip = ledger.tip();
    const blocks: BlockView[] = [];
    for (let height = tip.height; height > Math.max(0, tip.height - RECENT_BLOCKS_ON_LOAD); height--) {
      const entry = ledger.ancestorAt(height);
      const block = entry && (await ledger.getBlock(entry.hash));
      if (block) blocks.push(blockView(block, block.header.timeMs));
    }
    ui.getState().addBlocks(blocks);
    ui.getState().setTip({ height: tip.height, hash: tip.hash, timeMs: tip.timeMs });
    refreshWallet();
  }

  const unsubscribe = ledger.events.on('tip', onTip);
  return { load, refreshWallet, refreshAccounts, close: unsubscribe };
}

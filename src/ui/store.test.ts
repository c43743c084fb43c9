import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GOSSIP_BATCH_MS } from './update-queue.ts';
import { MAX_ACCOUNT_VIEWS, MAX_BLOCK_VIEWS, MAX_LOG_ENTRIES, MAX_MEMPOOL_VIEWS, MAX_TX_VIEWS, createTabmeshStore } from './store.ts';
import type { BlockView, TxView } from './view-models.ts';

const hex = (n: number) => n.toString(16).padStart(64, '0');
const tx = (n: number, extra: Partial<TxView> = {}): TxView => ({
  id: hex(n), from: hex(1000), to: hex(1001), amount: n + 1, fee: 1, nonce: n, status: 'pending', receivedAtMs: n, source: 'self', ...extra,
});

const block = (height: number, extra: Partial<BlockView> = {}): BlockView => ({
  hash: hex(5000 + height), height, miner: hex(1000), txCount: 0, timeMs: height * 1000, receivedAtMs: height * 1000, fees: 0, reward: 50, ...extra,
});
const heights = (blocks: BlockView[]) => blocks.map((b) => b.height);

describe('tabmesh store', () => {
  it('starts loading with the relay connecting and nothing else', () => {
    const s = createTabmeshStore().getState();
    expect(s.phase).toBe('loading');
    expect(s.relay).toBe('connecting');
    expect(s.peers).toEqual({});
    expect(s.txs).toEqual([]);
    expect(s.logEntries).toEqual([]);
  });

  it('records a startup failure and clears it when ready', () => {
    const store = createTabmeshStore();
    store.getState().setPhase('failed', 'no IndexedDB');
    expect(store.getState()).toMatchObject({ phase: 'failed', failure: 'no IndexedDB' });
    store.getState().setPhase('ready');
    expect(store.getState().failure).toBeUndefined();
  });

  it('upserts, merges and removes peers', () => {
    const store = createTabmeshStore();
    store.getState().upsertPeer({ id: 'a', direction: 'out', state: 'connecting' });
    store.getState().upsertPeer({ id: 'a', direction: 'out', state: 'open', rttMs: 4 });
    expect(store.getState().peers.a).toEqual({ id: 'a', direction: 'out', state: 'open', rttMs: 4 });
    store.getState().removePeer('a');
    expect(store.getState().peers).toEqual({});
  });

  it('adds transactions newest first, replacing a duplicate id in place', () => {
    const store = createTabmeshStore();
    store.getState().addTx(tx(1));
    store.getState().addTx(tx(2));
    store.getState().addTx(tx(1, { status: 'confirmed', height: 3 }));
    expect(store.getState().txs.map((t) => [t.id, t.status])).toEqual([[hex(2), 'pending'], [hex(1), 'confirmed']]);
  });

  it('sets a status and drops the height when not confirmed', () => {
    const store = createTabmeshStore();
    store.getState().addTx(tx(1));
    store.getState().setTxStatus(hex(1), 'confirmed', 7);
    expect(store.getState().txs[0]).toMatchObject({ status: 'confirmed', height: 7 });
    store.getState().setTxStatus(hex(1), 'pending', 7);
    expect(store.getState().txs[0]!.height).toBeUndefined();
  });

  it('sorts, deduplicates and caps a loaded list', () => {
    const store = createTabmeshStore();
    const list = Array.from({ length: MAX_TX_VIEWS + 20 }, (_, i) => tx(i));
    store.getState().setTxs([...list, tx(5)]);
    const { txs } = store.getState();
    expect(txs).toHaveLength(MAX_TX_VIEWS);
    expect(txs[0]!.id).toBe(hex(MAX_TX_VIEWS + 19));
    expect(new Set(txs.map((t) => t.id)).size).toBe(txs.length);
  });

  describe('transactions from gossip, queued', () => {
    beforeEach(() => void vi.useFakeTimers());
    afterEach(() => void vi.useRealTimers());
    const ids = (store: ReturnType<typeof createTabmeshStore>) => store.getState().txs.map((t) => [t.id, t.status]);

    it('join the list together, in one update, after GOSSIP_BATCH_MS', () => {
      const store = createTabmeshStore();
      store.getState().addTx(tx(1));
      let updates = 0;
      store.subscribe(() => updates++);
      store.getState().queueTx(tx(2));
      store.getState().queueTx(tx(3));
      store.getState().queueTx(tx(1, { status: 'confirmed', height: 4 }));
      vi.advanceTimersByTime(GOSSIP_BATCH_MS - 1);
      expect(ids(store)).toEqual([[hex(1), 'pending']]);
      vi.advanceTimersByTime(1);
      expect(updates).toBe(1);
      expect(ids(store)).toEqual([[hex(3), 'pending'], [hex(2), 'pending'], [hex(1), 'confirmed']]);
      // Nothing is left to flush.
      vi.advanceTimersByTime(GOSSIP_BATCH_MS);
      expect(updates).toBe(1);
    });

    it('are applied before a status change, a tip change or a new list, so none overtakes them', () => {
      const store = createTabmeshStore();
      store.getState().queueTx(tx(1));
      store.getState().setTxStatus(hex(1), 'dropped');
      expect(ids(store)).toEqual([[hex(1), 'dropped']]);

      store.getState().queueTx(tx(2));
      store.getState().updateTxs([tx(9, { status: 'confirmed', height: 5, receivedAtMs: 100 })], new Map([[hex(2), { status: 'confirmed', height: 5 }]]));
      expect(ids(store)).toEqual([[hex(9), 'confirmed'], [hex(2), 'confirmed'], [hex(1), 'dropped']]);
      expect(store.getState().txs[1]!.height).toBe(5);

      store.getState().queueTx(tx(3, { receivedAtMs: 1 }));
      store.getState().setTxs([tx(7)]);
      expect(ids(store)).toEqual([[hex(3), 'pending'], [hex(7), 'pending']]);
      // The timer finds nothing left to add twice.
      vi.advanceTimersByTime(GOSSIP_BATCH_MS);
      expect(ids(store)).toEqual([[hex(3), 'pending'], [hex(7), 'pending']]);
    });

    it('a tip change that touches nothing in the list leaves the state alone', () => {
      const store = createTabmeshStore();
      store.getState().addTx(tx(1));
      const before = store.getState().txs;
      store.getState().updateTxs([], new Map([[hex(8), { status: 'confirmed', height: 2 }]]));
      expect(store.getState().txs).toBe(before);
    });
  });

  it('caps the log, newest first, with increasing sequence numbers', () => {
    const store = createTabmeshStore();
    for (let i = 0; i < MAX_LOG_ENTRIES + 5; i++) store.getState().log('info', `line ${i}`, i);
    const { logEntries } = store.getState();
    expect(logEntries).toHaveLength(MAX_LOG_ENTRIES);
    expect(logEntries[0]).toMatchObject({ message: `line ${MAX_LOG_ENTRIES + 4}`, level: 'info' });
    expect(logEntries[0]!.seq).toBeGreaterThan(logEntries[1]!.seq);
  });
});

describe('ledger slices', () => {
  it('starts with no balance, tip, blocks or mempool, and mining off', () => {
    const s = createTabmeshStore().getState();
    expect(s.balance).toBeUndefined();
    expect(s.pendingBalance).toBeUndefined();
    expect(s.tip).toBeUndefined();
    expect(s.blocks).toEqual([]);
    expect(s.mempool).toEqual([]);
    expect(s.mempoolTotal).toBe(0);
    expect(s.mining).toEqual({ on: false, hashRate: 0, blocksFound: 0 });
    expect(s.lastReorg).toBeUndefined();
  });

  it('sets the balance, and clears the pending balance when a later update has none', () => {
    const store = createTabmeshStore();
    store.getState().setBalance(100, 80);
    expect(store.getState()).toMatchObject({ balance: 100, pendingBalance: 80 });
    store.getState().setBalance(120);
    expect(store.getState().balance).toBe(120);
    expect(store.getState().pendingBalance).toBeUndefined();
  });

  it('sets the tip', () => {
    const store = createTabmeshStore();
    store.getState().setTip({ height: 3, hash: hex(3), timeMs: 30 });
    expect(store.getState().tip).toEqual({ height: 3, hash: hex(3), timeMs: 30 });
  });

  it('adds blocks newest first by height whatever the arrival order, one per hash (the later wins)', () => {
    const store = createTabmeshStore();
    store.getState().addBlocks([block(2), block(1)]);
    store.getState().addBlocks([block(4), block(3)]);
    store.getState().addBlocks([block(2, { txCount: 5 })]);
    const { blocks } = store.getState();
    expect(heights(blocks)).toEqual([4, 3, 2, 1]);
    expect(blocks.find((b) => b.height === 2)!.txCount).toBe(5);
  });

  it('keeps the newest MAX_BLOCK_VIEWS blocks', () => {
    const store = createTabmeshStore();
    store.getState().addBlocks(Array.from({ length: MAX_BLOCK_VIEWS + 10 }, (_, i) => block(i)));
    store.getState().addBlocks([block(3)]); // too old to show: stays out
    const { blocks } = store.getState();
    expect(blocks).toHaveLength(MAX_BLOCK_VIEWS);
    expect(blocks[0]!.height).toBe(MAX_BLOCK_VIEWS + 9);
    expect(blocks.at(-1)!.height).toBe(10);
  });

  it('removes disconnected blocks and leaves the state alone when none are known', () => {
    const store = createTabmeshStore();
    store.getState().addBlocks([block(1), block(2), block(3)]);
    store.getState().removeBlocks([hex(5003), hex(5002)]);
    expect(heights(store.getState().blocks)).toEqual([1]);
    const before = store.getState();
    store.getState().removeBlocks([hex(9999)]);
    expect(store.getState()).toBe(before);
  });

  it('notes a reorg, drops its disconnected blocks, and shows the replacements after addBlocks', () => {
    const store = createTabmeshStore();
    store.getState().addBlocks([block(1), block(2), block(3)]);
    const replacement = [block(2, { hash: hex(7002) }), block(3, { hash: hex(7003) }), block(4, { hash: hex(7004) })];
    const reorg = { atMs: 99, disconnected: [hex(5002), hex(5003)], connected: replacement.map((b) => b.hash), newTipHeight: 4 };
    store.getState().noteReorg(reorg);
    store.getState().addBlocks(replacement);
    const { blocks, lastReorg } = store.getState();
    expect(lastReorg).toEqual(reorg);
    expect(blocks.map((b) => b.hash)).toEqual([hex(7004), hex(7003), hex(7002), hex(5001)]);
  });

  it('keeps the mempool in the given order, one per id, capped, with the full count', () => {
    const store = createTabmeshStore();
    const list = Array.from({ length: MAX_MEMPOOL_VIEWS + 30 }, (_, i) => tx(i, { fee: 1000 - i }));
    store.getState().setMempool([tx(7, { fee: 5000 }), ...list]);
    const { mempool, mempoolTotal } = store.getState();
    expect(mempool).toHaveLength(MAX_MEMPOOL_VIEWS);
    expect(mempool[0]).toMatchObject({ id: hex(7), fee: 5000 });
    expect(mempool[1]!.id).toBe(hex(0));
    expect(new Set(mempool.map((t) => t.id)).size).toBe(MAX_MEMPOOL_VIEWS);
    expect(mempoolTotal).toBe(MAX_MEMPOOL_VIEWS + 30);
    store.getState().setMempool([tx(1)], 4000);
    expect(store.getState().mempoolTotal).toBe(4000);
    store.getState().setMempool([]);
    expect(store.getState()).toMatchObject({ mempool: [], mempoolTotal: 0 });
  });

  it('patches the mining view', () => {
    const store = createTabmeshStore();
    store.getState().setMining({ on: true });
    store.getState().setMining({ hashRate: 1500 });
    expect(store.getState().mining).toEqual({ on: true, hashRate: 1500, blocksFound: 0 });
  });
});

describe('balances', () => {
  it('keeps the largest balances first (ties by id), capped, with the full count', () => {
    const store = createTabmeshStore();
    const accounts = Array.from({ length: MAX_ACCOUNT_VIEWS + 5 }, (_, i) => ({ id: hex(i), balance: i % 7, nonce: i }));
    store.getState().setAccounts(accounts);
    const shown = store.getState().accounts;
    expect(shown).toHaveLength(MAX_ACCOUNT_VIEWS);
    expect(store.getState().accountsTotal).toBe(MAX_ACCOUNT_VIEWS + 5);
    expect(shown[0]).toEqual({ id: hex(6), balance: 6, nonce: 6 });
    for (let i = 1; i < shown.length; i++) {
      const [a, b] = [shown[i - 1]!, shown[i]!];
      expect(a.balance > b.balance || (a.balance === b.balance && a.id < b.id)).toBe(true);
    }
  });
});

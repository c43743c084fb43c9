import { describe, expect, it } from 'vitest';
import { MAX_LOG_ENTRIES, MAX_TX_VIEWS, createTabmeshStore } from './store.ts';
import type { TxView } from './view-models.ts';

const hex = (n: number) => n.toString(16).padStart(64, '0');
const tx = (n: number, extra: Partial<TxView> = {}): TxView => ({
  id: hex(n), from: hex(1000), to: hex(1001), amount: n + 1, fee: 1, nonce: n, status: 'pending', receivedAtMs: n, source: 'self', ...extra,
});

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

  it('caps the log, newest first, with increasing sequence numbers', () => {
    const store = createTabmeshStore();
    for (let i = 0; i < MAX_LOG_ENTRIES + 5; i++) store.getState().log('info', `line ${i}`, i);
    const { logEntries } = store.getState();
    expect(logEntries).toHaveLength(MAX_LOG_ENTRIES);
    expect(logEntries[0]).toMatchObject({ message: `line ${MAX_LOG_ENTRIES + 4}`, level: 'info' });
    expect(logEntries[0]!.seq).toBeGreaterThan(logEntries[1]!.seq);
  });
});

/**
 * The page's state: a vanilla zustand store (zustand `vanilla.ts`) split into
 * slices. Non-React code (app.ts, reacting to node events) calls the actions
 * through `store.getState()`; components read it with `useTabmesh`.
 * The store holds view models only and makes no protocol decisions.
 *
 * The ledger's slices (wallet, chain, mempool, mining) live in ledger-slices.ts;
 * the explorer's (graph, arrivals, series, detail, traces) in explorer-slices.ts.
 *
 * Note: the log lines live in `logEntries` because `log` is the action that
 * appends one; a state key cannot be both.
 */
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import { createNetworkSlice, type NetworkSlice } from './network-slice.ts';
import { createUpdateSlice, type UpdateSlice } from './update-slice.ts';
import { GOSSIP_BATCH_MS, createUpdateQueue } from './update-queue.ts';
import {
  createChainSlice,
  createMempoolSlice,
  createMiningSlice,
  createWalletSlice,
  type ChainSlice,
  type MempoolSlice,
  type MiningSlice,
  type WalletSlice,
} from './ledger-slices.ts';
import {
  createArrivalsSlice,
  createDetailSlice,
  createGraphSlice,
  createSeriesSlice,
  createTraceSlice,
  type ArrivalsSlice,
  type DetailSlice,
  type GraphSlice,
  type SeriesSlice,
  type TraceSlice,
} from './explorer-slices.ts';
import type { LogEntry, LogLevel, PeerView, Phase, RelayStatus, RelayView, SelfView, TxStatus, TxView } from './view-models.ts';

export { MAX_ARRIVALS, MAX_SAMPLES, MAX_TRACES, SERIES_WINDOW_MS, type ArrivalsSlice, type DetailSlice, type GraphSlice, type SeriesSlice, type TraceSlice } from './explorer-slices.ts';
export { MAX_ACCOUNT_VIEWS, MAX_BLOCK_VIEWS, MAX_MEMPOOL_VIEWS, type ChainSlice, type MempoolSlice, type MiningSlice, type WalletSlice } from './ledger-slices.ts';

/** Transactions kept for display; older ones stay in IndexedDB, not in memory twice. */
export const MAX_TX_VIEWS = 500;
/** Log lines kept: enough to read back a session's story without growing forever (the list is virtualised, so length costs little). */
export const MAX_LOG_ENTRIES = 1000;

export interface NodeSlice {
  self?: SelfView;
  phase: Phase;
  /** Why startup failed, shown as a page-level error when phase is 'failed'. */
  failure?: string;
  /** Over the relay servers: open while any is (the same-browser channel is left out). */
  relay: RelayStatus;
  /** Each signaling route (relays and the same-browser channel), for the header's list. */
  relays: RelayView[];
  stats: Record<string, number>;
  setSelf(id: string, network: string): void;
  setPhase(phase: Phase, failure?: string): void;
  setRelay(status: RelayStatus): void;
  setRelays(relays: readonly RelayView[]): void;
  setStats(stats: Record<string, number>): void;
}

export interface PeersSlice {
  peers: Record<string, PeerView>;
  upsertPeer(peer: PeerView): void;
  /** Upserts several peers in one update, e.g. every open link's traffic once a second. */
  upsertPeers(peers: readonly PeerView[]): void;
  removePeer(id: string): void;
}

export interface TxsSlice {
  /** Newest first, at most MAX_TX_VIEWS. */
  txs: TxView[];
  /** Adds a transaction at the top, or replaces the one with the same id where it stands. */
  addTx(tx: TxView): void;
  /**
   * addTx for the gossip path: the transaction joins the list within GOSSIP_BATCH_MS, together with the
   * others queued meanwhile, in one store update. Every other action of this slice applies the queue
   * first, so a status change never overtakes the transaction it changes.
   */
  queueTx(tx: TxView): void;
  setTxStatus(id: string, status: TxStatus, height?: number): void;
  /**
   * A tip change in one update: `added` (newest first) go on top, then each listed id in the list
   * takes its new status (and height, when confirmed).
   */
  updateTxs(added: readonly TxView[], changed: ReadonlyMap<string, { status: TxStatus; height?: number }>): void;
  /** Replaces the list (e.g. with what storage held at startup), newest first and deduplicated; queued ones go on top. */
  setTxs(list: TxView[]): void;
}

export interface LogSlice {
  /** Newest first, at most MAX_LOG_ENTRIES. */
  logEntries: LogEntry[];
  /** Adds a log line; `atMs` defaults to Date.now(). */
  log(level: LogLevel, message: string, atMs?: number): void;
}

export type TabmeshState = NodeSlice &
  PeersSlice &
  TxsSlice &
  LogSlice &
  WalletSlice &
  ChainSlice &
  MempoolSlice &
  MiningSlice &
  NetworkSlice &
  GraphSlice &
  ArrivalsSlice &
  SeriesSlice &
  DetailSlice &
  TraceSlice &
  UpdateSlice;

/** The vanilla store app.ts writes to and the React tree reads from. */
export type TabmeshStore = StoreApi<TabmeshState>;

/** One slice of the store: its state and the actions that set it. */
export type Slice<T> = StateCreator<TabmeshState, [], [], T>;

export const createNodeSlice: Slice<NodeSlice> = (set) => ({
  phase: 'loading',
  relay: 'connecting',
  relays: [],
  stats: {},
  setSelf: (id, network) => set({ self: { id, network } }),
  setPhase: (phase, failure) => set({ phase, failure: phase === 'failed' ? (failure ?? 'Unknown error') : undefined }),
  setRelay: (relay) => set({ relay }),
  setRelays: (relays) => set({ relays: relays.map((relay) => ({ ...relay })) }),
  setStats: (stats) => set({ stats: { ...stats } }),
});

export const createPeersSlice: Slice<PeersSlice> = (set) => ({
  peers: {},
  upsertPeer: (peer) => set((state) => ({ peers: { ...state.peers, [peer.id]: { ...state.peers[peer.id], ...peer } } })),
  upsertPeers: (list) =>
    set((state) => {
      if (list.length === 0) return state;
      const peers = { ...state.peers };
      for (const peer of list) peers[peer.id] = { ...peers[peer.id], ...peer };
      return { peers };
    }),
  removePeer: (id) =>
    set((state) => {
      if (!(id in state.peers)) return state;
      const { [id]: _removed, ...rest } = state.peers;
      return { peers: rest };
    }),
});

/** Newest first by receive time, one entry per id (the later entry wins), capped. */
function normalizeTxs(list: readonly TxView[]): TxView[] {
  const byId = new Map<string, TxView>();
  for (const tx of list) byId.set(tx.id, tx);
  return [...byId.values()].sort((a, b) => b.receivedAtMs - a.receivedAtMs).slice(0, MAX_TX_VIEWS);
}

/** `txs` (newest first) with `added` (oldest first) applied as addTx would, one by one. */
function withAdded(txs: readonly TxView[], added: readonly TxView[]): TxView[] {
  const position = new Map<string, number>();
  txs.forEach((tx, i) => position.set(tx.id, i));
  const next = txs.slice();
  const fresh = new Map<string, TxView>();
  for (const tx of added) {
    const at = position.get(tx.id);
    if (at === undefined) {
      // A repeat within the batch replaces the earlier one, which then stands where it was added.
      fresh.set(tx.id, tx);
    } else {
      next[at] = tx;
    }
  }
  return [...[...fresh.values()].reverse(), ...next].slice(0, MAX_TX_VIEWS);
}

export const createTxsSlice: Slice<TxsSlice> = (set) => {
  const queue = createUpdateQueue<TxView>(GOSSIP_BATCH_MS, () => set((state) => ({ txs: applyQueued(state.txs) })));
  /** The list with the queued transactions applied. */
  const applyQueued = (txs: TxView[]): TxView[] => {
    const added = queue.take();
    return added.length === 0 ? txs : withAdded(txs, added);
  };
  return {
    txs: [],
    addTx: (tx) => set((state) => ({ txs: withAdded(applyQueued(state.txs), [tx]) })),
    queueTx: (tx) => queue.push(tx),
    setTxStatus: (id, status, height) =>
      set((state) => {
        const txs = applyQueued(state.txs);
        const index = txs.findIndex((tx) => tx.id === id);
        if (index === -1) return txs === state.txs ? state : { txs };
        const next = txs === state.txs ? txs.slice() : txs;
        next[index] = { ...next[index]!, status, height: status === 'confirmed' ? height : undefined };
        return { txs: next };
      }),
    updateTxs: (added, changed) =>
      set((state) => {
        const txs = applyQueued(state.txs);
        let touched = txs !== state.txs || added.length > 0;
        const kept = txs.map((view) => {
          const change = changed.get(view.id);
          if (!change) return view;
          touched = true;
          return { ...view, status: change.status, height: change.status === 'confirmed' ? change.height : undefined };
        });
        // setTxs's rule: newest first, one per id, capped.
        return touched ? { txs: normalizeTxs([...added, ...kept]) } : state;
      }),
    // The queue (transactions that arrived meanwhile) goes on top of the new list: nothing is lost.
    setTxs: (list) => set({ txs: applyQueued(normalizeTxs(list)) }),
  };
};

export const createLogSlice: Slice<LogSlice> = (set) => {
  let seq = 0;
  return {
    logEntries: [],
    log: (level, message, atMs = Date.now()) =>
      set((state) => ({ logEntries: [{ seq: ++seq, atMs, level, message }, ...state.logEntries].slice(0, MAX_LOG_ENTRIES) })),
  };
};

/** Creates the page's store with every slice; call once per page. */
export function createTabmeshStore(): TabmeshStore {
  return createStore<TabmeshState>()((...args) => ({
    ...createNodeSlice(...args),
    ...createPeersSlice(...args),
    ...createTxsSlice(...args),
    ...createLogSlice(...args),
    ...createWalletSlice(...args),
    ...createChainSlice(...args),
    ...createMempoolSlice(...args),
    ...createMiningSlice(...args),
    ...createNetworkSlice(...args),
    ...createGraphSlice(...args),
    ...createArrivalsSlice(...args),
    ...createSeriesSlice(...args),
    ...createDetailSlice(...args),
    ...createTraceSlice(...args),
    ...createUpdateSlice(...args),
  }));
}

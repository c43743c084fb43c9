/**
 * Store slices for the network explorer: the peer graph, arrivals (what the
 * graph animates), the statistics series the charts draw, the open detail
 * view, and transaction traces. App code pushes the first three and the
 * traces; the detail view is the page's own state.
 */
import { normalizeGraph, sameGraph } from './graph-model.ts';
import { GOSSIP_BATCH_MS, createUpdateQueue } from './update-queue.ts';
import type { Slice } from './store.ts';
import type { ArrivalKind, ArrivalView, DetailView, GraphEdgeView, GraphNodeView, NetSample, TxTraceView } from './view-models.ts';

/** Arrivals kept: the graph only animates the latest, and at 100 tx/s a second's worth is plenty. */
export const MAX_ARRIVALS = 100;
/** The charts show the last five minutes. */
export const SERIES_WINDOW_MS = 5 * 60_000;
/** Hard cap on samples, should app code push faster than once a second. */
export const MAX_SAMPLES = 600;
/** Traces kept: one per transaction a user asked about; old ones are of no use. */
export const MAX_TRACES = 20;

export interface GraphSlice {
  /** Known peers and the links between them, normalised (sorted, deduplicated, each edge's ends ordered). */
  graph: { nodes: GraphNodeView[]; edges: GraphEdgeView[] };
  /**
   * Replaces the graph. Cheap to call every second with the same content: the
   * state (and so the page) changes only when nodes, flags or edges change.
   * This tab, its open links and its bans need not be included: the page adds them.
   */
  setGraph(nodes: readonly GraphNodeView[], edges: readonly GraphEdgeView[]): void;
}

export interface ArrivalsSlice {
  /** Newest first, at most MAX_ARRIVALS. */
  arrivals: ArrivalView[];
  /** A transaction or block reached this tab from peer `from`; `atMs` defaults to Date.now(). */
  noteArrival(kind: ArrivalKind, id: string, from: string, atMs?: number): void;
  /**
   * noteArrival for the gossip path: noted within GOSSIP_BATCH_MS with the others queued meanwhile,
   * in one store update (the graph's pulse then starts up to that much late, which the eye does not
   * see: a pulse takes 700 ms). noteArrival applies the queue first.
   */
  queueArrival(kind: ArrivalKind, id: string, from: string, atMs?: number): void;
}

export interface SeriesSlice {
  /** Oldest first, covering at most SERIES_WINDOW_MS before the newest sample. */
  series: NetSample[];
  /** Appends a sample (one a second is the intended rate). A sample older than the newest is ignored. */
  pushSample(sample: NetSample): void;
}

export interface DetailSlice {
  /** The block or transaction the detail dialog shows; undefined when closed. */
  detail?: DetailView;
  showDetail(detail: DetailView): void;
  closeDetail(): void;
}

export interface TraceSlice {
  /** Traces by transaction id, at most MAX_TRACES. */
  traces: Record<string, TxTraceView>;
  /** Adds or replaces the trace of `trace.txId`. */
  setTrace(trace: TxTraceView): void;
}

export const createGraphSlice: Slice<GraphSlice> = (set) => ({
  graph: { nodes: [], edges: [] },
  setGraph: (nodes, edges) =>
    set((state) => {
      const graph = normalizeGraph(nodes, edges);
      return sameGraph(graph, state.graph) ? state : { graph };
    }),
});

export const createArrivalsSlice: Slice<ArrivalsSlice> = (set) => {
  let seq = 0;
  /** Newest first, capped: `arrivals` with `added` (oldest first) noted one by one. */
  const withNoted = (arrivals: ArrivalView[], added: readonly Omit<ArrivalView, 'seq'>[]): ArrivalView[] => {
    if (added.length === 0) return arrivals;
    const noted = added.map((arrival) => ({ seq: ++seq, ...arrival })).reverse();
    return [...noted, ...arrivals].slice(0, MAX_ARRIVALS);
  };
  const queue = createUpdateQueue<Omit<ArrivalView, 'seq'>>(GOSSIP_BATCH_MS, () => set((state) => ({ arrivals: withNoted(state.arrivals, queue.take()) })));
  return {
    arrivals: [],
    noteArrival: (kind, id, from, atMs = Date.now()) => set((state) => ({ arrivals: withNoted(state.arrivals, [...queue.take(), { kind, id, from, atMs }]) })),
    queueArrival: (kind, id, from, atMs = Date.now()) => queue.push({ kind, id, from, atMs }),
  };
};

export const createSeriesSlice: Slice<SeriesSlice> = (set) => ({
  series: [],
  pushSample: (sample) =>
    set((state) => {
      const last = state.series.at(-1);
      if (!Number.isFinite(sample.atMs) || (last && sample.atMs < last.atMs)) return state;
      const from = sample.atMs - SERIES_WINDOW_MS;
      let start = 0;
      while (start < state.series.length && state.series[start]!.atMs < from) start++;
      start = Math.max(start, state.series.length + 1 - MAX_SAMPLES);
      return { series: [...state.series.slice(start), { ...sample }] };
    }),
});

export const createDetailSlice: Slice<DetailSlice> = (set) => ({
  showDetail: (detail) => set({ detail: { ...detail } }),
  closeDetail: () => set((state) => (state.detail ? { detail: undefined } : state)),
});

export const createTraceSlice: Slice<TraceSlice> = (set) => ({
  traces: {},
  setTrace: (trace) =>
    set((state) => {
      const traces = { ...state.traces, [trace.txId]: { ...trace, hops: [...trace.hops].sort((a, b) => a.firstSeenMs - b.firstSeenMs) } };
      const ids = Object.keys(traces);
      // Object keys keep insertion order: the first ones are the oldest traces.
      for (const id of ids.slice(0, Math.max(0, ids.length - MAX_TRACES))) if (id !== trace.txId) delete traces[id];
      return { traces };
    }),
});

import { describe, expect, it, vi } from 'vitest';
import { buildGraphDrawing, drawingKey, edgesFromRecords, graphSummary, normalizeGraph } from './graph-model.ts';
import { unitHash } from './graph-layout.ts';
import { MAX_PULSES, PULSE_MS, createPulseLayer, newArrivals, pulseProgress, type PulseContext, type PulseSurface } from './graph-pulses.ts';
import { countLevels, filterLog } from './log-filter.ts';
import { chartColumns, sampleFromStats, seriesSummary } from './net-series.ts';
import { qrPath } from './qr-code.tsx';
import { MAX_ARRIVALS, MAX_SAMPLES, MAX_TRACES, SERIES_WINDOW_MS, createTabmeshStore } from './store.ts';
import { traceTimeline } from './tx-trace.tsx';
import type { ArrivalView, LogEntry, NetSample, PeerView } from './view-models.ts';
import { walletHistory } from './wallet-history.ts';
import { GOSSIP_BATCH_MS } from './update-queue.ts';

const sample = (atMs: number, extra: Partial<NetSample> = {}): NetSample => ({ atMs, txPerSec: 1, bytesInPerSec: 10, bytesOutPerSec: 20, peers: 2, ...extra });
const openPeer = (id: string): PeerView => ({ id, direction: 'out', state: 'open' });

describe('graph model', () => {
  it('normalises: orders edge ends, drops loops and duplicates, adds missing endpoints, ORs flags', () => {
    const graph = normalizeGraph(
      [{ id: 'b' }, { id: 'a', banned: true }, { id: 'b', linked: true }],
      [{ a: 'b', b: 'a' }, { a: 'a', b: 'b' }, { a: 'c', b: 'c' }, { a: 'd', b: 'a' }],
    );
    expect(graph.nodes).toEqual([{ id: 'a', banned: true }, { id: 'b', linked: true }, { id: 'd' }]);
    expect(graph.edges).toEqual([{ a: 'a', b: 'b' }, { a: 'a', b: 'd' }]);
  });

  it('setGraph keeps the same state when the graph has not changed, and replaces it when it has', () => {
    const store = createTabmeshStore();
    store.getState().setGraph([{ id: 'a' }, { id: 'b' }], [{ a: 'a', b: 'b' }]);
    const first = store.getState().graph;
    store.getState().setGraph([{ id: 'b' }, { id: 'a' }], [{ a: 'b', b: 'a' }]);
    expect(store.getState().graph).toBe(first);
    store.getState().setGraph([{ id: 'a' }, { id: 'b' }], []);
    expect(store.getState().graph.edges).toEqual([]);
    store.getState().setGraph([{ id: 'a', banned: true }, { id: 'b' }], []);
    expect(store.getState().graph.nodes[0]).toEqual({ id: 'a', banned: true });
  });

  it('draws this tab, an edge to each open link, and held-off peers, with resolved flags and degrees', () => {
    const drawing = buildGraphDrawing(
      { nodes: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }], edges: [{ a: 'p1', b: 'p2' }, { a: 'p2', b: 'p3' }] },
      'me',
      { p1: openPeer('p1'), p9: { id: 'p9', direction: 'in', state: 'connecting' } },
      [{ peerId: 'bad', reason: 'oversized frame', untilMs: 5 }],
    );
    expect(drawing.nodes.map((n) => [n.id, n.self, n.linked, n.banned, n.degree])).toEqual([
      ['bad', false, false, true, 0],
      ['me', true, false, false, 1],
      ['p1', false, true, false, 2],
      ['p2', false, false, false, 2],
      ['p3', false, false, false, 1],
    ]);
    expect(drawing.edges.filter((e) => e.own).map((e) => e.key)).toEqual(['me|p1']);
    expect(graphSummary(drawing)).toBe('4 peers and this tab, 3 links (1 to this tab), 1 banned');
  });

  it('draws a link from records when the newer of its two ends lists it, and links at this tab only for open links', () => {
    const edges = edgesFromRecords([
      { peerId: 'a', neighbours: ['b', 'gone', 'me', 'fresh'], issuedAtMs: 20 },
      { peerId: 'b', neighbours: ['a', 'c'], issuedAtMs: 30 },
      { peerId: 'gone', neighbours: ['a', 'b'], issuedAtMs: 10 }, // left: b's newer record no longer lists it
      { peerId: 'fresh', neighbours: [], issuedAtMs: 5 }, // signed before it linked to a, whose newer record lists it
    ]);
    expect(edges).toEqual([
      { a: 'a', b: 'b' }, { a: 'a', b: 'gone' }, { a: 'a', b: 'me' }, { a: 'a', b: 'fresh' },
      { a: 'b', b: 'a' }, { a: 'b', b: 'c' }, { a: 'gone', b: 'a' },
    ]);
    expect(edges).not.toContainEqual({ a: 'gone', b: 'b' });
    // 'a' still claims a link to this tab, but this tab has no open link to it.
    const drawing = buildGraphDrawing({ nodes: [], edges }, 'me', {}, []);
    expect(drawing.edges.filter((edge) => edge.own)).toEqual([]);
    expect(drawing.nodes.find((node) => node.id === 'a')?.linked).toBe(false);
  });

  it('changes its key when an edge or a flag changes, not otherwise', () => {
    const graph = { nodes: [{ id: 'a' }], edges: [{ a: 'a', b: 'b' }] };
    const base = drawingKey(buildGraphDrawing(graph, 'me', {}, []));
    expect(drawingKey(buildGraphDrawing(graph, 'me', {}, []))).toBe(base);
    expect(drawingKey(buildGraphDrawing(graph, 'me', { a: openPeer('a') }, []))).not.toBe(base);
    expect(drawingKey(buildGraphDrawing(graph, 'me', {}, [{ peerId: 'b', reason: 'x', untilMs: 1 }]))).not.toBe(base);
  });

  it('summarises a lone tab and places nodes the same way in every tab', () => {
    expect(graphSummary(buildGraphDrawing({ nodes: [], edges: [] }, 'me', {}, []))).toBe('0 peers and this tab, 0 links (0 to this tab)');
    expect(unitHash('abc')).toBe(unitHash('abc'));
    expect(unitHash('abc')).not.toBe(unitHash('abd'));
    expect(unitHash('abc')).toBeGreaterThanOrEqual(0);
    expect(unitHash('abc')).toBeLessThan(1);
  });
});

describe('arrivals and pulses', () => {
  it('notes arrivals newest first with increasing seq, capped', () => {
    const store = createTabmeshStore();
    for (let i = 0; i < MAX_ARRIVALS + 5; i++) store.getState().noteArrival(i % 2 ? 'tx' : 'block', `id${i}`, 'peer', i);
    const { arrivals } = store.getState();
    expect(arrivals).toHaveLength(MAX_ARRIVALS);
    expect(arrivals[0]).toMatchObject({ id: `id${MAX_ARRIVALS + 4}`, kind: 'block', from: 'peer', atMs: MAX_ARRIVALS + 4 });
    expect(arrivals[0]!.seq).toBeGreaterThan(arrivals[1]!.seq);
  });

  it('notes queued arrivals in one update after GOSSIP_BATCH_MS, or before the next noteArrival, in order', () => {
    vi.useFakeTimers();
    try {
      const store = createTabmeshStore();
      store.getState().queueArrival('tx', 'a', 'peer', 1);
      store.getState().queueArrival('tx', 'b', 'peer', 2);
      expect(store.getState().arrivals).toEqual([]);
      vi.advanceTimersByTime(GOSSIP_BATCH_MS);
      expect(store.getState().arrivals.map((a) => a.id)).toEqual(['b', 'a']);
      store.getState().queueArrival('tx', 'c', 'peer', 3);
      store.getState().noteArrival('block', 'd', 'peer', 4);
      const { arrivals } = store.getState();
      expect(arrivals.map((a) => a.id)).toEqual(['d', 'c', 'b', 'a']);
      expect(arrivals.map((a) => a.seq)).toEqual([...arrivals.map((a) => a.seq)].sort((x, y) => y - x));
      vi.advanceTimersByTime(GOSSIP_BATCH_MS);
      expect(store.getState().arrivals).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('finds the arrivals not yet drawn, oldest first', () => {
    const arrivals: ArrivalView[] = [3, 2, 1].map((seq) => ({ seq, kind: 'tx', id: `t${seq}`, from: 'p', atMs: seq }));
    expect(newArrivals(arrivals, 1).map((a) => a.seq)).toEqual([2, 3]);
    expect(newArrivals(arrivals, 3)).toEqual([]);
  });

  /** A canvas context that records what is drawn: each fill (a dot) and each stroked path (lit links, block rings). */
  function recordingSurface() {
    const dots: { x: number; y: number; r: number; color: string }[] = [];
    const links: { from: [number, number]; to: [number, number] }[] = [];
    let clears = 0;
    let arc: { x: number; y: number; r: number } | undefined;
    let path: { from: [number, number]; to: [number, number] }[] = [];
    let moveTo: [number, number] = [0, 0];
    const context = {
      fillStyle: '', strokeStyle: '', lineWidth: 1, lineCap: 'butt',
      setTransform: () => undefined,
      clearRect: () => void clears++,
      beginPath: () => {
        arc = undefined;
        path = [];
      },
      arc: (x: number, y: number, r: number) => void (arc = { x, y, r }),
      moveTo: (x: number, y: number) => void (moveTo = [x, y]),
      lineTo: (x: number, y: number) => void path.push({ from: moveTo, to: [x, y] }),
      fill: () => void dots.push({ ...arc!, color: String(context.fillStyle) }),
      stroke: () => void links.push(...path),
    };
    const surface: PulseSurface = {
      context: context as unknown as PulseContext,
      size: () => ({ width: 400, height: 300, pixelRatio: 2 }),
      colors: { tx: 'blue', block: 'amber', blockRing: 'white', link: 'blue' },
      radii: { peer: 7, self: 11 },
    };
    return { surface, dots, links, clears: () => clears, reset: () => void ((dots.length = 0), (links.length = 0)) };
  }

  it('draws each pulse on its way from the peer to this tab, with the link lit, and clears the canvas once none is left', () => {
    const { surface, dots, links, clears, reset } = recordingSurface();
    const layer = createPulseLayer(surface);
    const at: Record<string, { x: number; y: number }> = { me: { x: 0, y: 0 }, a: { x: 100, y: 0 }, b: { x: 0, y: 200 } };
    layer.add('tx', 'a', 1_000);
    layer.add('tx', 'a', 1_100); // within MIN_TX_PULSE_GAP_MS of the last from 'a': shares its pulse
    layer.add('block', 'b', 1_000);
    expect(layer.draw(1_000 + PULSE_MS.tx / 2, (id) => at[id], 'me')).toBe(true);
    // Half-way along a's link (eased: 0.5 at the middle); the block, slower, a quarter of its time in.
    expect(dots.map((d) => [Math.round(d.x), Math.round(d.y), d.r, d.color])).toEqual([
      [50, 0, 4, 'blue'],
      [0, Math.round(200 * (1 - pulseProgress(1_000, 1_350, PULSE_MS.block)!)), 6, 'amber'],
    ]);
    // Both links lit, each between the dots at its ends.
    expect(links.slice(0, 2).map((l) => [l.from, l.to])).toEqual([
      [[93, 0], [11, 0]],
      [[0, 193], [0, 11]],
    ]);
    reset();
    // The transaction has arrived; the block has not.
    expect(layer.draw(1_000 + PULSE_MS.tx, (id) => at[id], 'me')).toBe(true);
    expect(dots.map((d) => d.color)).toEqual(['amber']);
    reset();
    const clearedBefore = clears();
    expect(layer.draw(1_000 + PULSE_MS.block, (id) => at[id], 'me')).toBe(false);
    expect(dots).toEqual([]);
    expect(clears()).toBe(clearedBefore + 1);
  });

  it('keeps at most MAX_PULSES, dropping the oldest', () => {
    const { surface, dots } = recordingSurface();
    const layer = createPulseLayer(surface);
    const at = (id: string) => (id === 'me' ? { x: 0, y: 0 } : { x: Number(id.slice(1)), y: 100 });
    for (let i = 0; i < MAX_PULSES + 3; i++) layer.add('tx', `p${i}`, 1_000 + i);
    layer.draw(1_000 + MAX_PULSES + 3, at, 'me');
    expect(dots).toHaveLength(MAX_PULSES);
    // The oldest left is the fourth added (from p3, 3 px from this tab along x).
    expect(dots[0]!.x).toBeCloseTo(3 * (1 - pulseProgress(1_003, 1_000 + MAX_PULSES + 3, PULSE_MS.tx)!));
  });

  it('eases a pulse from 0 to 1 and ends it', () => {
    expect(pulseProgress(100, 100, 700)).toBe(0);
    expect(pulseProgress(100, 450, 700)).toBeCloseTo(0.5);
    expect(pulseProgress(100, 200, 700)!).toBeLessThan(100 / 700);
    expect(pulseProgress(100, 800, 700)).toBeUndefined();
  });
});

describe('network statistics', () => {
  it('keeps samples in time order over the last five minutes', () => {
    const store = createTabmeshStore();
    for (let s = 0; s <= 400; s++) store.getState().pushSample(sample(s * 1000));
    const { series } = store.getState();
    expect(series[0]!.atMs).toBe(400_000 - SERIES_WINDOW_MS);
    expect(series.at(-1)!.atMs).toBe(400_000);
    store.getState().pushSample(sample(10));
    expect(store.getState().series).toBe(series);
  });

  it('caps samples pushed faster than once a second', () => {
    const store = createTabmeshStore();
    for (let i = 0; i < MAX_SAMPLES + 50; i++) store.getState().pushSample(sample(i * 10));
    expect(store.getState().series).toHaveLength(MAX_SAMPLES);
  });

  it('turns two counter readings into rates, and a counter reset into zero', () => {
    const previous = { txAccepted: 10, bytesIn: 1000, bytesOut: 500 };
    const current = { txAccepted: 30, bytesIn: 3000, bytesOut: 100 };
    expect(sampleFromStats(previous, current, 2000, 42, 3, 120)).toEqual({ atMs: 42, txPerSec: 10, bytesInPerSec: 1000, bytesOutPerSec: 0, peers: 3, latencyMs: 120 });
    expect(sampleFromStats(undefined, current, 1000, 1, 0)).toEqual({ atMs: 1, txPerSec: 0, bytesInPerSec: 0, bytesOutPerSec: 0, peers: 0 });
  });

  it('builds chart columns in seconds with gaps for missing values, and summarises', () => {
    const series = [sample(1000, { latencyMs: 50 }), sample(2000), sample(3000, { txPerSec: 7, latencyMs: 40 })];
    expect(chartColumns(series, ['txPerSec', 'latencyMs'])).toEqual([[1, 2, 3], [1, 1, 7], [50, null, 40]]);
    expect(seriesSummary(series, 'txPerSec')).toEqual({ latest: 7, peak: 7 });
    expect(seriesSummary(series, 'latencyMs')).toEqual({ latest: 40, peak: 50 });
    expect(seriesSummary([], 'peers')).toBeUndefined();
  });
});

describe('detail, traces and peers', () => {
  it('opens and closes the detail view', () => {
    const store = createTabmeshStore();
    store.getState().showDetail({ kind: 'block', hash: 'h' });
    expect(store.getState().detail).toEqual({ kind: 'block', hash: 'h' });
    store.getState().closeDetail();
    expect(store.getState().detail).toBeUndefined();
  });

  it('keeps traces sorted by first sighting and at most MAX_TRACES', () => {
    const store = createTabmeshStore();
    for (let i = 0; i < MAX_TRACES + 3; i++) store.getState().setTrace({ txId: `t${i}`, requestedAtMs: i, hops: [], done: true });
    expect(Object.keys(store.getState().traces)).toHaveLength(MAX_TRACES);
    expect(store.getState().traces.t0).toBeUndefined();
    store.getState().setTrace({ txId: 'x', requestedAtMs: 0, done: false, hops: [{ peer: 'b', firstSeenMs: 30, from: 'a' }, { peer: 'a', firstSeenMs: 10, from: 'self' }] });
    const trace = store.getState().traces.x!;
    expect(trace.hops.map((h) => h.peer)).toEqual(['a', 'b']);
    expect(traceTimeline(trace)).toEqual([{ peer: 'a', from: 'self', offsetMs: 0, share: 0 }, { peer: 'b', from: 'a', offsetMs: 20, share: 1 }]);
  });

  it('upserts many peers in one update, merging with what is known', () => {
    const store = createTabmeshStore();
    store.getState().upsertPeer({ id: 'a', direction: 'out', state: 'open', rttMs: 4 });
    store.getState().upsertPeers([{ id: 'a', direction: 'out', state: 'open', bytesIn: 10, bytesOut: 20, connectedAtMs: 1 }, openPeer('b')]);
    expect(store.getState().peers.a).toEqual({ id: 'a', direction: 'out', state: 'open', rttMs: 4, bytesIn: 10, bytesOut: 20, connectedAtMs: 1 });
    expect(Object.keys(store.getState().peers)).toEqual(['a', 'b']);
  });
});

describe('wallet history, log filter and QR', () => {
  const tx = (id: string, from: string, to: string, status: 'pending' | 'confirmed' | 'dropped', atMs: number) => ({ id, from, to, amount: 5, fee: 1, nonce: 0, status, receivedAtMs: atMs, source: 'self' as const });

  it('lists only this tab\'s transfers and mined blocks, pending first, with balance changes', () => {
    const history = walletHistory(
      [tx('t1', 'me', 'x', 'confirmed', 1), tx('t2', 'x', 'me', 'confirmed', 3), tx('t3', 'x', 'y', 'pending', 4), tx('t4', 'me', 'me', 'pending', 2)],
      [{ hash: 'h', height: 7, miner: 'me', txCount: 0, timeMs: 5, receivedAtMs: 5, fees: 2, reward: 50 }, { hash: 'g', height: 6, miner: 'x', txCount: 0, timeMs: 0, receivedAtMs: 0, fees: 0, reward: 50 }],
      'me',
    );
    expect(history.map((e) => [e.key, e.kind, e.delta])).toEqual([
      ['tx:t4', 'self', -1],
      ['block:h', 'mined', 52],
      ['tx:t2', 'received', 5],
      ['tx:t1', 'sent', -6],
    ]);
    expect(walletHistory([tx('t1', 'me', 'x', 'pending', 1)], [], undefined)).toEqual([]);
  });

  it('gives the same entry for the same view, and a new one when the view is replaced or the tab differs', () => {
    const sent = tx('t1', 'me', 'x', 'pending', 1);
    const other = tx('t2', 'x', 'me', 'pending', 2);
    const [firstOther, firstSent] = walletHistory([sent, other], [], 'me');
    const [againOther, againSent] = walletHistory([other, sent], [], 'me');
    expect(againSent).toBe(firstSent);
    expect(againOther).toBe(firstOther);
    const confirmed = { ...sent, status: 'confirmed' as const, height: 3 };
    const [, replaced] = walletHistory([confirmed, other], [], 'me');
    expect(replaced).not.toBe(firstSent);
    expect(replaced).toMatchObject({ key: 'tx:t1', status: 'confirmed' });
    expect(walletHistory([sent], [], 'x')[0]).toMatchObject({ kind: 'received', delta: 5 });
  });

  it('filters the log by level and by every word, case-insensitively', () => {
    const entries: LogEntry[] = [
      { seq: 3, atMs: 3, level: 'warn', message: 'peer misbehaved peerId=ab12' },
      { seq: 2, atMs: 2, level: 'info', message: 'link open peerId=ab12' },
      { seq: 1, atMs: 1, level: 'error', message: 'Relay closed' },
    ];
    const all = new Set(['info', 'warn', 'error'] as const);
    expect(filterLog(entries, { levels: all, text: '' })).toBe(entries);
    expect(filterLog(entries, { levels: all, text: 'AB12 link' }).map((e) => e.seq)).toEqual([2]);
    expect(filterLog(entries, { levels: new Set(['warn', 'error'] as const), text: '' }).map((e) => e.seq)).toEqual([3, 1]);
    expect(countLevels(entries)).toEqual({ info: 1, warn: 1, error: 1 });
  });

  it('draws one unit square per dark module, inside the quiet zone', () => {
    expect(qrPath([[true, false], [false, true]])).toBe('M4 4h1v1h-1zM5 5h1v1h-1z');
  });
});

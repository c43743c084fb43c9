/**
 * The page's side of the transaction trace (src/core/trace): it feeds the
 * module the node's first sightings, runs traces for the detail view and for
 * window.tabmesh.trace(), pushes their reports into the page store as they
 * arrive, and samples propagation latency for the statistics charts by
 * tracing a recent transaction now and then.
 */
import type { TabmeshNode } from '../core/node.ts';
import { createTraceModule, withCatchUp, type ReceivedTraceReport } from '../core/trace/index.ts';
import type { Clock, Logger, Signer, TxId, Verifier } from '../core/types.ts';
import type { TabmeshStore } from '../ui/store.ts';
import type { TraceHopView } from '../ui/view-models.ts';

/**
 * How long a trace gathers answers. Reports cross at most 6 links back; on
 * this machine a 4-tab trace completes in well under 100 ms, and a
 * relay-free mesh's links are ~50–150 ms, so 3 s leaves room for busy tabs.
 */
export const TRACE_COLLECT_MS = 3_000;
/**
 * The latency sampler traces one recent transaction every 10 s in a network
 * of up to 6 tabs, and proportionally less often in larger ones, so the whole
 * network starts about 0.6 sampling traces a second whatever its size (each
 * trace crosses every link, and links allow 5 a second: trace-module.ts).
 */
const SAMPLE_EVERY_MS = 10_000;
const SAMPLE_NETWORK_TABS = 6;
/** A sampled transaction is at least this old (it has had time to spread) and at most this old (still recent). */
const SAMPLE_MIN_AGE_MS = 2_000;
const SAMPLE_MAX_AGE_MS = 30_000;

/** A report with whether its tab caught up on linking rather than by gossip (core/trace/catch-up.ts). */
export type ClassifiedReport = ReceivedTraceReport & { catchUp: boolean };

/** What trace() resolves: every report gathered, ours included (`via: 'self'`). */
export type TraceResult = { txId: TxId; requestedAtMs: number; reports: ClassifiedReport[] };

/** A trace's spread: the last sighting's and the median sighting's delay after the first. */
export interface TraceLatency {
  spreadMs: number;
  p50Ms: number;
  reporters: number;
  atMs: number;
}

export interface TraceWiringComponents {
  signer: Signer;
  verifier: Verifier;
  clock: Clock;
  log: Logger;
  ui: TabmeshStore;
  /** Tabs this one knows of (the peer book), to scale the sampling interval. */
  networkSize: () => number;
}

const hopOf = (report: ClassifiedReport): TraceHopView => ({ peer: report.reporter, firstSeenMs: report.firstSeenMs, from: report.from === 'origin' ? 'self' : report.from, catchUp: report.catchUp });

/**
 * Spread and median delay after the first sighting, over the tabs that had it
 * by gossip: a tab that caught up when it linked says when it joined, not how
 * fast the network is. Undefined with fewer than two such sightings.
 */
export function traceLatency(reports: readonly ClassifiedReport[], atMs: number): TraceLatency | undefined {
  const times = reports.filter((report) => !report.catchUp).map((report) => report.firstSeenMs).sort((a, b) => a - b);
  if (times.length < 2) return undefined;
  const first = times[0]!;
  const middle = times[Math.floor((times.length - 1) / 2)]!;
  return { spreadMs: times.at(-1)! - first, p50Ms: middle - first, reporters: times.length, atMs };
}

export function createTraceWiring(components: TraceWiringComponents, init: { network: string }) {
  const { clock, log, ui } = components;
  /** The trace the page shows for each transaction: reports for older nonces are not shown. */
  const shown = new Map<TxId, { nonce: string; requestedAtMs: number; reports: ReceivedTraceReport[] }>();
  const module = createTraceModule({
    signer: components.signer, verifier: components.verifier, random: Math.random,
    onReport(txId, report) {
      const current = shown.get(txId);
      if (current?.nonce !== report.nonce) return;
      current.reports.push(report);
      ui.getState().setTrace({ txId, requestedAtMs: current.requestedAtMs, hops: withCatchUp(current.reports).map(hopOf), done: false });
    },
  }, init);
  let latest: TraceLatency | undefined;
  /** The newest transactions this tab announced, newest last, for the sampler. */
  const recent: { id: TxId; atMs: number }[] = [];
  let sampleTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function run(txId: TxId, show: boolean): Promise<TraceResult> {
    const started = await module.start(txId);
    if (!started.ok) {
      throw new Error(started.reason === 'rate-limited' ? `too many traces: ${started.detail}; try again in ${Math.ceil((started.retryInMs ?? 0) / 1000)} s` : started.detail);
    }
    const requestedAtMs = started.startedAtMs;
    if (show) {
      shown.set(txId, { nonce: started.nonce, requestedAtMs, reports: [...started.reports] });
      ui.getState().setTrace({ txId, requestedAtMs, hops: withCatchUp(started.reports).map(hopOf), done: false });
    }
    await wait(TRACE_COLLECT_MS);
    const reports = withCatchUp(module.reportsOf(started.nonce));
    if (show && shown.get(txId)?.nonce === started.nonce) {
      shown.delete(txId);
      ui.getState().setTrace({ txId, requestedAtMs, hops: reports.map(hopOf), done: true });
    }
    return { txId, requestedAtMs, reports };
  }

  /** Traces the newest transaction old enough to have spread, if any; records its spread for the chart. */
  async function sample(): Promise<void> {
    const now = clock.nowMs();
    const candidate = recent.findLast((entry) => now - entry.atMs >= SAMPLE_MIN_AGE_MS && now - entry.atMs <= SAMPLE_MAX_AGE_MS);
    if (!candidate) return;
    recent.splice(0, recent.indexOf(candidate) + 1); // never sample the same one twice
    try {
      const result = await run(candidate.id, false);
      latest = traceLatency(result.reports, clock.nowMs()) ?? latest;
    } catch (error) {
      // The page's own traces share the budget; a refused sample simply waits for the next round.
      log.info('skipped a latency sample', { error: String(error) });
    }
  }

  function sampleInterval(): number {
    return SAMPLE_EVERY_MS * Math.max(1, (components.networkSize() + 1) / SAMPLE_NETWORK_TABS);
  }

  function scheduleSample(): void {
    if (stopped) return;
    sampleTimer = setTimeout(() => void sample().finally(scheduleSample), sampleInterval());
  }

  return {
    factory: module.factory,

    /** Subscribes to the node's first sightings and starts the latency sampler. */
    attach(node: Pick<TabmeshNode, 'events'>): void {
      node.events.on('tx', (_tx, id, source) => {
        module.noteSeen(id, source);
        recent.push({ id, atMs: clock.nowMs() });
        if (recent.length > 100) recent.shift();
      });
      scheduleSample();
    },

    /** Traces `txId` across the network; the page shows it as answers arrive, and the promise resolves with all of them. */
    trace: (txId: TxId): Promise<TraceResult> => run(txId, true),

    /** The latest sampled spread while it is recent (three sampling intervals), for the chart. */
    latency(): TraceLatency | undefined {
      return latest && clock.nowMs() - latest.atMs <= 3 * sampleInterval() ? latest : undefined;
    },

    stats: () => module.stats(),

    stop(): void {
      stopped = true;
      clearTimeout(sampleTimer);
    },
  };
}

export type TraceWiring = ReturnType<typeof createTraceWiring>;

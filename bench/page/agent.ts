/**
 * The bench's agent inside every app tab. bench/lib/bundle.ts bundles this
 * file into one IIFE and the harness installs it with context.addInitScript,
 * so it runs before the page's own scripts. It only observes and drives the
 * page through its public surface (`window.tabmesh`, the tab's IndexedDB and
 * the browser's own APIs); it never reaches into the app's modules.
 *
 * Why bundled rather than passed as functions to page.evaluate: tsx compiles
 * the bench with esbuild's keepNames, which wraps inner functions in a
 * `__name` helper that does not exist in the page.
 *
 * Every time is on the shared clock: performance.timeOrigin +
 * performance.now(), the clock the app itself stamps arrivals with
 * (src/app/start-peer.ts), in ms since the epoch with sub-ms resolution.
 */
import { installProbes, type ProbeState, type LongTask } from './probes.ts';

/** One offered transaction, recorded by the sending tab. */
export interface SendRecord {
  /** When tabmesh.send was called (shared clock). */
  atMs: number;
  /** When its promise settled. */
  settledMs?: number;
  id?: string;
  error?: string;
}

export interface SendPlan {
  /** Shared-clock time of this tab's first send. */
  startAtMs: number;
  /** Between this tab's sends. */
  intervalMs: number;
  count: number;
  /** Recipients, picked round-robin. */
  recipients: string[];
}

export interface ChainBuild {
  blocks: number;
  txsPerBlock: number;
  to: string;
}

export interface ChainBuildResult {
  ms: number;
  sendMs: number;
  mineMs: number;
  txIds: string[];
  tipHeight: number;
}

export interface HeightSample {
  atMs: number;
  height: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Round trips of tiny IndexedDB writes, on a database of this tab's own (so
 * that the probes of different tabs never wait for each other's locks): the
 * time from opening a readwrite transaction until its `complete` event runs
 * here, which grows with a queue in the browser's IndexedDB backend (shared
 * by every tab of the origin) and with this tab's own main-thread backlog.
 */
function createIdbProbe() {
  let timer: ReturnType<typeof setInterval> | undefined;
  let samples: { atMs: number; ms: number }[] = [];
  let db: IDBDatabase | undefined;
  const open = () => new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(`tabmesh-bench-probe-${crypto.randomUUID()}`, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('p');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('could not open the probe database'));
  });
  return {
    async start(everyMs: number): Promise<void> {
      db ??= await open();
      samples = [];
      let next = 0;
      timer = setInterval(() => {
        const started = now();
        const tx = db!.transaction('p', 'readwrite');
        tx.objectStore('p').put(next++, 'probe');
        tx.oncomplete = () => samples.push({ atMs: started, ms: now() - started });
      }, everyMs);
    },
    stop(): { atMs: number; ms: number }[] {
      clearInterval(timer);
      return samples;
    },
  };
}

/**
 * Round trips of an empty message to an echo worker: how long a message to
 * a worker (the verifier pool's path) waits for the worker thread and for
 * this tab's main thread to take the reply, under the run's load.
 */
function createWorkerProbe() {
  let timer: ReturnType<typeof setInterval> | undefined;
  let samples: { atMs: number; ms: number }[] = [];
  let worker: Worker | undefined;
  const sentAt = new Map<number, number>();
  return {
    start(everyMs: number): void {
      if (!worker) {
        const source = 'onmessage = (event) => postMessage(event.data);';
        worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        worker.onmessage = (event: MessageEvent<number>) => {
          const started = sentAt.get(event.data);
          sentAt.delete(event.data);
          if (started !== undefined) samples.push({ atMs: started, ms: now() - started });
        };
      }
      samples = [];
      let next = 0;
      timer = setInterval(() => {
        sentAt.set(next, now());
        worker!.postMessage(next++);
      }, everyMs);
    },
    stop(): { atMs: number; ms: number }[] {
      clearInterval(timer);
      return samples;
    },
  };
}

function createAgent(probe: ProbeState) {
  const sends: SendRecord[] = [];
  const idbProbe = createIdbProbe();
  const workerProbe = createWorkerProbe();
  const settling: Promise<unknown>[] = [];
  let heightSamples: HeightSample[] = [];
  let heightTimer: ReturnType<typeof setInterval> | undefined;
  let sampleHeight: (() => void) | undefined;

  return {
    probe,
    now,

    /**
     * Offset of the shared clock from Date.now() in this tab: the median of
     * `samples` readings. Date.now() is the system clock every process shares
     * (1 ms resolution), so the spread of this offset across tabs bounds how
     * far apart their shared clocks are.
     */
    clockOffsetMs(samples: number): number {
      const offsets: number[] = [];
      for (let i = 0; i < samples; i++) offsets.push(now() - Date.now());
      offsets.sort((a, b) => a - b);
      return offsets[Math.floor(offsets.length / 2)]!;
    },

    /**
     * Open-loop sender: calls tabmesh.send at startAtMs + k·intervalMs
     * whether or not earlier sends have settled (the wallet queues them), so
     * a slow tab shows up as latency, not as a lower offered rate.
     */
    startSending(plan: SendPlan): void {
      void (async () => {
        for (let k = 0; k < plan.count; k++) {
          await sleep(plan.startAtMs + k * plan.intervalMs - now());
          const record: SendRecord = { atMs: now() };
          sends.push(record);
          const to = plan.recipients[k % plan.recipients.length]!;
          settling.push(window.tabmesh.send(to, 1, 1).then(
            (id) => { record.id = id; record.settledMs = now(); },
            (error: unknown) => { record.error = describe(error); record.settledMs = now(); },
          ));
        }
      })();
    },

    /** Resolves every send record once all `expected` sends were made and have settled. */
    async sendsSettled(expected: number, timeoutMs: number): Promise<SendRecord[]> {
      const deadline = now() + timeoutMs;
      while (sends.length < expected && now() < deadline) await sleep(20);
      await Promise.race([Promise.allSettled(settling), sleep(deadline - now())]);
      return sends.map((record) => ({ ...record }));
    },

    /** How many of `ids` this tab knows (tabmesh.tx status other than 'unknown'). */
    countKnown(ids: string[]): number {
      let known = 0;
      for (const id of ids) if (window.tabmesh.tx(id).status !== 'unknown') known++;
      return known;
    },

    /** How many of `ids` are confirmed in this tab. */
    countConfirmed(ids: string[]): number {
      let confirmed = 0;
      for (const id of ids) if (window.tabmesh.tx(id).status === 'confirmed') confirmed++;
      return confirmed;
    },

    /**
     * Arrival times of `ids` in this tab: the `receivedAtMs` the app stamped
     * when it admitted the transaction (src/app/start-peer.ts, the node's
     * 'tx' event), as tabmesh.tx(id) reports it. Missing ids are absent.
     */
    arrivals(ids: string[]): Record<string, number> {
      const out: Record<string, number> = {};
      for (const id of ids) {
        const { receivedAtMs } = window.tabmesh.tx(id);
        if (receivedAtMs !== undefined) out[id] = receivedAtMs;
      }
      return out;
    },

    /**
     * Builds a chain alone: `blocks` times, sends `txsPerBlock` transfers
     * (the per-sender mempool limit is 25) and mines one block on them.
     */
    async buildChain(plan: ChainBuild): Promise<ChainBuildResult> {
      const started = now();
      let sendMs = 0;
      let mineMs = 0;
      const txIds: string[] = [];
      for (let block = 0; block < plan.blocks; block++) {
        const sendStart = now();
        const ids = await Promise.all(Array.from({ length: plan.txsPerBlock }, () => window.tabmesh.send(plan.to, 1, 1)));
        const mineStart = now();
        sendMs += mineStart - sendStart;
        await window.tabmesh.mine(1);
        mineMs += now() - mineStart;
        txIds.push(...ids);
      }
      return { ms: now() - started, sendMs, mineMs, txIds, tipHeight: window.tabmesh.tip().height };
    },

    idbProbe,
    workerProbe,

    /** Mines one block; says when the call started and ended here, and the new tip's height. */
    async mineOne(): Promise<{ startMs: number; endMs: number; height: number; hash: string; stagesMs: string }> {
      const startMs = now();
      const [hash] = await window.tabmesh.mine(1);
      const stats = window.tabmesh.stats();
      // Where mine() spent its time (src/peer/mining-loop.ts): the rest is waiting for the mining job's turn.
      const stagesMs = `template ${Math.round(stats.minedBlockTemplateMs ?? NaN)}, search ${Math.round(stats.minedBlockSearchMs ?? NaN)}, commit and announce ${Math.round(stats.minedBlockSubmitMs ?? NaN)}`;
      return { startMs, endMs: now(), height: window.tabmesh.tip().height, hash: hash ?? '', stagesMs };
    },

    /** Samples tabmesh.tip().height every `everyMs` (only changes are kept) until stopHeights(). */
    sampleHeights(everyMs: number): void {
      heightSamples = [];
      let last = -1;
      const sample = () => {
        // tip() throws NotReadyError until the peer has started; id is '' until then.
        if (!window.tabmesh?.id) return;
        const height = window.tabmesh.tip().height;
        if (height !== last) heightSamples.push({ atMs: now(), height });
        last = height;
      };
      sample();
      sampleHeight = sample;
      heightTimer = setInterval(sample, everyMs);
    },

    /**
     * Stops sampling, after one last sample: a busy page can run its timer late, so the final height
     * may not have been sampled yet. That sample's time is now, later than the height was reached,
     * which can only make a rate computed from it lower.
     */
    stopHeights(): HeightSample[] {
      sampleHeight?.();
      clearInterval(heightTimer);
      return heightSamples;
    },

    /** Long tasks that started within [fromMs, toMs] on the shared clock. */
    longTasks(fromMs: number, toMs: number): LongTask[] {
      return probe.longTasks.filter((task) => task.atMs >= fromMs && task.atMs <= toMs);
    },

    /** When window.tabmesh became ready in this tab (shared clock), once known. */
    readyAtMs: undefined as number | undefined,

    /** Records in one object store of this tab's ledger database, or entries in one of its indexes. */
    async countStored(store: string, index?: string): Promise<number> {
      const name = `tabmesh:${window.tabmesh.network}:${window.tabmesh.id}`;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error(`could not open ${name}`));
      });
      try {
        return await new Promise<number>((resolve, reject) => {
          const objectStore = db.transaction(store, 'readonly').objectStore(store);
          const request = (index === undefined ? objectStore : objectStore.index(index)).count();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error ?? new Error(`could not count ${store}`));
        });
      } finally {
        db.close();
      }
    },

    /** A copy of the per-frame-type send tally. */
    sentTally() {
      return structuredClone(probe.sent);
    },
  };
}

export type BenchAgent = ReturnType<typeof createAgent>;

declare global {
  interface Window {
    __bench: BenchAgent;
  }
}

window.__bench = createAgent(installProbes());

// `?bench-heights=MS` (ignored by the app) starts height sampling before the page's own scripts, so a
// joining tab's catch-up is recorded from its first moment; readiness is noted on the same clock.
const sampleEveryMs = Number(new URLSearchParams(location.search).get('bench-heights'));
if (sampleEveryMs > 0) window.__bench.sampleHeights(sampleEveryMs);
const readyWatch = setInterval(() => {
  if (!window.tabmesh?.id) return;
  window.__bench.readyAtMs = now();
  clearInterval(readyWatch);
}, 5);

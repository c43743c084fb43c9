/**
 * The mining worker's loop, apart from the Worker global so Node tests run
 * it: one job at a time, searched in slices, yielding to the event loop
 * between slices so a 'stop' or a newer job (which cancels the current one)
 * can arrive. A microtask yield would not do: messages are tasks, and they
 * wait until the microtask queue is empty.
 */
import { createNonceSearcher, parseMineRequest, type MineJob, type MineReply } from './mine-protocol.ts';

/**
 * Hashes per slice. At about 1M hashes/s (mine-protocol.ts) a slice takes
 * about 20 ms, so a stop or a new job waits at most that long, and the
 * per-slice yield costs well under 1% of the time.
 */
export const DEFAULT_SLICE_HASHES = 20_000;
/** Progress replies at most this often: 4 a second is enough for a hash-rate display and costs nothing. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 250;

export interface MineRunnerInit {
  post(reply: MineReply): void;
  /** Resolves after pending messages have had a chance to run (a macrotask). */
  yieldToEvents(): Promise<void>;
  /** Milliseconds, for pacing progress replies. */
  now(): number;
  sliceHashes?: number;
  progressIntervalMs?: number;
}

export interface MineRunner {
  /** Handles one incoming message. Never throws: problems become error replies. */
  handle(data: unknown): void;
  /** The job being searched, if any. */
  readonly currentJobId: number | undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function createMineRunner(init: MineRunnerInit): MineRunner {
  const sliceHashes = init.sliceHashes ?? DEFAULT_SLICE_HASHES;
  const progressIntervalMs = init.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  let current: MineJob | undefined;

  function post(reply: MineReply): void {
    try {
      init.post(reply);
    } catch (error) {
      // Replies are plain data, so posting should not fail; if it does, there
      // is no one to tell but the console, and the loop must not die with it.
      console.error('tabmesh mine worker: could not post a reply', error);
    }
  }

  async function run(job: MineJob): Promise<void> {
    let unreported = 0;
    try {
      const searcher = createNonceSearcher(job.headerBytes, job.target);
      let nonce = job.startNonce;
      let lastReportMs = init.now();
      while (current === job) {
        const result = searcher.search(nonce, sliceHashes);
        unreported += result.hashes;
        if (result.found) {
          current = undefined;
          post({ type: 'found', jobId: job.jobId, nonce: result.nonce, hash: result.hash, hashes: unreported });
          return;
        }
        if (result.nextNonce > Number.MAX_SAFE_INTEGER) {
          current = undefined;
          post({ type: 'error', jobId: job.jobId, reason: 'nonce-space-exhausted', detail: `no nonce from ${job.startNonce} to 2^53-1 meets the target; change the header (time) and retry` });
          return;
        }
        nonce = result.nextNonce;
        if (init.now() - lastReportMs >= progressIntervalMs) {
          post({ type: 'progress', jobId: job.jobId, hashes: unreported });
          unreported = 0;
          lastReportMs = init.now();
        }
        await init.yieldToEvents();
      }
      // Cancelled: report the work done since the last report, so hash counts stay exact.
      if (unreported > 0) post({ type: 'progress', jobId: job.jobId, hashes: unreported });
    } catch (error) {
      if (current === job) current = undefined;
      post({ type: 'error', jobId: job.jobId, reason: 'search-failed', detail: describe(error) });
    }
  }

  return {
    handle(data) {
      const parsed = parseMineRequest(data);
      if (!('ok' in parsed)) return post(parsed);
      const { request } = parsed;
      if (request.type === 'stop') {
        current = undefined;
        return;
      }
      // A new job replaces the current one; the old loop notices at its next slice.
      current = request;
      void run(request);
    },
    get currentJobId() {
      return current?.jobId;
    },
  };
}

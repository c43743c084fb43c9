/**
 * The full node's Verifier: the tabs' verifier pool (createVerifierPool,
 * unchanged) over worker_threads running verify-thread.ts, which answers with
 * the tab workers' own handleVerifyRequest.
 *
 * Idle threads do not keep the process alive: a thread is unref'd whenever
 * no request is out at it, and ref'd while one is (so an await on a verify
 * call is never cut short by the process exiting; thread-worker.ts,
 * unrefWhenIdle). close() terminates every thread; closed() resolves once
 * they have all exited.
 */
import { availableParallelism } from 'node:os';
import { createVerifierPool, type VerifierPool, type VerifierPoolInit } from '../src/worker/verifier-pool.ts';
import { adaptThread } from './thread-worker.ts';
import { startTsThread } from './ts-thread.ts';

/** Re-exported for callers that imported it from here first; thread-worker.ts is its home. */

const VERIFY_THREAD = new URL('./verify-thread.ts', import.meta.url);

/** A VerifierPool over threads, with a way to wait for them to exit. */
export interface NodeVerifierPool extends VerifierPool {
  /** Resolves when every thread started so far has exited (call after close()). */
  closed(): Promise<void>;
  /** Threads that have started and not yet exited. */
  liveThreads(): number;
}

export type NodeVerifierInit = Omit<VerifierPoolInit, 'createWorker'>;

/**
 * Starts the pool (threads start lazily, on the first request each gets).
 * Sized by os.availableParallelism() unless `size` or `hardwareConcurrency`
 * says otherwise; the pool caps its default at 4 (verifier-pool.ts).
 */
export function createNodeVerifierPool(init: NodeVerifierInit = {}): NodeVerifierPool {
  const exits = new Set<Promise<void>>();
  let live = 0;
  const pool = createVerifierPool({
    hardwareConcurrency: availableParallelism(),
    ...init,
    createWorker: () => {
      const worker = adaptThread(startTsThread(VERIFY_THREAD), { name: 'verify thread', unrefWhenIdle: true });
      live++;
      const exit = worker.exited.then(() => {
        live--;
        exits.delete(exit);
      });
      exits.add(exit);
      return worker;
    },
  });
  return {
    ...pool,
    async closed() {
      await Promise.all([...exits]);
    },
    liveThreads: () => live,
  };
}

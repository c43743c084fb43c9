/**
 * The full node's Miner: the tab's miner (worker/miner.ts, unchanged) over a
 * worker_threads thread running mine-thread.ts, so a nonce search never holds
 * the thread that relays transactions and answers RPC.
 */
import { createMiner, type Miner } from '../src/worker/miner.ts';
import type { Logger } from '../src/core/types.ts';
import { adaptThread } from './thread-worker.ts';
import { startTsThread } from './ts-thread.ts';

const MINE_THREAD = new URL('./mine-thread.ts', import.meta.url);

export function createNodeMiner(log: Logger): Miner {
  return createMiner({ log, createWorker: () => adaptThread(startTsThread(MINE_THREAD)) });
}

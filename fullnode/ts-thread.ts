/**
 * Starts a worker_threads Worker that runs a TypeScript module, under
 * `node --import tsx` and under vitest alike (ts-thread-boot.mjs explains why
 * a boot file is needed).
 */
import { Worker } from 'node:worker_threads';

const BOOT = new URL('./ts-thread-boot.mjs', import.meta.url);

/** Starts `entry` (a file: URL of a .ts module) in a new thread. */
export function startTsThread(entry: URL): Worker {
  if (entry.protocol !== 'file:') throw new TypeError(`entry must be a file: URL, got ${entry.href}`);
  // execArgv: [] so the thread does not inherit the parent's flags: under
  // vitest they are the runner's, and a parent's `--import tsx` would load a
  // second copy of tsx beside the one the boot file registers.
  return new Worker(BOOT, { workerData: { entry: entry.href }, execArgv: [] });
}

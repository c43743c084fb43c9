/**
 * The full node's proof-of-work thread: the tab's mining worker
 * (worker/mine-worker.ts) on a worker_threads port. All logic is the tab's
 * own mine-runner.ts; this file only wires it to the thread's port.
 */
import { parentPort } from 'node:worker_threads';
import { createTaskScheduler } from '../src/runtime/macrotask.ts';
import { createMineRunner } from '../src/worker/mine-runner.ts';

if (!parentPort) throw new Error('mine-thread.ts runs only as a worker thread (fullnode/node-miner.ts starts it)');
const port = parentPort;
// setImmediate in Node: a 'stop' message from the node is handled before the search resumes.
const scheduleTask = createTaskScheduler();

const runner = createMineRunner({
  post: (reply) => port.postMessage(reply),
  yieldToEvents: () => new Promise<void>((resolve) => scheduleTask(resolve)),
  now: () => performance.now(),
});
// runner.handle never throws, so nothing escapes this listener.
port.on('message', (data: unknown) => runner.handle(data));

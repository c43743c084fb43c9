/**
 * Module Web Worker entry for proof-of-work. The miner starts it with
 * `new Worker(new URL('./mine-worker.ts', import.meta.url), {type: 'module'})`,
 * one dedicated worker apart from the verification pool, so mining never
 * delays a signature check. All logic is in mine-runner.ts and
 * mine-protocol.ts; this file wires them to the worker's message port.
 */
import { createTaskScheduler } from '../runtime/macrotask.ts';
import { createMineRunner } from './mine-runner.ts';

const scope = globalThis as unknown as DedicatedWorkerGlobalScope;

/**
 * Yields as a new task (a MessageChannel round trip in a browser) rather than
 * with setTimeout(0), which browsers clamp to at least 4 ms once nested: that
 * would idle the worker for about 17% of each 20 ms slice. An incoming 'stop'
 * is a task too, so it is handled before the loop resumes.
 */
const scheduleTask = createTaskScheduler();
const yieldToEvents = () => new Promise<void>((resolve) => scheduleTask(resolve));

const runner = createMineRunner({
  post: (reply) => scope.postMessage(reply),
  yieldToEvents,
  now: () => performance.now(),
});

// runner.handle never throws, so nothing escapes this listener.
scope.addEventListener('message', (event: MessageEvent<unknown>) => runner.handle(event.data));

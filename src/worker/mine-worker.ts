/**
 * Module Web Worker entry for proof-of-work. The miner starts it with
 * `new Worker(new URL('./mine-worker.ts', import.meta.url), {type: 'module'})`,
 * one dedicated worker apart from the verification pool, so mining never
 * delays a signature check. All logic is in mine-runner.ts and
 * mine-protocol.ts; this file wires them to the worker's message port.
 */
import { createMineRunner } from './mine-runner.ts';

const scope = globalThis as unknown as DedicatedWorkerGlobalScope;

/**
 * Yields with a MessageChannel round trip rather than setTimeout(0): browsers
 * clamp nested timeouts to at least 4 ms, which would idle the worker for
 * about 17% of each 20 ms slice. A channel message is a task like the
 * incoming 'stop', so that message is handled before the loop resumes.
 */
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}

const runner = createMineRunner({
  post: (reply) => scope.postMessage(reply),
  yieldToEvents,
  now: () => performance.now(),
});

// runner.handle never throws, so nothing escapes this listener.
scope.addEventListener('message', (event: MessageEvent<unknown>) => runner.handle(event.data));

/**
 * An in-process stand-in for mine-worker.ts, for Node tests of the miner. It
 * runs the real createMineRunner, copies messages with structuredClone
 * (honouring the transfer list) and delivers them as separate macrotasks, as
 * a real worker boundary would.
 */
import { createMineRunner, type MineRunner, type MineRunnerInit } from '../../src/worker/mine-runner.ts';
import type { WorkerLike } from '../../src/worker/verifier-pool-api.ts';

/** A macrotask yield in Node: setImmediate runs after pending I/O and timers, like a browser task. */
const nextTask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class FakeMineWorker implements WorkerLike {
  private readonly events = new EventTarget();
  private readonly runner: MineRunner;
  /** Requests received, after the structured clone. */
  readonly received: unknown[] = [];
  /** Replies sent, in order. */
  readonly sent: unknown[] = [];
  terminated = false;

  constructor(options: Partial<Pick<MineRunnerInit, 'sliceHashes' | 'progressIntervalMs'>> = {}) {
    this.runner = createMineRunner({
      post: (reply) => {
        if (this.terminated) return;
        const data = structuredClone(reply);
        this.sent.push(data);
        setImmediate(() => !this.terminated && this.reply(data));
      },
      yieldToEvents: nextTask,
      now: () => performance.now(),
      ...options,
    });
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    if (this.terminated) return;
    const data = structuredClone(message, { transfer });
    this.received.push(data);
    setImmediate(() => !this.terminated && this.runner.handle(data));
  }

  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void {
    this.events.addEventListener(type, listener);
  }

  /** Stops the in-process loop too, as terminating a real worker would. */
  terminate(): void {
    this.terminated = true;
    this.runner.handle({ type: 'stop' });
  }

  get currentJobId(): number | undefined {
    return this.terminated ? undefined : this.runner.currentJobId;
  }

  /** Fires an 'error' event, as an uncaught exception in a real worker does. */
  crash(message = 'Uncaught RangeError: boom'): void {
    this.events.dispatchEvent(Object.assign(new Event('error'), { message }));
  }

  /** Delivers an arbitrary message to the miner, to test its reply parsing. */
  reply(data: unknown): void {
    this.events.dispatchEvent(new MessageEvent('message', { data }));
  }
}

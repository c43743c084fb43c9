/**
 * A worker_threads Worker seen as the tabs' WorkerLike
 * (src/worker/verifier-pool-api.ts), so the tab's verifier pool and miner
 * drive Node threads unchanged.
 */
import type { Worker } from 'node:worker_threads';
import type { WorkerLike } from '../src/worker/verifier-pool-api.ts';

type Listener = (event: Event) => void;
type EventName = 'message' | 'messageerror' | 'error';

/** A WorkerLike over a thread, plus a promise of the thread's exit. */
export interface ThreadWorker extends WorkerLike {
  readonly exited: Promise<void>;
}

export interface ThreadWorkerInit {
  /** Names the thread in the error an unexpected exit produces. Default 'worker thread'. */
  name?: string;
  /**
   * Let the process exit while no request is out at the thread. Only for
   * protocols that answer every message exactly once (the verify protocol:
   * handleVerifyRequest replies once to each request); the count of
   * outstanding messages decides when the thread is idle. Default false:
   * the thread keeps the process alive until terminated, as any Worker.
   */
  unrefWhenIdle?: boolean;
}

/**
 * Adapts a worker_threads Worker to WorkerLike: Node's `on('message', data)`
 * becomes a listener called with `{data}`, as a Web Worker's MessageEvent,
 * and 'error' carries `{message, error}` as an ErrorEvent. An exit nobody
 * asked for (the thread failed to load, or called process.exit) is reported
 * as an 'error', so the owner rejects what the thread held and restarts it
 * instead of waiting forever.
 */
export function adaptThread(thread: Worker, init: ThreadWorkerInit = {}): ThreadWorker {
  const name = init.name ?? 'worker thread';
  const listeners = new Map<EventName, Listener[]>();
  const emit = (type: EventName, event: object): void => {
    for (const listener of listeners.get(type) ?? []) listener(event as Event);
  };
  let outstanding = 0;
  let terminating = false;
  let errored = false;
  if (init.unrefWhenIdle) thread.unref();

  thread.on('message', (data: unknown) => {
    if (init.unrefWhenIdle) {
      outstanding = Math.max(0, outstanding - 1);
      if (outstanding === 0) thread.unref();
    }
    emit('message', { data });
  });
  thread.on('messageerror', (error: Error) => emit('messageerror', { data: error }));
  thread.on('error', (error: Error) => {
    errored = true;
    emit('error', { message: error.message, error });
  });
  const exited = new Promise<void>((resolve) => {
    thread.once('exit', (code: number) => {
      if (!terminating && !errored) emit('error', { message: `${name} exited with code ${code}` });
      resolve();
    });
  });

  return {
    exited,
    postMessage(message, transfer) {
      if (init.unrefWhenIdle && ++outstanding === 1) thread.ref();
      // The tabs' pools transfer only ArrayBuffers, which both worker APIs accept.
      thread.postMessage(message, transfer as ArrayBuffer[]);
    },
    addEventListener(type, listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
    terminate() {
      terminating = true;
      // WorkerLike's terminate is fire-and-forget; `exited` reports the end.
      void thread.terminate();
    },
  };
}

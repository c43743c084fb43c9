/**
 * Items from a hot path (a transaction's arrival, many a second) waiting for
 * one store update. `push` starts a timer of `delayMs` that calls `flush`;
 * `take` empties the queue and stops the timer, so an action that applies
 * the queue itself makes the timer's flush unnecessary.
 */
/**
 * How long a transaction's arrival may wait to reach the store (queueTx, queueArrival). At 100 tx/s
 * and more, a store update per arrival (each copying the state and a list, and waking every panel's
 * view) took about 7% of a tab's main thread (docs/PERFORMANCE.md); the view draws at most every
 * 100 ms anyway.
 */
export const GOSSIP_BATCH_MS = 50;

export interface UpdateQueue<T> {
  push(item: T): void;
  /** Everything queued, oldest first; the queue is then empty. */
  take(): T[];
}

export function createUpdateQueue<T>(delayMs: number, flush: () => void): UpdateQueue<T> {
  let items: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    push(item) {
      items.push(item);
      timer ??= setTimeout(() => {
        timer = undefined;
        flush();
      }, delayMs);
    },
    take() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const taken = items;
      items = [];
      return taken;
    },
  };
}

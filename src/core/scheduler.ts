/**
 * The one timing component a peer's core takes (GUIDE, "One Scheduler
 * component"). A tab, the Node full node and the simulator each provide one:
 * src/runtime/host-scheduler.ts over the host's task queue and timers, and
 * the simulator's over its virtual clock. Core code never calls setTimeout
 * or queueMicrotask for protocol timing; it asks this.
 */

export interface Scheduler {
  /**
   * Runs `task` after the current task, once the tasks already queued
   * (incoming frames) have run, so what they queue leaves together
   * (announcement batching; inventory.ts).
   */
  defer(task: () => void): void;
  /** Runs `task` once, `delayMs` from now. */
  after(delayMs: number, task: () => void): void;
  /** Is the host behind on its tasks? Transaction announcements wait TX_ANNOUNCE_DELAY_MS only then. */
  busy(): boolean;
  /**
   * Do short timers fire on time? A hidden browser page runs its timers at
   * most about once a second, which would turn a 20 ms hold into a second per
   * hop; such a page answers false and nothing waits on a short delay.
   */
  punctual(): boolean;
}

/**
 * What a core without a host scheduler uses (unit tests): batches run as a
 * microtask, and there are no timers, so announcements are never delayed.
 */
export interface DeferOnly {
  defer(task: () => void): void;
}

export const microtaskDefer: DeferOnly = { defer: (task) => queueMicrotask(task) };

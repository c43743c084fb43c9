/**
 * How far behind the page's task queue is: a task scheduler wrapped so that
 * each task measures how long it waited to run (a moving average). A tab
 * whose queue is long (its main thread shared with a busy view, other tabs,
 * a burst of frames) is "busy", and the node then batches its transaction
 * announcements for a few milliseconds (inventory.ts, TX_ANNOUNCE_DELAY_MS);
 * a calm tab sends them at once, so the delay costs nothing where nothing is
 * gained by it.
 */
import type { ScheduleTask } from './macrotask.ts';

/** A moving average of the queue's wait above this means busy. A calm tab's is well under 1 ms here. */
export const BUSY_LAG_MS = 4;
/** A measurement older than this says nothing about now: the tab counts as calm. */
const STALE_MS = 1_000;
/** Weight of the newest wait in the moving average. */
const SMOOTHING = 0.2;

export interface TaskLag {
  /** Schedules like the wrapped scheduler, measuring the task's wait. */
  schedule: ScheduleTask;
  /** The moving average of the waits, in ms (0 before any task or once stale). */
  lagMs(): number;
  /** Is the queue behind (lagMs above BUSY_LAG_MS)? */
  busy(): boolean;
}

export function measureTaskLag(schedule: ScheduleTask, nowMs: () => number = () => performance.now()): TaskLag {
  let average = 0;
  let measuredAtMs = -Infinity;
  const lagMs = () => (nowMs() - measuredAtMs > STALE_MS ? 0 : average);
  return {
    schedule(task) {
      const postedAtMs = nowMs();
      schedule(() => {
        const ranAtMs = nowMs();
        average = ranAtMs - measuredAtMs > STALE_MS ? ranAtMs - postedAtMs : average + SMOOTHING * (ranAtMs - postedAtMs - average);
        measuredAtMs = ranAtMs;
        task();
      });
    },
    lagMs,
    busy: () => lagMs() > BUSY_LAG_MS,
  };
}

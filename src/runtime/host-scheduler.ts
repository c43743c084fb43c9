/**
 * The Scheduler (core/scheduler.ts) of a real host, a tab or the Node full
 * node: batches run as new tasks (macrotask.ts), timers are the host's own,
 * and "busy" is the measured lag of the task queue (task-lag.ts).
 */
import type { Scheduler } from '../core/scheduler.ts';
import { createTaskScheduler } from './macrotask.ts';
import { measureTaskLag } from './task-lag.ts';

export interface HostSchedulerInit {
  /**
   * Do this host's short timers fire on time? A tab passes "is the page
   * visible": a hidden page's timers run at most about once a second. Default: always.
   */
  punctual?: () => boolean;
}

export interface HostScheduler extends Scheduler {
  /** How far behind the task queue is, in ms (a moving average; stats' taskLagMs). */
  lagMs(): number;
}

export function createHostScheduler(init: HostSchedulerInit = {}): HostScheduler {
  const lag = measureTaskLag(createTaskScheduler());
  return {
    defer: lag.schedule,
    after: (delayMs, task) => void setTimeout(task, delayMs),
    busy: lag.busy,
    punctual: init.punctual ?? (() => true),
    lagMs: lag.lagMs,
  };
}

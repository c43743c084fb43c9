/**
 * Runs a callback as a new task, after the tasks already queued (incoming
 * messages, data-channel frames), not as a microtask of the current one.
 *
 * Browsers get a MessageChannel round trip rather than setTimeout(0), which
 * they clamp to at least 4 ms once timeouts nest. Node gets setImmediate,
 * which does not keep a process alive the way an open message port does.
 *
 * In a browser, the tasks scheduled before the channel's message is handled
 * run together in that one task: a transaction's arrival schedules a flush
 * per link and one for the inventory, and a postMessage each was part of the
 * 8.5% of a tab's main thread that postMessage took at 100 tx/s (measured).
 * A task that throws is reported as uncaught, as before, without stopping
 * the tasks after it.
 */
export type ScheduleTask = (task: () => void) => void;

/** The globals the scheduler picks from; tests pass their own. */
export interface TaskSchedulerEnv {
  setImmediate?: (task: () => void) => unknown;
  MessageChannel?: new () => Pick<MessageChannel, 'port1' | 'port2'>;
  setTimeout: (task: () => void, ms: number) => unknown;
}

export function createTaskScheduler(env: TaskSchedulerEnv = globalThis as TaskSchedulerEnv): ScheduleTask {
  if (typeof env.setImmediate === 'function') return (task) => void env.setImmediate!(task);
  if (typeof env.MessageChannel === 'undefined') return (task) => void env.setTimeout(task, 0);
  const channel = new env.MessageChannel();
  let waiting: (() => void)[] = [];
  channel.port1.onmessage = () => {
    // Tasks scheduled while these run wait for the next message.
    const batch = waiting;
    waiting = [];
    for (const task of batch) {
      try {
        task();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  return (task) => {
    waiting.push(task);
    if (waiting.length === 1) channel.port2.postMessage(null);
  };
}

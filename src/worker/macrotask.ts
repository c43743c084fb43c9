/**
 * Runs a callback as a new task, after the tasks already queued (incoming
 * messages, data-channel frames), not as a microtask of the current one.
 *
 * Browsers get a MessageChannel round trip rather than setTimeout(0), which
 * they clamp to at least 4 ms once timeouts nest. Node gets setImmediate,
 * which does not keep a process alive the way an open message port does.
 */
export type ScheduleTask = (task: () => void) => void;

export function createTaskScheduler(): ScheduleTask {
  if (typeof setImmediate === 'function') return (task) => void setImmediate(task);
  if (typeof MessageChannel === 'undefined') return (task) => void setTimeout(task, 0);
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return (task) => {
    waiting.push(task);
    channel.port2.postMessage(null);
  };
}

import { describe, expect, it } from 'vitest';
import { BUSY_LAG_MS, measureTaskLag } from './task-lag.ts';

/** A scheduler whose queued tasks run when the test says, at the clock's time then. */
function manualQueue() {
  const queued: (() => void)[] = [];
  return { schedule: (task: () => void) => void queued.push(task), runAll: () => { for (const task of queued.splice(0)) task(); } };
}

/** A lag meter on a manual queue and clock, after one task that waited `waitMs` to run. */
function afterOneWait(waitMs: number) {
  const clock = { now: 1_000 };
  const queue = manualQueue();
  const lag = measureTaskLag(queue.schedule, () => clock.now);
  lag.schedule(() => undefined);
  clock.now += waitMs;
  queue.runAll();
  return { clock, queue, lag };
}

describe('measureTaskLag', () => {
  it('runs every task, and counts the page calm while tasks run soon after they are scheduled', () => {
    let now = 1_000;
    const queue = manualQueue();
    const lag = measureTaskLag(queue.schedule, () => now);
    let ran = 0;
    for (let i = 0; i < 5; i++) {
      lag.schedule(() => ran++);
      now += 1;
      queue.runAll();
    }
    expect(ran).toBe(5);
    expect(lag.lagMs()).toBeCloseTo(1, 5);
    expect(lag.busy()).toBe(false);
  });

  it('counts it busy once tasks wait longer than BUSY_LAG_MS on average, and calm again as the waits shrink', () => {
    const { queue, lag } = afterOneWait(30);
    expect(lag.busy()).toBe(true);
    expect(lag.lagMs()).toBe(30);
    // Short waits pull the average down step by step (a moving average, not the last wait).
    for (let i = 0; i < 20; i++) {
      lag.schedule(() => undefined);
      queue.runAll();
    }
    expect(lag.lagMs()).toBeLessThan(BUSY_LAG_MS);
    expect(lag.busy()).toBe(false);
  });

  it('forgets a busy spell after a second without tasks', () => {
    const { clock, lag } = afterOneWait(50);
    expect(lag.busy()).toBe(true);
    clock.now += 1_001;
    expect(lag.busy()).toBe(false);
    expect(lag.lagMs()).toBe(0);
  });
});

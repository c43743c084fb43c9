import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createThrottle } from './use-tabmesh.ts';

describe('createThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the first poke after a quiet spell on the next macrotask, then at most once per interval for all pokes', () => {
    let runs = 0;
    const throttle = createThrottle(() => runs++, 100);
    throttle.poke();
    throttle.poke();
    expect(runs).toBe(0);
    vi.advanceTimersByTime(0);
    expect(runs).toBe(1);
    for (let i = 0; i < 10; i++) {
      throttle.poke();
      vi.advanceTimersByTime(9);
    }
    // 90 ms after the first run: the pokes wait for the interval.
    expect(runs).toBe(1);
    vi.advanceTimersByTime(10);
    expect(runs).toBe(2);
    vi.advanceTimersByTime(1_000);
    expect(runs).toBe(2);
  });

  it('cancel drops a pending run', () => {
    let runs = 0;
    const throttle = createThrottle(() => runs++, 100);
    throttle.poke();
    throttle.cancel();
    vi.advanceTimersByTime(500);
    expect(runs).toBe(0);
  });
});

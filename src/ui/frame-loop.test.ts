import { describe, expect, it } from 'vitest';
import { createFrameLoop, type FrameHost } from './frame-loop.ts';

/** A display at 60 Hz and timers on one fake clock: `advance(ms)` runs what falls due, in time order. */
function fakeHost() {
  let nowMs = 0;
  let nextHandle = 1;
  const frames = new Map<number, (nowMs: number) => void>();
  const timers = new Map<number, { atMs: number; callback: () => void }>();
  const FRAME_MS = 1000 / 60;
  let nextFrameMs = FRAME_MS;
  const host: FrameHost = {
    requestFrame(callback) {
      const handle = nextHandle++;
      frames.set(handle, callback);
      return handle;
    },
    cancelFrame: (handle) => void frames.delete(handle),
    setTimer(callback, delayMs) {
      const handle = nextHandle++;
      timers.set(handle, { atMs: nowMs + delayMs, callback });
      return handle;
    },
    clearTimer: (handle) => void timers.delete(handle as number),
  };
  function advance(ms: number): void {
    const endMs = nowMs + ms;
    for (;;) {
      const timer = [...timers].sort((a, b) => a[1].atMs - b[1].atMs)[0];
      const nextMs = Math.min(timer?.[1].atMs ?? Infinity, nextFrameMs);
      if (nextMs > endMs) break;
      nowMs = nextMs;
      if (timer && timer[1].atMs === nextMs) {
        timers.delete(timer[0]);
        timer[1].callback();
        continue;
      }
      nextFrameMs += FRAME_MS;
      const due = [...frames];
      frames.clear();
      for (const [, callback] of due) callback(nowMs);
    }
    nowMs = endMs;
  }
  return { host, advance, now: () => nowMs, pending: () => ({ frames: frames.size, timers: timers.size }) };
}

describe('createFrameLoop', () => {
  it('draws at most once per frameMs while something moves, and sleeps once the drawing is still', () => {
    const { host, advance, pending } = fakeHost();
    const draws: number[] = [];
    let movingUntilMs = 1_000;
    const loop = createFrameLoop(host, { frameMs: 100, draw: (nowMs) => (draws.push(nowMs), nowMs < movingUntilMs) });
    loop.kick();
    advance(2_000);
    // 60 animation frames a second offered, about 10 draws a second taken, none after the motion ended.
    expect(draws.length).toBeGreaterThanOrEqual(9);
    expect(draws.length).toBeLessThanOrEqual(12);
    for (let i = 1; i < draws.length; i++) expect(draws[i]! - draws[i - 1]!).toBeGreaterThanOrEqual(100 - 8);
    expect(draws.at(-1)!).toBeLessThan(movingUntilMs + 120);
    expect(pending()).toEqual({ frames: 0, timers: 0 });
    // A kick after the quiet spell draws at the next frame.
    movingUntilMs = 0;
    loop.kick();
    advance(20);
    expect(draws.length).toBeGreaterThanOrEqual(10);
    expect(draws.at(-1)!).toBeGreaterThan(2_000);
  });

  it('draws a publish at the next frame instead of at the pending timer, and never more often than frameMs', () => {
    const { host, advance, now } = fakeHost();
    const draws: number[] = [];
    const loop = createFrameLoop(host, { frameMs: 100, draw: (nowMs) => (draws.push(nowMs), true) });
    loop.kick();
    advance(20);
    expect(draws).toHaveLength(1); // at the first frame, 16.7 ms
    // The loop's own timer is due 100 ms after that draw, and its frame would come a frame later (133.3 ms).
    advance(111.7 - now());
    expect(draws).toHaveLength(1);
    loop.publish();
    advance(5.1);
    expect(draws).toHaveLength(2);
    expect(draws[1]!).toBeCloseTo(116.7, 0);
    // The timer was cancelled, not kept as well: the draws stay frameMs apart.
    advance(500);
    for (let i = 1; i < draws.length; i++) expect(draws[i]! - draws[i - 1]!).toBeGreaterThanOrEqual(100 - 8);
    // A publish right after a draw waits out the rest of frameMs.
    const lastMs = draws.at(-1)!;
    advance(lastMs + 10 - now());
    const count = draws.length;
    loop.publish();
    advance(lastMs + 60 - now());
    expect(draws).toHaveLength(count);
    advance(80);
    expect(draws).toHaveLength(count + 1);
    expect(draws.at(-1)! - lastMs).toBeGreaterThanOrEqual(100 - 8);
  });

  it('stop cancels the pending frame or timer, and later kicks and publishes do nothing', () => {
    const { host, advance, pending } = fakeHost();
    let draws = 0;
    const loop = createFrameLoop(host, { frameMs: 100, draw: () => (draws++, true) });
    loop.kick();
    advance(50);
    expect(draws).toBe(1);
    loop.stop();
    expect(pending()).toEqual({ frames: 0, timers: 0 });
    loop.kick();
    loop.publish();
    advance(1_000);
    expect(draws).toBe(1);
  });
});

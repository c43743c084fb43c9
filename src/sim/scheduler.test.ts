import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHeap } from './event-heap.ts';
import { createScheduler, SchedulerBusyError } from './scheduler.ts';
import { createVirtualClock, DEFAULT_EPOCH_MS } from './virtual-clock.ts';

describe('event heap', () => {
  it('pops in (time, insertion) order for any inserts', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
      const heap = new EventHeap<{ atMs: number; seq: number }>();
      times.forEach((atMs, seq) => heap.push({ atMs, seq }));
      const popped: { atMs: number; seq: number }[] = [];
      for (let event = heap.pop(); event; event = heap.pop()) popped.push(event);
      const expected = times.map((atMs, seq) => ({ atMs, seq })).sort((x, y) => x.atMs - y.atMs || x.seq - y.seq);
      expect(popped).toEqual(expected);
    }));
  });
});

describe('virtual clock', () => {
  it('starts at its epoch, moves only forward, in whole milliseconds', () => {
    const clock = createVirtualClock();
    expect(clock.nowMs()).toBe(DEFAULT_EPOCH_MS);
    clock.advanceTo(250);
    expect(clock.nowMs()).toBe(DEFAULT_EPOCH_MS + 250);
    expect(() => clock.advanceTo(100)).toThrow(/cannot go back/);
    expect(() => clock.advanceTo(300.5)).toThrow(/integer/);
  });
});

describe('scheduler', () => {
  it('runs events by time, ties in scheduling order, and reads the event time from the clock', async () => {
    const scheduler = createScheduler();
    const log: string[] = [];
    const note = (name: string) => () => void log.push(`${name}@${scheduler.nowMs()}`);
    scheduler.at(30, note('c'));
    scheduler.at(10, note('a1'));
    scheduler.at(10, note('a2'));
    scheduler.after(20, note('b'));
    scheduler.at(10, () => {
      note('a3')();
      scheduler.after(0, note('a4')); // same instant, after everything already queued for it
    });
    const result = await scheduler.runUntil(25);
    expect(log).toEqual(['a1@10', 'a2@10', 'a3@10', 'a4@10', 'b@20']);
    expect(result).toEqual({ done: true, timeMs: 25, events: 5 });
    await scheduler.runFor(10);
    expect(log.at(-1)).toBe('c@30');
    expect(scheduler.nowMs()).toBe(35);
  });

  it('cancels events and repeats timers until cancelled', async () => {
    const scheduler = createScheduler();
    const ticks: number[] = [];
    const timer = scheduler.every(100, () => void ticks.push(scheduler.nowMs()), { firstDelayMs: 5 });
    const cancelled = scheduler.at(50, () => { throw new Error('cancelled events must not run'); });
    cancelled.cancel();
    await scheduler.runUntil(310);
    timer.cancel();
    await scheduler.runUntil(1_000);
    expect(ticks).toEqual([5, 105, 205, 305]);
    expect(scheduler.pendingForeground()).toBe(0);
  });

  it('finishes async continuations of an instant before the next instant runs', async () => {
    const scheduler = createScheduler();
    const log: string[] = [];
    scheduler.at(10, async () => {
      let value = 0;
      for (let i = 0; i < 50; i++) value = await Promise.resolve(value + 1); // a deep microtask chain
      log.push(`chain ${value} done at ${scheduler.nowMs()}`);
    });
    scheduler.at(10, () => {
      // Not returned, so the scheduler cannot await it: only draining the microtask queue finishes it.
      void (async () => {
        for (let i = 0; i < 100; i++) await new Promise<void>((resolve) => queueMicrotask(resolve));
        log.push(`detached done at ${scheduler.nowMs()}`);
      })();
    });
    scheduler.at(11, () => void log.push('next instant'));
    await scheduler.runUntil(20);
    expect(log).toEqual(['chain 50 done at 10', 'detached done at 10', 'next instant']);
  });

  it('waits for settlers, so work finished by real I/O lands at the same virtual instant on every run', async () => {
    const scheduler = createScheduler();
    const log: string[] = [];
    const pending: (() => void)[] = [];
    // A settler whose real work takes real time (a timer), like a WebCrypto verification.
    scheduler.addSettler(() => {
      if (pending.length === 0) return undefined;
      const batch = pending.splice(0);
      return new Promise<void>((resolve) => setTimeout(resolve, 5)).then(() => batch.forEach((release) => release()));
    });
    scheduler.at(10, () => {
      void new Promise<void>((resolve) => pending.push(resolve)).then(() => log.push(`released at ${scheduler.nowMs()}`));
    });
    scheduler.at(11, () => void log.push('next instant'));
    await scheduler.runUntil(20);
    expect(log).toEqual(['released at 10', 'next instant']);
  });

  it('runs until a predicate holds, or gives up after maxTimeMs of virtual time', async () => {
    const scheduler = createScheduler();
    let count = 0;
    scheduler.every(10, () => void count++);
    const hit = await scheduler.runUntil(() => count >= 3, { maxTimeMs: 1_000 });
    expect(hit).toMatchObject({ done: true, timeMs: 30 });
    const miss = await scheduler.runUntil(() => count >= 1_000, { maxTimeMs: 100 });
    expect(miss).toMatchObject({ done: false, timeMs: 130 });
    expect(count).toBe(13);
  });

  it('is idle when only background events remain', async () => {
    const scheduler = createScheduler();
    scheduler.every(10, () => undefined); // background by default
    scheduler.at(35, () => void scheduler.after(40, () => undefined));
    const idle = await scheduler.runUntilIdle(1_000);
    expect(idle).toMatchObject({ done: true, timeMs: 75 });
    scheduler.after(5_000, () => undefined);
    expect(await scheduler.runUntilIdle(1_000)).toMatchObject({ done: false, timeMs: 1_075 });
  });

  it('refuses a run started while another is running', async () => {
    const scheduler = createScheduler();
    let inner: Promise<unknown> | undefined;
    scheduler.at(1, () => { inner = scheduler.runFor(10).then(() => 'ran', (error: unknown) => error); });
    await scheduler.runFor(5);
    expect(await inner).toBeInstanceOf(SchedulerBusyError);
  });

  it('rejects negative and fractional times, naming the field', () => {
    const scheduler = createScheduler();
    expect(() => scheduler.at(-1, () => undefined)).toThrow(/atMs/);
    expect(() => scheduler.after(1.5, () => undefined)).toThrow(/delayMs/);
    expect(() => scheduler.every(0, () => undefined)).toThrow(/intervalMs/);
  });
});

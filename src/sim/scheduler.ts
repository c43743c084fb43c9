/**
 * A discrete-event scheduler over a virtual clock.
 *
 * Determinism (GUIDE, "Tests, in tiers", 3): events run in (atMs, seq)
 * order. The core is async in places (a node awaits its verifier), so after
 * the events of each virtual instant the scheduler *settles*: it yields one
 * macrotask (`setImmediate`), by which time Node has drained every microtask
 * the events queued, then asks each registered settler (the simulated
 * verifier) to finish work that real I/O would otherwise complete at a
 * real-time-dependent moment, and repeats until nothing is left. No event of
 * a later instant runs before the current one has settled, so results never
 * depend on real time. Settling per instant rather than per event is
 * measured-cheap (~1 µs a yield) and every instant's reads of the clock agree.
 */
import { InvalidArgumentError } from '../core/result.ts';
import { EventHeap } from './event-heap.ts';
import { createVirtualClock, type VirtualClock } from './virtual-clock.ts';

/** An event body; a returned promise is awaited before the next event runs. */
export type EventFn = () => void | Promise<void>;

export interface ScheduleOptions {
  /**
   * Background events (timers, keepalive traffic) do not keep the network
   * "busy": runUntilIdle returns when only background events remain.
   */
  background?: boolean;
}

export interface EventHandle {
  readonly atMs: number;
  readonly cancelled: boolean;
  cancel(): void;
}

/** Asked to finish outstanding external work; returns undefined when there is none. */
export type Settler = () => Promise<void> | undefined;

export interface RunOptions {
  /** Virtual milliseconds to run at most, counted from now. Default 10 minutes. */
  maxTimeMs?: number;
}

export interface RunResult {
  /** The target was met: the time was reached, the predicate held, or the network went idle. */
  done: boolean;
  /** Elapsed virtual time when the run stopped. */
  timeMs: number;
  /** Events run by this call. */
  events: number;
}

export interface Scheduler {
  readonly clock: VirtualClock;
  /** Elapsed virtual milliseconds. */
  nowMs(): number;
  at(atMs: number, fn: EventFn, options?: ScheduleOptions): EventHandle;
  after(delayMs: number, fn: EventFn, options?: ScheduleOptions): EventHandle;
  /** Runs `fn` every `intervalMs`, first after `firstDelayMs` (default one interval). Background by default. */
  every(intervalMs: number, fn: EventFn, options?: ScheduleOptions & { firstDelayMs?: number }): EventHandle;
  addSettler(settler: Settler): void;
  /** Drains microtasks and settlers until quiet; runs no events. */
  settle(): Promise<void>;
  /** Runs every event up to and including `timeMs`, then sets the clock to it. */
  runUntil(timeMs: number): Promise<RunResult>;
  /** Runs until `predicate()` holds (checked after each settled instant) or `maxTimeMs` passes. */
  runUntil(predicate: () => boolean, options?: RunOptions): Promise<RunResult>;
  runFor(durationMs: number): Promise<RunResult>;
  /** Runs until no foreground event is pending, or `maxTimeMs` (default 10 minutes) passes. */
  runUntilIdle(maxTimeMs?: number): Promise<RunResult>;
  pendingEvents(): number;
  pendingForeground(): number;
  /** Events run since creation. */
  eventsRun(): number;
  /** Distinct virtual instants run (each costs one settle). */
  instantsRun(): number;
}

/** A run was started while another was in progress (e.g. from inside an event). */
export class SchedulerBusyError extends Error {
  override readonly name = 'SchedulerBusyError';
}

const DEFAULT_MAX_TIME_MS = 10 * 60_000;

interface SimEvent extends EventHandle {
  atMs: number;
  seq: number;
  fn: EventFn;
  background: boolean;
  cancelled: boolean;
}

const yieldMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

function assertTime(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`${field} must be a non-negative integer of milliseconds, got ${value}`);
}

export function createScheduler(clock: VirtualClock = createVirtualClock()): Scheduler {
  const heap = new EventHeap<SimEvent>();
  const settlers: Settler[] = [];
  let seq = 0;
  let foreground = 0;
  let eventsRun = 0;
  let instantsRun = 0;
  let running = false;

  function at(atMs: number, fn: EventFn, options: ScheduleOptions = {}): EventHandle {
    assertTime(atMs, 'atMs');
    const background = options.background ?? false;
    const event: SimEvent = {
      atMs: Math.max(atMs, clock.elapsedMs()),
      seq: seq++,
      fn,
      background,
      cancelled: false,
      cancel() {
        if (event.cancelled) return;
        event.cancelled = true;
        if (!event.background) foreground--;
      },
    };
    if (!background) foreground++;
    heap.push(event);
    return event;
  }

  async function settle(): Promise<void> {
    for (;;) {
      await yieldMacrotask();
      let worked = false;
      for (const settler of settlers) {
        const work = settler();
        if (work) {
          worked = true;
          await work;
        }
      }
      if (!worked) return;
    }
  }

  /** Runs every event of the earliest instant not after `limitMs`, then settles. */
  async function step(limitMs: number): Promise<boolean> {
    const first = heap.peek();
    if (!first || first.atMs > limitMs) return false;
    const instant = first.atMs;
    clock.advanceTo(instant);
    for (let event = heap.peek(); event && event.atMs === instant; event = heap.peek()) {
      heap.pop();
      if (event.cancelled) continue;
      event.cancelled = true; // a handle cancelled after running must not touch the count
      if (!event.background) foreground--;
      eventsRun++;
      const result = event.fn();
      if (result) await result;
    }
    instantsRun++;
    await settle();
    return true;
  }

  async function exclusive(body: () => Promise<boolean>): Promise<RunResult> {
    if (running) throw new SchedulerBusyError('the scheduler is already running; do not start a run from inside an event');
    running = true;
    const startEvents = eventsRun;
    try {
      await settle();
      const done = await body();
      return { done, timeMs: clock.elapsedMs(), events: eventsRun - startEvents };
    } finally {
      running = false;
    }
  }

  function limitOf(options: RunOptions | undefined): number {
    const maxTimeMs = options?.maxTimeMs ?? DEFAULT_MAX_TIME_MS;
    assertTime(maxTimeMs, 'maxTimeMs');
    return clock.elapsedMs() + maxTimeMs;
  }

  const scheduler: Scheduler = {
    clock,
    nowMs: () => clock.elapsedMs(),
    at,
    after(delayMs, fn, options) {
      assertTime(delayMs, 'delayMs');
      return at(clock.elapsedMs() + delayMs, fn, options);
    },
    every(intervalMs, fn, options = {}) {
      if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) throw new InvalidArgumentError(`intervalMs must be a positive integer, got ${intervalMs}`);
      const background = options.background ?? true;
      let current: EventHandle;
      let stopped = false;
      const handle: EventHandle = {
        get atMs() { return current.atMs; },
        get cancelled() { return stopped; },
        cancel() {
          stopped = true;
          current.cancel();
        },
      };
      const fire = (): void | Promise<void> => {
        if (stopped) return;
        current = scheduler.after(intervalMs, fire, { background });
        return fn();
      };
      current = scheduler.after(options.firstDelayMs ?? intervalMs, fire, { background });
      return handle;
    },
    addSettler: (settler) => void settlers.push(settler),
    settle,
    runUntil(target: number | (() => boolean), options?: RunOptions): Promise<RunResult> {
      if (typeof target === 'number') {
        assertTime(target, 'timeMs');
        return exclusive(async () => {
          while (await step(target));
          if (target > clock.elapsedMs()) clock.advanceTo(target);
          return true;
        });
      }
      const limit = limitOf(options);
      return exclusive(async () => {
        if (target()) return true;
        while (await step(limit)) if (target()) return true;
        if (heap.size > 0) clock.advanceTo(Math.max(clock.elapsedMs(), limit));
        return false;
      });
    },
    runFor(durationMs) {
      assertTime(durationMs, 'durationMs');
      return scheduler.runUntil(clock.elapsedMs() + durationMs);
    },
    runUntilIdle(maxTimeMs) {
      const limit = limitOf({ maxTimeMs });
      return exclusive(async () => {
        while (foreground > 0) if (!(await step(limit))) break;
        if (foreground > 0 && heap.size > 0) clock.advanceTo(Math.max(clock.elapsedMs(), limit));
        return foreground === 0;
      });
    },
    pendingEvents: () => heap.size,
    pendingForeground: () => foreground,
    eventsRun: () => eventsRun,
    instantsRun: () => instantsRun,
  };
  return scheduler;
}

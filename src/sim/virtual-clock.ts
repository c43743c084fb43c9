/**
 * The simulator's clock. Nodes read it through the core `Clock` seam, so
 * nothing in a simulated node ever sees real time. Only the scheduler moves
 * it, and only forwards.
 *
 * Time is whole milliseconds, like Date.now(): ledger code may put
 * `clock.nowMs()` into a u64 header field, which must be an integer.
 */
import type { Clock } from '../core/types.ts';
import { InvalidArgumentError } from '../core/result.ts';

/**
 * 2025-01-02T00:00:00Z: one day after the default genesis time (params.ts),
 * so a block mined at virtual time 0 is already later than genesis, and
 * timestamp rules behave as in a tab.
 */
export const DEFAULT_EPOCH_MS = Date.UTC(2025, 0, 2);

export interface VirtualClock extends Clock {
  /** The wall-clock instant that simulated time 0 stands for. */
  readonly epochMs: number;
  /** Milliseconds since the simulation started. */
  elapsedMs(): number;
  /** Moves time forward to `elapsedMs`; moving backwards is a programmer error. */
  advanceTo(elapsedMs: number): void;
}

export function createVirtualClock(epochMs = DEFAULT_EPOCH_MS): VirtualClock {
  if (!Number.isSafeInteger(epochMs)) throw new InvalidArgumentError(`epochMs must be an integer, got ${epochMs}`);
  let elapsed = 0;
  return {
    epochMs,
    nowMs: () => epochMs + elapsed,
    elapsedMs: () => elapsed,
    advanceTo(elapsedMs) {
      if (!Number.isSafeInteger(elapsedMs)) throw new InvalidArgumentError(`advanceTo: elapsedMs must be an integer, got ${elapsedMs}`);
      if (elapsedMs < elapsed) throw new InvalidArgumentError(`advanceTo: time cannot go back from ${elapsed} to ${elapsedMs}`);
      elapsed = elapsedMs;
    },
  };
}

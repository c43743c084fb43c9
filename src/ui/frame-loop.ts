/**
 * The graph's animation loop (peer-graph.tsx), apart from the DOM so that its
 * cadence can be tested: it draws at most once per `frameMs`, sleeps when
 * the drawing is still, and draws a view publish in the next animation frame.
 *
 * The page has one cadence for everything it draws, the refreshed view's
 * (use-tabmesh.ts, VIEW_REFRESH_MS). While arrivals flow, the view publishes
 * every `frameMs` and each publish is drawn at once (`publish`), so the
 * pulses move with the panels' renders instead of on a clock of their own;
 * the loop's own timer only finishes what is moving once the publishes stop.
 * Waiting on a timer rather than on skipped animation frames matters: each
 * animation frame costs the page a rendering update even when nothing is
 * drawn (docs/ARCHITECTURE.md, "A transaction's path", step 4).
 */

/** The browser's frame and timer functions; tests pass fakes. */
export interface FrameHost {
  requestFrame(callback: (nowMs: number) => void): number;
  cancelFrame(handle: number): void;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface FrameLoopInit {
  /** The shortest time between two draws. */
  frameMs: number;
  /** Draws the frame at `nowMs`; true while anything still moves (another frame is wanted). */
  draw(nowMs: number): boolean;
}

export interface FrameLoop {
  /** Something changed: draw at the next frame unless a frame or a timer is already pending. */
  kick(): void;
  /** The view published: draw at the next frame, instead of at the pending timer. */
  publish(): void;
  /** Cancels whatever is pending; kick and publish do nothing afterwards. */
  stop(): void;
}

/** An animation frame's time is its start, a little before the timer that asked for it fired: half a 60 Hz frame of slack. */
const FRAME_SLACK_MS = 8;

/** The browser's own frame and timer functions. */
export const browserFrameHost = (): FrameHost => ({
  requestFrame: (callback) => requestAnimationFrame(callback),
  cancelFrame: (handle) => cancelAnimationFrame(handle),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

export function createFrameLoop(host: FrameHost, init: FrameLoopInit): FrameLoop {
  let frame: number | undefined;
  let wake: unknown;
  let waking = false;
  let drawnAtMs = -Infinity;
  let stopped = false;

  const clearWake = () => {
    if (!waking) return;
    host.clearTimer(wake);
    waking = false;
  };
  const schedule = (delayMs: number) => {
    if (delayMs <= 0) {
      frame = host.requestFrame(tick);
      return;
    }
    waking = true;
    wake = host.setTimer(() => {
      waking = false;
      frame = host.requestFrame(tick);
    }, delayMs);
  };
  function tick(nowMs: number): void {
    frame = undefined;
    if (stopped) return;
    // At most one draw per frameMs, whatever the display's rate.
    const sinceMs = nowMs - drawnAtMs;
    if (sinceMs < init.frameMs - FRAME_SLACK_MS) return schedule(init.frameMs - sinceMs);
    drawnAtMs = nowMs;
    if (init.draw(nowMs)) schedule(init.frameMs);
  }

  return {
    kick() {
      if (stopped || frame !== undefined || waking) return;
      frame = host.requestFrame(tick);
    },
    publish() {
      if (stopped) return;
      clearWake();
      if (frame === undefined) frame = host.requestFrame(tick);
    },
    stop() {
      stopped = true;
      clearWake();
      if (frame !== undefined) host.cancelFrame(frame);
      frame = undefined;
    },
  };
}

/**
 * Instruments a bench tab before its own scripts run (bench/page/agent.ts
 * calls installProbes first):
 *
 * - `longtask` entries (PerformanceObserver, buffered), each with its start on
 *   the shared clock (performance.timeOrigin + startTime), so a phase can
 *   keep only the tasks inside its own window.
 * - Bytes and messages this tab sends on its data channels, by frame type
 *   (the second byte of every frame, src/core/frames.ts). Every frame one tab
 *   sends is a frame another receives, so the sums over all tabs break the
 *   node's `bytesIn` counter down by kind. The patch only counts, then calls
 *   the real RTCDataChannel.prototype.send.
 */

export interface LongTask {
  /** Start on the shared clock (ms since the epoch, sub-ms resolution). */
  atMs: number;
  durationMs: number;
}

export interface FrameTally {
  /** Frame type byte (hex, e.g. '0x02') → [messages, bytes]. */
  [type: string]: [number, number];
}

export interface ProbeState {
  longTasksSupported: boolean;
  longTasks: LongTask[];
  sent: FrameTally;
}

export function installProbes(): ProbeState {
  const state: ProbeState = { longTasksSupported: false, longTasks: [], sent: {} };
  try {
    state.longTasksSupported = PerformanceObserver.supportedEntryTypes.includes('longtask');
    if (state.longTasksSupported) {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) state.longTasks.push({ atMs: performance.timeOrigin + entry.startTime, durationMs: entry.duration });
      }).observe({ type: 'longtask', buffered: true });
    }
  } catch (error) {
    console.warn('bench probe: no longtask observer', error);
    state.longTasksSupported = false;
  }
  const realSend = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function send(this: RTCDataChannel, data: never) {
    const bytes = data as unknown;
    let type = 'other';
    let length = 0;
    if (ArrayBuffer.isView(bytes)) {
      length = bytes.byteLength;
      if (length >= 2) type = `0x${new Uint8Array(bytes.buffer, bytes.byteOffset, 2)[1]!.toString(16).padStart(2, '0')}`;
    } else if (bytes instanceof ArrayBuffer) {
      length = bytes.byteLength;
      if (length >= 2) type = `0x${new Uint8Array(bytes, 0, 2)[1]!.toString(16).padStart(2, '0')}`;
    } else if (typeof bytes === 'string') {
      length = bytes.length;
      type = 'text';
    }
    const tally = (state.sent[type] ??= [0, 0]);
    tally[0] += 1;
    tally[1] += length;
    return realSend.call(this, data);
  } as typeof RTCDataChannel.prototype.send;
  return state;
}

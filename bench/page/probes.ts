/**
 * Instruments a bench tab before its own scripts run (bench/page/agent.ts
 * calls installProbes first):
 *
 * - `longtask` entries (PerformanceObserver, buffered), each with its start on
 *   the shared clock (performance.timeOrigin + startTime), so a phase can
 *   keep only the tasks inside its own window.
 * - Bytes and frames this tab sends on its data channels, by frame type
 *   (the second byte of every frame, src/core/frames.ts; a bundle's inner
 *   frames each count under their own type, its 2-byte header and 2-byte
 *   length prefixes under 'bundle', src/core/frame-bundle.ts). Every frame one tab
 *   sends is a frame another receives, so the sums over all tabs break the
 *   node's `bytesIn` counter down by kind. The patch only counts, then calls
 *   the real RTCDataChannel.prototype.send.
 */

import { isBundle } from '../../src/core/frame-bundle.ts';
import { framesOf } from '../../src/sim/frame-kind.ts';

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

const typeName = (frame: Uint8Array) => `0x${frame[1]!.toString(16).padStart(2, '0')}`;

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
  const count = (type: string, length: number) => {
    const tally = (state.sent[type] ??= [0, 0]);
    tally[0] += 1;
    tally[1] += length;
  };
  const realSend = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function send(this: RTCDataChannel, data: never) {
    const sent = data as unknown;
    const bytes = ArrayBuffer.isView(sent) ? new Uint8Array(sent.buffer, sent.byteOffset, sent.byteLength)
      : sent instanceof ArrayBuffer ? new Uint8Array(sent) : undefined;
    if (!bytes) {
      count(typeof sent === 'string' ? 'text' : 'other', typeof sent === 'string' ? sent.length : 0);
    } else if (bytes.length < 2) {
      count('other', bytes.length);
    } else if (isBundle(bytes)) {
      const inner = framesOf(bytes);
      count('bundle', bytes.length - inner.reduce((total, frame) => total + frame.length, 0));
      for (const frame of inner) count(typeName(frame), frame.length);
    } else {
      count(typeName(bytes), bytes.length);
    }
    return realSend.call(this, data);
  } as typeof RTCDataChannel.prototype.send;
  return state;
}

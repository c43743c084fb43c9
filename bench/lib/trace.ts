/**
 * What the tabs' renderer main threads spend their time on, by Blink's own
 * trace events (Chromium tracing, category devtools.timeline): script
 * (FunctionCall, EvaluateScript, ...), style and layout, paint, garbage
 * collection, and the rest of each task (IPC, data channels, IndexedDB
 * callbacks: RunTask's own time). Self time per event name is summed over
 * every renderer main thread (CrRendererMain) in the trace.
 */
import type { Browser, Page } from '@playwright/test';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

export interface TraceSummary {
  /** Renderer main threads seen. */
  threads: number;
  windowMs: number;
  /** Busy time per thread over the window, percent (mean over threads). */
  busyPercent: number;
  /** Self time by event name, ms summed over all threads, largest first. */
  selfMs: { name: string; ms: number; percent: number }[];
}

const CATEGORIES = ['devtools.timeline', 'v8', 'disabled-by-default-devtools.timeline'];

export async function startTrace(browser: Browser, page: Page): Promise<{ stop(): Promise<TraceSummary> }> {
  await browser.startTracing(page, { categories: CATEGORIES });
  return {
    async stop() {
      const buffer = await browser.stopTracing();
      const { traceEvents } = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] };
      const mainThreads = new Set(traceEvents.filter((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain').map((event) => `${event.pid}:${event.tid}`));
      const byThread = new Map<string, TraceEvent[]>();
      let first = Infinity;
      let last = -Infinity;
      for (const event of traceEvents) {
        if (event.ph !== 'X' || event.dur === undefined) continue;
        const key = `${event.pid}:${event.tid}`;
        if (!mainThreads.has(key)) continue;
        let list = byThread.get(key);
        if (!list) byThread.set(key, (list = []));
        list.push(event);
        first = Math.min(first, event.ts);
        last = Math.max(last, event.ts + event.dur);
      }
      const self = new Map<string, number>();
      let busyUs = 0;
      for (const events of byThread.values()) {
        events.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
        const stack: { event: TraceEvent; end: number; childUs: number }[] = [];
        const close = (until: number) => {
          while (stack.length > 0 && stack[stack.length - 1]!.end <= until) {
            const done = stack.pop()!;
            self.set(done.event.name, (self.get(done.event.name) ?? 0) + done.event.dur! - done.childUs);
            if (stack.length > 0) stack[stack.length - 1]!.childUs += done.event.dur!;
            else busyUs += done.event.dur!;
          }
        };
        for (const event of events) {
          close(event.ts);
          stack.push({ event, end: event.ts + event.dur!, childUs: 0 });
        }
        close(Infinity);
      }
      const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
      const windowUs = Math.max(1, last - first);
      return {
        threads: byThread.size,
        windowMs: Math.round(windowUs / 1000),
        busyPercent: Math.round((1000 * busyUs) / (windowUs * Math.max(1, byThread.size))) / 10,
        selfMs: [...self].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((1000 * us) / totalUs) / 10 })),
      };
    },
  };
}

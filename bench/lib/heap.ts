/**
 * A tab's JavaScript heap after a full garbage collection, over CDP
 * (HeapProfiler.collectGarbage, then Runtime.getHeapUsage): the main thread's
 * V8 heap, the figure `performance.memory.usedJSHeapSize` only approximates.
 * The tab's workers have heaps of their own, not counted here.
 */
import type { Page } from '@playwright/test';

export interface HeapUsage {
  usedMiB: number;
  totalMiB: number;
}

const MIB = 2 ** 20;

export async function heapAfterGc(page: Page): Promise<HeapUsage> {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('HeapProfiler.enable');
    await session.send('HeapProfiler.collectGarbage');
    await session.send('HeapProfiler.collectGarbage');
    const { usedSize, totalSize } = await session.send('Runtime.getHeapUsage');
    return { usedMiB: Math.round((10 * usedSize) / MIB) / 10, totalMiB: Math.round((10 * totalSize) / MIB) / 10 };
  } finally {
    await session.detach();
  }
}

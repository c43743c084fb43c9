/**
 * Figure 7 (memory), measured rather than projected: the JavaScript heap of
 * a tab holding a chain of `txs` transactions.
 *
 * A tab alone on a fresh test network builds the chain itself, through the
 * same calls a user makes (tabmesh.send and tabmesh.mine, via the bench
 * agent's buildChain), in blocks of `txsPerBlock`. Its heap after a full GC
 * is read at the start, half way and at the end. Then the tab is reloaded:
 * it reopens its identity and its IndexedDB chain, and its heap is read
 * again once it is ready. The issue asks that a tab with a long chain keep
 * only the working set in memory, and the reloaded tab shows what a tab
 * holds when the chain was not built in this session.
 */
import { randomBytes } from 'node:crypto';
import type { Browser } from '@playwright/test';
import { BenchError } from '../lib/bench-error.ts';
import { heapAfterGc, type HeapUsage } from '../lib/heap.ts';
import { benchNetwork, createTabLog, newBenchContext, openTab, waitUntil } from '../lib/tabs.ts';

export interface MemoryOptions {
  txs: number;
  txsPerBlock: number;
  timeoutMs: number;
}

export interface MemoryFigure {
  options: MemoryOptions;
  txs: number;
  height: number;
  buildMs: number;
  /** The building tab's heap after GC as its chain grew. */
  growth: { txs: number; usedMiB: number }[];
  /** The same tab at the end of the build, and after a reload from IndexedDB. */
  built: HeapUsage;
  reloaded: HeapUsage;
  reloadReadyMs: number;
}

export async function measureMemory(browser: Browser, baseUrl: string, agentScript: string, options: MemoryOptions, log: (line: string) => void): Promise<MemoryFigure> {
  const network = benchNetwork('memory');
  const context = await newBenchContext(browser, agentScript);
  const tabLog = createTabLog();
  try {
    const tab = await openTab(context, baseUrl, network, tabLog, 'memory');
    await tab.evaluate(() => window.tabmesh.mine(2)); // coins for every send below (amount 1 + fee 1 each)
    const recipient = randomBytes(32).toString('hex');
    const growth = [{ txs: 0, usedMiB: (await heapAfterGc(tab)).usedMiB }];
    let built: HeapUsage | undefined;
    const blocks = Math.ceil(options.txs / options.txsPerBlock);
    const started = Date.now();
    for (const partBlocks of [Math.floor(blocks / 2), blocks - Math.floor(blocks / 2)]) {
      const remainingMs = options.timeoutMs - (Date.now() - started);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const part = await Promise.race([
        tab.evaluate((plan) => window.__bench.buildChain(plan), { blocks: partBlocks, txsPerBlock: options.txsPerBlock, to: recipient }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new BenchError(`building the chain took over ${options.timeoutMs / 1000} s`)), remainingMs);
        }),
      ]).finally(() => clearTimeout(timer)); // a pending timer would keep the bench process alive after its report
      built = await heapAfterGc(tab);
      growth.push({ txs: growth.at(-1)!.txs + part.txIds.length, usedMiB: built.usedMiB });
      log(`  ${growth.at(-1)!.txs} tx in ${((Date.now() - started) / 1000).toFixed(0)} s: heap ${growth.at(-1)!.usedMiB} MiB`);
    }
    const buildMs = Date.now() - started;
    const height = await tab.evaluate(() => window.tabmesh.tip().height);

    const reloadStarted = Date.now();
    await tab.reload();
    await tab.evaluate(() => window.tabmesh.ready());
    await waitUntil('the reloaded tab to load its chain', 60_000, async () => (await tab.evaluate(() => window.tabmesh.tip().height)) === height, 100);
    const reloadReadyMs = Date.now() - reloadStarted;
    const reloaded = await heapAfterGc(tab);
    if (tabLog.errors.length > 0) log(`  page errors: ${tabLog.errors.slice(0, 5).join(' | ')}`);
    return { options, txs: growth.at(-1)!.txs, height, buildMs, growth, built: built!, reloaded, reloadReadyMs };
  } finally {
    await context.close();
  }
}

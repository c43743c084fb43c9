/**
 * Figure 5 (late-joiner sync) and part of 6 (responsiveness during sync);
 * memory (figure 7) has its own scenario, bench/figures/memory.ts. A source tab alone on a fresh test network builds a chain:
 * `blocks` times it sends `txsPerBlock` transfers and mines a block on them
 * (500 blocks of 20, the shape issue 5 names; one sender may hold at most DEFAULT_MAX_TXS_PER_SENDER in the mempool). Then a new
 * tab opens on that network and catches up through the real relay and a
 * WebRTC link, headers first, then bodies (src/core/chain-sync.ts).
 *
 * The joining tab samples its tip height every 10 ms from before its own
 * scripts run (bench/page/agent.ts, `?bench-heights=10`). The ledger moves
 * its tip only after the store commit that wrote a block (a group commit may
 * write several; src/core/ledger/ledger.ts), so the height is what is
 * persisted; at the end the joiner's IndexedDB `blockTxs` index of
 * transaction ids is counted too. The rate is quoted from the moment the link opened (the catch-up
 * itself) and, beside it, from the navigation (page load, identity, relay
 * and WebRTC set-up included).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Browser, Page } from '@playwright/test';
import type { HeightSample } from '../page/agent.ts';
import { BenchError } from '../lib/bench-error.ts';
import { cpuSnapshot, cpuUsage, type CpuUsage } from '../lib/cpu.ts';
import { heapAfterGc, type HeapUsage } from '../lib/heap.ts';
import { startProfile, type ProfileSummary } from '../lib/profile.ts';
import { round } from '../lib/summary.ts';
import { benchNetwork, createTabLog, newBenchContext, openTab, waitUntil } from '../lib/tabs.ts';

export interface SyncOptions {
  blocks: number;
  txsPerBlock: number;
  timeoutMs: number;
  /** CPU-profile the joining tab (diagnosis). */
  profile?: boolean;
  distDir?: string;
}

export interface SyncFigure {
  options: SyncOptions;
  network: string;
  build: { ms: number; sendMs: number; mineMs: number; txs: number; height: number; txsPerSec: number };
  /** Persisted transactions per second from the joiner's first link to its last block. */
  txsPerSecFromLink: number;
  /** The same from the joiner's navigation start (load, identity, relay, WebRTC included). */
  txsPerSecFromNavigation: number;
  blocksPerSecFromLink: number;
  stagesMs: { ready: number; linked: number; firstBlock: number; done: number };
  /** Entries of the joiner's IndexedDB `blockTxs.byTxId` index after sync (each confirmed transaction once). */
  persistedTxs: number;
  joinerStats: Record<string, number>;
  longTasks: { joinerMaxMs: number; joinerCount: number; sourceMaxMs: number; supported: boolean };
  /** Both tabs' heaps after GC once the joiner has caught up. */
  heap: { source: HeapUsage; joiner: HeapUsage };
  cpu: CpuUsage;
  profile?: ProfileSummary;
}

export async function measureSync(browser: Browser, baseUrl: string, agentScript: string, options: SyncOptions, log: (line: string) => void): Promise<SyncFigure> {
  const network = benchNetwork('sync');
  const context = await newBenchContext(browser, agentScript);
  const tabLog = createTabLog();
  const errors = tabLog.errors;
  try {
    const source = await openTab(context, baseUrl, network, tabLog, 'source');
    await source.evaluate(() => window.tabmesh.mine(1)); // the source's coins
    const recipient = randomBytes(32).toString('hex');
    const built = await source.evaluate((plan) => window.__bench.buildChain(plan), { blocks: options.blocks, txsPerBlock: options.txsPerBlock, to: recipient });
    const txs = built.txIds.length;
    log(`  source built ${options.blocks} blocks with ${txs} transactions in ${(built.ms / 1000).toFixed(1)} s (sending ${(built.sendMs / 1000).toFixed(1)} s, mining ${(built.mineMs / 1000).toFixed(1)} s)`);
    const confirmed = await source.evaluate((ids) => window.__bench.countConfirmed(ids), built.txIds);
    if (confirmed !== txs) throw new BenchError(`the source confirmed ${confirmed} of its ${txs} transactions`);
    const target = built.tipHeight;

    const cpuBefore = cpuSnapshot();
    const joiner = await context.newPage();
    joiner.on('pageerror', (error) => errors.push(`joiner: ${error.message}`));
    const profiling = options.profile ? await startProfile(joiner, options.distDir) : undefined;
    await joiner.goto(`${baseUrl}/?net=${network}&bench-heights=10`);
    await waitUntil(`the joiner to reach height ${target}`, options.timeoutMs, async () => (await joiner.evaluate(() => window.tabmesh?.id ? window.tabmesh.tip().height : -1)) === target, 100);
    const cpu = cpuUsage(cpuBefore, cpuSnapshot(), availableParallelism());
    const profile = await profiling?.stop();
    const timeline = await joiner.evaluate(() => ({
      samples: window.__bench.stopHeights(),
      navigationMs: performance.timeOrigin,
      readyAtMs: window.__bench.readyAtMs ?? Number.NaN,
      linkedAtMs: Math.min(...window.tabmesh.peers().map((peer) => peer.connectedAtMs)),
    }));
    const samples: HeightSample[] = timeline.samples;
    const doneAt = samples.find((sample) => sample.height >= target)?.atMs;
    const firstBlockAt = samples.find((sample) => sample.height > 0)?.atMs;
    if (doneAt === undefined || firstBlockAt === undefined) throw new BenchError('the joiner\'s height samples never reached the target');
    const persistedTxs = await joiner.evaluate(() => window.__bench.countStored('blockTxs', 'byTxId'));
    const joinerStats = await joiner.evaluate(() => window.tabmesh.stats());
    const tasks = async (page: Page) => page.evaluate(([from, to]) => ({ supported: window.__bench.probe.longTasksSupported, tasks: window.__bench.longTasks(from, to) }), [timeline.navigationMs, doneAt] as const);
    const [joinerTasks, sourceTasks] = await Promise.all([tasks(joiner), tasks(source)]);
    const [sourceHeap, joinerHeap] = [await heapAfterGc(source), await heapAfterGc(joiner)];
    if (errors.length > 0) log(`  page errors: ${errors.slice(0, 5).join(' | ')}`);
    const fromLinkS = (doneAt - timeline.linkedAtMs) / 1000;
    return {
      options,
      network,
      build: { ms: Math.round(built.ms), sendMs: Math.round(built.sendMs), mineMs: Math.round(built.mineMs), txs, height: target, txsPerSec: Math.round(txs / (built.ms / 1000)) },
      txsPerSecFromLink: Math.round(txs / fromLinkS),
      txsPerSecFromNavigation: Math.round(txs / ((doneAt - timeline.navigationMs) / 1000)),
      blocksPerSecFromLink: round(target / fromLinkS, 1),
      stagesMs: {
        ready: Math.round(timeline.readyAtMs - timeline.navigationMs),
        linked: Math.round(timeline.linkedAtMs - timeline.navigationMs),
        firstBlock: Math.round(firstBlockAt - timeline.navigationMs),
        done: Math.round(doneAt - timeline.navigationMs),
      },
      persistedTxs,
      joinerStats,
      longTasks: {
        joinerMaxMs: Math.round(Math.max(0, ...joinerTasks.tasks.map((task) => task.durationMs))),
        joinerCount: joinerTasks.tasks.length,
        sourceMaxMs: Math.round(Math.max(0, ...sourceTasks.tasks.map((task) => task.durationMs))),
        supported: joinerTasks.supported && sourceTasks.supported,
      },
      heap: { source: sourceHeap, joiner: joinerHeap },
      cpu,
      ...(profile ? { profile } : {}),
    };
  } finally {
    await context.close();
  }
}

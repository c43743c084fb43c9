/**
 * Figure 11 (issue 18 §5): node-to-tab sync. The real full node
 * (fullnode/bin/tabmesh-node.ts, a child process started by the e2e
 * harness) starts on a data directory whose LevelDB chain was built
 * beforehand (`blocks` blocks of `txsPerBlock` signed transfers,
 * lib/chain-build.ts, for the identity the node then loads). A fresh
 * Chromium tab opens the app (a private copy of dist/, served with the relay
 * on a port of its own) on the same network, meets the node through the
 * relay, and catches up from it alone over WebRTC.
 *
 * The tab samples its tip height every 10 ms from before its own scripts run
 * (bench/page/agent.ts, `?bench-heights=10`), as the late-joiner figure
 * does; its tip moves only after IndexedDB has committed the block. The rate
 * is the chain's transactions over the time from the page's navigation to
 * its tip at the node's (page load, identity, relay and WebRTC set-up
 * included), and, beside it, from the link's opening. The node's CPU comes
 * from /proc/<pid>/stat, the browser's from lib/cpu.ts.
 */
import { availableParallelism } from 'node:os';
import path, { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { makeDataDir, removeDataDir, startNodeProcess, stopNodeProcess, type NodeProcess } from '../../e2e/harness/full-node.ts';
import { loadOrCreateIdentity } from '../../fullnode/key-file.ts';
import type { Logger } from '../../src/core/types.ts';
import type { HeightSample } from '../page/agent.ts';
import type { AppServer } from '../../signaling/http-server.ts';
import { startAppServer } from '../lib/app-server.ts';
import { BenchError } from '../lib/bench-error.ts';
import { removeSnapshot, snapshotDist } from '../lib/dist-snapshot.ts';
import { benchSigner, buildLevelChain, buildTransferChain } from '../lib/chain-build.ts';
import { cpuSnapshot, cpuUsage, type CpuUsage } from '../lib/cpu.ts';
import { processCpuMs } from '../lib/node-host.ts';
import { round } from '../lib/summary.ts';
import { benchNetwork, newBenchContext, waitUntil } from '../lib/tabs.ts';

export interface FullNodeTabSyncOptions {
  blocks: number;
  txsPerBlock: number;
  timeoutMs: number;
}

export interface FullNodeTabSyncFigure {
  options: FullNodeTabSyncOptions;
  network: string;
  build: { ms: number; height: number; txs: number };
  /** Chain transactions per second from the tab's navigation to its tip at the node's. */
  txsPerSecFromNavigation: number;
  /** The same from the tab's link to the node opening. */
  txsPerSecFromLink: number;
  stagesMs: { ready: number; linked: number; firstBlock: number; done: number };
  /** Entries of the tab's IndexedDB `blockTxs.byTxId` index after sync. */
  persistedTxs: number;
  /** Cores' worth of CPU from navigation to done: the node process (/proc), the browser, the machine. */
  cpu: { nodeCores: number; browser: CpuUsage };
  tabCounters: Record<string, number>;
  pageErrors: string[];
}

/** Where a sync that timed out stands: the tab's height, links and counters, the node's peers and its last log lines. */
async function describeStall(page: Page, node: NodeProcess): Promise<string> {
  const tab = await page.evaluate(() => (window.tabmesh?.id ? { height: window.tabmesh.tip().height, peers: window.tabmesh.peers().length, stats: window.tabmesh.stats() } : undefined))
    .catch((error: unknown) => `unreadable (${String(error)})`);
  const peers = await node.rpc.peers().then((answer) => answer.peers.length, (error: unknown) => `unreadable (${String(error)})`);
  const tabLine = typeof tab === 'object' ? `tab at height ${tab.height} with ${tab.peers} links (${COUNTERS.map((name) => `${name} ${tab.stats[name] ?? 0}`).join(', ')})` : `tab ${tab ?? 'not started'}`;
  return `${tabLine}; node has ${peers} peers; node log tail:\n${node.output().split('\n').slice(-8).join('\n')}`;
}

const COUNTERS = ['headersRequested', 'blocksRequested', 'blocksRequestedCompact', 'blocksAccepted', 'blocksDuplicate', 'blockTxsRequested', 'peersBanned', 'linksClosed'];

/** `root` is the repository (its dist/ is served from a private copy, lib/dist-snapshot.ts, with the relay). */
export async function measureFullNodeTabSync(browser: Browser, root: string, agentScript: string, options: FullNodeTabSyncOptions, log: (line: string) => void): Promise<FullNodeTabSyncFigure> {
  const network = benchNetwork('ntab');
  const quiet: Logger = { info: () => undefined, warn: () => undefined };
  const dataDir = makeDataDir();
  const distCopy = await snapshotDist(path.join(root, 'dist'));
  let node: NodeProcess | undefined;
  let server: AppServer | undefined;
  const context = await newBenchContext(browser, agentScript);
  const pageErrors: string[] = [];
  try {
    const started = await startAppServer(root, distCopy);
    server = started.server;
    const baseUrl = started.url;
    // The node's identity first, so the chain it finds is the one it would have written for itself.
    const owner = (await loadOrCreateIdentity(dataDir)).signer.peerId;
    const signer = benchSigner(1);
    const built = await buildLevelChain(join(dataDir, 'chain'), { network, owner, log: quiet }, (full, clock) =>
      buildTransferChain(full, clock, { network, signer, recipient: benchSigner(3).peerId, blocks: options.blocks, txsPerBlock: options.txsPerBlock }));
    const txs = built.txIds.length;
    log(`  built ${built.height} blocks with ${txs} transactions into the node's LevelDB in ${(built.ms / 1000).toFixed(1)} s`);

    node = await startNodeProcess({ relay: `${baseUrl.replace(/^http/, 'ws')}/signal`, network, dataDir });
    const status = await node.rpc.status();
    if (status.tip.height !== built.height) throw new BenchError(`the node started at height ${status.tip.height}, not ${built.height}`);
    const pid = node.child.pid;
    if (pid === undefined) throw new BenchError('the node process has no pid');

    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A page that never starts says why here: a script that failed to load (dist/ rebuilt under the server), a console error.
    page.on('response', (response) => void (response.status() >= 400 && pageErrors.push(`HTTP ${response.status()} ${response.url()}`)));
    page.on('requestfailed', (request) => pageErrors.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`));
    page.on('console', (message) => void (message.type() === 'error' && pageErrors.push(`console: ${message.text()}`)));
    const nodeCpuBefore = processCpuMs(pid);
    const cpuBefore = cpuSnapshot();
    await page.goto(`${baseUrl}/?net=${network}&bench-heights=10`);
    try {
      await waitUntil(`the tab to reach height ${built.height}`, options.timeoutMs, async () => (await page.evaluate(() => (window.tabmesh?.id ? window.tabmesh.tip().height : -1))) === built.height, 100);
    } catch (error) {
      if (!(error instanceof BenchError)) throw error;
      throw new BenchError(`${error.message}; ${await describeStall(page, node)}; page errors: ${pageErrors.slice(0, 5).join(' | ') || 'none'}`);
    }
    const browserCpu = cpuUsage(cpuBefore, cpuSnapshot(), availableParallelism());
    const nodeCpuMs = processCpuMs(pid) - nodeCpuBefore;
    const timeline = await page.evaluate(() => ({
      samples: window.__bench.stopHeights(),
      navigationMs: performance.timeOrigin,
      readyAtMs: window.__bench.readyAtMs ?? Number.NaN,
      linkedAtMs: Math.min(...window.tabmesh.peers().map((peer) => peer.connectedAtMs)),
    }));
    const samples: HeightSample[] = timeline.samples;
    const doneAt = samples.find((sample) => sample.height >= built.height)?.atMs;
    const firstBlockAt = samples.find((sample) => sample.height > 0)?.atMs;
    if (doneAt === undefined || firstBlockAt === undefined) throw new BenchError('the tab\'s height samples never reached the node\'s tip');
    const persistedTxs = await page.evaluate(() => window.__bench.countStored('blockTxs', 'byTxId'));
    if (persistedTxs !== txs) throw new BenchError(`the tab stored ${persistedTxs} of the chain's ${txs} transactions`);
    const stats = await page.evaluate(() => window.tabmesh.stats());
    const sinceNavigation = (at: number) => Math.round(at - timeline.navigationMs);
    return {
      options,
      network,
      build: { ms: Math.round(built.ms), height: built.height, txs },
      txsPerSecFromNavigation: Math.round(txs / ((doneAt - timeline.navigationMs) / 1000)),
      txsPerSecFromLink: Math.round(txs / ((doneAt - timeline.linkedAtMs) / 1000)),
      stagesMs: { ready: sinceNavigation(timeline.readyAtMs), linked: sinceNavigation(timeline.linkedAtMs), firstBlock: sinceNavigation(firstBlockAt), done: sinceNavigation(doneAt) },
      persistedTxs,
      cpu: { nodeCores: round(nodeCpuMs / browserCpu.windowMs, 2), browser: browserCpu },
      tabCounters: Object.fromEntries(COUNTERS.map((name) => [name, stats[name] ?? 0])),
      pageErrors: pageErrors.slice(0, 5),
    };
  } finally {
    await context.close();
    if (node) await stopNodeProcess(node);
    await server?.close();
    removeDataDir(dataDir);
    removeSnapshot(distCopy);
  }
}

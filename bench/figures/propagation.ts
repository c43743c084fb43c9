/**
 * Figures 2-4 and part of 6: transaction propagation, compact blocks,
 * bandwidth and responsiveness, from one run of N tabs on a fresh test
 * network against the real server and relay.
 *
 * 1. N tabs open on `?net=test-bench-…` (default link target) and link;
 *    each mines one block in turn, so every tab has coins to send.
 * 2. For `durationMs`, `ratePerSec` transactions a second are offered,
 *    spread evenly over the tabs: tab i sends its k-th transaction at
 *    start + (k·N + i)/rate on the shared clock, open-loop (bench/page/agent.ts).
 *    A sender may hold only 200 transactions in the mempool
 *    (DEFAULT_MAX_TXS_PER_SENDER), so a block is mined every `blockEveryMs`
 *    by the tabs in turn, as a network under load would.
 * 3. Arrival time of every transaction in every tab is the `receivedAtMs`
 *    the app itself stored when it admitted the transaction; latency is from
 *    the sender's call to tabmesh.send until the last other tab admitted it.
 * 4. The transactions left in mempools are confirmed by one more block.
 *
 * Counters (stats()) and the per-frame-type byte tallies of the bench probe
 * are differenced around steps 2-4; long tasks are those that started in that
 * window.
 */
import type { Page } from '@playwright/test';
import { encodeFrame } from '../../src/core/frames.ts';
import type { Tx } from '../../src/core/tx.ts';
import type { SendRecord } from '../page/agent.ts';
import { BenchError } from '../lib/bench-error.ts';
import { benchNetwork, createTabLog, describeTabs, mineAndSpread, newBenchContext, openTab, statsOf, waitMesh, waitUntil } from '../lib/tabs.ts';
import type { Browser } from '@playwright/test';
import { availableParallelism } from 'node:os';
import { cpuSnapshot, cpuUsage, type CpuUsage } from '../lib/cpu.ts';
import { measureFloodBaseline, type GossipCost, type MeasuredTopology } from '../lib/flood-baseline.ts';
import { startProfile, type ProfileSummary } from '../lib/profile.ts';
import { startTrace, type TraceSummary } from '../lib/trace.ts';
import { round, summarize, type Summary } from '../lib/summary.ts';

/**
 * How often each tab's IndexedDB and worker-echo probes (bench/page/agent.ts) take a sample. The probes
 * are diagnosis, not the figure, and they cost the tab they measure: at 10 a second they took 2.9% of a
 * tab's main thread in a profile at 8 tabs (docs/PERFORMANCE.md). Once a second still gives each run
 * hundreds of samples over its tabs.
 */
const PROBE_EVERY_MS = 1_000;

export interface PropagationOptions {
  tabs: number;
  ratePerSec: number;
  durationMs: number;
  blockEveryMs: number;
  /** After the last send, how long to wait for every tab to have every transaction. */
  drainTimeoutMs: number;
  /** Take a CPU profile of this tab's main thread over the sending window (diagnosis; costs some speed). */
  profileTab?: number;
  /** The build being served, so the profile can name source modules. */
  distDir?: string;
  /** Record a Chromium trace of all tabs over the sending window and break their main threads' time down (diagnosis). */
  trace?: boolean;
  /** The tabs that mine the blocks during the run, in turn (default: all); bench/figures/slow-peer.ts leaves its slow tab out. */
  miners?: number[];
}

/**
 * For a figure that acts on the tabs of a run (bench/figures/slow-peer.ts throttles one), each awaited:
 * once the tabs are linked and funded, just before sending; once the sending window ends (`endedAtMs` on
 * Date.now()'s clock), before the drain; and once every arrival is read, before the tabs close.
 */
export interface PropagationHooks {
  beforeSending?(pages: Page[], ids: string[]): Promise<void>;
  afterSending?(pages: Page[], endedAtMs: number): Promise<void>;
  beforeClose?(pages: Page[], sends: SendRecord[][], arrivals: Record<string, number>[]): Promise<void>;
}

/** A TX frame: version, type and the 153-byte transaction (src/core/frames.ts). */
export const TX_FRAME_BYTES = encodeFrame({
  type: 'tx',
  tx: { from: '11'.repeat(32), to: '22'.repeat(32), amount: 1, fee: 1, nonce: 0, signature: '33'.repeat(64) } satisfies Tx,
}).length;

const FRAME_NAMES: Record<string, string> = {
  '0x01': 'hello', '0x02': 'tx', '0x03': 'ping', '0x04': 'pong', '0x05': 'block', '0x06': 'getBlockTxs', '0x07': 'blockTxs',
  '0x08': 'getHeaders', '0x09': 'headers', '0x0b': 'inv', '0x0c': 'getData', '0x0d': 'notFound',
  '0x10': 'peerRecords', '0x11': 'getPeers', '0x12': 'meshSignal', '0x13': 'traceRequest', '0x14': 'traceReport',
};

export interface PropagationFigure {
  options: PropagationOptions;
  network: string;
  setupMs: number;
  degrees: number[];
  links: number;
  /** Spread (max − min) across tabs of the shared clock's offset from Date.now(), ms. */
  clockSpreadMs: number;
  offered: number;
  /** Sends actually made per second: a saturated tab calls send() late, so this can fall below the plan. */
  achievedRatePerSec: number;
  /** Sends the sending tab's own wallet refused, by reason (e.g. nonce-too-high: the per-sender mempool limit, DEFAULT_MAX_TXS_PER_SENDER). */
  sendsRefused: Record<string, number>;
  /** One example message per reason. */
  sendErrorExamples: string[];
  /** Transactions every other tab admitted. */
  deliveredPercent: number;
  /** Transactions every other tab admitted, over those the sending tab's wallet accepted. */
  deliveredOfSentPercent: number;
  /** (transaction, tab) pairs admitted, over all that should have been. */
  pairDeliveredPercent: number;
  /** Pairs a tab knows (tx(id)) but for which it stored no arrival time. */
  missingTimestamps: number;
  /** Send → last other tab, ms, over delivered transactions. */
  latencyMs: Summary;
  /** Send → first other tab (one hop when the sender is linked to it). */
  firstHopMs: Summary;
  /** Send → the send call's own promise settled (signing and local admission). */
  sendCallMs: Summary;
  blocksDuringRun: number;
  /** tabmesh.mine(1) in the mining tab during the run: template, proof-of-work, connect and store commit. */
  mineCallMs: Summary;
  /**
   * Reconstructions of announced blocks; `waits` of them first waited for transactions already on their
   * way; `txsRequested` counts block transactions downloaded, by rebuilds and by the `fullBlocksFetched`
   * blocks that headers-first sync fetched whole (a tab that fell behind the tip); `compactFetched`
   * blocks sync asked for compact (a tab at most two blocks behind: its parents came late).
   */
  compact: { hits: number; misses: number; hitPercent: number; fallbacks: number; txsRequested: number; waits: number; fullBlocksFetched: number; compactFetched: number };
  bandwidth: {
    bodiesPerTabPerTx: number;
    bytesInPerTabPerTx: number;
    /** Data-channel messages received per tab per transaction (a bundle of frames is one message). */
    messagesInPerTabPerTx: number;
    txFrameBytes: number;
    totalOverBody: number;
    /** Bytes per receiving tab per transaction, by frame type (from the send tallies). */
    byFrame: Record<string, number>;
    /**
     * The same gossip measured in the simulator over the measured links, with the real core (announce
     * and fetch) and with flooding (every body pushed to every neighbour but its source): the baseline.
     */
    flooding: { txs: number; announceFetch: GossipCost; flooding: GossipCost } | { error: string };
    duplicateInvPerTabPerTx: number;
    /** Share of the INV items sent that had waited out the announcement delay (the tab was busy: inventory.ts), percent. Absent from runs saved before it was measured. */
    delayedAnnouncementsPercent?: number;
  };
  longTasks: { count: number; maxMs: number; perTabMaxMs: number[]; supported: boolean };
  drainMs: number;
  /** A breakdown: p50 latency to each tab (a tab that lags shows here), and of the last tab per second of sending (a queue that grows shows here). */
  receiverP50Ms: number[];
  p50BySecondMs: number[];
  /** Whether the network held together under the load: punishments by reason (from the tabs' logs), closed links, degrees at the end. */
  health: {
    confirmingBlock: string;
    peersBanned: number;
    linksClosed: number;
    fetchRetries: number;
    banReasons: Record<string, number>;
    finalDegrees: number[];
    /** Transactions that reached no other tab, by their status in the sending tab (tx(id)). */
    unspreadAtSender: Record<string, number>;
  };
  /** Round trip of a one-record IndexedDB write in the tabs' origin, sampled every 100 ms per tab during the run. */
  /** CPU used during the sending window (from /proc), by Chromium process kind and for the whole machine. */
  cpu: CpuUsage;
  idbProbeMs: Summary;
  /** Round trip of an empty message to an echo worker, sampled every 100 ms per tab during the run. */
  workerProbeMs: Summary;
  profile?: ProfileSummary;
  trace?: TraceSummary;
}

/** Transactions the simulated baseline gossips: enough for stable per-transaction figures, seconds of CPU. */
const FLOOD_BASELINE_TXS = 200;

async function floodingBaseline(topology: MeasuredTopology, txs: number): Promise<{ txs: number; announceFetch: GossipCost; flooding: GossipCost } | { error: string }> {
  try {
    const baseline = await measureFloodBaseline(topology, Math.max(1, txs));
    return { txs: baseline.txs, announceFetch: baseline.announceFetch, flooding: baseline.flooding };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

function delta(after: Record<string, number>[], before: Record<string, number>[], name: string): number {
  return sum(after.map((stats, index) => (stats[name] ?? 0) - (before[index]?.[name] ?? 0)));
}

async function tallies(pages: Page[]): Promise<Record<string, [number, number]>> {
  const all = await Promise.all(pages.map((page) => page.evaluate(() => window.__bench.sentTally())));
  const out: Record<string, [number, number]> = {};
  for (const tally of all) {
    for (const [type, [messages, bytes]] of Object.entries(tally)) {
      const entry = (out[type] ??= [0, 0]);
      entry[0] += messages;
      entry[1] += bytes;
    }
  }
  return out;
}

export async function measurePropagation(browser: Browser, baseUrl: string, agentScript: string, options: PropagationOptions, log: (line: string) => void, hooks: PropagationHooks = {}): Promise<PropagationFigure> {
  const { tabs, ratePerSec, durationMs, blockEveryMs } = options;
  const network = benchNetwork(`p${tabs}`);
  const context = await newBenchContext(browser, agentScript);
  const tabLog = createTabLog();
  const errors = tabLog.errors;
  try {
    const setupStart = Date.now();
    const pages: Page[] = [];
    for (let index = 0; index < tabs; index++) pages.push(await openTab(context, baseUrl, network, tabLog, `tab ${index}`));
    const { ids } = await waitMesh(pages, Math.min(tabs - 1, 3), 60_000);
    // Let the mesh maintainer settle: degrees unchanged for two seconds.
    let last = '';
    let stableSince = Date.now();
    await waitUntil('the mesh to settle', 30_000, async () => {
      const now = JSON.stringify(await Promise.all(pages.map((page) => page.evaluate(() => window.tabmesh.peers().length))));
      if (now !== last) { last = now; stableSince = Date.now(); }
      return Date.now() - stableSince >= 2_000;
    }, 250);
    for (const page of pages) await mineAndSpread(page, pages, 30_000);
    const neighbours = await Promise.all(pages.map((page) => page.evaluate(() => window.tabmesh.peers().map((peer) => peer.id))));
    const degrees = neighbours.map((list) => list.length);
    const links = sum(degrees) / 2;
    const topology = { nodes: ids, edges: neighbours.flatMap((list, index) => list.filter((id) => ids.includes(id)).map((id) => [ids[index]!, id] as const)) };
    const offsets = await Promise.all(pages.map((page) => page.evaluate(() => window.__bench.clockOffsetMs(200))));
    const setupMs = Date.now() - setupStart;
    log(`  ${tabs} tabs ready, linked (degrees ${degrees.join(',')}) and funded in ${(setupMs / 1000).toFixed(1)} s`);

    await hooks.beforeSending?.(pages, ids);
    const statsBefore = await Promise.all(pages.map(statsOf));
    const tallyBefore = await tallies(pages);
    const perTab = Math.max(1, Math.floor((ratePerSec * durationMs) / 1000 / tabs));
    const gapMs = 1000 / ratePerSec;
    const profiling = options.profileTab === undefined ? undefined : await startProfile(pages[options.profileTab]!, options.distDir);
    const tracing = options.trace ? await startTrace(browser, pages[0]!) : undefined;
    const startAtMs = (await pages[0]!.evaluate(() => window.__bench.now())) + 1_000;
    const cpuBefore = cpuSnapshot();
    await Promise.all(pages.map((page) => page.evaluate(async (probeEveryMs) => {
      await window.__bench.idbProbe.start(probeEveryMs);
      window.__bench.workerProbe.start(probeEveryMs);
    }, PROBE_EVERY_MS)));
    await Promise.all(pages.map((page, index) => page.evaluate((plan) => window.__bench.startSending(plan), {
      startAtMs: startAtMs + index * gapMs,
      intervalMs: tabs * gapMs,
      count: perTab,
      // Every other tab in turn, starting with the next one.
      recipients: [...ids.slice(index + 1), ...ids.slice(0, index)],
    })));

    // Blocks while sending, by the tabs in turn (the sending window ends at startAtMs + perTab·N·gap).
    const sendEndMs = startAtMs + perTab * tabs * gapMs;
    let blocksDuringRun = 0;
    const mineCallMs: number[] = [];
    // The shared clock read here, from the first tab's offset to Date.now(): asking a busy tab for
    // the time took hundreds of milliseconds a read at 350 tx/s, and the block schedule slipped with it.
    const nowShared = () => Date.now() + offsets[0]!;
    let nextBlockMs = startAtMs + blockEveryMs;
    const miners = options.miners ?? pages.map((_, index) => index);
    while (nowShared() < sendEndMs) {
      const wait = nextBlockMs - nowShared();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, sendEndMs - nextBlockMs + blockEveryMs)));
      if (nowShared() >= sendEndMs) break;
      const askedMs = nowShared();
      const miner = miners[blocksDuringRun % miners.length]!;
      const mined = await pages[miner]!.evaluate(() => window.__bench.mineOne());
      const doneMs = nowShared();
      mineCallMs.push(mined.endMs - mined.startMs);
      if (doneMs - askedMs > blockEveryMs) log(`  block ${mined.height} by tab ${miner} at +${Math.round(askedMs - startAtMs)} ms: mine() took ${Math.round(mined.endMs - mined.startMs)} ms in the tab (${mined.stagesMs}; evaluate began after ${Math.round(mined.startMs - askedMs)} ms)`);
      blocksDuringRun++;
      nextBlockMs += blockEveryMs;
    }
    await hooks.afterSending?.(pages, sendEndMs - offsets[0]!);

    const sends: SendRecord[][] = await Promise.all(pages.map((page) => page.evaluate((expected) => window.__bench.sendsSettled(expected, 60_000), perTab)));
    const sentIds = sends.flat().flatMap((record) => (record.id ? [record.id] : []));
    const sendsRefused: Record<string, number> = {};
    const sendErrorExamples: string[] = [];
    for (const record of sends.flat()) {
      if (!record.error) continue;
      const reason = /refused \(([\w-]+)\)/.exec(record.error)?.[1] ?? record.error.split(':')[0]!;
      if (sendsRefused[reason] === undefined) sendErrorExamples.push(record.error);
      sendsRefused[reason] = (sendsRefused[reason] ?? 0) + 1;
    }
    const drainStart = Date.now();
    const knownCounts = async () => Promise.all(pages.map((page) => page.evaluate((txIds) => window.__bench.countKnown(txIds), sentIds)));
    try {
      await waitUntil('every tab to have every transaction', options.drainTimeoutMs, async () => (await knownCounts()).every((count) => count === sentIds.length), 100);
    } catch (error) {
      if (!(error instanceof BenchError)) throw error;
      log(`  not every tab has every transaction after ${options.drainTimeoutMs / 1000} s; counting what arrived`);
    }
    const drainMs = Date.now() - drainStart;
    const windowEndMs = nowShared();
    const cpu = cpuUsage(cpuBefore, cpuSnapshot(), availableParallelism());
    const profile = await profiling?.stop();
    const idbSamples = (await Promise.all(pages.map((page) => page.evaluate(() => window.__bench.idbProbe.stop())))).flat();
    const workerSamples = (await Promise.all(pages.map((page) => page.evaluate(() => window.__bench.workerProbe.stop())))).flat();
    const trace = await tracing?.stop();

    // Confirm what is left in the mempools, so the compact-block figure covers every transaction. A
    // network that fell apart under the load may never spread it: that is recorded, not fatal.
    let confirmingBlock = 'reached every tab';
    try {
      await mineAndSpread(pages[0]!, pages, 30_000);
    } catch (error) {
      if (!(error instanceof BenchError)) throw error;
      confirmingBlock = `did not reach every tab within 30 s`;
      log(`  the confirming block ${confirmingBlock}:\n${(await describeTabs(pages)).replace(/^/gm, '    ')}`);
    }
    const statsAfter = await Promise.all(pages.map(statsOf));
    const tallyAfter = await tallies(pages);

    // Arrivals: per tab, the stored receivedAtMs of every sent id.
    const arrivals = await Promise.all(pages.map((page) => page.evaluate((txIds) => window.__bench.arrivals(txIds), sentIds)));
    await hooks.beforeClose?.(pages, sends, arrivals);
    const latencies: number[] = [];
    const firstHops: number[] = [];
    let delivered = 0;
    let pairs = 0;
    let missingTimestamps = 0;
    const knownByTab = await Promise.all(pages.map((page) => page.evaluate((txIds) => txIds.filter((id) => window.tabmesh.tx(id).status !== 'unknown'), sentIds)));
    const knownSets = knownByTab.map((list) => new Set(list));
    /** Latency to each receiving tab, and of the last tab by the second of the run its send fell in. */
    const byReceiver: number[][] = pages.map(() => []);
    const bySecond: number[][] = [];
    sends.forEach((records, sender) => {
      for (const record of records) {
        if (!record.id) continue;
        const times: number[] = [];
        for (let tab = 0; tab < tabs; tab++) {
          if (tab === sender) continue;
          const at = arrivals[tab]![record.id];
          if (at !== undefined) {
            times.push(at - record.atMs);
            byReceiver[tab]!.push(at - record.atMs);
          } else if (knownSets[tab]!.has(record.id)) missingTimestamps++;
        }
        pairs += times.length;
        if (times.length === tabs - 1) {
          delivered++;
          latencies.push(Math.max(...times));
          (bySecond[Math.max(0, Math.floor((record.atMs - startAtMs) / 1000))] ??= []).push(Math.max(...times));
        }
        if (times.length > 0) firstHops.push(Math.min(...times));
      }
    });
    // Transactions no other tab has: where are they at their sender? (pending there: never spread; unknown: dropped)
    const unspread = sends.map((records, sender) => records.filter((record) => record.id && (arrivals.every((tabArrivals, tab) => tab === sender || tabArrivals[record.id!] === undefined))).map((record) => record.id!));
    const unspreadAtSender: Record<string, number> = {};
    for (const [sender, ids] of unspread.entries()) {
      if (ids.length === 0) continue;
      const statuses = await pages[sender]!.evaluate((txIds) => txIds.map((id) => window.tabmesh.tx(id).status), ids);
      for (const status of statuses) unspreadAtSender[status] = (unspreadAtSender[status] ?? 0) + 1;
    }
    const offered = perTab * tabs;
    const receivers = tabs - 1;
    const txs = sentIds.length;
    const bytesIn = delta(statsAfter, statsBefore, 'bytesIn');
    const byFrame: Record<string, number> = {};
    for (const [type, [, bytes]] of Object.entries(tallyAfter)) {
      const grown = bytes - (tallyBefore[type]?.[1] ?? 0);
      if (grown > 0) byFrame[FRAME_NAMES[type] ?? type] = round(grown / (txs * receivers), 1);
    }
    const hits = delta(statsAfter, statsBefore, 'compactBlockHits');
    const misses = delta(statsAfter, statsBefore, 'compactBlockMisses');
    const tasks = await Promise.all(pages.map((page) => page.evaluate(([from, to]) => ({ supported: window.__bench.probe.longTasksSupported, tasks: window.__bench.longTasks(from, to) }), [startAtMs, windowEndMs] as const)));
    const finalDegrees = await Promise.all(pages.map((page) => page.evaluate(() => window.tabmesh.peers().length)));
    const perTabMaxMs = tasks.map(({ tasks: list }) => Math.round(Math.max(0, ...list.map((task) => task.durationMs))));
    if (errors.length > 0) log(`  page errors: ${errors.slice(0, 5).join(' | ')}`);
    return {
      options,
      network,
      setupMs,
      degrees,
      links,
      clockSpreadMs: round(Math.max(...offsets) - Math.min(...offsets), 2),
      offered,
      achievedRatePerSec: (() => {
        const times = sends.flat().map((record) => record.atMs);
        const spanS = (Math.max(...times) - Math.min(...times)) / 1000;
        return spanS > 0 ? round((times.length - 1) / spanS, 1) : Number.NaN;
      })(),
      sendsRefused,
      sendErrorExamples,
      deliveredPercent: round((100 * delivered) / offered, 2),
      deliveredOfSentPercent: round((100 * delivered) / Math.max(1, txs), 2),
      pairDeliveredPercent: round((100 * pairs) / (offered * receivers), 2),
      missingTimestamps,
      latencyMs: summarize(latencies),
      firstHopMs: summarize(firstHops),
      receiverP50Ms: byReceiver.map((list) => round(summarize(list).p50, 1)),
      p50BySecondMs: Array.from(bySecond, (list) => (list ? round(summarize(list).p50, 1) : Number.NaN)),
      sendCallMs: summarize(sends.flat().flatMap((record) => (record.settledMs !== undefined ? [record.settledMs - record.atMs] : []))),
      blocksDuringRun,
      mineCallMs: summarize(mineCallMs),
      compact: {
        hits, misses, hitPercent: round((100 * hits) / Math.max(1, hits + misses), 1),
        fallbacks: delta(statsAfter, statsBefore, 'compactBlockFallbacks'), txsRequested: delta(statsAfter, statsBefore, 'blockTxsRequested'),
        waits: delta(statsAfter, statsBefore, 'compactBlockWaits'), fullBlocksFetched: delta(statsAfter, statsBefore, 'blocksRequested'),
        compactFetched: delta(statsAfter, statsBefore, 'blocksRequestedCompact'),
      },
      bandwidth: {
        bodiesPerTabPerTx: round(delta(statsAfter, statsBefore, 'txBodiesReceived') / (txs * receivers), 3),
        bytesInPerTabPerTx: round(bytesIn / (txs * receivers), 1),
        messagesInPerTabPerTx: round(delta(statsAfter, statsBefore, 'messagesIn') / (txs * receivers), 2),
        txFrameBytes: TX_FRAME_BYTES,
        // Three decimals: the verdict is taken on this figure, and 1.504 rounded to 1.5 would pass a ≤ 1.5 target it misses.
        totalOverBody: round(bytesIn / (txs * receivers) / TX_FRAME_BYTES, 3),
        byFrame,
        flooding: await floodingBaseline(topology, Math.min(txs, FLOOD_BASELINE_TXS)),
        duplicateInvPerTabPerTx: round(delta(statsAfter, statsBefore, 'duplicateInv') / (txs * receivers), 2),
        delayedAnnouncementsPercent: round((100 * delta(statsAfter, statsBefore, 'announcementsDelayed')) / Math.max(1, delta(statsAfter, statsBefore, 'invSent')), 1),
      },
      longTasks: { count: sum(tasks.map(({ tasks: list }) => list.length)), maxMs: Math.max(0, ...perTabMaxMs), perTabMaxMs, supported: tasks.every(({ supported }) => supported) },
      drainMs,
      health: {
        confirmingBlock,
        peersBanned: delta(statsAfter, statsBefore, 'peersBanned'),
        linksClosed: delta(statsAfter, statsBefore, 'linksClosed'),
        fetchRetries: delta(statsAfter, statsBefore, 'fetchRetries'),
        banReasons: { ...tabLog.bans },
        finalDegrees,
        unspreadAtSender,
      },
      cpu,
      idbProbeMs: summarize(idbSamples.map((sample) => sample.ms)),
      workerProbeMs: summarize(workerSamples.map((sample) => sample.ms)),
      ...(profile ? { profile } : {}),
      ...(trace ? { trace } : {}),
    };
  } finally {
    await context.close();
  }
}

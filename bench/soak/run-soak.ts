/**
 * The soak (issue 23 §6): K tabs on one test network hold R transactions a
 * second for N minutes while blocks are mined and the network churns (a tab
 * that is not an anchor is replaced, a link is dropped), so links are made
 * again and again as in a real network. Every `reportEveryMs` each tab is
 * sampled (heap, IndexedDB, RTCPeerConnections, links) and delivery is
 * checked; at the end sending stops, blocks confirm what is left, and
 * delivery is judged (bench/soak/delivery.ts has the definitions).
 */
import { loadavg } from 'node:os';
import type { Browser } from '@playwright/test';
import { createPrng } from '../../src/sim/prng.ts';
import { benchNetwork, createTabLog, mineAndSpread, waitMesh } from '../lib/tabs.ts';
import { createDeliveryLedger, type FinalDelivery, type LiveCheck } from './delivery.ts';
import { figuresOf, printInterval, type SoakFigures } from './report.ts';
import { sampleTab, type SoakTab } from './soak-tab.ts';
import { closedUnder, createSoakWorld, type SoakWorld } from './soak-world.ts';

export interface SoakOptions {
  minutes: number;
  tabs: number;
  ratePerSec: number;
  /** Tabs never closed: their figures cover the whole run, and the churn happens around them. */
  anchors: number;
  /** Target degree D (?links=). Below D a tab runs no feelers or rotation, so D is set under the tab count. */
  links: number;
  /** One tab that is not an anchor replaced this often; 0: never. */
  churnEveryMs: number;
  /** One random link dropped this often; 0: never. */
  dropEveryMs: number;
  blockEveryMs: number;
  reportEveryMs: number;
  /** A transaction is due in a tab this long after it was sent and after the tab was ready (delivery.ts). */
  graceMs: number;
  /** After sending stops, how long blocks are mined for everything to confirm everywhere. */
  drainTimeoutMs: number;
  seed: number;
}

export interface SoakInterval {
  elapsedS: number;
  loadAverage1m: number;
  liveTabs: number;
  sent: number;
  check: LiveCheck;
}

export interface SoakResult {
  options: SoakOptions;
  network: string;
  startedAt: string;
  setupMs: number;
  wallMs: number;
  loadAverage: { start: number[]; end: number[] };
  intervals: SoakInterval[];
  delivery: FinalDelivery;
  refusedSends: Record<string, number>;
  refusedExamples: string[];
  counters: SoakWorld['counters'];
  figures: SoakFigures;
  pageErrors: string[];
  bans: Record<string, number>;
}

const sleepUntil = (atMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - Date.now())));

/** Calls `action` at start + k·everyMs until endMs (each call awaited; a late call shifts none after it). */
async function every(everyMs: number, startMs: number, endMs: number, action: () => Promise<void> | void): Promise<void> {
  if (everyMs <= 0) return;
  for (let k = 1; startMs + k * everyMs < endMs; k++) {
    await sleepUntil(startMs + k * everyMs);
    if (Date.now() >= endMs) return;
    await action();
  }
}

/** Samples every live tab that is not closing; a tab the churn closes mid-sample is skipped. */
async function sampleAll(tabs: SoakTab[]): Promise<void> {
  for (const tab of [...tabs]) {
    if (tab.closing) continue;
    try {
      await sampleTab(tab);
    } catch (error) {
      if (!closedUnder(tab, error)) throw error;
    }
  }
}

export async function runSoak(browser: Browser, baseUrl: string, options: SoakOptions, log: (line: string) => void): Promise<SoakResult> {
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();
  const network = benchNetwork('soak');
  const tabLog = createTabLog();
  const prng = createPrng(options.seed);
  const ledger = createDeliveryLedger(options.graceMs);
  const world = createSoakWorld({ browser, baseUrl, network, params: { links: String(options.links) }, prng, ledger, tabLog, log });
  const setupStart = Date.now();
  try {
    log(`soak on ${network}: ${options.tabs} tabs (${options.anchors} anchors), ${options.ratePerSec} tx/s, D=${options.links}, ${options.minutes} min, seed ${options.seed}`);
    const first = await Promise.all(Array.from({ length: options.tabs }, (_, index) => world.open(index < options.anchors)));
    await waitMesh(first.map((tab) => tab.page), 1, 60_000);
    // Every tab mines one block, each spread to all, so every tab has coins before the load starts.
    for (const tab of first) {
      await mineAndSpread(tab.page, first.map((other) => other.page), 30_000);
      world.counters.blocks++;
      tab.funded = true;
    }
    for (const tab of first) tab.peersAtStart = await tab.page.evaluate(() => window.tabmesh.peers().length);
    await sampleAll(world.live);
    const setupMs = Date.now() - setupStart;
    log(`  set up in ${(setupMs / 1000).toFixed(1)} s`);

    const startMs = Date.now();
    const endMs = startMs + options.minutes * 60_000;
    const intervals: SoakInterval[] = [];
    const sendEveryMs = 1000 / options.ratePerSec;
    await Promise.all([
      every(sendEveryMs, startMs, endMs, () => world.sendNext()),
      every(options.blockEveryMs, startMs, endMs, () => world.mineNext()),
      every(options.churnEveryMs, startMs, endMs, () => world.replaceOne()),
      every(options.dropEveryMs, startMs, endMs, () => world.dropOne()),
      every(options.reportEveryMs, startMs, endMs, async () => {
        await sampleAll(world.live);
        const check = await ledger.checkLive(world.live, Date.now());
        const interval = { elapsedS: Math.round((Date.now() - startMs) / 1000), loadAverage1m: loadavg()[0]!, liveTabs: world.live.length, sent: ledger.sent.length, check };
        intervals.push(interval);
        printInterval(interval, world.live, log);
      }),
    ]);

    // Drain: let the last sends settle, then mine until every open tab has every transaction confirmed.
    await Promise.allSettled(world.live.flatMap((tab) => [...tab.inFlight]));
    const drainEnd = Date.now() + options.drainTimeoutMs;
    while (!(await ledger.allConfirmed(world.live)) && Date.now() < drainEnd) {
      await world.mineNext();
      await sleepUntil(Date.now() + 1_500);
    }
    await sampleAll(world.live);
    const delivery = await ledger.checkFinal(world.live);
    const wallMs = Date.now() - setupStart;
    return {
      options, network, startedAt, setupMs, wallMs,
      loadAverage: { start: loadStart, end: loadavg() },
      intervals,
      delivery,
      refusedSends: ledger.refused(),
      refusedExamples: ledger.refusedExamples(),
      counters: { ...world.counters },
      figures: figuresOf([...world.live, ...world.closed], Date.now(), options),
      pageErrors: tabLog.errors.slice(0, 20),
      bans: { ...tabLog.bans },
    };
  } finally {
    await Promise.allSettled(world.live.map((tab) => tab.context.close()));
  }
}

/**
 * One soak tab: its own browser context (its own origin storage, as a
 * visitor's browser would have, so navigator.storage.estimate() is this
 * tab's alone and closing it leaves nothing behind), the RTCPeerConnection
 * counter installed before the app, and the samples the report is made of.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { heapAfterGc } from '../lib/heap.ts';
import { newBenchContext, openTab, type TabLog } from '../lib/tabs.ts';
import { PC_COUNTER_SCRIPT, type PcCounts } from './pc-counter.ts';

/** One reading of a tab, taken at report time. */
export interface TabSample {
  atMs: number;
  /** Main-thread V8 heap after a forced GC (bench/lib/heap.ts). */
  heapMiB: number;
  /** navigator.storage.estimate(): IndexedDB's share (usageDetails) and the origin's whole usage (with the app shell cache). */
  idbBytes: number;
  usageBytes: number;
  pc: PcCounts;
  /** stats().linksOpened: links that completed HELLO. */
  linksOpened: number;
  links: number;
  height: number;
}

export interface SoakTab {
  label: string;
  /** Anchors stay for the whole run; the others are the churn's victims. */
  anchor: boolean;
  context: BrowserContext;
  page: Page;
  id: string;
  openedAtMs: number;
  readyAtMs: number;
  /** Has coins (mined a block), so it may send. */
  funded: boolean;
  /** Chosen to close: no more sends or blocks. */
  closing: boolean;
  closedAtMs?: number;
  /** Sends whose tabmesh.send has not settled yet. */
  inFlight: Set<Promise<unknown>>;
  /** Ids this tab's wallet accepted. */
  sentIds: string[];
  /** Fresh tabs opened, and links dropped at either end, while this tab was open: what made it dial or be dialled. */
  churnSeen: { freshTabs: number; drops: number };
  peersAtStart: number;
  samples: TabSample[];
  /** Dials this tab gave up ("connection attempt abandoned" in its log): why, and to whom. */
  abandoned: { reason: string; peerId: string; atMs: number }[];
}

/**
 * Collects the tab's abandoned connection attempts from its console (the page logger prints every line
 * with its fields as the second argument; src/net/webrtc-dialer.ts logs the reason and the peer).
 */
function watchAbandoned(page: Page, into: SoakTab['abandoned']): void {
  page.on('console', (message) => {
    if (!message.text().includes('connection attempt abandoned')) return;
    void message.args()[1]?.jsonValue().then((fields: unknown) => {
      const { reason, peerId } = (fields ?? {}) as { reason?: unknown; peerId?: unknown };
      into.push({ reason: String(reason ?? 'unknown').replace(/: .*/, ''), peerId: String(peerId ?? ''), atMs: Date.now() });
    }, () => undefined); // the page closed before the argument could be read: one attempt fewer counted
  });
}

export async function openSoakTab(browser: Browser, baseUrl: string, network: string, log: TabLog, label: string, anchor: boolean, params: Record<string, string>): Promise<SoakTab> {
  const openedAtMs = Date.now();
  const context = await newBenchContext(browser, PC_COUNTER_SCRIPT);
  const abandoned: SoakTab['abandoned'] = [];
  // Watch from the first page of the context: openTab only returns once the page is ready, after its first dials.
  context.on('page', (page) => watchAbandoned(page, abandoned));
  const page = await openTab(context, baseUrl, network, log, label, params);
  const id = await page.evaluate(() => window.tabmesh.id);
  return {
    label, anchor, context, page, id, openedAtMs, readyAtMs: Date.now(), funded: false, closing: false,
    inFlight: new Set(), sentIds: [], churnSeen: { freshTabs: 0, drops: 0 }, peersAtStart: 0, samples: [], abandoned,
  };
}

/** Reads the counters only (cheap): for a tab about to close, whose heap no longer matters. */
export const countersOf = (page: Page) => page.evaluate(() => ({
  pc: window.__soakPc?.counts() ?? { created: Number.NaN, connected: Number.NaN, failed: Number.NaN, open: Number.NaN, wasted: Number.NaN, unanswered: Number.NaN },
  linksOpened: window.tabmesh.stats().linksOpened ?? 0,
  links: window.tabmesh.peers().length,
  height: window.tabmesh.tip().height,
}));

export async function sampleTab(tab: SoakTab): Promise<TabSample> {
  const heap = await heapAfterGc(tab.page);
  const storage = await tab.page.evaluate(async () => {
    const estimate = await navigator.storage.estimate();
    // usageDetails is Chromium's breakdown of usage by storage type; absent elsewhere.
    const details = (estimate as StorageEstimate & { usageDetails?: Record<string, number> }).usageDetails;
    return { usage: estimate.usage ?? 0, idb: details?.indexedDB ?? Number.NaN };
  });
  const counters = await countersOf(tab.page);
  const sample: TabSample = { atMs: Date.now(), heapMiB: heap.usedMiB, idbBytes: storage.idb, usageBytes: storage.usage, ...counters };
  tab.samples.push(sample);
  return sample;
}

/** Closes the tab's context, after one last reading of its counters (a closed page cannot be read). */
export async function closeSoakTab(tab: SoakTab): Promise<void> {
  const last = await countersOf(tab.page);
  const previous = tab.samples.at(-1);
  tab.samples.push({ atMs: Date.now(), heapMiB: previous?.heapMiB ?? Number.NaN, idbBytes: previous?.idbBytes ?? Number.NaN, usageBytes: previous?.usageBytes ?? Number.NaN, ...last });
  tab.closedAtMs = Date.now();
  await tab.context.close();
}

/**
 * Browser and tabs for the figures: the system Chromium with the e2e tier's
 * flags (e2e/harness/chromium.ts), one context per scenario with the bench
 * agent installed in every tab before the page's own scripts.
 */
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../e2e/harness/chromium.ts';
import { BenchError } from './bench-error.ts';

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true });

/** A relay room and test network no one else uses: names starting with `test` mine instantly (TEST_PARAMS). */
export const benchNetwork = (label: string): string => `test-bench-${label}-${randomBytes(4).toString('hex')}`.slice(0, 32);

export async function newBenchContext(browser: Browser, agentScript: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.addInitScript({ content: agentScript });
  return context;
}

/** Polls `check` every `everyMs` until it is true; throws BenchError naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new BenchError(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * What the bench's tabs reported on their own: uncaught page errors, and the
 * reasons tabs gave when they punished a peer (the node logs "peer
 * misbehaved" with a reason; ids are blanked so that reasons group).
 */
export interface TabLog {
  errors: string[];
  bans: Record<string, number>;
}

export const createTabLog = (): TabLog => ({ errors: [], bans: {} });

function watchConsole(page: Page, log: TabLog): void {
  page.on('console', (message) => {
    if (!message.text().includes('peer misbehaved')) return;
    void message.args()[1]?.jsonValue().then((fields: unknown) => {
      const reason = String((fields as { reason?: unknown } | undefined)?.reason ?? 'unknown')
        .replace(/[0-9a-f]{8,}/g, '…').replace(/\d+(\.\d+)?/g, 'N');
      log.bans[reason] = (log.bans[reason] ?? 0) + 1;
    }, () => undefined); // the page closed before the argument could be read: nothing to count
  });
}

/** Opens a tab on `network` (plus `params`, e.g. `{links: '3'}`) and waits until its peer is ready; its errors and bans go to `log`. */
export async function openTab(context: BrowserContext, baseUrl: string, network: string, log: TabLog, label: string, params: Record<string, string> = {}): Promise<Page> {
  const page = await context.newPage();
  const errors = log.errors;
  page.on('pageerror', (error) => errors.push(`${label}: ${error.message}`));
  watchConsole(page, log);
  await page.goto(`${baseUrl}/?${new URLSearchParams({ net: network, ...params })}`);
  try {
    // On a loaded machine the app's module may not have run yet when the load event fires (as e2e's waitReady).
    await page.waitForFunction(() => window.tabmesh !== undefined);
    await page.evaluate(() => window.tabmesh.ready());
  } catch (error) {
    throw new BenchError(`${label} did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  return page;
}

export const idOf = (page: Page): Promise<string> => page.evaluate(() => window.tabmesh.id);
export const peerIdsOf = (page: Page): Promise<string[]> => page.evaluate(() => window.tabmesh.peers().map((peer) => peer.id));
export const tipHashOf = (page: Page): Promise<string> => page.evaluate(() => window.tabmesh.tip().hash);
export const statsOf = (page: Page): Promise<Record<string, number>> => page.evaluate(() => window.tabmesh.stats());

/** Every tab linked to at least `minPeers` others and the link graph connected. */
export async function waitMesh(pages: Page[], minPeers: number, timeoutMs: number): Promise<{ ids: string[]; degrees: number[] }> {
  const ids = await Promise.all(pages.map(idOf));
  let degrees: number[] = [];
  await waitUntil(`${pages.length} tabs to link (each to ≥ ${minPeers}, graph connected)`, timeoutMs, async () => {
    const peers = await Promise.all(pages.map(peerIdsOf));
    degrees = peers.map((list) => list.length);
    if (degrees.some((degree) => degree < minPeers)) return false;
    const seen = new Set([ids[0]!]);
    const queue = [ids[0]!];
    for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
      for (const next of peers[ids.indexOf(at)] ?? []) {
        if (!ids.includes(next) || seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    return seen.size === ids.length;
  }, 250);
  return { ids, degrees };
}

/** One line per tab: tip, links and the counters that explain a stuck tab, for failure messages. */
export async function describeTabs(pages: Page[]): Promise<string> {
  const lines = await Promise.all(pages.map((page, index) => page.evaluate((tab) => {
    const stats = window.tabmesh.stats();
    const pick = ['peersBanned', 'linksClosed', 'txWaiting', 'blocksAccepted', 'compactBlockMisses', 'rateLimited', 'fetchRetries'].map((name) => `${name}=${stats[name] ?? 0}`).join(' ');
    return `tab ${tab}: height ${window.tabmesh.tip().height}, ${window.tabmesh.peers().length} links, ${pick}`;
  }, index).catch((error: unknown) => `tab ${index}: ${String(error)}`)));
  return lines.join('\n');
}

/** Mines one block in `miner` and waits until every tab in `pages` has it as its tip. */
export async function mineAndSpread(miner: Page, pages: Page[], timeoutMs: number): Promise<string> {
  const [hash] = await miner.evaluate(() => window.tabmesh.mine(1));
  if (!hash) throw new BenchError('mine(1) returned no hash');
  try {
    await waitUntil(`every tab to reach block ${hash.slice(0, 8)}`, timeoutMs, async () => (await Promise.all(pages.map(tipHashOf))).every((tip) => tip === hash), 50);
  } catch (error) {
    if (error instanceof BenchError) throw new BenchError(`${error.message}\n${await describeTabs(pages)}`);
    throw error;
  }
  return hash;
}

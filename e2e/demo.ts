/**
 * `npm run demo -- --tabs N [--headed] [--url URL] [--txs M] [--net NAME]`
 *
 * Opens N tabs of tabmesh in Chromium, waits until each is ready and linked,
 * has each tab mine one block (block rewards are the only coins), sends
 * transactions between random tabs through `window.tabmesh.send`, waits until
 * every tab has every transaction, mines one block that confirms them, prints
 * what each tab saw and saves a screenshot of each tab to demo-output/tab-<i>.png.
 *
 * The network defaults to a fresh `test-demo-…` one: names starting with
 * `test` use TEST_PARAMS, whose proof-of-work takes no time. `--net main`
 * works too, at about 10 s a block.
 *
 * When nothing answers at URL (default http://localhost:8080), the demo
 * serves the built page itself on a free port, building dist/ first if needed.
 * Exits non-zero with a one-line reason when anything fails.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createAppServer, type AppServer } from '../signaling/http-server.ts';
import { CHROMIUM_ARGS, findChromium } from './harness/chromium.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUTPUT_DIR = path.join(ROOT, 'demo-output');
/** Opening a tab, linking and propagation each take a few seconds here; these bounds leave room for a slow machine. */
const READY_TIMEOUT_MS = 30_000;
const LINK_TIMEOUT_MS = 45_000;
const PROPAGATION_TIMEOUT_MS = 30_000;
/** A TEST_PARAMS block is instant; a MAIN one takes ~10 s here, so allow a few. */
const MINING_TIMEOUT_MS = 60_000;
const MAX_TABS = 32;

class DemoError extends Error {
  override readonly name = 'DemoError';
}

interface DemoOptions {
  tabs: number;
  txs: number;
  headed: boolean;
  url: string;
  network: string;
  /** Seconds the network keeps running after the report, before the screenshots (traces and charts fill in). */
  lingerS: number;
}

function readOptions(): DemoOptions {
  const { values } = parseArgs({
    options: {
      tabs: { type: 'string', default: '4' },
      txs: { type: 'string' },
      headed: { type: 'boolean', default: false },
      url: { type: 'string', default: 'http://localhost:8080' },
      net: { type: 'string' },
      linger: { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run demo -- [--tabs N] [--txs M] [--headed] [--url URL] [--net NAME] [--linger SECONDS]');
    process.exit(0);
  }
  const tabs = Number(values.tabs);
  if (!Number.isInteger(tabs) || tabs < 2 || tabs > MAX_TABS) throw new DemoError(`--tabs must be an integer from 2 to ${MAX_TABS}, got ${values.tabs}`);
  const txs = values.txs === undefined ? Math.max(3, tabs) : Number(values.txs);
  if (!Number.isInteger(txs) || txs < 1 || txs > 100) throw new DemoError(`--txs must be an integer from 1 to 100, got ${values.txs}`);
  const url = values.url.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(url)) throw new DemoError(`--url must be an http(s) URL, got ${url}`);
  // A network of its own, so the demo neither disturbs nor counts tabs a person has open on the same server.
  const network = values.net ?? `test-demo-${randomBytes(4).toString('hex')}`;
  const lingerS = Number(values.linger);
  if (!Number.isFinite(lingerS) || lingerS < 0 || lingerS > 3_600) throw new DemoError(`--linger must be a number of seconds from 0 to 3600, got ${values.linger}`);
  return { tabs, txs, headed: values.headed, url, network, lingerS };
}

async function isServing(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch (error) {
    if (error instanceof TypeError || (error instanceof DOMException && error.name === 'TimeoutError')) return false;
    throw error;
  }
}

/** Serves dist/ and the relay on a free local port, building the page first when dist/ is missing. */
async function startOwnServer(): Promise<{ server: AppServer; url: string }> {
  const distDir = path.join(ROOT, 'dist');
  if (!existsSync(path.join(distDir, 'index.html'))) {
    console.log('demo: dist/ is missing; running `npm run build`');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new DemoError(`npm run build failed (${build.status ?? build.signal})`);
  }
  const server = createAppServer({ port: 0, host: '127.0.0.1', distDir, log: { info: () => undefined, warn: () => undefined } });
  await server.ready;
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/** Polls `check` until it returns true, or throws DemoError with `what` after `timeoutMs`. */
async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new DemoError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DemoError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function openTabs(browser: Browser, options: DemoOptions, url: string): Promise<Page[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const pages: Page[] = [];
  for (let index = 0; index < options.tabs; index++) {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`demo: tab ${index} page error: ${error.message}`));
    await page.goto(`${url}/?net=${options.network}`);
    try {
      await withTimeout(page.evaluate(() => window.tabmesh.ready()), READY_TIMEOUT_MS, `tab ${index} to be ready`);
    } catch (error) {
      if (error instanceof DemoError) throw error;
      throw new DemoError(`tab ${index} could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    pages.push(page);
  }
  return pages;
}

interface TabReport {
  index: number;
  id: string;
  peers: number;
  height: number;
  balance: number;
  known: number;
  confirmed: number;
  stats: Record<string, number>;
}

function printTable(reports: TabReport[], txCount: number): void {
  const columns: [string, (report: TabReport) => string][] = [
    ['tab', (r) => String(r.index)],
    ['id', (r) => r.id.slice(0, 8)],
    ['peers', (r) => String(r.peers)],
    ['height', (r) => String(r.height)],
    ['balance', (r) => String(r.balance)],
    ['txs known', (r) => `${r.known}/${txCount}`],
    ['confirmed', (r) => `${r.confirmed}/${txCount}`],
    ['sent', (r) => String(r.stats.txSent ?? 0)],
    ['accepted', (r) => String(r.stats.txAccepted ?? 0)],
    ['relayed', (r) => String(r.stats.txRelayed ?? 0)],
    ['dups dropped', (r) => String(r.stats.duplicatesDropped ?? 0)],
    ['invalid', (r) => String(r.stats.invalidDropped ?? 0)],
    ['msgs in/out', (r) => `${r.stats.messagesIn ?? 0}/${r.stats.messagesOut ?? 0}`],
    ['KiB in/out', (r) => `${((r.stats.bytesIn ?? 0) / 1024).toFixed(1)}/${((r.stats.bytesOut ?? 0) / 1024).toFixed(1)}`],
  ];
  const cells = reports.map((report) => columns.map(([, cell]) => cell(report)));
  const widths = columns.map(([title], column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padStart(widths[column]!)).join('  ');
  console.log(line(columns.map(([title]) => title)));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of cells) console.log(line(row));
}

async function runDemo(options: DemoOptions): Promise<void> {
  let server: AppServer | undefined;
  let browser: Browser | undefined;
  const stop = () => {
    void browser?.close();
    void server?.close();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  try {
    let url = options.url;
    if (await isServing(url)) {
      console.log(`demo: using the server at ${url}`);
    } else {
      ({ server, url } = await startOwnServer());
      console.log(`demo: nothing answered at ${options.url}; serving dist/ at ${url}`);
    }

    browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: !options.headed });
    console.log(`demo: opening ${options.tabs} tabs on network ${options.network}`);
    const started = Date.now();
    const pages = await openTabs(browser, options, url);
    const ids = await Promise.all(pages.map((page) => page.evaluate(() => window.tabmesh.id)));
    const peerCount = (page: Page) => page.evaluate(() => window.tabmesh.peers().length);
    await waitFor('every tab to link with at least one peer', LINK_TIMEOUT_MS, async () => (await Promise.all(pages.map(peerCount))).every((count) => count >= 1));
    console.log(`demo: all tabs ready and linked in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const tipHash = (page: Page) => page.evaluate(() => window.tabmesh.tip().hash);
    /** Mines one block in `page` and waits until every tab has it, so the next block builds on it (no forks). */
    const mineAndSync = async (index: number): Promise<void> => {
      const [hash] = await withTimeout(pages[index]!.evaluate(() => window.tabmesh.mine(1)), MINING_TIMEOUT_MS, `tab ${index} to mine a block`);
      await waitFor(`every tab to receive block ${hash!.slice(0, 8)}`, PROPAGATION_TIMEOUT_MS, async () => (await Promise.all(pages.map(tipHash))).every((tip) => tip === hash));
    };
    for (const index of pages.keys()) await mineAndSync(index);
    console.log(`demo: each tab mined one block; every tab is at height ${await pages[0]!.evaluate(() => window.tabmesh.tip().height)}`);

    const sent: string[] = [];
    for (let n = 0; n < options.txs; n++) {
      const from = randomInt(pages.length);
      const to = (from + 1 + randomInt(pages.length - 1)) % pages.length;
      const amount = 1 + randomInt(100);
      const txId = await pages[from]!.evaluate(([recipient, value]) => window.tabmesh.send(recipient, value, 1), [ids[to]!, amount] as const);
      console.log(`demo: tab ${from} → tab ${to}: ${amount} (tx ${txId.slice(0, 8)})`);
      sent.push(txId);
    }
    const knownBy = (page: Page) => page.evaluate((txIds) => txIds.filter((id) => window.tabmesh.tx(id).status !== 'unknown').length, sent);
    const propagationStart = Date.now();
    await waitFor(`all ${sent.length} transactions to reach every tab`, PROPAGATION_TIMEOUT_MS, async () => (await Promise.all(pages.map(knownBy))).every((known) => known === sent.length));
    console.log(`demo: every tab has every transaction (${Date.now() - propagationStart} ms after the last send)`);

    const confirmer = randomInt(pages.length);
    await mineAndSync(confirmer);
    const confirmedBy = (page: Page) => page.evaluate((txIds) => txIds.filter((id) => window.tabmesh.tx(id).status === 'confirmed').length, sent);
    await waitFor('the new block to confirm every transaction in every tab', PROPAGATION_TIMEOUT_MS, async () => (await Promise.all(pages.map(confirmedBy))).every((count) => count === sent.length));
    console.log(`demo: tab ${confirmer} mined a block that confirms all ${sent.length} transactions in every tab\n`);

    const reports: TabReport[] = [];
    for (const [index, page] of pages.entries()) {
      const view = await page.evaluate(() => ({
        peers: window.tabmesh.peers().length,
        height: window.tabmesh.tip().height,
        balance: window.tabmesh.balance(),
        stats: window.tabmesh.stats(),
      }));
      reports.push({ index, id: ids[index]!, ...view, known: await knownBy(page), confirmed: await confirmedBy(page) });
    }
    printTable(reports, sent.length);

    if (options.lingerS > 0) {
      console.log(`demo: the network keeps running for ${options.lingerS} s before the screenshots`);
      await new Promise((resolve) => setTimeout(resolve, options.lingerS * 1000));
    }
    mkdirSync(OUTPUT_DIR, { recursive: true });
    for (const [index, page] of pages.entries()) {
      await page.screenshot({ path: path.join(OUTPUT_DIR, `tab-${index}.png`), fullPage: true });
    }
    console.log(`\ndemo: screenshots saved to ${path.relative(process.cwd(), OUTPUT_DIR) || '.'}/tab-0..${pages.length - 1}.png`);
  } finally {
    process.off('SIGINT', stop);
    await browser?.close();
    await server?.close();
  }
}

try {
  await runDemo(readOptions());
} catch (error) {
  const message = error instanceof DemoError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(`demo failed: ${message}`);
  process.exit(1);
}

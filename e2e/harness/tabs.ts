/**
 * Helpers the specs share: unique networks, opening a tab and waiting for it,
 * and reading a tab's state through `window.tabmesh` (README, "Scripting API").
 */
import { randomBytes } from 'node:crypto';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import type { NodeStats } from '../../src/core/stats.ts';
// window.tabmesh's type comes from src/app.ts, which declares it on Window.

/**
 * A network (relay room) no other test uses, so tests never see each other's
 * tabs. Names starting with `test` get TEST_PARAMS (src/core/ledger/params.ts):
 * proof-of-work so easy that `tabmesh.mine(n)` returns at once.
 */
export function uniqueNetwork(prefix = 'test-e2e'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface TabOptions {
  /** Signaling relay URL (?relay=); defaults to the page's own server. */
  relay?: string;
  /** Target link count (?links=). */
  links?: number;
}

export function tabUrl(network: string, options: TabOptions = {}): string {
  const params = new URLSearchParams({ net: network });
  if (options.relay) params.set('relay', options.relay);
  if (options.links !== undefined) params.set('links', String(options.links));
  return `/?${params}`;
}

/** Fails the test with the page's own words when a tab logs an error, instead of a bare timeout later. */
function reportPageErrors(page: Page, label: string): void {
  page.on('pageerror', (error) => console.error(`[${label}] page error: ${error.message}`));
}

/** Opens a tab on `network` and waits until its peer is ready (identity, storage, workers loaded). */
export async function openTab(context: BrowserContext, network: string, options: TabOptions = {}): Promise<Page> {
  const page = await context.newPage();
  await gotoTab(page, network, options);
  return page;
}

export async function gotoTab(page: Page, network: string, options: TabOptions = {}): Promise<void> {
  reportPageErrors(page, network);
  await page.goto(tabUrl(network, options));
  await waitReady(page);
}

export async function waitReady(page: Page): Promise<void> {
  // Right after a navigation commits (a reload the page itself started) the app's module may not have run yet.
  await page.waitForFunction(() => window.tabmesh !== undefined);
  await page.evaluate(() => window.tabmesh.ready());
  await expect(page.getByRole('form', { name: 'Send' })).toBeVisible();
}

export const idOf = (page: Page): Promise<string> => page.evaluate(() => window.tabmesh.id);
export const peersOf = (page: Page): Promise<string[]> => page.evaluate(() => window.tabmesh.peers().map((peer) => peer.id));
/** The node's counters (always present) plus the verifier's (`verifier*`). */
export type TabStats = NodeStats & Record<string, number>;
export const statsOf = (page: Page): Promise<TabStats> => page.evaluate(() => window.tabmesh.stats() as TabStats);
export const txStatusOf = (page: Page, id: string): Promise<string> => page.evaluate((txId) => window.tabmesh.tx(txId).status, id);
export const tipOf = (page: Page): Promise<{ height: number; hash: string }> => page.evaluate(() => window.tabmesh.tip());
export const balanceOf = (page: Page): Promise<number> => page.evaluate(() => window.tabmesh.balance());

/**
 * Gives `miner` coins to send: it mines one block (the reward is its only
 * source of coins), and every tab in `pages` is waited for until it has that
 * block. Peers check a transaction against their own ledger, so one that
 * arrives before the block that funds it is refused as spending nothing.
 */
export async function fundTab(miner: Page, pages: Page[]): Promise<number> {
  const before = await balanceOf(miner);
  const [hash] = await miner.evaluate(() => window.tabmesh.mine(1));
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  for (const [index, page] of pages.entries()) {
    await expect.poll(async () => (await tipOf(page)).hash, { message: `tab ${index} has the funding block` }).toBe(hash);
  }
  const after = await balanceOf(miner);
  expect(after, 'the block reward is credited to the miner').toBeGreaterThan(before);
  return after;
}

/** Waits until every tab has an open link to every other tab (small networks link fully: ?links defaults to 8). */
export async function waitFullMesh(pages: Page[], timeoutMs = 30_000): Promise<string[]> {
  const ids = await Promise.all(pages.map(idOf));
  for (const [index, page] of pages.entries()) {
    const others = ids.filter((_, other) => other !== index).sort();
    await expect.poll(async () => (await peersOf(page)).sort(), { timeout: timeoutMs, message: `tab ${index} links to every other tab` }).toEqual(others);
  }
  return ids;
}

/** The row for transaction `id` in the page's Transactions table (its id cell carries the full id as a title). */
export function txRow(page: Page, id: string) {
  return page.getByRole('table', { name: 'Transactions', exact: true }).getByRole('row').filter({ has: page.getByTitle(id, { exact: true }) });
}

/** The cell of transaction `id`'s row under the column headed `column` (found by header, so added columns do not break it). */
export async function txCell(page: Page, id: string, column: string) {
  const headers = (await page.getByRole('table', { name: 'Transactions', exact: true }).getByRole('columnheader').allTextContents()).map((text) => text.trim());
  const index = headers.indexOf(column);
  if (index < 0) throw new Error(`the Transactions table has no "${column}" column (columns: ${headers.join(', ')})`);
  return txRow(page, id).getByRole('cell').nth(index);
}

/** The row for peer `id` in the page's Peers table. */
export function peerRow(page: Page, id: string) {
  return page.getByRole('table', { name: 'Peers', exact: true }).getByRole('row').filter({ has: page.getByTitle(id, { exact: true }) });
}

/** Each account's confirmed balance at `page`'s tip, in the order given. */
export const balancesOf = (page: Page, accounts: string[]): Promise<number[]> =>
  page.evaluate((ids) => ids.map((id) => window.tabmesh.balance(id)), accounts);

export interface LedgerView {
  tip: { height: number; hash: string };
  balances: number[];
}

/** The tip and the balances of `accounts`, read in one evaluation so they describe the same ledger state. */
export const ledgerViewOf = (page: Page, accounts: string[]): Promise<LedgerView> =>
  page.evaluate((ids) => ({ tip: window.tabmesh.tip(), balances: ids.map((id) => window.tabmesh.balance(id)) }), accounts);

/**
 * Waits until every tab has the tip `hash`, then checks that they all hold
 * the same balances for `accounts`; returns that common view.
 */
export async function expectSameLedger(pages: Page[], hash: string, accounts: string[]): Promise<LedgerView> {
  for (const [index, page] of pages.entries()) {
    await expect.poll(async () => (await tipOf(page)).hash, { message: `tab ${index} reaches tip ${hash.slice(0, 12)}` }).toBe(hash);
  }
  const views = await Promise.all(pages.map((page) => ledgerViewOf(page, accounts)));
  for (const [index, view] of views.entries()) expect(view, `tab ${index}'s tip and balances match tab 0's`).toEqual(views[0]);
  return views[0]!;
}

/** The page's "Tip" group in the Chain panel. */
export const tipGroup = (page: Page) => page.getByRole('group', { name: 'Tip', exact: true });

/** The page's wallet balance output. */
export const balanceOutput = (page: Page) => page.getByRole('status', { name: 'Balance', exact: true });

/** The row for block `hash` in the page's Blocks table (its hash cell carries the full hash as a title). */
export function blockRow(page: Page, hash: string) {
  return page.getByRole('table', { name: 'Blocks', exact: true }).getByRole('row').filter({ has: page.getByTitle(hash, { exact: true }) });
}

/** Checks that the page shows the tip `tip` in its Tip group. */
export async function expectTipShown(page: Page, tip: { height: number; hash: string }): Promise<void> {
  const group = tipGroup(page);
  await expect(group).toHaveAttribute('data-tip-height', String(tip.height));
  await expect(group).toHaveAttribute('data-tip-hash', tip.hash);
  await expect(group).toContainText(`#${tip.height}`);
}

/**
 * The explorer's views (issue 6), found by role and label, updating live as
 * the network changes: the peer graph, the peers table and the charts as
 * tabs link and leave; the wallet, block and transaction detail dialogs, the
 * balances table and the log filter as blocks and transactions arrive.
 */
import { expect, test, type Page } from '@playwright/test';
import { balanceOf, balanceOutput, fundTab, gotoTab, idOf, openTab, peerRow, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

const shortId = (id: string) => `${id.slice(0, 8)}…`;
const graph = (page: Page) => page.getByRole('figure', { name: 'Network graph' });
/** The graph's node for a peer: its accessible name starts "Peer <short id>, linked to this tab" (or "not linked"). */
const graphNode = (page: Page, id: string) => graph(page).getByRole('button', { name: new RegExp(`^Peer ${shortId(id)}, `) });
const statsRegion = (page: Page) => page.getByRole('region', { name: 'Network statistics' });

test('the peer graph, peers table and charts follow tabs linking and leaving', async ({ context }) => {
  const network = uniqueNetwork();
  const first = await openTab(context, network);
  const firstId = await idOf(first);

  // Alone: a clear empty state, and only this tab in the graph.
  await expect(graph(first).getByRole('status')).toHaveText(/No peers yet/);
  await expect(graph(first).getByRole('button', { name: new RegExp(`^This tab, ${shortId(firstId)}`) })).toBeVisible();
  await expect(first.getByRole('region', { name: 'Peers' })).toContainText('No peers yet');

  const second = await openTab(context, network);
  const third = await openTab(context, network);
  const [, secondId, thirdId] = await waitFullMesh([first, second, third]);

  for (const id of [secondId!, thirdId!]) {
    await expect(graphNode(first, id)).toHaveAccessibleName(/, linked to this tab, 2 links$/);
    await expect(peerRow(first, id)).toBeVisible();
  }
  await expect(first.getByRole('table', { name: 'Peers', exact: true }).getByRole('row')).toHaveCount(3);
  // The graph draws links between other tabs too (from their signed peer records): the triangle is complete.
  await expect(graph(first).locator('figcaption')).toHaveText('2 peers and this tab, 3 links (2 to this tab)');
  await expect(graph(first).getByRole('status')).toHaveCount(0);

  // The charts: all four are there and the peer chart's latest value follows the link count.
  for (const name of ['Transactions per second', 'Traffic', 'Peers', 'Propagation delay']) await expect(statsRegion(first).getByRole('figure', { name })).toBeVisible();
  await expect(statsRegion(first).getByRole('figure', { name: 'Peers' }).locator('.chart-now')).toHaveText('2');
  await expect(statsRegion(first).getByRole('figure', { name: 'Traffic' }).locator('.visually-hidden')).toHaveText(/^in \S+ \S+\/s now/);

  await third.close();
  await expect(peerRow(first, thirdId!)).toHaveCount(0);
  await expect(statsRegion(first).getByRole('figure', { name: 'Peers' }).locator('.chart-now')).toHaveText('1');
  await expect(first.getByRole('table', { name: 'Peers', exact: true }).getByRole('row')).toHaveCount(2);
});

test('the wallet, block and transaction details, balances and the log filter follow blocks and transactions', async ({ context }) => {
  const network = uniqueNetwork();
  const pages = [await openTab(context, network), await openTab(context, network)];
  const [minerId, recipientId] = await waitFullMesh(pages);
  const [miner, recipient] = pages as [Page, Page];

  const wallet = miner.getByRole('region', { name: 'Wallet' });
  await expect(balanceOutput(miner)).toHaveText('0');
  const balance = await fundTab(miner, pages);
  await expect(balanceOutput(miner)).toHaveText(String(balance));
  await expect(wallet.getByRole('list', { name: 'Your history' }).getByRole('listitem')).toHaveCount(1);

  // Block details, opened from the other tab's Blocks table.
  await recipient.getByRole('button', { name: 'Details of block #1' }).click();
  const blockDialog = recipient.getByRole('dialog', { name: 'Block #1' });
  await expect(blockDialog).toBeVisible();
  // The miner shows as its tm1 address, with the hex id as its title.
  await expect(blockDialog.getByRole('definition').filter({ has: recipient.getByTitle(minerId!, { exact: true }) })).toHaveCount(1);
  await blockDialog.getByRole('button', { name: 'Close details' }).click();
  await expect(blockDialog).toBeHidden();

  // A transfer appears in the recipient's history and opens as a transaction dialog.
  const txId = await miner.evaluate((to) => window.tabmesh.send(to, 9, 1), recipientId!);
  await expect(recipient.getByRole('list', { name: 'Your history' }).getByRole('listitem')).toHaveCount(1);
  await recipient.getByRole('table', { name: 'Transactions', exact: true }).getByRole('button', { name: `Details of transaction ${shortId(txId)}` }).click();
  const txDialog = recipient.getByRole('dialog', { name: `Transaction ${shortId(txId)}` });
  await expect(txDialog.getByRole('definition').filter({ hasText: /^9$/ })).toHaveCount(1);
  await expect(txDialog.getByRole('region', { name: 'Propagation trace' }).getByRole('button', { name: 'Trace across the network' })).toBeEnabled();
  await txDialog.getByRole('button', { name: 'Close details' }).click();

  // Balances: once the transfer is confirmed, both tabs show the same balance for every account, each marking itself.
  await miner.evaluate(() => window.tabmesh.mine(1));
  for (const [page, selfId, otherId] of [[miner, minerId!, recipientId!], [recipient, recipientId!, minerId!]] as const) {
    const balances = page.getByRole('table', { name: 'Balances' });
    const rowOf = (id: string) => balances.getByRole('row').filter({ has: page.getByTitle(id, { exact: true }) });
    await expect(rowOf(recipientId!).getByRole('cell').nth(1)).toHaveText('9');
    await expect(rowOf(selfId)).toContainText('this tab');
    await expect(rowOf(otherId)).toContainText('linked');
  }
  const minerBalance = await miner.evaluate((id) => window.tabmesh.balance(id), minerId!);
  await expect(recipient.getByRole('table', { name: 'Balances' }).getByRole('row').filter({ has: recipient.getByTitle(minerId!, { exact: true }) }).getByRole('cell').nth(1)).toHaveText(String(minerBalance));

  // The log filter: switching off a level hides its lines; the search keeps only matching lines.
  const log = miner.getByRole('list', { name: 'Event log' });
  const filter = miner.getByRole('group', { name: 'Filter the event log' });
  const info = filter.getByRole('button', { name: /^info/ });
  await expect(info).toHaveAttribute('aria-pressed', 'true');
  await expect(log).toContainText('link open');
  await info.click();
  await expect(info).toHaveAttribute('aria-pressed', 'false');
  await expect(log).not.toContainText('link open');
  await info.click();
  await filter.getByLabel('Search the log').fill('link open');
  await expect(log.getByRole('listitem').first()).toContainText('link open');
  for (const text of await log.getByRole('listitem').allTextContents()) expect(text).toContain('link open');
  await filter.getByLabel('Search the log').fill('no line says this');
  await expect(miner.getByRole('region', { name: 'Events' })).toContainText('No line matches the filter.');
});

test('a panel out of sight catches up at most every 2 s, and at once when it is scrolled into view', async ({ context }) => {
  const page = await openTab(context, uniqueNetwork());
  await page.setViewportSize({ width: 1100, height: 700 });
  const panel = page.getByRole('region', { name: 'Transactions' });
  await page.evaluate(() => window.tabmesh.mine(1));
  expect((await panel.boundingBox())!.y).toBeGreaterThan(700);

  const recipient = 'ab'.repeat(32);
  const send = () => page.evaluate((to) => window.tabmesh.send(to, 1, 1), recipient);
  const rowShown = (id: string) => page.evaluate((txId) => document.querySelector(`.panel-txs [data-tx-id="${txId}"]`) !== null, id);
  const first = await send();
  // Polled every 10 ms, so the catch-up that showed it has only just happened.
  await page.waitForFunction((txId) => document.querySelector(`.panel-txs [data-tx-id="${txId}"]`) !== null, first, { polling: 10 });
  const second = await send();
  // On screen the table would show it within its 500 ms redraw; out of sight it waits for the next catch-up, 2 s after the last.
  await page.waitForTimeout(800);
  expect(await rowShown(second)).toBe(false);

  // Scrolled into view, it catches up at once.
  await panel.scrollIntoViewIfNeeded();
  await expect(panel.locator(`[data-tx-id="${second}"]`)).toHaveCount(1, { timeout: 500 });
});

/** The page's visibility, played: headless Chromium shows every page, so document.hidden is overridden before the page's scripts. */
type PlayedVisibility = { setHidden(hidden: boolean): void };
const setHidden = (page: Page, hidden: boolean) => page.evaluate((value) => (window as unknown as PlayedVisibility).setHidden(value), hidden);

test('a hidden tab does not redraw, and catches up when it is shown', async ({ context }) => {
  const page = await context.newPage();
  await page.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(Document.prototype, 'hidden', { get: () => hidden, configurable: true });
    Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible'), configurable: true });
    (window as unknown as PlayedVisibility).setHidden = (value) => {
      hidden = value;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
  await gotoTab(page, uniqueNetwork());
  await expect(balanceOutput(page)).toHaveText('0');

  await setHidden(page, true);
  await page.evaluate(() => window.tabmesh.mine(1));
  const balance = await balanceOf(page);
  expect(balance, 'the peer itself is live: the block reward is credited').toBeGreaterThan(0);
  // A visible page shows it within one view refresh (100 ms); a hidden one keeps what it last drew.
  await page.waitForTimeout(1_000);
  await expect(balanceOutput(page)).toHaveText('0');

  await setHidden(page, false);
  await expect(balanceOutput(page)).toHaveText(String(balance), { timeout: 1_000 });
});

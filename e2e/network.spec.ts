/**
 * The network protocol seen from tabs (issue 4, "Tests"): eight tabs with a
 * small link target form a mesh that is not full, and every transaction and
 * block still reaches every tab through announce-and-fetch gossip; a tab that
 * joins late catches up on 200 blocks headers-first and then follows the tip.
 */
import { expect, test, type Page } from '@playwright/test';
import { fundTab, openTab, peersOf, statsOf, tipOf, txStatusOf, uniqueNetwork } from './harness/tabs.ts';

test('eight tabs with a small link target: every tab gets every transaction and block', async ({ browser }) => {
  test.setTimeout(120_000);
  const network = uniqueNetwork();
  // Two browser contexts, as two windows would be; ?links=3 (at most 6 links each) keeps the mesh from being full.
  const contexts = [await browser.newContext(), await browser.newContext()];
  const pages: Page[] = [];
  for (let i = 0; i < 8; i++) pages.push(await openTab(contexts[i % 2]!, network, { links: 3 }));
  // Linked: everyone has a link, and nobody is linked to all seven others.
  await expect.poll(async () => Math.min(...(await Promise.all(pages.map(async (page) => (await peersOf(page)).length)))), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  const degrees = await Promise.all(pages.map(async (page) => (await peersOf(page)).length));
  expect(Math.max(...degrees), `degrees ${degrees.join(',')} show a mesh that is not full`).toBeLessThan(7);

  await fundTab(pages[0]!, pages);
  const [sender] = pages as [Page];
  const recipients = await Promise.all(pages.slice(1, 4).map((page) => page.evaluate(() => window.tabmesh.id)));
  const ids: string[] = [];
  for (const to of recipients) ids.push(await sender.evaluate(({ to }) => window.tabmesh.send(to, 10, 1), { to }));
  for (const [index, page] of pages.entries()) {
    for (const id of ids) await expect.poll(() => txStatusOf(page, id), { message: `tab ${index} has ${id.slice(0, 8)}`, timeout: 20_000 }).toBe('pending');
  }
  const [blockHash] = await pages[5]!.evaluate(() => window.tabmesh.mine(1));
  for (const [index, page] of pages.entries()) {
    await expect.poll(async () => (await tipOf(page)).hash, { message: `tab ${index} follows the new block`, timeout: 20_000 }).toBe(blockHash);
    for (const id of ids) expect(await txStatusOf(page, id)).toBe('confirmed');
  }
  // Announce-and-fetch: each tab received each transaction's body once, however many links announced it.
  // The one exception is a push from the signer that arrives after the body came another way (its link's
  // frames were queued behind others): counted apart, and at most one per transaction.
  for (const [index, page] of pages.entries()) {
    const stats = await statsOf(page);
    expect(stats.txBodiesReceived - stats.txPushesLate, `tab ${index} transaction bodies`).toBeLessThanOrEqual(ids.length);
    expect(stats.txPushesLate, `tab ${index} late pushes`).toBeLessThanOrEqual(ids.length);
    expect(stats.peersBanned, `tab ${index} bans`).toBe(0);
  }
  await Promise.all(contexts.map((context) => context.close()));
});

test('a tab that joins late syncs 200 blocks headers-first, then follows the tip', async ({ context }) => {
  test.setTimeout(120_000);
  const network = uniqueNetwork();
  const miner = await openTab(context, network);
  await miner.evaluate(() => window.tabmesh.mine(200));
  const target = await tipOf(miner);
  expect(target.height).toBe(200);

  const late = await openTab(context, network);
  await expect.poll(async () => (await tipOf(late)).height, { timeout: 60_000, intervals: [500] }).toBe(200);
  expect((await tipOf(late)).hash).toBe(target.hash);
  const stats = await statsOf(late);
  expect(stats.headersRequested, 'headers came in batches of 100').toBeGreaterThanOrEqual(2);
  expect(stats.headersReceived).toBeGreaterThanOrEqual(200);
  expect(await late.evaluate(() => window.tabmesh.balance(window.tabmesh.peers()[0]!.id))).toBe(200 * 50_000);

  const [next] = await miner.evaluate(() => window.tabmesh.mine(1));
  await expect.poll(async () => (await tipOf(late)).hash, { timeout: 15_000 }).toBe(next);
  expect((await tipOf(late)).height).toBe(201);
});

/**
 * The relay only introduces (issue 4, "e2e, relay stopped"): tabs served by a
 * server this test owns link up, then the test stops that server, relay and
 * all. Transactions and blocks still reach every tab, and a link the test
 * closes is set up again with its signaling relayed through common
 * neighbours, not the relay.
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { createAppServer } from '../signaling/http-server.ts';
import { fundTab, peersOf, statsOf, tipOf, txStatusOf, uniqueNetwork, waitReady } from './harness/tabs.ts';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const quiet = { info: () => undefined, warn: () => undefined };

test('with the relay stopped, gossip still reaches every tab and a closed link is restored through the mesh', async ({ context }) => {
  test.setTimeout(120_000);
  const server = createAppServer({ port: 0, host: '127.0.0.1', distDir: DIST, log: quiet });
  await server.ready;
  const origin = `http://127.0.0.1:${server.address().port}`;
  const network = uniqueNetwork();
  const pages: Page[] = [];
  for (let i = 0; i < 4; i++) {
    const page = await context.newPage();
    await page.goto(`${origin}/?net=${network}`);
    await waitReady(page);
    pages.push(page);
  }
  // Fully linked, and every tab has every other's signed peer record (peer exchange), before the relay goes.
  for (const page of pages) await expect.poll(async () => (await peersOf(page)).length, { timeout: 30_000 }).toBe(3);
  for (const page of pages) {
    await expect.poll(() => page.evaluate(() => window.tabmesh.knownPeers().length), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  }
  await fundTab(pages[0]!, pages);

  await server.close();
  for (const page of pages) await expect(page.getByText('relay offline')).toBeVisible({ timeout: 30_000 });

  // Gossip needs no relay.
  const to = await pages[2]!.evaluate(() => window.tabmesh.id);
  const txId = await pages[0]!.evaluate((recipient) => window.tabmesh.send(recipient, 42, 1), to);
  for (const page of pages) await expect.poll(() => txStatusOf(page, txId), { timeout: 15_000 }).toBe('pending');
  const [block] = await pages[1]!.evaluate(() => window.tabmesh.mine(1));
  for (const page of pages) await expect.poll(async () => (await tipOf(page)).hash, { timeout: 15_000 }).toBe(block);

  // The test closes a link; the tabs set it up again, signalling through a common neighbour.
  const [a, b] = pages as [Page, Page];
  const bId = await b.evaluate(() => window.tabmesh.id);
  const relayedBefore = (await Promise.all(pages.map(statsOf))).reduce((sum, stats) => sum + (stats.peersMeshSignalsForwarded ?? 0), 0);
  expect(await a.evaluate((peer) => window.tabmesh.disconnect(peer), bId)).toBe(true);
  await expect.poll(async () => (await peersOf(a)).includes(bId), { timeout: 10_000 }).toBe(false);
  await expect.poll(async () => (await peersOf(a)).includes(bId), { message: 'the closed link is restored', timeout: 45_000 }).toBe(true);
  const relayedAfter = (await Promise.all(pages.map(statsOf))).reduce((sum, stats) => sum + (stats.peersMeshSignalsForwarded ?? 0), 0);
  expect(relayedAfter, 'signals for the new link were forwarded by a neighbour').toBeGreaterThan(relayedBefore);
  for (const page of pages) expect((await peersOf(page)).length).toBe(3);
});

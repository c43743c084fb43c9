/**
 * Without a relay (issue 19 §6): tabs of one browser signal each other
 * through BroadcastChannel, so four tabs whose only relay is a closed port
 * still form a mesh and agree on a tip. And with several relays (issue 19
 * §3), a tab whose second relay is down still links through the first, and
 * says which one is down.
 */
import { createServer } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { gotoTab, openTab, peersOf, tipOf, uniqueNetwork, waitFullMesh, waitReady } from './harness/tabs.ts';

/** A loopback port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const relaysOf = (page: Page) => page.evaluate(() => window.tabmesh.relays());

/** How many peer records and anchors the tab has stored in its IndexedDB meta (docs/ARCHITECTURE.md, "Storage"). */
const storedBookOf = (page: Page) => page.evaluate(async () => {
  const name = `tabmesh:${window.tabmesh.network}:${window.tabmesh.id}`;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const read = (key: string) => new Promise<unknown>((resolve, reject) => {
    const request = db.transaction('meta').objectStore('meta').get(key);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const [book, anchors] = [await read('peerBook'), await read('peerAnchors')] as [string[] | undefined, { ids: string[] } | undefined];
  db.close();
  return { records: book?.length ?? 0, anchors: anchors?.ids.length ?? 0 };
});
/** From the page's navigation start to its first open link, on the page's own clock. */
const firstLinkMs = (page: Page) => page.evaluate(() => Math.round(Math.min(...window.tabmesh.peers().map((peer) => peer.connectedAtMs)) - performance.timeOrigin));

test('with the relay down from the start, four tabs of one browser form a mesh over BroadcastChannel and agree on a tip', async ({ context }) => {
  test.setTimeout(120_000);
  const deadRelay = `ws://127.0.0.1:${await closedPort()}/signal`;
  const network = uniqueNetwork();
  const pages: Page[] = [];
  const linkMs: number[] = [];
  for (let i = 0; i < 4; i++) {
    const page = await context.newPage();
    await gotoTab(page, network, { relay: deadRelay });
    if (i > 0) {
      await expect.poll(async () => (await peersOf(page)).length, { message: `tab ${i} links with no relay` }).toBeGreaterThan(0);
      linkMs.push(await firstLinkMs(page));
    }
    pages.push(page);
  }
  await waitFullMesh(pages);
  for (const page of pages) {
    const relays = await relaysOf(page);
    expect(relays.find((relay) => relay.url === deadRelay)?.status, 'the only relay never opened').not.toBe('open');
    expect(relays.find((relay) => relay.url.startsWith('broadcast:'))?.status).toBe('open');
    await expect(page.getByText('relay offline')).toBeVisible();
  }
  const [block] = await pages[2]!.evaluate(() => window.tabmesh.mine(1));
  expect(block).toMatch(/^[0-9a-f]{64}$/);
  for (const [index, page] of pages.entries()) {
    await expect.poll(async () => (await tipOf(page)).hash, { message: `tab ${index} has the mined block` }).toBe(block);
  }
  // The peer book and the anchors are stored (every 15 s); a reload loads them and dials the anchors first.
  // Anchors are a tab's outbound links: the tab to reload is one that dialled (a late joiner may have been dialled by all).
  let dialler: Page | undefined;
  await expect.poll(async () => {
    const stored = await Promise.all(pages.map(storedBookOf));
    dialler = pages[stored.findIndex((book) => book.records === 3 && book.anchors > 0)];
    return dialler !== undefined;
  }, { timeout: 25_000, message: 'a tab has stored the book (3 records) and at least one anchor' }).toBe(true);
  const last = dialler!;
  const reloadedAtMs = Date.now();
  await last.reload();
  await waitReady(last);
  const log = last.getByRole('list', { name: 'Event log' });
  await expect(log).toContainText('loaded the peer book stored=3 added=3');
  await expect(log).toContainText('dialling the anchors first');
  // Every link again, within 10 s of the reload (issue 19 §6): a mesh route that still runs over a link to the old
  // page is not used (broadcast-signaling.ts, hello), nor one to a page that said bye (departed).
  const others = await Promise.all(pages.filter((page) => page !== last).map((page) => page.evaluate(() => window.tabmesh.id)));
  const remainingMs = Math.max(1, 10_000 - (Date.now() - reloadedAtMs)); // at least 1 ms: 0 would mean no limit
  await expect.poll(async () => (await peersOf(last)).sort(), { timeout: remainingMs, intervals: [100], message: 'the reloaded tab links again to all three within 10 s, with no relay' }).toEqual(others.sort());
  console.log(`broadcast-signaling: reload to all three linked again, no relay: ${Date.now() - reloadedAtMs} ms`);

  // A figure, not an assertion: navigation start to the first open link, through BroadcastChannel alone.
  console.log(`broadcast-signaling: navigation to first link, no relay: ${linkMs.map((ms) => `${ms} ms`).join(', ')}`);
});

test('a tab with two relays, one of them down, still links through the other and shows which is down', async ({ browser, baseURL }) => {
  const ownRelay = `${(baseURL ?? '').replace(/^http/, 'ws')}/signal`;
  const deadRelay = `ws://127.0.0.1:${await closedPort()}/signal`;
  const network = uniqueNetwork();
  // Two browser contexts share no BroadcastChannel: the link can only come through the relay that is up.
  const first = await browser.newContext();
  const second = await browser.newContext();
  try {
    const both = await openTab(first, network, { relay: `${ownRelay},${deadRelay}` });
    const other = await openTab(second, network);
    await waitFullMesh([both, other]);
    console.log(`broadcast-signaling: navigation to first link, through the relay: ${await firstLinkMs(other)} ms`);

    await expect.poll(() => relaysOf(both)).toEqual([
      { url: ownRelay, status: 'open' },
      { url: deadRelay, status: expect.stringMatching(/^(closed|connecting)$/) },
      { url: expect.stringMatching(/^broadcast:/), status: 'open' },
    ]);
    const list = both.getByRole('list', { name: 'Relays' });
    await expect(list.getByRole('listitem')).toHaveCount(3);
    await expect(list.getByRole('listitem').filter({ hasText: new URL(ownRelay).host })).toContainText('connected');
    await expect(list.getByRole('listitem').filter({ hasText: new URL(deadRelay).host })).toContainText(/offline|connecting/);
    await expect(both.getByText('relay connected')).toBeVisible();

    // Relays change at run time, and bad input is refused with a clear error.
    expect(await both.evaluate((url) => window.tabmesh.removeRelay(url), deadRelay)).toBe(true);
    await expect(list.getByRole('listitem')).toHaveCount(2);
    const refused = await both.evaluate(() => window.tabmesh.addRelay('http://example.invalid/signal').then(() => 'added', (error: Error) => error.message));
    expect(refused).toContain('is not a ws:// or wss:// URL');
    expect(await both.evaluate((url) => window.tabmesh.addRelay(url), ownRelay), 'already joined').toBe(false);
    expect(await both.evaluate((url) => window.tabmesh.addRelay(url), deadRelay)).toBe(true);
    await expect(list.getByRole('listitem')).toHaveCount(3);
    expect((await peersOf(both)).length, 'the link stays up throughout').toBe(1);
  } finally {
    await first.close();
    await second.close();
  }
});

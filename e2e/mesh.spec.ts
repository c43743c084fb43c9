/**
 * Tabs of one network find each other through the relay and link over WebRTC,
 * across browser contexts as well as within one.
 */
import { expect, test } from '@playwright/test';
import { idOf, openTab, peerRow, peersOf, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

test('four tabs in two browser contexts join one network and link', async ({ browser }) => {
  const network = uniqueNetwork();
  const first = await browser.newContext();
  const second = await browser.newContext();
  try {
    const pages = [
      await openTab(first, network),
      await openTab(first, network),
      await openTab(first, network),
      await openTab(second, network),
    ];
    const ids = await Promise.all(pages.map(idOf));
    expect(new Set(ids).size, 'every tab has its own identity').toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{64}$/);

    // ?links defaults to 8, so four tabs link fully: each sees the other three.
    await waitFullMesh(pages);
    for (const page of pages) {
      const peers = await peersOf(page);
      expect(peers.length).toBeGreaterThanOrEqual(1);
      const table = page.getByRole('table', { name: 'Peers', exact: true });
      await expect(table.getByRole('row')).toHaveCount(peers.length + 1); // plus the header row
      for (const peer of peers) await expect(peerRow(page, peer)).toContainText('open');
    }
    // The tab in the second context is linked with tabs of the first one.
    expect(await peersOf(pages[3]!)).toEqual(expect.arrayContaining(ids.slice(0, 3)));
  } finally {
    await first.close();
    await second.close();
  }
});

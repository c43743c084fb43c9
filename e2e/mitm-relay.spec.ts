/**
 * The relay is trusted for introductions only: a relay that rewrites the SDP
 * inside a signed signal (to put its own DTLS certificate between two tabs)
 * breaks the sender's signature, and the receiving tab refuses the link.
 */
import { expect, test, type Page } from '@playwright/test';
import { startMitmRelay, type MitmRelay } from './harness/mitm-relay.ts';
import { openTab, peersOf, statsOf, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

/** How long two tabs behind a rewriting relay are watched for a link that must never open. */
const NEVER_LINK_WATCH_MS = 8_000;

let mitm: MitmRelay | undefined;
test.afterEach(async () => {
  await mitm?.close();
  mitm = undefined;
});

const upstreamOf = (baseURL: string | undefined) => `${(baseURL ?? '').replace(/^http/, 'ws')}/signal`;

/** Checks every 250 ms for `durationMs` that neither tab has a link; fails at the first one. */
async function expectNoLinkFor(pages: Page[], durationMs: number): Promise<void> {
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    for (const [index, page] of pages.entries()) expect(await peersOf(page), `tab ${index} must not link through a rewriting relay`).toEqual([]);
    await pages[0]!.waitForTimeout(250);
  }
}

test('a relay that rewrites SDP fingerprints gets its signals refused and no link opens', async ({ context, baseURL }) => {
  mitm = await startMitmRelay({ upstreamUrl: upstreamOf(baseURL), rewrite: true });
  const network = uniqueNetwork();
  const pages = [await openTab(context, network, { relay: mitm.url }), await openTab(context, network, { relay: mitm.url })];

  // Both tabs dial (the newcomer at once, the member on its mesh tick); each refuses the other's forged offer.
  for (const [index, page] of pages.entries()) {
    await expect.poll(async () => (await statsOf(page)).signalsRejected, { message: `tab ${index} refuses a rewritten signal` }).toBeGreaterThanOrEqual(1);
    const log = page.getByRole('list', { name: 'Event log' });
    await expect(log).toContainText('refused a signal');
    await expect(log).toContainText('signature does not verify');
  }
  expect(mitm.signalsRewritten()).toBeGreaterThanOrEqual(2);

  await expectNoLinkFor(pages, NEVER_LINK_WATCH_MS);
  for (const page of pages) expect((await statsOf(page)).linksOpened).toBe(0);
  expect(mitm.failures()).toEqual([]);
});

test('control: the same proxy passing signals through unchanged lets the tabs link', async ({ context, baseURL }) => {
  mitm = await startMitmRelay({ upstreamUrl: upstreamOf(baseURL), rewrite: false });
  const network = uniqueNetwork();
  const pages = [await openTab(context, network, { relay: mitm.url }), await openTab(context, network, { relay: mitm.url })];

  await waitFullMesh(pages);
  expect(mitm.signalsForwarded(), 'the signals did cross the proxy').toBeGreaterThanOrEqual(2);
  expect(mitm.signalsRewritten()).toBe(0);
  for (const page of pages) expect((await statsOf(page)).signalsRejected).toBe(0);
  expect(mitm.failures()).toEqual([]);
});

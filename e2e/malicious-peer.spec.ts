/**
 * A peer that breaks the protocol is dropped and held off by every honest
 * tab it reaches, and the honest mesh keeps working. The misbehaving peer is
 * a Node process speaking the real protocol (harness/malicious-peer.ts).
 */
import { expect, test, type Page } from '@playwright/test';
import { startMaliciousPeer, type MaliciousPeer } from './harness/malicious-peer.ts';
import { fundTab, idOf, openTab, peersOf, statsOf, txRow, txStatusOf, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

const relayUrlOf = (baseURL: string | undefined) => `${(baseURL ?? '').replace(/^http/, 'ws')}/signal`;

let malicious: MaliciousPeer | undefined;
test.afterEach(async ({}, testInfo) => {
  if (malicious && testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('malicious-peer.log', { body: malicious.logLines().join('\n'), contentType: 'text/plain' });
  }
  malicious?.close();
  malicious = undefined;
});

async function waitMaliciousLinked(peer: MaliciousPeer, pages: Page[]): Promise<string[]> {
  const ids = await Promise.all(pages.map(idOf));
  await expect.poll(() => peer.linkedPeers().sort(), { timeout: 30_000, message: 'the malicious peer links with every honest tab' }).toEqual([...ids].sort());
  for (const page of pages) await expect.poll(() => peersOf(page)).toContain(peer.id);
  return ids;
}

test('a tampered transaction is dropped by every honest tab, its sender banned, and the mesh still works', async ({ context, baseURL }) => {
  const network = uniqueNetwork();
  const honest = [await openTab(context, network), await openTab(context, network), await openTab(context, network)];
  await waitFullMesh(honest);
  await fundTab(honest[0]!, honest); // coins for the valid transfer at the end
  malicious = await startMaliciousPeer({ relayUrl: relayUrlOf(baseURL), network });
  const ids = await waitMaliciousLinked(malicious, honest);
  const before = await Promise.all(honest.map(statsOf));
  for (const stats of before) expect(stats.invalidDropped).toBe(0);

  const tampered = [];
  for (const id of ids) tampered.push(await malicious.sendTamperedTx(id));

  for (const [index, page] of honest.entries()) {
    await expect.poll(async () => (await statsOf(page)).invalidDropped, { message: `tab ${index} counts the invalid tx` }).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await statsOf(page)).peersBanned, { message: `tab ${index} bans the sender` }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => peersOf(page), { message: `tab ${index} drops the link` }).not.toContain(malicious.id);
    const stats = await statsOf(page);
    expect(stats.txAccepted - before[index]!.txAccepted, 'no tampered tx was accepted').toBe(0);
    for (const sent of tampered) {
      expect(await txStatusOf(page, sent.id)).toBe('unknown');
      expect(await txStatusOf(page, sent.originalId)).toBe('unknown');
    }
  }
  await expect.poll(() => malicious!.linkedPeers(), { message: 'every honest tab disconnected the malicious peer' }).toEqual([]);

  // The honest tabs still link to each other and still carry a valid transaction.
  await waitFullMesh(honest);
  const valid = await honest[0]!.evaluate((to) => window.tabmesh.send(to, 3, 1), ids[1]!);
  for (const page of honest) {
    await expect.poll(() => txStatusOf(page, valid)).toBe('pending');
    await expect(txRow(page, valid)).toBeVisible();
  }
  // The banned peer stays out: no tab relinks with it.
  for (const page of honest) expect(await peersOf(page)).not.toContain(malicious.id);
});

test('an oversized frame gets its sender disconnected and banned by the tab that received it', async ({ context, baseURL }) => {
  const network = uniqueNetwork();
  const honest = [await openTab(context, network), await openTab(context, network)];
  await waitFullMesh(honest);
  malicious = await startMaliciousPeer({ relayUrl: relayUrlOf(baseURL), network });
  const [target] = await waitMaliciousLinked(malicious, honest);

  expect(malicious.sendOversized(target!)).toBeGreaterThan(16 * 1024);

  await expect.poll(async () => (await statsOf(honest[0]!)).framesRejected).toBeGreaterThanOrEqual(1);
  await expect.poll(async () => (await statsOf(honest[0]!)).peersBanned).toBe(1);
  await expect.poll(() => peersOf(honest[0]!)).not.toContain(malicious.id);
  await expect(honest[0]!.getByRole('list', { name: 'Event log' })).toContainText('peer misbehaved');
  // The other tab received nothing bad: it keeps its link.
  expect(await peersOf(honest[1]!)).toContain(malicious.id);
  expect((await statsOf(honest[1]!)).peersBanned).toBe(0);
});

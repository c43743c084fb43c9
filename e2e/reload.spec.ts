/**
 * A reloaded tab is the same peer: its identity pointer lives in
 * sessionStorage and its transactions in its IndexedDB ledger.
 */
import { expect, test } from '@playwright/test';
import { balanceOf, fundTab, idOf, openTab, tipOf, txRow, txStatusOf, uniqueNetwork, waitFullMesh, waitReady } from './harness/tabs.ts';

test('reloading a tab keeps its id and its transactions', async ({ context }) => {
  const network = uniqueNetwork();
  const pages = [await openTab(context, network), await openTab(context, network)];
  const [senderId, receiverId] = await waitFullMesh(pages);
  const [sender, receiver] = pages as [typeof pages[0], typeof pages[0]];
  await fundTab(sender, pages);

  const sent = await sender.evaluate((to) => window.tabmesh.send(to, 4, 1), receiverId!);
  await expect.poll(() => txStatusOf(receiver, sent)).toBe('pending');
  const tip = await tipOf(sender);
  const senderBalance = await balanceOf(sender);

  for (const [page, id] of [[receiver, receiverId!], [sender, senderId!]] as const) {
    await page.reload();
    await waitReady(page);
    expect(await idOf(page), 'the reloaded tab keeps its identity').toBe(id);
    expect(await tipOf(page), 'the reloaded tab keeps its chain').toEqual(tip);
    expect(await page.evaluate((account) => window.tabmesh.balance(account), senderId!)).toBe(senderBalance);
    expect(await txStatusOf(page, sent), 'the reloaded tab still knows the tx').toBe('pending');
    await expect(txRow(page, sent)).toBeVisible();
    expect((await page.evaluate(() => window.tabmesh.stats())).identityClashes).toBe(0);
  }

  // The reloaded tabs link again, and the sender's next nonce survived: a new tx is accepted.
  await waitFullMesh(pages);
  const next = await sender.evaluate((to) => window.tabmesh.send(to, 5, 1), receiverId!);
  expect(next).not.toBe(sent);
  await expect.poll(() => txStatusOf(receiver, next)).toBe('pending');
});

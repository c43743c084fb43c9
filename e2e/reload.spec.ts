/**
 * A reloaded tab is the same peer: its identity pointer lives in
 * sessionStorage and its transactions in its IndexedDB ledger; its pending
 * ones go back into its mempool.
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
  // Transactions are written to IndexedDB behind, within 100 ms (src/app/tx-history-writer.ts): the reload
  // below must find the receiver's record stored, not race the write (1 run in 4 did).
  await receiver.waitForTimeout(300);
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

  // The reloaded tabs link again. The sender's pending transaction went back into its mempool, so its
  // next send takes the next nonce: one block confirms both (with a reused nonce, one would be refused).
  await waitFullMesh(pages);
  const next = await sender.evaluate((to) => window.tabmesh.send(to, 5, 1), receiverId!);
  expect(next).not.toBe(sent);
  await expect.poll(() => txStatusOf(receiver, next)).toBe('pending');
  await sender.evaluate(() => window.tabmesh.mine(1));
  for (const id of [sent, next]) await expect.poll(() => txStatusOf(receiver, id), { message: 'one block confirms both' }).toBe('confirmed');
});

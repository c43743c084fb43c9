/**
 * A transaction made in one tab reaches every other tab of the network, is
 * accepted there once, and is listed in each tab's Transactions table.
 */
import { expect, test, type Page } from '@playwright/test';
import { fundTab, idOf, openTab, statsOf, type TabStats, tipOf, txCell, txRow, txStatusOf, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

async function expectEverywhere(pages: Page[], txId: string, amount: number): Promise<void> {
  for (const [index, page] of pages.entries()) {
    await expect.poll(() => txStatusOf(page, txId), { message: `tab ${index} knows the tx` }).toBe('pending');
    const row = txRow(page, txId);
    await expect(row).toBeVisible();
    await expect(row).toContainText('pending');
    await expect(await txCell(page, txId, 'Amount')).toHaveText(String(amount));
  }
}

async function expectAcceptedOnceBy(pages: Page[], before: TabStats[]): Promise<void> {
  for (const [index, page] of pages.entries()) {
    await expect.poll(async () => (await statsOf(page)).txAccepted, { message: `tab ${index} accepted exactly one tx` }).toBe(before[index]!.txAccepted + 1);
  }
}

test('a transaction sent with the Send form reaches every tab', async ({ browser }) => {
  const network = uniqueNetwork();
  const first = await browser.newContext();
  const second = await browser.newContext();
  try {
    const pages = [await openTab(first, network), await openTab(first, network), await openTab(second, network)];
    const [, recipient] = await waitFullMesh(pages);
    const [sender, ...others] = pages as [Page, ...Page[]];
    await fundTab(sender, pages);
    const before = await Promise.all(others.map(statsOf));
    const senderBefore = await statsOf(sender);

    const form = sender.getByRole('form', { name: 'Send' });
    await form.getByLabel('Recipient').fill(recipient!);
    await form.getByLabel('Amount').fill('7');
    await form.getByLabel('Fee').fill('2');
    await form.getByRole('button', { name: 'Send' }).click();
    const outcome = form.getByRole('alert');
    await expect(outcome).toContainText('Sent');
    const txId = await outcome.getByTitle(/^[0-9a-f]{64}$/).getAttribute('title');
    expect(txId).toMatch(/^[0-9a-f]{64}$/);

    await expectEverywhere(pages, txId!, 7);
    await expect(await txCell(others[0]!, txId!, 'Fee')).toHaveText('2');
    await expectAcceptedOnceBy(others, before);
    const senderAfter = await statsOf(sender);
    expect(senderAfter.txSent).toBe(senderBefore.txSent + 1);
    expect(senderAfter.txAccepted, 'the sender does not accept its own tx back from peers').toBe(senderBefore.txAccepted);
  } finally {
    await first.close();
    await second.close();
  }
});

test('transactions sent with tabmesh.send reach every tab, and one mined block confirms them everywhere', async ({ context }) => {
  const network = uniqueNetwork();
  const pages = [await openTab(context, network), await openTab(context, network), await openTab(context, network)];
  const ids = await waitFullMesh(pages);
  for (const page of pages) await fundTab(page, pages);
  const sent: string[] = [];

  for (const [from, page] of pages.entries()) {
    const others = pages.filter((_, index) => index !== from);
    const before = await Promise.all(others.map(statsOf));
    const to = ids[(from + 1) % ids.length]!;
    const amount = 10 + from;
    const txId = await page.evaluate(([recipient, value]) => window.tabmesh.send(recipient, value, 1), [to, amount] as const);
    expect(txId).toMatch(/^[0-9a-f]{64}$/);
    await expectEverywhere(pages, txId, amount);
    await expectAcceptedOnceBy(others, before);
    sent.push(txId);
  }

  // One block confirms all three in every tab, and every tab agrees on every balance.
  const [blockHash] = await pages[0]!.evaluate(() => window.tabmesh.mine(1));
  for (const [index, page] of pages.entries()) {
    await expect.poll(async () => (await tipOf(page)).hash, { message: `tab ${index} has the confirming block` }).toBe(blockHash);
    const height = (await tipOf(page)).height;
    for (const txId of sent) expect(await page.evaluate((id) => window.tabmesh.tx(id), txId)).toEqual({ status: 'confirmed', height, receivedAtMs: expect.any(Number) });
    // Each tab mined one 50,000 block; tab 0 also mined the last one (reward + 3 fees); tab i paid 10+i plus fee 1 to tab i+1.
    const balances = await page.evaluate((accounts) => accounts.map((account) => window.tabmesh.balance(account)), ids);
    expect(balances, `tab ${index}'s view of every balance`).toEqual([100_004, 49_998, 49_998]);
  }
  // IndexedDB's `txs` is the wallet's history: each tab stores the transfer it sent and the one it
  // received, not the one between the other two, which it still finds confirmed (txIndex).
  for (const [index, page] of pages.entries()) {
    const stored = await page.evaluate(async () => {
      const request = indexedDB.open(`tabmesh:${window.tabmesh.network}:${window.tabmesh.id}`);
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
        const reading = db.transaction('txs').objectStore('txs').getAllKeys();
        reading.onsuccess = () => resolve(reading.result);
        reading.onerror = () => reject(reading.error);
      });
      db.close();
      return keys.map(String);
    });
    expect(stored.sort(), `tab ${index}'s history`).toEqual([sent[index]!, sent[(index + 2) % 3]!].sort());
    const others = sent[(index + 1) % 3]!;
    expect(await page.evaluate((id) => window.tabmesh.findTx(id), others)).toMatchObject({ status: 'confirmed' });
  }
  // A bad send is a clear rejection, not a silent no-op.
  const error = await pages[0]!.evaluate(() => window.tabmesh.send('not-a-peer', 1).then(() => 'sent', (rejection: Error) => rejection.message));
  expect(error).toMatch(/to must be/);
  expect(await idOf(pages[0]!)).toBe(ids[0]);
});

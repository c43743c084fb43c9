/**
 * The ledger seen from the tabs (issue 3, "e2e"): blocks mined in one tab
 * reach every tab, which all agree on the tip and on every balance, and the
 * page shows the same; the Mining switch starts and stops continuous mining;
 * a reloaded tab restores its chain from IndexedDB; and a send the ledger
 * would refuse is refused in the API and in the Send form.
 */
import { createServer } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import {
  balanceOf, balanceOutput, blockRow, expectSameLedger, expectTipShown, gotoTab, idOf, openTab, statsOf, tipGroup, tipOf, txStatusOf,
  uniqueNetwork, waitFullMesh,
} from './harness/tabs.ts';

/** TEST_PARAMS.blockReward (src/core/ledger/params.ts). */
const REWARD = 50_000;

/** A ws:// URL on a port nothing listens on: a tab pointed at it can never reach a relay, so it can never link. */
async function closedRelayUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return `ws://127.0.0.1:${address.port}/signal`;
}

/** Opens `count` tabs on a fresh test network and waits until they link fully. */
async function openMesh(context: Parameters<typeof openTab>[0], count: number): Promise<{ network: string; pages: Page[]; ids: string[] }> {
  const network = uniqueNetwork();
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) pages.push(await openTab(context, network));
  const ids = await waitFullMesh(pages);
  return { network, pages, ids };
}

test('blocks mined in one tab give every tab the same tip and balances, and every page shows them', async ({ context }) => {
  const { pages, ids } = await openMesh(context, 3);
  const [miner, receiver] = pages as [Page, Page, Page];

  const [first] = await miner.evaluate(() => window.tabmesh.mine(1));
  await expectSameLedger(pages, first!, ids);
  const sent = await miner.evaluate((to) => window.tabmesh.send(to, 1_234, 5), ids[1]!);
  for (const page of pages) await expect.poll(() => txStatusOf(page, sent)).toBe('pending');
  const [second, third] = await miner.evaluate(() => window.tabmesh.mine(2));

  const view = await expectSameLedger(pages, third!, ids);
  expect(view.tip.height, 'three blocks above genesis').toBe(3);
  // Three rewards, one fee back to the miner; the receiver got exactly the amount; tab 2 neither mined nor received.
  expect(view.balances).toEqual([3 * REWARD - 1_234, 1_234, 0]);
  expect(view.balances.reduce((sum, balance) => sum + balance, 0), 'coins exist only as block rewards').toBe(3 * REWARD);

  for (const [index, page] of pages.entries()) {
    expect(await page.evaluate((id) => window.tabmesh.tx(id), sent), `tab ${index}: the transfer is confirmed in the second block`).toEqual({ status: 'confirmed', height: 2, receivedAtMs: expect.any(Number) });
    await expectTipShown(page, view.tip);
    const own = await balanceOf(page);
    expect(own, `tab ${index}: balance() is its own account's`).toBe(view.balances[index]);
    await expect(balanceOutput(page), `tab ${index} shows its balance`).toHaveText(String(own));
    for (const [height, hash] of [first!, second!, third!].entries()) {
      const row = blockRow(page, hash);
      await expect(row, `tab ${index} lists block ${height + 1}`).toHaveCount(1);
      await expect(row.getByRole('cell').first()).toHaveText(String(height + 1));
    }
  }
  // The receiver shows the transfer's amount, which only a confirmed block gave it.
  await expect(balanceOutput(receiver)).toHaveText('1234');
});

test('the Mining switch mines continuously in the background until it is switched off', async ({ context }) => {
  const { pages } = await openMesh(context, 3);
  const [miner] = pages as [Page, ...Page[]];
  const toggle = miner.getByRole('switch', { name: 'Mining' });
  await expect(toggle, 'mining is off by default').toHaveAttribute('aria-checked', 'false');
  const start = (await tipOf(miner)).height;
  // Off by default: nothing is mined while we look.
  await miner.waitForTimeout(500);
  expect((await tipOf(miner)).height).toBe(start);

  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  for (const [index, page] of pages.entries()) {
    await expect.poll(async () => (await tipOf(page)).height, { message: `tab ${index} receives continuously mined blocks` }).toBeGreaterThanOrEqual(start + 3);
  }
  await expect(tipGroup(pages[2]!)).not.toHaveAttribute('data-tip-height', String(start));

  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  // A block found as the switch flipped may still be on its way: wait until every tab holds one tip.
  await expect.poll(async () => new Set((await Promise.all(pages.map(tipOf))).map((tip) => tip.hash)).size, { message: 'the tabs settle on one tip' }).toBe(1);
  const stopped = await tipOf(miner);
  // Bounded wait by design: with mining off the tip must not move at all, in any tab.
  await miner.waitForTimeout(2_500);
  for (const [index, page] of pages.entries()) {
    expect(await tipOf(page), `tab ${index}'s tip stays put with mining off`).toEqual(stopped);
    await expectTipShown(page, stopped);
  }
  // Every block above the start is this tab's: the Mining panel counts them all.
  await expect(miner.getByRole('region', { name: 'Mining' }).locator('[data-blocks-found]')).toHaveAttribute('data-blocks-found', String(stopped.height - start));
});

test('a reloaded tab restores its chain and balances from IndexedDB, before any link exists', async ({ context }) => {
  const { network, pages, ids } = await openMesh(context, 2);
  const [miner, reloaded] = pages as [Page, Page];
  await miner.evaluate(() => window.tabmesh.mine(1));
  await miner.evaluate((to) => window.tabmesh.send(to, 777, 3), ids[1]!);
  const [, last] = await miner.evaluate(() => window.tabmesh.mine(2));
  // The reloaded tab got its chain from the network, so everything it restores it must have stored itself.
  const before = await expectSameLedger(pages, last!, ids);
  expect(before.balances).toEqual([3 * REWARD - 777, 777]);

  // Same tab, same network and identity, but a relay that cannot be reached and no other tab of this browser
  // to signal through (the same-browser channel would link them at once): whatever it has, it had on disk.
  await miner.close();
  await gotoTab(reloaded, network, { relay: await closedRelayUrl() });
  const after = await reloaded.evaluate(async (accounts) => {
    await window.tabmesh.ready();
    // Read synchronously with ready(): no link could have delivered anything in between.
    return { peers: window.tabmesh.peers().length, id: window.tabmesh.id, tip: window.tabmesh.tip(), balances: accounts.map((id) => window.tabmesh.balance(id)) };
  }, ids);
  expect(after.id, 'the reload keeps the identity').toBe(ids[1]);
  expect(after.peers, 'no link exists').toBe(0);
  expect({ tip: after.tip, balances: after.balances }, 'tip and balances are those before the reload').toEqual(before);
  const stats = await statsOf(reloaded);
  expect(stats.linksOpened, 'the tab never linked, so nothing was downloaded').toBe(0);
  expect(stats.blocksAccepted, 'no block was received since the reload').toBe(0);
  await expectTipShown(reloaded, before.tip);
  await expect(balanceOutput(reloaded)).toHaveText('777');
  await expect(blockRow(reloaded, last!)).toHaveCount(1);
  await expect(reloaded.getByRole('table', { name: 'Blocks', exact: true }).getByRole('row')).toHaveCount(1 + 3);
});

test('a send the balance cannot cover is refused by tabmesh.send and by the Send form', async ({ context }) => {
  const { pages, ids } = await openMesh(context, 2);
  const [sender, other] = pages as [Page, Page];
  const empty = await other.evaluate((to) => window.tabmesh.send(to, 1, 1).then(() => 'sent', (error: Error) => error.message), ids[0]!);
  expect(empty, 'an account with no coins cannot send').toMatch(/insufficient funds.*only 0 is available/);

  const [hash] = await sender.evaluate(() => window.tabmesh.mine(1));
  await expectSameLedger(pages, hash!, ids);
  const txSentBefore = (await statsOf(sender)).txSent;
  const tooMuch = await sender.evaluate((to) => window.tabmesh.send(to, 50_000, 1).then(() => 'sent', (error: Error) => `${error.name}: ${error.message}`), ids[1]!);
  expect(tooMuch).toMatch(/insufficient funds: amount plus fee is 50001, but only 50000 is available/);
  expect((await statsOf(sender)).txSent, 'nothing was signed and sent').toBe(txSentBefore);
  expect((await statsOf(sender)).mempoolSize).toBe(0);

  const form = sender.getByRole('form', { name: 'Send' });
  const amount = form.getByLabel('Amount');
  await form.getByLabel('Recipient').fill(ids[1]!);
  await amount.fill('50000');
  await form.getByLabel('Fee').fill('1');
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(amount).toHaveAttribute('aria-invalid', 'true');
  await expect(amount, 'the error is tied to the Amount field').toHaveAccessibleDescription(/Amount plus fee exceeds your balance of 50000/);
  await expect(form.locator('.field-amount')).toContainText('Amount plus fee exceeds your balance of 50000');
  await expect(form.getByText(/Sent|Not sent/), 'the form did not submit').toHaveCount(0);
  expect((await statsOf(sender)).txSent, 'the form sent nothing').toBe(txSentBefore);

  // One coin less fits: the error goes, and the same form sends.
  await amount.fill('49999');
  await expect(amount).not.toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(form.getByRole('alert')).toContainText('Sent');
  expect((await statsOf(sender)).txSent).toBe(txSentBefore + 1);
  expect(await idOf(sender)).toBe(ids[0]);
});

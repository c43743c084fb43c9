/**
 * Addresses with a checksum, and fee bump and cancel (issue 22, parts 3 and
 * 4): a mistyped tm1 address is refused by the Send form and by
 * tabmesh.send before anything is signed; a pending transfer bumped, then
 * cancelled, is replaced in the other tab's mempool too, and only the last
 * replacement is ever confirmed.
 */
import { expect, test, type Page } from '@playwright/test';
import { BURN_ACCOUNT, encodeAddress } from '../src/core/address.ts';
import { fundTab, openTab, statsOf, txStatusOf, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

const shortId = (id: string) => `${id.slice(0, 8)}…`;
const addressOf = (page: Page): Promise<string> => page.evaluate(() => window.tabmesh.address);

/** `address` with the character at `index` changed to another of the bech32 set. */
function typo(address: string, index: number): string {
  return `${address.slice(0, index)}${address[index] === 'q' ? 'p' : 'q'}${address.slice(index + 1)}`;
}

test('a mistyped address is refused by the Send form and by tabmesh.send, before anything is signed', async ({ context }) => {
  const network = uniqueNetwork();
  const pages = [await openTab(context, network), await openTab(context, network)];
  const [, recipientId] = await waitFullMesh(pages);
  const [sender, recipient] = pages as [Page, Page];
  await fundTab(sender, pages);
  const address = await addressOf(recipient);
  expect(address).toMatch(/^tm1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/);

  // Each tab shows its own address in the tm1 form, and it names its hex id.
  const shown = recipient.getByRole('region', { name: 'Wallet' }).locator('.address-value');
  await expect(shown).toHaveText(address);
  await expect(shown).toHaveAttribute('data-account-id', recipientId!);
  expect(await sender.evaluate((to) => window.tabmesh.balance(to), address)).toBe(0);

  const form = sender.getByRole('form', { name: 'Send' });
  await expect(form.getByText(/^Confirming now: the minimum, 1, confirms in the next block/)).toBeVisible();
  const before = (await statsOf(sender)).txSent;
  await form.getByLabel('Recipient').fill(typo(address, 30));
  await form.getByLabel('Amount').fill('7');
  await form.getByLabel('Fee').fill('0');
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(form.getByText('This address has a typo: its checksum does not match. Check each character.')).toBeVisible();
  await expect(form.getByText('Fee must be at least 1.')).toBeVisible();
  await expect(form.getByLabel('Recipient')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText(/^Sent /)).toHaveCount(0);

  // A swap of two neighbours is caught the same way; through the API the refusal names the checksum.
  // The first differing pair from position 10: the address comes from a fresh random key, so
  // positions 10 and 11 can hold the same character, and swapping those would change nothing.
  let at = 10;
  while (address[at] === address[at + 1]) at++;
  const swapped = `${address.slice(0, at)}${address[at + 1]}${address[at]}${address.slice(at + 2)}`;
  expect(swapped).not.toBe(address);
  for (const wrong of [typo(address, 40), swapped]) {
    const error = await sender.evaluate((to) => window.tabmesh.send(to, 7, 1).then(() => 'sent', (failure: Error) => failure.message), wrong);
    expect(error).toMatch(/^to must be a tm1… address or 64 hex characters: the checksum does not match/);
  }
  expect((await statsOf(sender)).txSent, 'nothing was signed or sent').toBe(before);

  // The right address (and the ledger's minimum fee) goes through, and reaches the recipient.
  await form.getByLabel('Recipient').fill(address);
  await form.getByLabel('Fee').fill('1');
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(form.getByRole('alert')).toContainText('Sent');
  const txId = await form.getByRole('alert').getByTitle(/^[0-9a-f]{64}$/).getAttribute('title');
  await expect.poll(() => txStatusOf(recipient, txId!)).toBe('pending');
});

test('bump and cancel replace a pending transfer in both tabs; only the cancel is ever confirmed', async ({ browser }) => {
  const network = uniqueNetwork();
  // Two browser contexts: the replacement must travel over the mesh, not through shared storage.
  const contexts = [await browser.newContext(), await browser.newContext()];
  try {
    const pages = [await openTab(contexts[0]!, network), await openTab(contexts[1]!, network)];
    await waitFullMesh(pages);
    const [sender, recipient] = pages as [Page, Page];
    await fundTab(sender, pages);
    // The transfer goes to an account no tab holds, so its balance says whether it was ever paid.
    const payee = 'ab'.repeat(32);
    const address = encodeAddress(payee);

    const original = await sender.evaluate((to) => window.tabmesh.send(to, 10, 1), address);
    await expect.poll(() => txStatusOf(recipient, original)).toBe('pending');

    // Bump through the wallet's history: the same transfer at fee 3 replaces it in both tabs.
    const history = sender.getByRole('list', { name: 'Your history' });
    await history.getByRole('button', { name: `Bump fee of ${shortId(original)}` }).click();
    const bumpForm = history.getByRole('form', { name: `Bump fee of ${shortId(original)}` });
    await bumpForm.getByLabel('New fee').fill('1');
    await bumpForm.getByRole('button', { name: 'Bump' }).click();
    await expect(history.getByRole('alert')).toContainText('Not replaced: the new fee must be a whole number of at least 2');
    await bumpForm.getByLabel('New fee').fill('3');
    await bumpForm.getByRole('button', { name: 'Bump' }).click();
    const pendingItem = history.locator('li[data-history-status="pending"]');
    const item = (id: string) => history.locator(`li[data-tx-id="${id}"]`);
    await expect(item(original)).toHaveAttribute('data-history-status', 'dropped');
    await expect(pendingItem).toHaveCount(1);
    const bumped = (await pendingItem.getAttribute('data-tx-id'))!;
    expect(bumped).toMatch(/^[0-9a-f]{64}$/);
    for (const page of pages) {
      await expect.poll(() => txStatusOf(page, bumped)).toBe('pending');
      await expect.poll(() => txStatusOf(page, original), { message: 'the replaced transfer left every mempool' }).toBe('unknown');
    }

    // Refusals name their reason: too low a fee (with the minimum), and someone else's transaction.
    expect(await sender.evaluate((id) => window.tabmesh.bump(id, 3).then(() => 'replaced', (failure: Error) => failure.message), bumped)).toMatch(/needs a fee of at least 4/);
    expect(await recipient.evaluate((id) => window.tabmesh.cancel(id).then(() => 'replaced', (failure: Error) => failure.message), bumped)).toMatch(/sent by another account/);

    // Cancel through the history too: a burn of 1 at fee 4 takes the nonce, in both tabs.
    await history.getByRole('button', { name: `Cancel ${shortId(bumped)}` }).click();
    await history.getByRole('group', { name: `Cancel ${shortId(bumped)}` }).getByRole('button', { name: 'Cancel transfer' }).click();
    await expect(item(bumped)).toHaveAttribute('data-history-status', 'dropped');
    await expect(pendingItem).toHaveCount(1);
    const cancelled = (await pendingItem.getAttribute('data-tx-id'))!;
    expect(cancelled).toMatch(/^[0-9a-f]{64}$/);
    for (const page of pages) {
      await expect.poll(() => txStatusOf(page, cancelled)).toBe('pending');
      await expect.poll(() => txStatusOf(page, bumped)).toBe('unknown');
    }
    await expect(item(cancelled)).toContainText('Cancelled a transfer (burned)');

    // The recipient's tab mines the next block from its own mempool: it holds only the cancel.
    const [hash] = await recipient.evaluate(() => window.tabmesh.mine(1));
    for (const page of pages) {
      await expect.poll(async () => (await page.evaluate(() => window.tabmesh.tip())).hash).toBe(hash);
      expect(await page.evaluate((id) => window.tabmesh.findTx(id), cancelled)).toMatchObject({ status: 'confirmed' });
      for (const replaced of [original, bumped]) expect(await page.evaluate((id) => window.tabmesh.findTx(id), replaced)).toEqual({ status: 'unknown' });
      expect(await page.evaluate((to) => window.tabmesh.balance(to), address), 'the payee never got the 10').toBe(0);
      expect(await page.evaluate((burn) => window.tabmesh.balance(burn), BURN_ACCOUNT), 'the cancel burned 1').toBe(1);
    }
    expect(await sender.evaluate((id) => window.tabmesh.cancel(id).then(() => 'replaced', (failure: Error) => failure.message), cancelled)).toMatch(/already confirmed/);
  } finally {
    for (const context of contexts) await context.close();
  }
});

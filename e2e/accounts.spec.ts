/**
 * Accounts outlive their tab (issue 22 §1-2; README, "Accounts and backup"):
 * a new tab opens the most recently used account no other tab holds, two
 * tabs never hold one account, and a backup exported in one browser imports
 * in another with the same id, balance and history. A wrong passphrase or an
 * altered file is refused and changes nothing.
 */
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { balanceOf, fundTab, idOf, openTab, tipOf, txStatusOf, uniqueNetwork, waitFullMesh, waitReady } from './harness/tabs.ts';

const PASSPHRASE = 'a long backup passphrase';

const accountsOf = (page: Page) => page.evaluate(() => window.tabmesh.accounts());
/** Whether any tab of `page`'s browser context holds `id`'s lock (tab-identity.ts). */
const held = (page: Page, id: string) => page.evaluate(async (account) => ((await navigator.locks.query()).held ?? []).some((lock) => lock.name?.endsWith(account)), id);
/** The switcher's panel in the header. */
async function openSwitcher(page: Page) {
  await page.getByRole('banner').locator('.account-switcher > summary').click();
  return page.locator('.account-menu');
}

test('a closed tab\'s account is opened by the next new tab, and two tabs never hold one account', async ({ context }) => {
  const network = uniqueNetwork();
  const first = await openTab(context, network);
  const firstId = await idOf(first);
  const second = await openTab(context, network);
  const secondId = await idOf(second);
  expect(secondId, 'an account held by an open tab is not opened again').not.toBe(firstId);

  const listed = await accountsOf(second);
  expect(listed.map((account) => [account.id, account.current, account.inUse]).sort()).toEqual([[firstId, false, true], [secondId, true, false]].sort());
  await expect(second.evaluate((id) => window.tabmesh.switchAccount(id), firstId)).rejects.toThrow(/another tab uses that account/);
  await expect(second.evaluate((id) => window.tabmesh.deleteAccount(id), firstId)).rejects.toThrow(/another tab uses that account/);
  await expect(second.evaluate((id) => window.tabmesh.deleteAccount(id), secondId)).rejects.toThrow(/this tab uses that account/);

  await first.close();
  await expect.poll(() => held(second, firstId), { message: 'the closed tab released its account' }).toBe(false);
  const third = await openTab(context, network);
  expect(await idOf(third), 'the new tab opens the closed tab\'s account').toBe(firstId);

  // Two new tabs at once: each takes a different account (a new one for the one that finds none free).
  await third.close();
  await expect.poll(() => held(second, firstId)).toBe(false);
  const [a, b] = await Promise.all([context.newPage(), context.newPage()]);
  await Promise.all([a.goto(`/?net=${network}`), b.goto(`/?net=${network}`)]);
  await Promise.all([waitReady(a), waitReady(b)]);
  const ids = [await idOf(a), await idOf(b), secondId];
  expect(new Set(ids).size, 'three open tabs, three accounts').toBe(3);
  expect(ids).toContain(firstId);

  // Created without switching; deleted (its database too) once no tab holds it.
  const created = await a.evaluate(() => window.tabmesh.createAccount('Spare'));
  expect((await accountsOf(a)).find((account) => account.id === created)?.label).toBe('Spare');
  await a.evaluate((id) => window.tabmesh.deleteAccount(id), created);
  expect((await accountsOf(a)).map((account) => account.id)).not.toContain(created);
  const databases = await a.evaluate(() => indexedDB.databases().then((list) => list.map((db) => db.name)));
  expect(databases).not.toContain(`tabmesh:${network}:${created}`);
});

test('a backup exported in one browser imports in another: same id, balance and history; a wrong passphrase or altered file changes nothing', async ({ browser }) => {
  test.setTimeout(120_000);
  const network = uniqueNetwork();
  const home = await browser.newContext({ acceptDownloads: true });
  const away = await browser.newContext();
  try {
    const [owner, friend] = [await openTab(home, network), await openTab(home, network)];
    const [ownerId, friendId] = await waitFullMesh([owner, friend]);
    await fundTab(owner, [owner, friend]);
    const sent = await owner.evaluate((to) => window.tabmesh.send(to, 7, 1), friendId!);
    await owner.evaluate(() => window.tabmesh.mine(1));
    await expect.poll(() => txStatusOf(friend, sent)).toBe('confirmed');
    const balance = await balanceOf(owner);
    const tip = await tipOf(owner);

    // Export through the header's switcher: the file is a download.
    const menu = await openSwitcher(owner);
    await menu.getByLabel('Backup passphrase').fill(PASSPHRASE);
    const [download] = await Promise.all([owner.waitForEvent('download'), menu.getByRole('button', { name: 'Export backup' }).click()]);
    const text = await readFile((await download.path())!, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ magic: 'tabmesh-account-backup', version: 1, id: ownerId, kdf: { iterations: 600_000 } });

    const stranger = await openTab(away, network);
    const strangerId = await idOf(stranger);
    const before = await accountsOf(stranger);
    // Wrong passphrase, in the form: a clear error, and nothing changes.
    const awayMenu = await openSwitcher(stranger);
    const importForm = awayMenu.getByRole('form', { name: 'Import backup' });
    await importForm.getByLabel('Backup file').setInputFiles({ name: 'backup.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await importForm.getByLabel('Passphrase').fill('not the passphrase');
    await importForm.getByRole('button', { name: 'Import backup' }).click();
    await expect(awayMenu.getByRole('alert')).toContainText('wrong passphrase, or the file was altered');
    // An altered file (the label changed, one ciphertext byte flipped) through the API.
    const relabelled = JSON.stringify({ ...JSON.parse(text), label: 'Mine now' });
    const parsed = JSON.parse(text) as { ciphertext: string };
    const flipped = JSON.stringify({ ...parsed, ciphertext: `${parsed.ciphertext.slice(0, -1)}${parsed.ciphertext.endsWith('0') ? '1' : '0'}` });
    for (const altered of [relabelled, flipped]) {
      const refused = await stranger.evaluate(([file, pass]) => window.tabmesh.importAccount(file, pass).then(() => 'imported', (error: Error & { reason?: string }) => error.reason), [altered, PASSPHRASE] as const);
      expect(refused).toBe('wrong-passphrase-or-tampered');
    }
    expect(await accountsOf(stranger), 'nothing was imported').toEqual(before);
    expect(await stranger.evaluate((id) => indexedDB.databases().then((list) => list.some((db) => db.name?.endsWith(id))), ownerId!)).toBe(false);

    // The right passphrase: the account is added, and the switch (a reload) opens it.
    await importForm.getByLabel('Passphrase').fill(PASSPHRASE);
    await importForm.getByRole('button', { name: 'Import backup' }).click();
    await expect(awayMenu.getByRole('status', { name: 'Account notice' })).toContainText(`Imported account ${ownerId!.slice(0, 8)}`);
    // The owner moves browsers: its old tab closes, so one id is never online twice.
    await owner.close();
    await Promise.all([stranger.waitForEvent('load'), awayMenu.locator(`li[data-account-id="${ownerId}"]`).getByRole('button', { name: 'Switch' }).click()]);
    await waitReady(stranger);
    expect(await idOf(stranger), 'same id').toBe(ownerId);
    expect((await stranger.evaluate(() => window.tabmesh.stats())).identityClashes).toBe(0);
    await waitFullMesh([stranger, friend]);
    await expect.poll(() => tipOf(stranger), { message: 'the imported account syncs the chain' }).toEqual(tip);
    expect(await balanceOf(stranger), 'same balance').toBe(balance);
    expect(await stranger.evaluate((id) => window.tabmesh.findTx(id).then((found) => found.status), sent)).toBe('confirmed');
    // The history is rebuilt from the chain: the transfer sent, and the blocks mined.
    const history = stranger.getByRole('list', { name: 'Your history' });
    await expect(history.locator('li.history-sent')).toHaveCount(1);
    await expect(history.locator('li.history-mined')).toHaveCount(2);
    // The first account of this browser is still here, and a second import changes nothing.
    expect((await accountsOf(stranger)).map((account) => account.id).sort()).toEqual([ownerId, strangerId].sort());
    expect(await stranger.evaluate(([file, pass]) => window.tabmesh.importAccount(file, pass), [text, PASSPHRASE] as const)).toBe(ownerId);
  } finally {
    await home.close();
    await away.close();
  }
});

test('the open switcher has no axe-core WCAG 2.1 AA or best-practice violations', async ({ context }) => {
  const page = await openTab(context, uniqueNetwork());
  await page.evaluate(() => window.tabmesh.createAccount('Second'));
  const menu = await openSwitcher(page);
  await expect(menu.getByRole('listitem')).toHaveCount(2);
  await menu.locator('li', { hasText: 'Second' }).getByRole('button', { name: 'Rename' }).click();
  const { violations } = await new AxeBuilder({ page }).include('.header').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
});

test('accounts from before the registry are adopted, and one whose key cannot be backed up can move its coins to a new account', async ({ context }) => {
  const network = uniqueNetwork();
  const old = await openTab(context, network);
  const oldId = await idOf(old);
  await old.evaluate(() => window.tabmesh.mine(2));
  const balance = await balanceOf(old);
  // Make it what an account from before backups and the registry was: a key with no sealed seed, and no registry entry.
  await old.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const store = db.transaction('meta', 'readwrite').objectStore('meta');
    await new Promise<void>((resolve, reject) => {
      const read = store.get('identity-key');
      read.onsuccess = () => {
        const { sealedSeed: _sealed, ...legacy } = read.result as { sealedSeed?: unknown };
        const write = store.put(legacy, 'identity-key');
        write.onsuccess = () => resolve();
        write.onerror = () => reject(write.error);
      };
      read.onerror = () => reject(read.error);
    });
    db.close();
    for (const key of Object.keys(localStorage)) if (key.startsWith('tabmesh:account:')) localStorage.removeItem(key);
  }, `tabmesh:${network}:${oldId}`);
  await old.close();

  const next = await openTab(context, network);
  expect(await idOf(next), 'the stranded account is adopted and opened').toBe(oldId);
  expect(await balanceOf(next)).toBe(balance);
  expect((await accountsOf(next))[0]).toMatchObject({ id: oldId, label: `Recovered ${oldId.slice(0, 8)}`, current: true });
  expect(await next.evaluate(() => window.tabmesh.canExportAccount())).toBe(false);
  await expect(next.evaluate(() => window.tabmesh.exportAccount('a long passphrase'))).rejects.toThrow(/made before backups existed/);

  const menu = await openSwitcher(next);
  await expect(menu.getByRole('note')).toContainText('cannot leave this browser');
  await menu.getByRole('button', { name: 'Move coins to a new account' }).click();
  await expect(menu.getByRole('status', { name: 'Account notice' })).toContainText('Sent this account\'s coins to new account');
  const fresh = (await accountsOf(next)).find((account) => account.id !== oldId)!;
  await next.evaluate(() => window.tabmesh.mine(1));
  expect(await next.evaluate((id) => window.tabmesh.balance(id), fresh.id), 'the whole balance less the minimum fee').toBe(balance - 1);
  expect(await next.evaluate((id) => window.tabmesh.canExportAccount(id), fresh.id)).toBe(true);
});

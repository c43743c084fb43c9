/**
 * Identity stamps in real tabs (docs/PROTOCOL.md, "Identity stamp"): on a
 * network with main's difficulty (a name not starting with `test`), a new tab
 * mints its stamp in the stamp worker, keeps it across a reload, and tabs
 * link, each checking the other's stamp in HELLO and the relay checking both
 * at join.
 */
import { expect, test, type Page } from '@playwright/test';
import { gotoTab, idOf, openTab, statsOf, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

const eventLog = (page: Page) => page.getByRole('list', { name: 'Event log' });

test('a tab mints its stamp once, in a worker, keeps it across a reload, and links with a stamped peer', async ({ context }) => {
  // Two mints at main's 20 bits (about 1 M hashes each, 1-5 s in a worker on this busy 2-core machine) and three page loads.
  test.setTimeout(120_000);
  const network = uniqueNetwork('stamp-e2e');
  const first = await openTab(context, network);
  await expect(eventLog(first)).toContainText('minted an identity stamp');
  await expect(eventLog(first)).toContainText('bits=20');
  const id = await idOf(first);

  await gotoTab(first, network);
  expect(await idOf(first), 'the reload keeps the identity').toBe(id);
  await expect(eventLog(first)).toContainText('signature verification runs in workers');
  await expect(eventLog(first), 'the stamp is read back, not minted again').not.toContainText('minted an identity stamp');

  const second = await openTab(context, network);
  await waitFullMesh([first, second]);
  for (const page of [first, second]) expect((await statsOf(page)).stampRejected, 'no stamp was refused').toBe(0);
});

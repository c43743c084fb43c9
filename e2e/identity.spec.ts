/**
 * Chrome's "Duplicate tab" copies sessionStorage, so the copy points at the
 * original's account. Two open tabs must never share one: the copy finds the
 * account's Web Lock held, counts a clash and, like any new tab, opens the
 * most recently used account no tab holds (a new one only if none is free).
 */
import { expect, test } from '@playwright/test';
import { gotoTab, idOf, openTab, statsOf, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

test('a duplicated tab detects the clash and opens the account no other tab holds', async ({ context }) => {
  const network = uniqueNetwork();
  const pointerKey = `tabmesh:identity:${network}`;
  const original = await openTab(context, network);
  const originalId = await idOf(original);
  const pointer = await original.evaluate((key) => sessionStorage.getItem(key), pointerKey);
  expect(pointer, 'the tab keeps its identity pointer in sessionStorage').toBe(originalId);

  // A tab that came and went leaves its account free.
  const spare = await openTab(context, network);
  const spareId = await idOf(spare);
  await spare.close();
  await expect.poll(() => original.evaluate(async (id) => ((await navigator.locks.query()).held ?? []).some((lock) => lock.name?.endsWith(id)), spareId)).toBe(false);

  // Simulate Duplicate Tab: the new tab starts with a copy of the original's sessionStorage.
  const duplicate = await context.newPage();
  await duplicate.addInitScript(([key, value]) => sessionStorage.setItem(key, value), [pointerKey, pointer!] as const);
  await gotoTab(duplicate, network);

  const duplicateId = await idOf(duplicate);
  expect(duplicateId).toMatch(/^[0-9a-f]{64}$/);
  expect(duplicateId, 'the duplicate takes the free account, not the original\'s').toBe(spareId);
  expect((await statsOf(duplicate)).identityClashes).toBe(1);
  expect((await statsOf(original)).identityClashes).toBe(0);
  expect(await idOf(original), 'the original keeps its identity').toBe(originalId);
  expect(await duplicate.evaluate((key) => sessionStorage.getItem(key), pointerKey), 'the duplicate now points at its own account').toBe(duplicateId);
  await expect(duplicate.getByRole('list', { name: 'Event log' })).toContainText('duplicated tab');

  // Two distinct peers: they link with each other.
  await waitFullMesh([original, duplicate]);
});

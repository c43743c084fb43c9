/**
 * A page everyone can use (issue 21, item 4): axe-core's WCAG 2.0/2.1 A and
 * AA rules and its best practices find 0 violations on a running tab, with
 * peers, blocks and transactions on screen, at desktop width and at 390 px.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { fundTab, openTab, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

async function violationsOf(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('the page has no axe-core WCAG 2.1 AA or best-practice violations, at desktop width and at 390 px', async ({ context }) => {
  const network = uniqueNetwork();
  const pages = [await openTab(context, network), await openTab(context, network)];
  const ids = await waitFullMesh(pages);
  await fundTab(pages[0]!, pages);
  const tx = await pages[0]!.evaluate((to) => window.tabmesh.send(to, 5, 1), ids[1]!);
  await expect.poll(() => pages[1]!.evaluate((id) => window.tabmesh.tx(id).status, tx)).toBe('pending');
  const page = pages[1]!;
  await page.setViewportSize({ width: 1280, height: 900 });
  expect(await violationsOf(page), 'violations at 1280 px').toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  // The event log scrolls once it has more lines than it shows (a phone, after a while): a short box makes it scroll now.
  await page.addStyleTag({ content: '.log-scroll { max-height: 3rem; }' });
  await expect.poll(() => page.locator('.log-scroll').evaluate((el) => el.scrollHeight > el.clientHeight), { message: 'the event log scrolls' }).toBe(true);
  expect(await violationsOf(page), 'violations at 390 px').toEqual([]);
});

/**
 * The transaction trace (issue 6 §2): a tab asks the network when each tab
 * first had a transaction; answers from tabs it is not linked to come back
 * through a neighbour, and the detail dialog draws them as a timeline. The
 * statistics panel's propagation chart fills from the page's sampled traces.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { fundTab, idOf, openTab, txStatusOf, uniqueNetwork, waitFullMesh } from './harness/tabs.ts';

const shortId = (id: string) => `${id.slice(0, 8)}…`;

/** Three fully linked tabs; the first is funded and sends one transaction to the second. Returns the pages, ids and tx id. */
async function networkWithOneTx(context: BrowserContext) {
  const network = uniqueNetwork();
  const pages = [await openTab(context, network), await openTab(context, network), await openTab(context, network)];
  const ids = await waitFullMesh(pages);
  await fundTab(pages[0]!, pages);
  const txId = await pages[0]!.evaluate((to) => window.tabmesh.send(to, 5, 1), ids[1]!);
  for (const [index, page] of pages.entries()) await expect.poll(() => txStatusOf(page, txId), { message: `tab ${index} has the tx` }).toBe('pending');
  return { network, pages: pages as [Page, Page, Page], ids, txId };
}

test('a trace reaches a tab that is not a neighbour through one that is, and the timeline shows who had it when', async ({ context }) => {
  const { pages, ids, txId } = await networkWithOneTx(context);
  const requester = pages[2];

  // Open the transaction's details in the requesting tab, as a person would.
  await requester.getByRole('table', { name: 'Transactions', exact: true }).getByRole('button', { name: `Details of transaction ${shortId(txId)}` }).click();
  const dialog = requester.getByRole('dialog', { name: `Transaction ${shortId(txId)}` });
  const trace = dialog.getByRole('region', { name: 'Propagation trace' });
  await expect(trace.getByRole('button', { name: 'Trace across the network' })).toBeVisible();

  // Cut the requester's link to the origin, then trace at once (before the mesh relinks them):
  // the origin's answer can only come back through the third tab.
  const result = await requester.evaluate(async ([originId, id]) => {
    window.tabmesh.disconnect(originId!);
    const linkedAtStart = window.tabmesh.peers().map((peer) => peer.id);
    return { linkedAtStart, reports: await window.tabmesh.trace(id!) };
  }, [ids[0]!, txId]);
  expect(result.linkedAtStart).not.toContain(ids[0]);
  const byReporter = new Map(result.reports.map((report) => [report.reporter, report]));
  expect([...byReporter.keys()].sort()).toEqual([...ids].sort());
  expect(byReporter.get(ids[0]!)).toMatchObject({ from: 'origin', via: ids[1] });
  expect(byReporter.get(ids[2]!)).toMatchObject({ via: 'self' });
  expect(result.reports[0]!.reporter, 'the origin had it first').toBe(ids[0]);
  expect(byReporter.get(ids[1]!)!.from).toBe(ids[0]); // the recipient got it straight from the origin

  // The open dialog draws the same trace: three rows, earliest (the origin) first.
  const timeline = trace.getByRole('list', { name: 'Trace timeline' });
  await expect(timeline.getByRole('listitem')).toHaveCount(3);
  await expect(timeline.getByRole('listitem').first()).toHaveAccessibleName(new RegExp(`^${shortId(ids[0]!)} at \\+0 ms, created it$`));
  await expect(timeline.getByRole('listitem').filter({ hasText: 'you' })).toHaveCount(1);
  await expect(trace.getByRole('status')).toHaveText(/^3 tabs had it within \d+ ms of the first sighting\.$/);

  // Tracing again from the dialog's button gathers the same three tabs (linked or not by now).
  await trace.getByRole('button', { name: 'Trace again' }).click();
  await expect(trace.getByRole('button', { name: 'Tracing…' })).toBeDisabled();
  await expect(trace.getByRole('button', { name: 'Trace again' })).toBeEnabled({ timeout: 10_000 });
  await expect(timeline.getByRole('listitem')).toHaveCount(3);
  await expect(trace.getByRole('status')).toHaveText(/^3 tabs had it within/);
});

test('tabs answer only for transactions they announced, and the propagation chart fills from sampled traces', async ({ context }) => {
  const { network, pages, ids, txId } = await networkWithOneTx(context);
  // A tab that joins later fetches the waiting pool when it links, accepts the tx and announces it: then it answers too.
  const late = await openTab(context, network);
  const lateId = await idOf(late);
  await expect.poll(() => txStatusOf(late, txId), { message: 'the late tab fetched the pooled tx' }).toBe('pending');
  const reports = await pages[1].evaluate((id) => window.tabmesh.trace(id), txId);
  expect(reports.map((report) => report.reporter).sort()).toEqual([...ids, lateId].sort());
  // It says where it got it, and that it got it by catching up as it linked (so the chart leaves it out).
  expect(reports.find((report) => report.reporter === lateId)).toMatchObject({ catchUp: true });
  expect(ids).toContain(reports.find((report) => report.reporter === lateId)!.from);
  expect(reports.filter((report) => report.reporter !== lateId).every((report) => !report.catchUp)).toBe(true);

  const unknown = 'ee'.repeat(32);
  expect(await pages[1].evaluate((id) => window.tabmesh.trace(id), unknown), 'nobody announced this id').toEqual([]);
  await expect(pages[1].evaluate(() => window.tabmesh.trace('nope'))).rejects.toThrow(/transaction id/);

  // Every tab samples a recent transaction's spread every 10 s; the chart's caption then shows numbers.
  const chart = pages[2].getByRole('figure', { name: 'Propagation delay' });
  await expect(chart).toContainText('After its first sighting');
  await expect(chart.locator('.visually-hidden')).toHaveText(/^median \d+ ms now, peak \d+ ms; last \d+ ms now, peak \d+ ms$/, { timeout: 20_000 });
});

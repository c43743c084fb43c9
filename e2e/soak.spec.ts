/**
 * The soak's short pass (issue 23 §6; `npm run soak` is the long one): three
 * tabs on one test network hold 4 transactions a second for 21 s while the
 * tab that is not the anchor is replaced every 9 s and a link is dropped
 * every 6 s. Every transaction a wallet accepted must end confirmed in every
 * tab open at the end, fresh tabs included, and no page may create more
 * RTCPeerConnections than its churn explains (two per cause to link, dials
 * to departed tabs included: bench/soak/report.ts), far under Chromium's 500
 * per page. About 45 s here.
 */
import { expect, test } from '@playwright/test';
import { PC_LIFETIME_CAP } from '../bench/soak/report.ts';
import { runSoak } from '../bench/soak/run-soak.ts';

test('a short soak with churn loses no transaction and keeps RTCPeerConnections bounded', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const lines: string[] = [];
  const result = await runSoak(browser, baseURL!, {
    minutes: 0.35, tabs: 3, anchors: 1, ratePerSec: 4, links: 2,
    churnEveryMs: 9_000, dropEveryMs: 6_000, blockEveryMs: 4_000, reportEveryMs: 10_000,
    graceMs: 10_000, drainTimeoutMs: 20_000, seed: 23,
  }, (line) => lines.push(line));
  const story = lines.join('\n');
  expect(result.counters.tabsReplaced, `the churn replaced tabs\n${story}`).toBeGreaterThanOrEqual(1);
  expect(result.counters.linksDropped, `the churn dropped links\n${story}`).toBeGreaterThanOrEqual(1);
  expect(result.delivery.sent, `transactions were sent\n${story}`).toBeGreaterThan(50);
  expect(result.refusedSends, `no send was refused\n${story}`).toEqual({});
  expect(result.delivery.delivered, `every sent transaction is confirmed in every open tab: ${result.delivery.undeliveredExamples.join(', ')}\n${story}`).toBe(result.delivery.sent);
  expect(result.figures.tabsOverPcBound, `no page made more RTCPeerConnections than its churn explains\n${story}`).toEqual([]);
  const anchor = result.figures.tabs.find((tab) => tab.anchor)!;
  expect(anchor.pc.created, 'the anchor counted its RTCPeerConnections').toBeGreaterThanOrEqual(anchor.linksOpened);
  expect(result.figures.maxPcCreated).toBeLessThan(PC_LIFETIME_CAP / 10);
});

/**
 * Sybils at the relay (issue 20 §5): a room already holding hundreds of
 * silent, stamped Sybils from a few hosts, then 1,000 scripted joins from one
 * more host, and two honest tabs in separate browser contexts (no shared
 * BroadcastChannel: they can meet only through the relay) still find each
 * other and link within 10 s.
 *
 * What holds them off: the per-address join and member limits (the flood
 * host gets 60 joins and 64 members), welcomes and join announcements drawn
 * across addresses (one honest address among 9 is in every welcome), the
 * tab dialling an announced newcomer first, and an unanswered offer given up
 * after 6 s instead of holding a dial slot for 20 s.
 */
import { randomInt } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { TestClient } from '../test/helpers/relay-test-client.ts';
import { joinSilently, type SybilOutcome } from './harness/sybils.ts';
import { idOf, openTab, peersOf, uniqueNetwork } from './harness/tabs.ts';

/**
 * Loopback addresses of this run's own, so a repeated or retried run does not meet the join limits an
 * earlier one spent on the same server: 127.R.n.1 for a random R (the tabs are 127.0.0.1).
 */
const RUN_OCTET = 1 + randomInt(254);
/** Silent Sybils already in the room: 50 from each of 8 hosts (within each host's 64-member limit). */
const SILENT_HOSTS = Array.from({ length: 8 }, (_, i) => `127.${RUN_OCTET}.${i + 1}.1`);
const SILENT_PER_HOST = 50;
const FLOOD_HOST = `127.${RUN_OCTET}.100.1`;
const FLOOD_JOINS = 1_000;

test('two honest tabs link within 10 s in a room of 400 silent Sybils, during 1,000 Sybil joins from one host', async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  const network = uniqueNetwork('test-sybil');
  const relayUrl = `${baseURL!.replace(/^http/, 'ws')}/signal`;
  const clients: TestClient[] = [];
  const contexts = [await browser.newContext(), await browser.newContext()];
  try {
    // In rounds of 25 per host: a host may hold 32 sockets that have not joined yet.
    const silent: SybilOutcome[] = [];
    for (let round = 0; round < SILENT_PER_HOST / 25; round++) {
      silent.push(...await Promise.all(SILENT_HOSTS.flatMap((host) => Array.from({ length: 25 }, () => joinSilently(relayUrl, network, host, clients)))));
    }
    expect(silent.filter((outcome) => outcome === 'joined').length, 'the silent Sybils are in the room').toBe(SILENT_HOSTS.length * SILENT_PER_HOST);

    const flood: Promise<SybilOutcome>[] = Array.from({ length: FLOOD_JOINS }, () => joinSilently(relayUrl, network, FLOOD_HOST, clients));
    const first = await openTab(contexts[0]!, network);
    const second = await openTab(contexts[1]!, network);
    const secondReadyMs = Date.now();
    const [firstId, secondId] = [await idOf(first), await idOf(second)];
    await expect.poll(async () => (await peersOf(second)).includes(firstId) && (await peersOf(first)).includes(secondId), {
      timeout: 10_000, intervals: [100], message: 'the honest tabs link within 10 s of the second one starting',
    }).toBe(true);
    console.log(`honest tabs linked ${Date.now() - secondReadyMs} ms after the second was ready`);

    const outcomes = await Promise.all(flood);
    const floodJoined = outcomes.filter((outcome) => outcome === 'joined').length;
    expect(floodJoined, 'the flood host is held to its member limit').toBeLessThanOrEqual(64);
    expect(outcomes.length - floodJoined, 'most of the flood is refused').toBeGreaterThanOrEqual(FLOOD_JOINS - 64);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(contexts.map((context) => context.close()));
  }
});

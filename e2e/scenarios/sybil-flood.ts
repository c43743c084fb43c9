/**
 * sybil-flood (docs/SECURITY.md, "Silent Sybils in a room"; issue 20 §5): a
 * relay room already holding 400 silent, stamped Sybils from 8 hosts, then
 * 1,000 Sybil joins from one more host, and honest tabs in separate browser
 * contexts (no shared BroadcastChannel: they can meet only through the relay)
 * still find each other and link within 10 s.
 *
 * What holds the Sybils off: the per-address join and member limits (the
 * flood host gets 60 joins and 64 members), welcomes and join announcements
 * drawn across addresses (the one honest address among 9 is in every
 * welcome), a tab dialling an announced newcomer first, and an unanswered
 * offer given up after 6 s instead of holding a dial slot for 20 s.
 */
import { randomInt } from 'node:crypto';
import { fillRoom, joinSilently, loopbackRelayUrl, type SybilOutcome } from '../harness/sybils.ts';
import { checkLinked, labels } from '../demo/actions.ts';
import type { Scenario, Tab } from '../demo/scenario.ts';
import type { TestClient } from '../../test/helpers/relay-test-client.ts';
import { RELAY_DEFAULTS } from '../../signaling/relay-server.ts';

/** Silent Sybils already in the room: 50 from each of 8 hosts (within each host's 64-member limit). */
const SILENT_HOST_COUNT = 8;
const SILENT_PER_HOST = 50;
const FLOOD_JOINS = 1_000;
/** The relay's members-per-address limit, as the server a scenario starts runs it: the most the flood host may hold. */
const MEMBERS_PER_ADDRESS = RELAY_DEFAULTS.maxMembersPerAddress;
/** The claim's bound, from the last honest tab being ready to every honest pair linked. */
const LINK_WITHIN_MS = 10_000;

export const sybilFlood: Scenario = {
  name: 'sybil-flood',
  claim: 'In a relay room of 400 silent Sybils, during 1,000 Sybil joins from one host, honest tabs in separate browsers still link within 10 s.',
  defaultTabs: 2,
  minTabs: 2,
  async run(ctx) {
    const relayUrl = loopbackRelayUrl(ctx.relayUrl);
    // Addresses of this run's own, 127.R.n.1 for a random R (the tabs are 127.0.0.1): a repeated run on the
    // same server does not meet the join limits an earlier one spent.
    const octet = 1 + randomInt(254);
    const silentHosts = Array.from({ length: SILENT_HOST_COUNT }, (_, i) => `127.${octet}.${i + 1}.1`);
    const floodHost = `127.${octet}.100.1`;
    const clients: TestClient[] = [];
    let flood: Promise<SybilOutcome[]> | undefined;
    ctx.onCleanup(async () => {
      // Every join settles within its 5 s reply wait; only then is every Sybil socket in `clients` to close.
      await flood;
      await Promise.all(clients.map((client) => client.close()));
    });

    await ctx.step('Silent Sybils fill the room', `${SILENT_HOST_COUNT * SILENT_PER_HOST} Sybil ids with valid stamps join the relay room from ${SILENT_HOST_COUNT} hosts (127.${octet}.1-${SILENT_HOST_COUNT}.1) and then never answer an offer`, async () => {
      const since = Date.now();
      const joined = await fillRoom(relayUrl, ctx.network, silentHosts, SILENT_PER_HOST, clients);
      ctx.note(`${joined} silent Sybils joined in ${Date.now() - since} ms`);
      await ctx.check(`the ${SILENT_HOST_COUNT * SILENT_PER_HOST} silent Sybils are in the room`, async () => ({ ok: joined === SILENT_HOST_COUNT * SILENT_PER_HOST, saw: `${joined} joined` }), 0);
    });

    let tabs: Tab[] = [];
    await ctx.step('Honest tabs join during a Sybil flood', () => `This tab, in a browser context of its own, looks for the other honest tab among ${SILENT_HOST_COUNT * SILENT_PER_HOST} silent Sybils while ${FLOOD_JOINS.toLocaleString('en')} more try to join from ${floodHost}`, async () => {
      flood = Promise.all(Array.from({ length: FLOOD_JOINS }, () => joinSilently(relayUrl, ctx.network, floodHost, clients)));
      tabs = await ctx.openTabs(ctx.tabCount, { isolated: true });
      const lastReady = Date.now();
      await checkLinked(ctx, tabs, LINK_WITHIN_MS);
      ctx.note(`${labels(tabs)} linked ${Date.now() - lastReady} ms after the last was ready (claim: ${LINK_WITHIN_MS / 1000} s)`);
    });

    await ctx.step('The flood is throttled', `The relay held ${floodHost} to its per-address limits: most of the ${FLOOD_JOINS.toLocaleString('en')} joins were refused`, async () => {
      const outcomes = await flood!;
      const joined = outcomes.filter((outcome) => outcome === 'joined').length;
      ctx.note(`the flood host got ${joined} of ${outcomes.length} joins in; ${outcomes.length - joined} refused`);
      await ctx.check(`the flood host holds at most ${MEMBERS_PER_ADDRESS} members`, async () => ({ ok: joined <= MEMBERS_PER_ADDRESS, saw: `${joined} joined` }), 0);
      await ctx.check(`at least ${FLOOD_JOINS - MEMBERS_PER_ADDRESS} flood joins are refused`, async () => ({ ok: outcomes.length - joined >= FLOOD_JOINS - MEMBERS_PER_ADDRESS, saw: `${outcomes.length - joined} refused` }), 0);
    });
  },
};

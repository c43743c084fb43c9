/**
 * upgrade (issue 25; docs/PROTOCOL.md, "Versioning" and "Deployments"): two
 * builds of tabmesh side by side, as a network meets an upgrade. Tabs of the
 * previous build (the same source built with TABMESH_BUILD_AS=previous: one
 * protocol version lower, no deployments) and of the current one link,
 * speak the older protocol to each other, pay each other and follow one
 * chain. The current build's miners signal minfee2; it locks in and
 * activates, and the old build follows the chain throughout: a block of
 * its own that breaks the new rule is refused by the new build and orphaned
 * when the majority mines on. The old build's tabs are offered an update.
 *
 * The network's tabs all start minfee2 at height 0 (?deployments-from=0), so
 * its 8-block windows make it ACTIVE at height 24: window 1 (heights 8-15)
 * is the first STARTED one, 6 signalling blocks of its 8 lock it in for
 * window 2, and it is ACTIVE from window 3.
 */
import { PROTOCOL_VERSION_MAX } from '../../src/core/protocol-version.ts';
import { startOwnServer } from '../demo/server.ts';
import { buildPreviousRelease } from '../harness/previous-build.ts';
import { checkLinked, checkTip, checkTxStatus, everyTab, labels, peersOf, send, short, statsOf, tipOf, txStatusOf } from '../demo/actions.ts';
import type { AnyTab, Scenario, ScenarioContext, Tab } from '../demo/scenario.ts';

const DEPLOYMENT = 'minfee2';
const OLD_PROTOCOL = PROTOCOL_VERSION_MAX - 1;
/** Test networks' minfee2 windows, moved to start at 0: ACTIVE for the block at this height. */
const ACTIVE_AT = 24;

const deploymentOf = (tab: AnyTab) => tab.page.evaluate((name) => window.tabmesh.deployments().find((d) => d.name === name), DEPLOYMENT);
const describeDeployment = (d: Awaited<ReturnType<typeof deploymentOf>>) => (d ? `${d.state}, ${d.count} of ${d.elapsed} signalling` : 'unknown to this build');
const protocolsOf = (tab: AnyTab) => tab.page.evaluate(() => window.tabmesh.peers().map((peer) => ({ id: peer.id, protocol: peer.protocol })));

/** `miner` mines blocks until its tip is at `height`; every tab then has its tip. */
async function mineTo(ctx: ScenarioContext, miner: Tab, tabs: readonly AnyTab[], height: number): Promise<void> {
  const { height: at } = await tipOf(miner);
  if (height <= at) return;
  const hashes = await miner.page.evaluate((n) => window.tabmesh.mine(n), height - at);
  await checkTip(ctx, tabs, hashes.at(-1)!, 20_000);
}

/** The state the API reports, and the one the page's Deployments panel shows (it refreshes on the peer's 1 s tick). */
async function checkDeployment(ctx: ScenarioContext, tabs: readonly Tab[], state: string): Promise<void> {
  await ctx.check(`${labels(tabs)} (current build): ${DEPLOYMENT} is ${state}`, everyTab(tabs, deploymentOf, (d) => d?.state === state, describeDeployment));
  await ctx.check(`${labels(tabs)} show ${DEPLOYMENT} ${state} in the Deployments panel`, everyTab(tabs, (tab) => tab.page.locator(`[data-deployment=${DEPLOYMENT}]`).getAttribute('data-state'), (shown) => shown === state), 5_000);
}

/** Scrolls each tab to its Deployments panel, so the storyboard's pictures show the states change. */
const showDeployments = (tabs: readonly Tab[]) => Promise.all(tabs.map((tab) => tab.page.getByRole('region', { name: 'Deployments' }).scrollIntoViewIfNeeded()));

export const upgrade: Scenario = {
  name: 'upgrade',
  claim: 'Two builds of tabmesh link and share one chain; the new build\'s miners signal a soft fork, which locks in and activates, while the old build follows the chain throughout and is offered an update.',
  defaultTabs: 4,
  minTabs: 2,
  async run(ctx) {
    const previous = await startOwnServer(0, buildPreviousRelease());
    ctx.onCleanup(() => previous.stop());
    const schedule = { 'deployments-from': '0' };
    let fresh: Tab[] = [];
    let old: Tab[] = [];
    let all: Tab[] = [];

    await ctx.step('Two builds open', (tab) => (old.includes(tab as Tab) ? `${tab.label}: the previous build (protocol ${OLD_PROTOCOL}, knows no deployment)` : `${tab.label}: the current build (protocol ${PROTOCOL_VERSION_MAX}, knows ${DEPLOYMENT})`), async () => {
      fresh = await ctx.openTabs(Math.ceil(ctx.tabCount / 2), { params: schedule });
      // Served from a server of its own, on the same relay: tabs that loaded the page days apart.
      old = await ctx.openTabs(Math.floor(ctx.tabCount / 2), { origin: previous.origin, params: { ...schedule, relay: ctx.relayUrl } });
      all = [...fresh, ...old];
      await checkLinked(ctx, all);
      const oldIds = new Set(old.map((tab) => tab.id));
      await ctx.check(`links with the previous build speak protocol ${OLD_PROTOCOL}, links within the current build ${PROTOCOL_VERSION_MAX}`, everyTab(all, protocolsOf, (links, tab) => links.every((link) => link.protocol === (oldIds.has(tab.id) || oldIds.has(link.id) ? OLD_PROTOCOL : PROTOCOL_VERSION_MAX)), (links) => links.map((link) => `${short(link.id)}:${link.protocol}`).join(' ')));
      await ctx.check(`${labels(old)} (previous build) offer "reload to update", and ${labels(fresh)} do not`, everyTab(all, (tab) => tab.page.evaluate(() => window.tabmesh.updateAvailable()), (update, tab) => update.offered === oldIds.has(tab.id), (update) => JSON.stringify(update)));
      await ctx.check(`${labels(old)} show the update banner`, everyTab(old, (tab) => tab.page.getByText('Update available.').isVisible(), (shown) => shown));
      await ctx.check(`${labels(old)} know no deployment`, everyTab(old, (tab) => tab.page.evaluate(() => window.tabmesh.deployments().length), (n) => n === 0));
    });

    const [miner, other] = [fresh[0]!, old[0]!];
    await ctx.step('The builds pay each other', `${miner.label} and ${other.label} each mine a block, pay each other, and both payments confirm everywhere`, async () => {
      await mineTo(ctx, miner, all, 1);
      await mineTo(ctx, other, all, 2);
      const toOld = await send(miner, other.id, 500, 1);
      const toNew = await send(other, miner.id, 400, 1);
      await checkTxStatus(ctx, all, toOld, 'pending', 15_000);
      await checkTxStatus(ctx, all, toNew, 'pending', 15_000);
      await mineTo(ctx, miner, all, 3);
      await checkTxStatus(ctx, all, toOld, 'confirmed');
      await checkTxStatus(ctx, all, toNew, 'confirmed');
    });

    await ctx.step('The new build\'s miners signal', `${miner.label} mines window 1 (heights 8-15), every block signalling ${DEPLOYMENT}; the previous build follows`, async () => {
      await showDeployments(all);
      await ctx.check(`${labels(old)} show that they know no consensus change`, everyTab(old, (tab) => tab.page.getByText('This build knows no consensus change.').isVisible(), (shown) => shown));
      await mineTo(ctx, miner, all, 8);
      await checkDeployment(ctx, fresh, 'STARTED');
      await mineTo(ctx, miner, all, 15);
      await checkDeployment(ctx, fresh, 'LOCKED_IN');
    });

    await ctx.step('Locked in, then active', `Window 2 (heights 16-23) passes: ${DEPLOYMENT} is ACTIVE from block ${ACTIVE_AT}`, async () => {
      const since = Date.now();
      await mineTo(ctx, miner, all, ACTIVE_AT - 1);
      await checkDeployment(ctx, fresh, 'ACTIVE');
      await ctx.check(`the Send form offers fee 2 in ${labels(fresh)} and still 1 in ${labels(old)}`, everyTab(all, (tab) => tab.page.getByLabel('Fee', { exact: true }).inputValue(), (fee, tab) => fee === (fresh.includes(tab) ? '2' : '1')), 5_000);
      ctx.note(`${DEPLOYMENT} active for block ${ACTIVE_AT}, ${ACTIVE_AT - 1} blocks after the start (3 windows of 8); window 2 mined in ${Date.now() - since} ms`);
    });

    await ctx.step('The old build pays the new minimum', `${other.label} pays fee 2, the new minimum it does not know of: the payment confirms in block ${ACTIVE_AT}`, async () => {
      const paid = await send(other, miner.id, 60, 2);
      await checkTxStatus(ctx, all, paid, 'pending', 15_000);
      await mineTo(ctx, miner, all, ACTIVE_AT);
      await checkTxStatus(ctx, all, paid, 'confirmed');
    });

    await ctx.step('The old build follows the new rule\'s chain', (tab) => (tab === other ? `${tab.label} pays fee 1, below the new minimum, and mines a block with it: the current build refuses that block` : tab === miner ? `${tab.label} mines on: the old build's block is orphaned` : undefined), async () => {
      const cheap = await send(other, miner.id, 50, 1);
      await ctx.check(`${other.label} holds its fee-1 payment ${short(cheap)}`, async () => (await txStatusOf(other, cheap)) === 'pending', 5_000);
      const refusedBefore = await Promise.all(fresh.map((tab) => statsOf(tab).then((stats) => stats.blocksRefused)));
      const [refused] = await other.page.evaluate(() => window.tabmesh.mine(1));
      await ctx.check(`${labels(fresh)} refuse ${other.label}'s block ${short(refused!)}`, everyTab(fresh, statsOf, (stats, tab) => stats.blocksRefused > refusedBefore[fresh.indexOf(tab)]!, (stats) => `${stats.blocksRefused} refused`));
      await ctx.check(`${labels(fresh)} never took the fee-1 payment, stay on their tip and still link to ${other.label}`, everyTab(fresh, async (tab) => ({ tip: await tipOf(tab), peers: await peersOf(tab), cheap: await txStatusOf(tab, cheap) }), ({ tip, peers, cheap: status }) => tip.height === ACTIVE_AT && peers.includes(other.id) && status === 'unknown', ({ tip, peers, cheap: status }) => `#${tip.height} ${short(tip.hash)}, ${peers.length} links, fee-1 payment ${status}`), 0);
      const hashes = await miner.page.evaluate(() => window.tabmesh.mine(2));
      await checkTip(ctx, all, hashes.at(-1)!, 20_000);
      ctx.note(`${other.label}'s block ${short(refused!)} broke ${DEPLOYMENT}; the previous build reorganised onto ${short(hashes.at(-1)!)} with the majority, and its fee-1 payment waits in its own pool`);
    });
  },
};

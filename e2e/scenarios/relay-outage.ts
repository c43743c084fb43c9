/**
 * relay-outage (README, "What it is"; docs/ARCHITECTURE.md, signaling through
 * the mesh): the relay only introduces tabs. With it stopped, transactions
 * and blocks still reach every tab, a link that closes is set up again with
 * its signaling relayed through a common neighbour, and when the relay comes
 * back every tab rejoins it. The scenario runs a server of its own, since it
 * stops it.
 */
import { startOwnServer } from '../demo/server.ts';
import { checkLinked, checkTip, checkTxStatus, everyTab, mineSynced, peersOf, send, short, sumStat } from '../demo/actions.ts';
import type { Scenario, Tab } from '../demo/scenario.ts';

const relayStatusOf = (tab: Tab) => tab.page.evaluate(() => window.tabmesh.relays().find((relay) => relay.url.startsWith('ws'))?.status ?? 'none');

export const relayOutage: Scenario = {
  name: 'relay-outage',
  claim: 'With the relay down, transactions and blocks keep flowing between tabs, a closed link is remade through the mesh, and the tabs rejoin the relay when it comes back.',
  defaultTabs: 4,
  minTabs: 3,
  async run(ctx) {
    const server = await startOwnServer();
    ctx.onCleanup(() => server.stop());
    let tabs: Tab[] = [];
    await ctx.step('Tabs open and link', `Opening ${ctx.tabCount} tabs on a relay this demo can stop`, async () => {
      tabs = await ctx.openTabs(ctx.tabCount, { origin: server.origin });
      await checkLinked(ctx, tabs);
      // Peer exchange: every tab holds every other's signed record, which is what lets it find them with no relay.
      await ctx.check('every tab knows every other tab from signed peer records', everyTab(tabs, (tab) => tab.page.evaluate(() => window.tabmesh.knownPeers().length), (n) => n >= tabs.length - 1));
      await mineSynced(ctx, tabs[0]!, tabs);
    });

    await ctx.step('The relay goes down', 'Relay stopped: no server can introduce or signal tabs now', async () => {
      await server.stop();
      await ctx.check('every tab shows "relay offline"', everyTab(tabs, (tab) => tab.page.getByText('relay offline').isVisible(), (shown) => shown));
    });

    await ctx.step('Payments and blocks still flow', (tab, index) => (index === 0 ? `${tab.label} pays ${tabs[2]!.label}: gossip needs no relay` : index === 1 ? `${tab.label} mines the block that confirms it` : 'Receiving the payment and the block over the mesh'), async () => {
      const tx = await send(tabs[0]!, tabs[2]!.id, 42, 1);
      await checkTxStatus(ctx, tabs, tx, 'pending', 15_000);
      const [block] = await tabs[1]!.page.evaluate(() => window.tabmesh.mine(1));
      await checkTip(ctx, tabs, block!, 15_000);
      await checkTxStatus(ctx, tabs, tx, 'confirmed');
    });

    await ctx.step('A link closes and is remade through the mesh', (tab) => (tab === tabs[0] ? `${tab.label} drops its link to ${tabs[1]!.label}; they signal again through a neighbour` : tab === tabs[1] ? `${tab.label}'s link to ${tabs[0]!.label} closed` : 'Forwarding signals between the two'), async () => {
      const [a, b] = tabs as [Tab, Tab];
      const forwardedBefore = await sumStat(tabs, 'peersMeshSignalsForwarded');
      const since = Date.now();
      const closed = await a.page.evaluate((peer) => window.tabmesh.disconnect(peer), b.id);
      await ctx.check(`${a.label} closes its link to ${b.label}`, async () => ({ ok: closed, saw: 'disconnect() found no link' }), 0);
      await ctx.check(`${a.label} links to ${b.label} again`, async () => (await peersOf(a)).includes(b.id), 45_000);
      ctx.note(`link remade ${Date.now() - since} ms after it closed`);
      await ctx.check('a neighbour forwarded the new link\'s signals', async () => {
        const forwarded = await sumStat(tabs, 'peersMeshSignalsForwarded');
        return { ok: forwarded > forwardedBefore, saw: `${forwarded - forwardedBefore} forwarded` };
      });
      await checkLinked(ctx, tabs);
    });

    await ctx.step('The relay comes back', 'Relay restarted on the same address: tabs rejoin it by themselves', async () => {
      const since = Date.now();
      await server.restart();
      await ctx.check('every tab rejoins the relay', everyTab(tabs, relayStatusOf, (status) => status === 'open'), 45_000);
      ctx.note(`all ${tabs.length} tabs rejoined ${Date.now() - since} ms after the restart`);
      const hashes = await mineSynced(ctx, tabs[2]!, tabs);
      ctx.note(`block ${short(hashes[0]!)} reached every tab after the outage`);
    });
  },
};

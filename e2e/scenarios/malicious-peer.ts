/**
 * malicious-peer (docs/SECURITY.md, misbehaviour and bans): peers that break
 * the protocol, Node processes speaking the real protocol
 * (harness/malicious-peer.ts), are dropped and banned by every honest tab
 * they reach, within a second, and the honest ledgers stay identical. One
 * forges transactions (fields changed after signing) to every tab; another
 * sends one tab a frame over the 16 KiB limit.
 */
import { startMaliciousPeer, type MaliciousPeer } from '../harness/malicious-peer.ts';
import { checkLinked, checkTxStatus, everyTab, labels, mineSynced, openLinked, peersOf, send, statsOf, txStatusOf } from '../demo/actions.ts';
import type { Scenario, ScenarioContext, Tab } from '../demo/scenario.ts';

/** The claim's bound: from the bad input's send to the ban. */
const BAN_WITHIN_MS = 1_000;

async function joinBadPeer(ctx: ScenarioContext, tabs: readonly Tab[], role: string): Promise<MaliciousPeer> {
  const peer = await startMaliciousPeer({ relayUrl: ctx.relayUrl, network: ctx.network });
  ctx.onCleanup(() => peer.close());
  await ctx.check(`the ${role} links with every honest tab`, async () => ({ ok: tabs.every((tab) => peer.linkedPeers().includes(tab.id)), saw: `${peer.linkedPeers().length} links` }));
  await ctx.check(`every honest tab lists the ${role} as a peer`, everyTab(tabs, peersOf, (peers) => peers.includes(peer.id), (p) => `${p.length} peers`));
  return peer;
}

export const maliciousPeer: Scenario = {
  name: 'malicious-peer',
  claim: 'A peer that sends forged transactions or oversized frames is banned within a second by every tab it reaches, and the honest ledgers stay identical.',
  defaultTabs: 3,
  minTabs: 2,
  async run(ctx) {
    const tabs = await openLinked(ctx, ctx.tabCount);
    await mineSynced(ctx, tabs[0]!, tabs);

    let forger: MaliciousPeer | undefined;
    await ctx.step('A forger joins and sends forged transactions', 'A Node peer links with every tab, then offers each a transaction whose amount was changed after signing', async () => {
      forger = await joinBadPeer(ctx, tabs, 'forger');
      const before = await Promise.all(tabs.map(statsOf));
      const since = Date.now();
      const forged = [];
      for (const tab of tabs) forged.push(await forger.sendTamperedTx(tab.id));
      await ctx.check(`every tab bans the forger within ${BAN_WITHIN_MS} ms`, everyTab(tabs, statsOf, (s, tab) => s.peersBanned > before[tabs.indexOf(tab)]!.peersBanned, (s) => `${s.peersBanned} bans`), BAN_WITHIN_MS);
      ctx.note(`all ${tabs.length} tabs banned the forger ${Date.now() - since} ms after the first forged offer`);
      await ctx.check('every tab dropped the forger\'s link', everyTab(tabs, peersOf, (peers) => !peers.includes(forger!.id), () => 'still linked'));
      await ctx.check('every tab counted the forgery as invalid and accepted none', everyTab(tabs, statsOf, (s, tab) => s.invalidDropped >= 1 && s.txAccepted === before[tabs.indexOf(tab)]!.txAccepted, (s) => `invalid ${s.invalidDropped}, accepted ${s.txAccepted}`));
      for (const sent of forged) await checkTxStatus(ctx, tabs, sent.id, 'unknown', 0);
      await ctx.check('the forger has no link left', async () => ({ ok: forger!.linkedPeers().length === 0, saw: `${forger!.linkedPeers().length} links` }));
    });

    await ctx.step('A second bad peer sends an oversized frame', (tab, index) => (index === 0 ? `${tab.label} receives a frame over the 16 KiB limit` : 'This tab got nothing bad: it keeps its link'), async () => {
      const flooder = await joinBadPeer(ctx, tabs, 'flooder');
      const [target, ...others] = tabs as [Tab, ...Tab[]];
      const before = await statsOf(target);
      const since = Date.now();
      const bytes = flooder.sendOversized(target.id);
      ctx.note(`a ${bytes}-byte frame sent to ${target.label}`);
      await ctx.check(`${target.label} rejects the frame and bans its sender within ${BAN_WITHIN_MS} ms`, async () => {
        const s = await statsOf(target);
        return { ok: s.framesRejected > before.framesRejected && s.peersBanned > before.peersBanned, saw: `rejected ${s.framesRejected}, bans ${s.peersBanned}` };
      }, BAN_WITHIN_MS);
      ctx.note(`${target.label} banned the flooder ${Date.now() - since} ms after the frame`);
      await ctx.check(`${target.label} drops the link and logs "peer misbehaved"`, async () => !(await peersOf(target)).includes(flooder.id) && (await target.page.getByRole('list', { name: 'Event log' }).textContent())!.includes('peer misbehaved'));
      if (others.length > 0) await ctx.check(`${labels(others)} keep their link to the flooder`, everyTab(others, peersOf, (peers) => peers.includes(flooder.id), () => 'dropped it'), 0);
    });

    await ctx.step('The honest ledgers stay identical', (tab, index) => (index === 0 ? `${tab.label} pays ${tabs[1]!.label} and mines it` : 'Same tip, same balances as every honest tab'), async () => {
      const tx = await send(tabs[0]!, tabs[1]!.id, 3, 1);
      await checkTxStatus(ctx, tabs, tx, 'pending');
      await mineSynced(ctx, tabs[0]!, tabs);
      const view = (tab: Tab) => tab.page.evaluate((ids) => JSON.stringify([window.tabmesh.tip(), ids.map((id) => window.tabmesh.balance(id))]), tabs.map((t) => t.id));
      const first = await view(tabs[0]!);
      await ctx.check('every tab holds the same tip and balances', everyTab(tabs, view, (v) => v === first));
      await ctx.check('no honest tab relinks with the forger', everyTab(tabs, peersOf, (peers) => !peers.includes(forger!.id)), 0);
      await checkLinked(ctx, tabs);
      await ctx.check('the payment is confirmed in every tab', everyTab(tabs, (tab) => txStatusOf(tab, tx), (s) => s === 'confirmed'));
    });
  },
};

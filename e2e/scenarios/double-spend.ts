/**
 * double-spend (docs/PROTOCOL.md, "Mempool"; SECURITY.md, double spends): an
 * account holder, a Node peer speaking the real protocol
 * (harness/malicious-peer.ts), signs two transactions with the same nonce and
 * fee to different recipients and gives each to a different tab. The mempool
 * replaces a same-nonce entry only for a strictly higher fee, so each tab
 * keeps the copy it got first and refuses the other. One block settles it:
 * every tab confirms the same one, and the other is in no mempool anywhere.
 *
 * Getting each copy into its tab first is a race against gossip (about 1 run
 * in 8 here a relayed copy arrives first): a lost race is settled with a
 * block and tried again with the next nonce.
 */
import { startMaliciousPeer } from '../harness/malicious-peer.ts';
import { txRow } from '../harness/tabs.ts';
import { checkTip, checkTxStatus, everyTab, mineSynced, openLinked, peersOf, send, short, statsOf, TEST_REWARD, txStatusOf } from '../demo/actions.ts';
import type { Scenario, Tab } from '../demo/scenario.ts';

/** Enough for either conflicting transfer (at most 402) on every attempt. */
const FUNDING = 2_000;
const MAX_ATTEMPTS = 4;

export const doubleSpend: Scenario = {
  name: 'double-spend',
  claim: 'Two conflicting transactions that reach different tabs end with exactly one confirmed, the same one in every tab; the other leaves every mempool.',
  defaultTabs: 3,
  minTabs: 3,
  async run(ctx) {
    const tabs = await openLinked(ctx, ctx.tabCount);
    const [a, b, c] = tabs as [Tab, Tab, Tab];
    const spender = await startMaliciousPeer({ relayUrl: ctx.relayUrl, network: ctx.network });
    ctx.onCleanup(() => spender.close());
    const accounts = [a.id, b.id, c.id, spender.id];
    const balances = () => a.page.evaluate((ids) => ids.map((id) => window.tabmesh.balance(id)), accounts);

    await ctx.step('A Node account holder joins and is paid', (tab) => (tab === a ? `${a.label} pays ${FUNDING} to the account holder (a Node peer) and mines it` : 'A Node peer with its own key joins the mesh'), async () => {
      await ctx.check('the account holder links with every tab', async () => ({ ok: tabs.every((tab) => spender.linkedPeers().includes(tab.id)), saw: `${spender.linkedPeers().length} links` }));
      await ctx.check('every tab lists the account holder as a peer', everyTab(tabs, peersOf, (peers) => peers.includes(spender.id), (p) => `${p.length} peers`));
      await mineSynced(ctx, a, tabs);
      const funding = await send(a, spender.id, FUNDING, 1);
      await checkTxStatus(ctx, tabs, funding, 'pending');
      await mineSynced(ctx, a, tabs);
      const held = await balances();
      await ctx.check(`the account holder has ${FUNDING}`, async () => ({ ok: held[3] === FUNDING, saw: held.join(', ') }));
    });

    let tx1 = '';
    let tx2 = '';
    await ctx.step(
      'Two conflicting payments, one to each side',
      (tab) => (tab === b ? `${b.label} is handed payment 1 (300 to ${a.label})` : tab === c ? `${c.label} is handed payment 2 (400 to ${c.label}): same coins, same nonce` : 'Both payments spend the same coins; which one will this tab keep?'),
      async () => {
        for (let nonce = 0; nonce < MAX_ATTEMPTS; nonce++) {
          const one = await spender.signTransfer({ to: a.id, amount: 300, fee: 2, nonce });
          const two = await spender.signTransfer({ to: c.id, amount: 400, fee: 2, nonce });
          const rejectedBefore = await Promise.all([b, c].map(async (tab) => (await statsOf(tab)).txRejected ?? 0));
          spender.sendTx(b.id, one.tx);
          spender.sendTx(c.id, two.tx);
          const heldCount = async (tab: Tab) => [await txStatusOf(tab, one.id), await txStatusOf(tab, two.id)].filter((s) => s === 'pending').length;
          await ctx.check(`every tab holds exactly one of the two (nonce ${nonce})`, everyTab(tabs, heldCount, (n) => n === 1, (n) => `holds ${n}`));
          if ((await txStatusOf(b, one.id)) === 'pending' && (await txStatusOf(c, two.id)) === 'pending') {
            await ctx.check(`${b.label} refuses payment 2 relayed to it`, async () => ((await statsOf(b)).txRejected ?? 0) > rejectedBefore[0]!);
            await ctx.check(`${c.label} refuses payment 1 relayed to it`, async () => ((await statsOf(c)).txRejected ?? 0) > rejectedBefore[1]!);
            ctx.note(`payment 1 = tx ${short(one.id)}, payment 2 = tx ${short(two.id)}; set up on attempt ${nonce + 1}`);
            tx1 = one.id;
            tx2 = two.id;
            return;
          }
          ctx.note(`a relayed copy won the race on nonce ${nonce}; a block settles it and the account holder tries the next nonce`);
          await mineSynced(ctx, a, tabs);
        }
        await ctx.check(`the conflicting payments sit in different tabs within ${MAX_ATTEMPTS} attempts`, async () => ({ ok: false, saw: 'a relayed copy arrived first every time' }), 0);
      },
    );

    await ctx.step('One block settles it', (tab) => (tab === b ? `${b.label} mines: its block confirms payment 1` : 'Every tab follows the block: payment 2 can never confirm'), async () => {
      const before = await balances();
      const [settled] = await b.page.evaluate(() => window.tabmesh.mine(1));
      await checkTip(ctx, tabs, settled!);
      await checkTxStatus(ctx, tabs, tx1, 'confirmed');
      await checkTxStatus(ctx, tabs, tx2, 'unknown');
      await ctx.check('every mempool is empty (payment 2 left the tab that held it)', everyTab(tabs, statsOf, (s) => s.mempoolSize === 0, (s) => `mempool ${s.mempoolSize}`));
      const expected = [before[0]! + 300, before[1]! + TEST_REWARD + 2, before[2]!, before[3]! - 302];
      await ctx.check(`balances moved by payment 1 only: ${a.label} +300, ${b.label} reward +2 fee, ${c.label} nothing`, everyTab(
        tabs,
        (tab) => tab.page.evaluate((ids) => ids.map((id) => window.tabmesh.balance(id)), accounts),
        (seen) => seen.join() === expected.join(),
        (seen) => seen.join(', '),
      ));
      await ctx.check('every tab shows payment 1 confirmed and payment 2 nowhere pending', everyTab(tabs, async (tab) => ({
        confirmed: await txRow(tab.page, tx1).filter({ hasText: 'confirmed' }).count(),
        pending2: await txRow(tab.page, tx2).filter({ hasText: 'pending' }).count(),
      }), (rows) => rows.confirmed === 1 && rows.pending2 === 0, (rows) => JSON.stringify(rows)));
    });
  },
};

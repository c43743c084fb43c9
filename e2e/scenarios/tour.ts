/**
 * tour: tabs find each other, mine, pay each other and confirm (README, "What
 * it is"). Each tab mines one block (block rewards are the only coins), each
 * pays the next, every tab sees every payment, and one block confirms them
 * all, the same in every tab.
 */
import { checkTxStatus, labels, mineSynced, openLinked, send, short, statsOf, TEST_REWARD } from '../demo/actions.ts';
import type { Scenario } from '../demo/scenario.ts';

export const tour: Scenario = {
  name: 'tour',
  claim: 'Tabs that open the page form a mesh with no server in the data path; a payment sent in one tab reaches every tab and one block confirms it everywhere.',
  defaultTabs: 4,
  minTabs: 2,
  async run(ctx) {
    const tabs = await openLinked(ctx, ctx.tabCount);

    await ctx.step('Every tab mines a block', (tab) => `${tab.label} mines a block: its reward (${TEST_REWARD}) is the only way coins appear`, async () => {
      for (const miner of tabs) await mineSynced(ctx, miner, tabs);
      const balances = await Promise.all(tabs.map((tab) => tab.page.evaluate(() => window.tabmesh.balance())));
      await ctx.check('every tab holds exactly one block reward', async () => ({ ok: balances.every((b) => b === TEST_REWARD), saw: balances.join(', ') }));
    });

    const sent: string[] = [];
    await ctx.step('Each tab pays the next', (tab, index) => `${tab.label} pays ${tabs[(index + 1) % tabs.length]!.label}; gossip carries it to every tab`, async () => {
      for (const [index, from] of tabs.entries()) {
        const to = tabs[(index + 1) % tabs.length]!;
        const id = await send(from, to.id, 100 + index, 1);
        ctx.note(`${from.label} → ${to.label}: ${100 + index} (tx ${short(id)})`);
        sent.push(id);
      }
      const since = Date.now();
      for (const id of sent) await checkTxStatus(ctx, tabs, id, 'pending');
      ctx.note(`every tab had all ${sent.length} payments ${Date.now() - since} ms after the last send`);
    });

    await ctx.step('One block confirms them all', (tab) => (tab === tabs[0] ? `${tab.label} mines a block holding every payment` : 'Waiting for the block that confirms the payments'), async () => {
      await mineSynced(ctx, tabs[0]!, tabs);
      for (const id of sent) await checkTxStatus(ctx, tabs, id, 'confirmed');
      const stats = await Promise.all(tabs.map(statsOf));
      ctx.note(`${labels(tabs)} accepted ${stats.map((s) => s.txAccepted ?? 0).join('/')} txs, dropped ${stats.map((s) => s.duplicatesDropped ?? 0).join('/')} duplicates`);
    });
  },
};

/**
 * partition (docs/PROTOCOL.md, fork choice; issue 20, healing): the network
 * splits in two (each tab bans every tab of the other half with
 * `tabmesh.ban`), both halves mine, and the side with less work confirms a
 * payment of its own. When the bans are lifted every tab must converge on the
 * most-work chain, and the losing side's payment, undone by the reorg, must
 * confirm again. Where healing does not happen, the failed fact names the
 * tabs that stayed behind and the tips they hold.
 */
import { checkLinked, checkTip, checkTxStatus, everyTab, labels, mineSynced, openLinked, peersOf, send, short, tipOf, txStatusOf } from '../demo/actions.ts';
import type { AnyTab, Scenario, Tab } from '../demo/scenario.ts';

/** Long enough to outlast the demo; unban() ends it. */
const SPLIT_MS = 10 * 60_000;
/** Blocks each side mines apart: the heavier side wins by one block more. */
const LIGHT_BLOCKS = 1;
const HEAVY_BLOCKS = 2;

export const partition: Scenario = {
  name: 'partition',
  claim: 'When the network splits and both sides mine, it heals to the most-work chain, and the losing side\'s transactions confirm again.',
  defaultTabs: 6,
  minTabs: 4,
  async run(ctx) {
    const tabs = await openLinked(ctx, ctx.tabCount);
    const half = Math.floor(tabs.length / 2);
    // Any tab: a step's caption is asked about every open tab, whichever browser it runs in.
    const light: readonly AnyTab[] = tabs.slice(0, half);
    const heavy: readonly AnyTab[] = tabs.slice(half);
    const side = (tab: AnyTab) => (light.includes(tab) ? `side A (${labels(light)})` : `side B (${labels(heavy)})`);

    await ctx.step('Both sides get coins', (tab) => (tab === light[0] || tab === heavy[0] ? `${tab.label} mines a block: coins to pay with later` : 'Following the blocks'), async () => {
      await mineSynced(ctx, light[0]!, tabs);
      await mineSynced(ctx, heavy[0]!, tabs);
    });

    await ctx.step('The network splits', (tab) => `Partition: ${labels(light)} cannot reach ${labels(heavy)}. This tab is on ${side(tab)}`, async () => {
      for (const tab of tabs) {
        const others = (light.includes(tab) ? heavy : light).map((t) => t.id);
        await tab.page.evaluate(([ids, ms]) => ids.forEach((id) => window.tabmesh.ban(id, ms)), [others, SPLIT_MS] as const);
      }
      await ctx.check('no tab links across the split', everyTab(tabs, peersOf, (peers, tab) => !(light.includes(tab) ? heavy : light).some((other) => peers.includes(other.id)), (p) => `${p.length} links`));
      await checkLinked(ctx, light);
      await checkLinked(ctx, heavy);
    });

    let lightTx = '';
    let heavyTip = '';
    await ctx.step('Both sides mine apart', (tab) => (light.includes(tab) ? `Side A pays and mines ${LIGHT_BLOCKS} block (less work)` : `Side B pays and mines ${HEAVY_BLOCKS} blocks (more work)`), async () => {
      lightTx = await send(light[0]!, light[1]!.id, 77, 1);
      const heavyTx = await send(heavy[0]!, heavy[1]!.id, 88, 1);
      await checkTxStatus(ctx, light, lightTx, 'pending');
      await checkTxStatus(ctx, heavy, heavyTx, 'pending');
      await mineSynced(ctx, light[0]!, light, LIGHT_BLOCKS);
      heavyTip = (await mineSynced(ctx, heavy[0]!, heavy, HEAVY_BLOCKS)).at(-1)!;
      await checkTxStatus(ctx, light, lightTx, 'confirmed');
      await ctx.check('side B never saw side A\'s payment', everyTab(heavy, (tab) => txStatusOf(tab, lightTx), (s) => s === 'unknown'), 0);
      const [a, b] = [await tipOf(light[0]!), await tipOf(heavy[0]!)];
      ctx.note(`side A at #${a.height} ${short(a.hash)}, side B at #${b.height} ${short(b.hash)}`);
    });

    await ctx.step('The partition heals', (tab) => (light.includes(tab) ? 'Bans lifted: side A must reorganise onto side B\'s heavier chain' : 'Bans lifted: side B\'s chain has the most work'), async () => {
      const since = Date.now();
      for (const tab of tabs) {
        const others = (light.includes(tab) ? heavy : light).map((t) => t.id);
        await tab.page.evaluate((ids) => ids.forEach((id) => window.tabmesh.unban(id)), others);
      }
      await ctx.check('every tab has lifted its bans', everyTab(tabs, (tab) => tab.page.evaluate(() => window.tabmesh.bans().length), (n) => n === 0), 0);
      await ctx.check('some link crosses the old split again', async () => {
        const crossing = await Promise.all(light.map(async (tab) => (await peersOf(tab)).filter((id) => heavy.some((h) => h.id === id)).length));
        return { ok: crossing.some((n) => n > 0), saw: 'no link from side A to side B' };
      }, 45_000);
      await checkTip(ctx, tabs, heavyTip, 45_000);
      ctx.note(`every tab on side B's tip ${Date.now() - since} ms after the bans were lifted`);
      await ctx.check(`side A's payment ${short(lightTx)} is back in side A's mempools (undone by the reorg, not lost)`, everyTab(light, (tab) => txStatusOf(tab, lightTx), (s) => s === 'pending'), 30_000);
      await ctx.check(`side A's payment ${short(lightTx)} reaches side B`, everyTab(heavy, (tab) => txStatusOf(tab, lightTx), (s) => s === 'pending'), 30_000);
    });

    await ctx.step('The losing side\'s payment confirms again', (tab) => (tab === heavy[0] ? `${tab.label} mines: the block takes side A's payment` : 'Waiting for side A\'s payment to confirm on the winning chain'), async () => {
      await mineSynced(ctx, heavy[0]!, tabs);
      await checkTxStatus(ctx, tabs, lightTx, 'confirmed');
      const view = (tab: Tab) => tab.page.evaluate((ids) => ids.map((id) => window.tabmesh.balance(id)).join(), tabs.map((t) => t.id));
      const first = await view(tabs[0]!);
      await ctx.check('every tab holds the same balances', everyTab(tabs, view, (v) => v === first));
    });
  },
};

/**
 * cross-browser (README's opening: every tab is a full peer, whatever
 * browser it runs in): a Firefox tab joins the Chromium tabs' mesh. It links over WebRTC
 * with no STUN (mDNS host candidates), a payment made in Firefox confirms in
 * Chromium and one made in Chromium confirms in Firefox, and every tab ends on
 * the same tip. The two browsers verify with different Ed25519 code (BoringSSL
 * and NSS), so this is also where their verdicts must agree.
 *
 * Firefox is Debian's firefox-esr driven by puppeteer-core over WebDriver
 * BiDi (harness/firefox.ts); without it the scenario is skipped, which is
 * never a pass.
 */
import { findFirefox } from '../harness/firefox.ts';
import { checkLinked, checkTxStatus, everyTab, labels, mineSynced, openLinked, peersOf, send, short } from '../demo/actions.ts';
import type { AnyTab, Scenario } from '../demo/scenario.ts';

export const crossBrowser: Scenario = {
  name: 'cross-browser',
  claim: 'A Firefox tab joins the Chromium tabs\' mesh: it links, a payment made in Firefox confirms in Chromium and one made in Chromium confirms in Firefox, on the same tip.',
  defaultTabs: 2,
  minTabs: 1,
  prerequisiteMissing: () => (findFirefox() ? undefined : `Firefox (Debian: apt-get install firefox-esr${process.env.FIREFOX_PATH ? `; FIREFOX_PATH=${process.env.FIREFOX_PATH} is not an executable` : ', or set FIREFOX_PATH'})`),
  async run(ctx) {
    const chromium = await openLinked(ctx, ctx.tabCount, `Opening ${ctx.tabCount} Chromium tab${ctx.tabCount === 1 ? '' : 's'} on the network`);

    let firefox: AnyTab | undefined;
    let all: AnyTab[] = [];
    await ctx.step('A Firefox tab joins', (tab) => (tab === firefox ? 'Firefox joins the Chromium mesh through the relay and links over WebRTC' : 'Chromium: a Firefox tab is joining'), async () => {
      const since = Date.now();
      [firefox] = await ctx.openFirefoxTabs(1);
      const agent = await firefox!.page.evaluate(() => navigator.userAgent);
      ctx.note(`${firefox!.label} ready ${Date.now() - since} ms after the launch began: ${agent}`);
      await ctx.check(`${firefox!.label} runs Firefox`, async () => ({ ok: /Firefox\/\d+/.test(agent), saw: agent }), 0);
      const linkedSince = Date.now();
      await ctx.check(`${firefox!.label} links to a Chromium tab, and that tab lists it`, async () => {
        const peers = await peersOf(firefox!);
        const partner = chromium.find((tab) => peers.includes(tab.id));
        return { ok: partner !== undefined && (await peersOf(partner)).includes(firefox!.id), saw: `${peers.length} links` };
      });
      ctx.note(`linked ${Date.now() - linkedSince} ms after it was ready`);
      all = [...chromium, firefox!];
      await checkLinked(ctx, all);
    });

    const chromiumTab = chromium[0]!;
    await ctx.step('Firefox mines and pays Chromium', (tab) => (tab === firefox ? `Firefox mines a block, then pays ${chromiumTab.label}` : tab === chromiumTab ? `Chromium: waiting for Firefox's payment; then mines the block that confirms it` : 'Following the blocks'), async () => {
      await mineSynced(ctx, firefox!, all);
      const tx = await send(firefox!, chromiumTab.id, 21, 1);
      await checkTxStatus(ctx, all, tx, 'pending');
      await mineSynced(ctx, chromiumTab, all);
      await checkTxStatus(ctx, all, tx, 'confirmed');
      ctx.note(`Firefox's payment ${short(tx)} confirmed in ${labels(all)}`);
    });

    await ctx.step('Chromium pays Firefox', (tab) => (tab === chromiumTab ? `Chromium pays ${firefox!.label}` : tab === firefox ? 'Firefox: waiting for Chromium\'s payment; then mines the block that confirms it' : 'Following the blocks'), async () => {
      const tx = await send(chromiumTab, firefox!.id, 13, 1);
      await checkTxStatus(ctx, all, tx, 'pending');
      await mineSynced(ctx, firefox!, all);
      await checkTxStatus(ctx, all, tx, 'confirmed');
      const view = (tab: AnyTab) => tab.page.evaluate((ids) => ids.map((id) => window.tabmesh.balance(id)).join(), all.map((t) => t.id));
      const first = await view(all[0]!);
      await ctx.check('every tab, of either browser, holds the same balances', everyTab(all, view, (v) => v === first));
    });
  },
};

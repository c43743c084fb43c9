/**
 * late-joiner (docs/PROTOCOL.md, "Chain sync"): a tab that opens after
 * hundreds of blocks asks for headers first, checks the chain of work they
 * describe, then fetches the blocks, and shows its progress ("Catching up:
 * block X of Y") while it does. It ends on the same tip with the same
 * balances as the tabs that mined them.
 */
import { checkTip, openLinked, short, statsOf, tipOf } from '../demo/actions.ts';
import type { Scenario, Tab } from '../demo/scenario.ts';

/** Hundreds of blocks, as the claim says; TEST_PARAMS mines them in a few seconds. */
const CHAIN_BLOCKS = 300;

declare global {
  interface Window {
    /** The largest "block X of Y" the joiner's progress display showed (recorded by an init script). */
    __demoSyncSeen?: { shown: number; lastText: string };
  }
}

/**
 * Runs in the joining page before the app: counts each change of the sync progress display. A string, not a
 * function: tsx wraps named functions in a `__name` helper the page does not have.
 */
const RECORD_SYNC_PROGRESS = `
  window.__demoSyncSeen = { shown: 0, lastText: '' };
  new MutationObserver(() => {
    const status = document.querySelector('[aria-label="Sync progress"]');
    if (status && status.textContent !== window.__demoSyncSeen.lastText) {
      window.__demoSyncSeen.shown++;
      window.__demoSyncSeen.lastText = status.textContent || '';
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

export const lateJoiner: Scenario = {
  name: 'late-joiner',
  claim: 'A tab that opens after hundreds of blocks catches up headers-first, showing its progress, and ends on the same chain as every other tab.',
  defaultTabs: 3,
  minTabs: 2,
  async run(ctx) {
    const early = await openLinked(ctx, ctx.tabCount - 1);
    let chainTip = { height: 0, hash: '' };
    await ctx.step(`The network mines ${CHAIN_BLOCKS} blocks`, (tab) => (tab === early[0] ? `${tab.label} mines ${CHAIN_BLOCKS} blocks` : `Following ${early[0]!.label}'s blocks`), async () => {
      const since = Date.now();
      const hashes = await early[0]!.page.evaluate((n) => window.tabmesh.mine(n), CHAIN_BLOCKS);
      await checkTip(ctx, early, hashes.at(-1)!, 60_000);
      chainTip = await tipOf(early[0]!);
      ctx.note(`${CHAIN_BLOCKS} blocks mined and spread in ${Date.now() - since} ms; tip #${chainTip.height} ${short(chainTip.hash)}`);
    });

    let joiner: Tab | undefined;
    await ctx.step('A new tab opens late', (tab) => (tab === joiner || !early.some((t) => t === tab) ? 'Late joiner: headers first, then blocks' : `Serving the late joiner the chain`), async () => {
      const since = Date.now();
      [joiner] = await ctx.openTabs(1, { initScript: RECORD_SYNC_PROGRESS });
      const late = joiner!;
      await ctx.check(`${late.label} links to the network`, async () => (await late.page.evaluate(() => window.tabmesh.peers().length)) > 0);
      await checkTip(ctx, [late], chainTip.hash, 60_000);
      ctx.note(`${late.label} reached #${chainTip.height} ${Date.now() - since} ms after it opened`);
      const stats = await statsOf(late);
      await ctx.check(`${late.label} received the chain's headers (headers-first)`, async () => ({ ok: (stats.headersReceived ?? 0) >= chainTip.height, saw: `${stats.headersReceived} headers for ${chainTip.height} blocks` }), 0);
      await ctx.check(`${late.label} fetched the blocks whole after their headers`, async () => ({ ok: (stats.blocksRequested ?? 0) >= chainTip.height - 2, saw: `${stats.blocksRequested} blocks requested` }), 0);
      const seen = await late.page.evaluate(() => window.__demoSyncSeen);
      await ctx.check(`${late.label} showed its catch-up progress`, async () => ({ ok: (seen?.shown ?? 0) > 0, saw: seen ? `shown ${seen.shown} times` : 'no recorder' }), 0);
      ctx.note(`progress display changed ${seen?.shown} times; last: "${seen?.lastText}"`);
      const balances = (tab: Tab) => tab.page.evaluate((ids) => ids.map((id) => window.tabmesh.balance(id)).join(), early.map((t) => t.id));
      const expected = await balances(early[0]!);
      await ctx.check(`${late.label} holds the same balances as the tabs that mined`, async () => ({ ok: (await balances(late)) === expected, saw: await balances(late) }));
    });
  },
};

/**
 * Steps several scenarios take, each checked as a fact through
 * `window.tabmesh` (README, "Scripting API"). One copy, shared by every
 * scenario, and so by every demo and spec. They read tabs of either browser
 * (Chromium through Playwright, Firefox through puppeteer): only
 * `page.evaluate` is used.
 */
import type { TabStats } from '../harness/tabs.ts';
import type { AnyTab, ProbeAnswer, ScenarioContext, Tab } from './scenario.ts';

/** TEST_PARAMS.blockReward (src/core/ledger/params.ts). */
export const TEST_REWARD = 50_000;

export const short = (hex: string): string => hex.slice(0, 8);
/** "tab 3" or "tabs 1, 2, 3". */
export const labels = (tabs: readonly AnyTab[]): string => (tabs.length === 1 ? tabs[0]!.label : `tabs ${tabs.map((tab) => tab.label.replace('tab ', '')).join(', ')}`);

export const peersOf = (tab: AnyTab): Promise<string[]> => tab.page.evaluate(() => window.tabmesh.peers().map((peer) => peer.id));
export const tipOf = (tab: AnyTab): Promise<{ height: number; hash: string }> => tab.page.evaluate(() => window.tabmesh.tip());
export const statsOf = (tab: AnyTab): Promise<TabStats> => tab.page.evaluate(() => window.tabmesh.stats() as TabStats);
export const txStatusOf = (tab: AnyTab, id: string): Promise<string> => tab.page.evaluate((txId) => window.tabmesh.tx(txId).status, id);

/** A probe that holds when `predicate` holds for every tab's value, and says which tabs it does not hold for. */
export function everyTab<T, K extends AnyTab>(tabs: readonly K[], read: (tab: K) => Promise<T>, predicate: (value: T, tab: K) => boolean, show: (value: T) => string = String) {
  return async (): Promise<ProbeAnswer> => {
    const values = await Promise.all(tabs.map(read));
    const off = tabs.flatMap((tab, index) => (predicate(values[index]!, tab) ? [] : [`${tab.label}: ${show(values[index]!)}`]));
    return { ok: off.length === 0, saw: off.join('; ') };
  };
}

/** Every tab in `tabs` links to every other one in `tabs` (it may link to more). */
export async function checkLinked(ctx: ScenarioContext, tabs: readonly AnyTab[], timeoutMs?: number): Promise<void> {
  await ctx.check(
    `${labels(tabs)} are all linked to each other`,
    everyTab(tabs, peersOf, (peers, tab) => tabs.every((other) => other === tab || peers.includes(other.id)), (peers) => `${peers.length} links`),
    timeoutMs,
  );
}

/** Every tab in `tabs` has the tip `hash`. */
export async function checkTip(ctx: ScenarioContext, tabs: readonly AnyTab[], hash: string, timeoutMs?: number): Promise<void> {
  await ctx.check(`${labels(tabs)}: tip is block ${short(hash)}`, everyTab(tabs, tipOf, (tip) => tip.hash === hash, (tip) => `#${tip.height} ${short(tip.hash)}`), timeoutMs);
}

/** `miner` mines `count` blocks; every tab in `tabs` then has the last as its tip. Returns the hashes. */
export async function mineSynced(ctx: ScenarioContext, miner: AnyTab, tabs: readonly AnyTab[], count = 1): Promise<string[]> {
  const hashes = await miner.page.evaluate((n) => window.tabmesh.mine(n), count);
  await checkTip(ctx, tabs, hashes.at(-1)!);
  return hashes;
}

/** Every tab in `tabs` reports transaction `id` with `status`. */
export async function checkTxStatus(ctx: ScenarioContext, tabs: readonly AnyTab[], id: string, status: 'pending' | 'confirmed' | 'unknown', timeoutMs?: number): Promise<void> {
  await ctx.check(`${labels(tabs)}: tx ${short(id)} is ${status}`, everyTab(tabs, (tab) => txStatusOf(tab, id), (seen) => seen === status), timeoutMs);
}

/** `from` pays `amount` to `to`; resolves the transaction id. */
export const send = (from: AnyTab, to: string, amount: number, fee = 1): Promise<string> =>
  from.page.evaluate(([recipient, value, f]) => window.tabmesh.send(recipient, value, f), [to, amount, fee] as const);

/** Sums of a counter over tabs. */
export async function sumStat(tabs: readonly AnyTab[], name: string): Promise<number> {
  const all = await Promise.all(tabs.map(statsOf));
  return all.reduce((sum, stats) => sum + (stats[name] ?? 0), 0);
}

/** The first step of most scenarios: `count` tabs open and link to each other. */
export async function openLinked(ctx: ScenarioContext, count: number, caption = `Opening ${count} tabs; they find each other through the relay and link over WebRTC`): Promise<Tab[]> {
  let tabs: Tab[] = [];
  await ctx.step('Tabs open and link', caption, async () => {
    tabs = await ctx.openTabs(count);
    await checkLinked(ctx, tabs);
  });
  return tabs;
}

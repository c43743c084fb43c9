/**
 * The soak's shared state and the actions its loops take on it: the live
 * tabs, the blocks mined (one at a time, behind a lock, so two tabs never
 * mine on the same tip because the bench asked them at once), sends, and the
 * churn (a tab replaced, a link dropped).
 */
import type { Browser } from '@playwright/test';
import type { Prng } from '../../src/sim/prng.ts';
import { BenchError } from '../lib/bench-error.ts';
import { waitUntil, type TabLog } from '../lib/tabs.ts';
import type { DeliveryLedger } from './delivery.ts';
import { closeSoakTab, openSoakTab, type SoakTab } from './soak-tab.ts';

export interface SoakWorldInit {
  browser: Browser;
  baseUrl: string;
  network: string;
  /** Extra page parameters (e.g. links: the target degree D). */
  params: Record<string, string>;
  prng: Prng;
  ledger: DeliveryLedger;
  tabLog: TabLog;
  log: (line: string) => void;
}

/** How long a closing tab is given for every transaction it sent to reach another tab. */
const SPREAD_BEFORE_CLOSE_MS = 15_000;
/** How long a fresh tab is given to link and catch up with the chain before it mines its funding block. */
const JOIN_TIMEOUT_MS = 60_000;
/** How long a funding block is given to reach an anchor's chain (blocks spread in well under a second here). */
const FUNDED_TIMEOUT_MS = 10_000;

/** A refusal's message with ids and numbers blanked, so reasons group (as bench/lib/tabs.ts does for bans). */
export const reasonOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/[0-9a-f]{8,}/g, '…').replace(/\d+(\.\d+)?/g, 'N').slice(0, 120);

/** True when `error` came from a page the churn closed under a call (not a failure of the call itself). */
export const closedUnder = (tab: SoakTab, error: unknown): boolean =>
  (tab.closing || tab.closedAtMs !== undefined) && /closed|Target page|has been closed|detached/i.test(String(error));

export function createSoakWorld(init: SoakWorldInit) {
  const { browser, baseUrl, network, params, prng, ledger, tabLog, log } = init;
  const live: SoakTab[] = [];
  const closed: SoakTab[] = [];
  const counters = { blocks: 0, mineFailures: 0, tabsReplaced: 0, linksDropped: 0, closedBeforeSpread: 0, sendSlots: 0, fundingRetries: 0 };
  let nextLabel = 0;
  let nextMiner = 0;
  let nextSender = 0;
  let mining: Promise<unknown> = Promise.resolve();

  /** Runs `action` after every earlier one queued here (mining and closing tabs). */
  function serially<T>(action: () => Promise<T>): Promise<T> {
    const run = mining.then(action, action);
    mining = run.catch(() => undefined); // the caller sees the failure; the queue only needs to move on
    return run;
  }

  const active = () => live.filter((tab) => !tab.closing);

  async function open(anchor: boolean): Promise<SoakTab> {
    const tab = await openSoakTab(browser, baseUrl, network, tabLog, `t${nextLabel++}`, anchor, params);
    for (const other of live) other.churnSeen.freshTabs++;
    live.push(tab);
    return tab;
  }

  /** Mines one block in `tab` (behind the lock). */
  const mineIn = (tab: SoakTab) => serially(async () => {
    await tab.page.evaluate(() => window.tabmesh.mine(1));
    counters.blocks++;
  });

  /**
   * Mines `tab`'s funding block until `reference` credits it. A fresh tab can mine before the block just
   * mined elsewhere reaches it; its block then loses the fork, and its wallet would refuse every send for
   * insufficient funds (64 refused sends in a 25 tx/s soak before this check).
   */
  async function fund(tab: SoakTab, reference: SoakTab | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await mineIn(tab);
      if (!reference) return;
      try {
        await waitUntil(`${tab.label}'s funding block in ${reference.label}'s chain`, FUNDED_TIMEOUT_MS, async () =>
          (await reference.page.evaluate((id) => window.tabmesh.balance(id), tab.id)) > 0, 250);
        return;
      } catch (error) {
        if (!(error instanceof BenchError) || attempt === 3) throw error;
        counters.fundingRetries++;
      }
    }
  }

  return {
    live,
    closed,
    counters,
    open,
    mineIn,

    /** The next funded tab in turn mines a block; a failure is counted, not fatal (the next turn tries another tab). */
    async mineNext(): Promise<void> {
      const miners = active().filter((tab) => tab.funded);
      if (miners.length === 0) return;
      const miner = miners[nextMiner++ % miners.length]!;
      try {
        await mineIn(miner);
      } catch (error) {
        if (closedUnder(miner, error)) return;
        counters.mineFailures++;
        log(`  ${miner.label} could not mine: ${reasonOf(error)}`);
      }
    },

    /** One send from the next funded tab to a random other tab, not awaited (open loop); the ledger records it. */
    sendNext(): void {
      counters.sendSlots++;
      const senders = active().filter((tab) => tab.funded);
      if (senders.length === 0) {
        ledger.recordRefused('no funded tab');
        return;
      }
      const sender = senders[nextSender++ % senders.length]!;
      const others = active().filter((tab) => tab !== sender);
      const to = others.length > 0 ? prng.pick(others).id : sender.id;
      const atMs = Date.now();
      const call = sender.page.evaluate((recipient) => window.tabmesh.send(recipient, 1, 1), to).then(
        (id) => {
          ledger.recordSent({ id, sender: sender.label, atMs });
          sender.sentIds.push(id);
        },
        (error: unknown) => ledger.recordRefused(reasonOf(error), `${sender.label}: ${String(error).split('\n')[0]}`),
      );
      sender.inFlight.add(call);
      void call.finally(() => sender.inFlight.delete(call));
    },

    /**
     * A fresh tab joins: opens, links, catches up with an anchor's tip, then mines one block so it has coins
     * to send (a new visitor's account starts empty).
     */
    async join(anchor: boolean): Promise<SoakTab> {
      const reference = active().find((tab) => tab.anchor);
      const height = reference ? await reference.page.evaluate(() => window.tabmesh.tip().height) : 0;
      const tab = await open(anchor);
      await waitUntil(`${tab.label} to link and reach height ${height}`, JOIN_TIMEOUT_MS, async () =>
        tab.page.evaluate((target) => window.tabmesh.peers().length > 0 && window.tabmesh.tip().height >= target, height), 250);
      await fund(tab, reference);
      tab.peersAtStart = await tab.page.evaluate(() => window.tabmesh.peers().length);
      tab.funded = true;
      return tab;
    },

    /**
     * Replaces one tab that is not an anchor: it stops sending, is given SPREAD_BEFORE_CLOSE_MS for every
     * transaction it sent to reach another tab (a visitor who closes a tab right after sending can lose the
     * transaction, which is not the loss this run looks for), closes, and a fresh tab joins.
     */
    async replaceOne(): Promise<void> {
      const victims = active().filter((tab) => !tab.anchor);
      if (victims.length === 0) return;
      const victim = prng.pick(victims);
      victim.closing = true;
      await Promise.allSettled([...victim.inFlight]);
      const others = () => live.filter((tab) => tab !== victim && !tab.closing);
      const unspread = async () => {
        const known = await Promise.all(others().map((tab) => tab.page.evaluate((ids) => ids.filter((id) => window.tabmesh.tx(id).status !== 'unknown'), victim.sentIds)));
        const spread = new Set(known.flat());
        return victim.sentIds.filter((id) => !spread.has(id)).length;
      };
      try {
        await waitUntil(`${victim.label}'s transactions to reach another tab`, SPREAD_BEFORE_CLOSE_MS, async () => (await unspread()) === 0, 250);
      } catch (error) {
        if (!(error instanceof BenchError)) throw error;
        const left = await unspread();
        counters.closedBeforeSpread += left;
        log(`  ${victim.label} closes with ${left} of its transactions in no other tab`);
      }
      await serially(() => closeSoakTab(victim));
      live.splice(live.indexOf(victim), 1);
      closed.push(victim);
      counters.tabsReplaced++;
      await this.join(false);
    },

    /** Closes one random link (tabmesh.disconnect: no hold-off), so the mesh must make it again or another. */
    async dropOne(): Promise<void> {
      const tabs = active();
      if (tabs.length === 0) return;
      const tab = prng.pick(tabs);
      try {
        const peers = await tab.page.evaluate(() => window.tabmesh.peers().map((peer) => peer.id));
        if (peers.length === 0) return;
        const peer = prng.pick(peers);
        if (!(await tab.page.evaluate((id) => window.tabmesh.disconnect(id), peer))) return;
        counters.linksDropped++;
        tab.churnSeen.drops++;
        const other = live.find((candidate) => candidate.id === peer);
        if (other) other.churnSeen.drops++;
      } catch (error) {
        if (!closedUnder(tab, error)) throw error;
      }
    },
  };
}

export type SoakWorld = ReturnType<typeof createSoakWorld>;

/**
 * Delivery, defined so that "nothing lost" can be checked:
 *
 * - A transaction is *sent* when its sender's wallet accepted it
 *   (tabmesh.send resolved an id). Refused sends are counted apart.
 * - During the run (`checkLive`): every tab ready for at least `graceMs` must
 *   have every transaction sent at least `graceMs` ago in its mempool or its
 *   chain (tabmesh.findTx status 'pending' or 'confirmed'), including tabs
 *   opened after it was sent (they get it in the pool handed over when they
 *   link, or in a block when they sync). A missing (transaction, tab) pair is
 *   *overdue*; it is not a loss yet, only late.
 * - At the end (`checkFinal`), after sending stops and blocks are mined:
 *   a transaction is *delivered* when every tab open at the end has it
 *   confirmed in its chain. Delivery = delivered / sent; 100% is the goal.
 *
 * A tab that confirmed a transaction is not asked about it again (a reorg
 * would put it back in the mempool, which still counts as having it).
 */
import type { Page } from '@playwright/test';
import type { SoakTab } from './soak-tab.ts';

export interface SentTx {
  id: string;
  sender: string;
  atMs: number;
}

export interface LiveCheck {
  atMs: number;
  /** Transactions old enough to be due everywhere. */
  due: number;
  /** Tabs old enough to be asked. */
  tabsAsked: number;
  /** (transaction, tab) pairs due but not in the tab's mempool or chain. */
  overduePairs: number;
  /** Up to 5 examples, "tab: id". */
  overdueExamples: string[];
}

export interface FinalDelivery {
  sent: number;
  /** Confirmed in every tab open at the end. */
  delivered: number;
  deliveredPercent: number;
  tabsAtEnd: number;
  /** Not confirmed in some tab at the end, by status in that tab ('pending' or 'unknown'). */
  undeliveredByStatus: Record<string, number>;
  undeliveredExamples: string[];
}

/** Statuses of `ids` in one tab, in the same order (findTx: memory, then the mempool, then IndexedDB). */
const statusesIn = (page: Page, ids: string[]): Promise<string[]> =>
  page.evaluate((txIds) => Promise.all(txIds.map((txId) => window.tabmesh.findTx(txId).then((found) => found.status))), ids);

export function createDeliveryLedger(graceMs: number) {
  const sent: SentTx[] = [];
  /** Per tab label, the ids that tab has confirmed. */
  const confirmedIn = new Map<string, Set<string>>();
  const refused: Record<string, number> = {};
  const refusedExamples: string[] = [];

  /** Asks `tab` about the ids of `txs` it has not confirmed yet; returns those it does not have at all. */
  async function missingIn(tab: SoakTab, txs: SentTx[]): Promise<{ missing: string[]; pending: string[] }> {
    const known = confirmedIn.get(tab.label) ?? new Set<string>();
    confirmedIn.set(tab.label, known);
    const ask = txs.map((tx) => tx.id).filter((id) => !known.has(id));
    const missing: string[] = [];
    const pending: string[] = [];
    // Batches keep each evaluation's argument and result small.
    for (let at = 0; at < ask.length; at += 2_000) {
      const batch = ask.slice(at, at + 2_000);
      const statuses = await statusesIn(tab.page, batch);
      statuses.forEach((status, index) => {
        const id = batch[index]!;
        if (status === 'confirmed') known.add(id);
        else if (status === 'pending') pending.push(id);
        else missing.push(id);
      });
    }
    return { missing, pending };
  }

  return {
    sent,
    recordSent(tx: SentTx): void {
      sent.push(tx);
    },
    /** A refused send, by its grouped `reason`; the first few `example`s are kept whole. */
    recordRefused(reason: string, example?: string): void {
      refused[reason] = (refused[reason] ?? 0) + 1;
      if (example && refusedExamples.length < 5) refusedExamples.push(example);
    },
    refused: () => ({ ...refused }),
    refusedExamples: () => [...refusedExamples],

    /** The live check: see the file header. */
    async checkLive(tabs: SoakTab[], nowMs: number): Promise<LiveCheck> {
      const due = sent.filter((tx) => tx.atMs <= nowMs - graceMs);
      const asked = tabs.filter((tab) => !tab.closing && tab.readyAtMs <= nowMs - graceMs);
      let overduePairs = 0;
      const overdueExamples: string[] = [];
      for (const tab of asked) {
        const { missing } = await missingIn(tab, due);
        overduePairs += missing.length;
        for (const id of missing.slice(0, 5 - overdueExamples.length)) overdueExamples.push(`${tab.label}: ${id.slice(0, 12)}`);
      }
      return { atMs: nowMs, due: due.length, tabsAsked: asked.length, overduePairs, overdueExamples };
    },

    /** The final check: see the file header. */
    async checkFinal(tabs: SoakTab[]): Promise<FinalDelivery> {
      const undelivered = new Map<string, string>();
      for (const tab of tabs) {
        const { missing, pending } = await missingIn(tab, sent);
        for (const id of pending) if (!undelivered.has(id)) undelivered.set(id, `pending in ${tab.label}`);
        for (const id of missing) undelivered.set(id, `unknown in ${tab.label}`);
      }
      const undeliveredByStatus: Record<string, number> = {};
      for (const where of undelivered.values()) {
        const status = where.split(' ')[0]!;
        undeliveredByStatus[status] = (undeliveredByStatus[status] ?? 0) + 1;
      }
      const delivered = sent.length - undelivered.size;
      return {
        sent: sent.length,
        delivered,
        // Floor, not round: 99.996% must not print as 100%.
        deliveredPercent: sent.length === 0 ? Number.NaN : Math.floor((10_000 * delivered) / sent.length) / 100,
        tabsAtEnd: tabs.length,
        undeliveredByStatus,
        undeliveredExamples: [...undelivered].slice(0, 5).map(([id, where]) => `${id.slice(0, 12)} ${where}`),
      };
    },

    /** True when every sent transaction is confirmed in every tab of `tabs` (asks only about the rest). */
    async allConfirmed(tabs: SoakTab[]): Promise<boolean> {
      for (const tab of tabs) {
        const { missing, pending } = await missingIn(tab, sent);
        if (missing.length + pending.length > 0) return false;
      }
      return true;
    },
  };
}

export type DeliveryLedger = ReturnType<typeof createDeliveryLedger>;

/**
 * Issue 24 §4, "Peers of unequal strength": 8 tabs at 100 tx/s with one tab's
 * CPU slowed (Chrome DevTools Protocol `Emulation.setCPUThrottlingRate` on
 * that page's session), against an unthrottled run of the same sizes from
 * the same invocation.
 *
 * Each run is a propagation run (bench/figures/propagation.ts, its hooks):
 * the last tab is the slow one. It takes part in the load (it sends its share
 * and relays), but does not mine during the run in any of the runs, so the
 * block schedule, and with it the other tabs' mempools, is the same in the
 * throttled run and its baseline. The slowdown is applied once the tabs are
 * linked and funded, and stays on to the end.
 *
 * What is measured, per run:
 * - the other tabs' latency: over transactions the other tabs sent, from the
 *   send until the last of the *other* tabs admitted it (the slow tab's own
 *   arrivals are its own business);
 * - punishment of the slow tab: bans and hold-offs of it by any other tab, and
 *   links to it that closed, with their reasons (from the tabs' logs: 'peer
 *   misbehaved', 'holding a peer off', 'link closed'), from the moment the
 *   slowdown starts until the tabs close; also the reverse, the slow tab
 *   punishing others;
 * - catch-up: from the end of the sending window, how long until the slow
 *   tab's tip equals the other tabs' common tip (blocks behind when the load
 *   stopped; blocks it fetched by sync meanwhile).
 *
 * Runs are interleaved, baseline first then each slowdown, the order reversed
 * in every other round, so drift in the shared machine's load falls on both
 * sides; the figures are medians over rounds.
 */
import { loadavg } from 'node:os';
import type { Browser, ConsoleMessage, Page } from '@playwright/test';
import type { SendRecord } from '../page/agent.ts';
import { statsOf, waitUntil } from '../lib/tabs.ts';
import { median, round, summarize, type Summary } from '../lib/summary.ts';
import { BenchError } from '../lib/bench-error.ts';
import { measurePropagation, type PropagationHooks, type PropagationOptions } from './propagation.ts';

/** Issue 24 §4: the other tabs' p50 changes by no more than this share when one tab is slowed 6×. */
export const SLOW_PEER_P50_CHANGE_GOAL = 0.1;

export interface SlowPeerOptions extends Omit<PropagationOptions, 'miners' | 'profileTab' | 'distDir' | 'trace'> {
  /** CPU slowdowns of the slow tab (6 and 20 in issue 24), each beside an unthrottled run. */
  throttleRates: number[];
  /** Rounds of (unthrottled, each slowdown); medians are over rounds. */
  rounds: number;
  /** After the load stops, how long the slow tab has to reach the others' tip before it counts as not caught up. */
  catchUpTimeoutMs: number;
}

/** A link event in one tab's log that concerns another tab. */
export interface LinkEvent {
  /** The tab that logged it. */
  tab: number;
  kind: 'banned' | 'held off' | 'closed';
  /** The tab it concerns (-1: not one of the run's tabs). */
  peer: number;
  reason: string;
}

export interface SlowPeerRun {
  round: number;
  /** 1: the unthrottled baseline. */
  throttle: number;
  /** Send → last of the other tabs, over the other tabs' transactions. */
  othersLatencyMs: Summary;
  /** Of the other tabs' transactions, those every other tab admitted, percent. */
  othersDeliveredPercent: number;
  /** Send → the slow tab, over the other tabs' transactions it admitted. */
  slowReceiveMs: Summary;
  slowDeliveredPercent: number;
  /** The slow tab's own sends: made, refused by its wallet, and the rate it managed. */
  slowSends: { made: number; refused: number };
  /** Blocks the slow tab was behind the others when the load stopped. */
  behindAtEndBlocks: number;
  /** From the end of the load until its tip equalled the others' tip; null when it did not within catchUpTimeoutMs. */
  catchUpMs: number | null;
  /** The slow tab's counters over the run (sync fetches, compact blocks, its own punishments of others). */
  slowStats: Record<string, number>;
  /** Other tabs banning or holding off the slow tab, and links to it closed by either side. */
  againstSlow: LinkEvent[];
  /** The same closed links as the other end logged them: its reason says which side closed and why. */
  closedByOthers: LinkEvent[];
  /** The slow tab banning or holding off another tab. */
  bySlow: LinkEvent[];
  /** Links the slow tab had when the slowdown began, and had unbroken at the end (same connectedAtMs). */
  slowLinks: { atStart: number; keptToEnd: number; atEnd: number };
  /** All punishments in the network over the run (bans + hold-offs, any tab). */
  networkPunishments: number;
  /** How busy the shared machine was: 1-minute load average as the run ended, and cores used over the sending window and drain. */
  machine: { loadAvg1m: number; machineCores: number; browserCores: number };
}

export interface SlowPeerFigure {
  options: SlowPeerOptions;
  runs: SlowPeerRun[];
  /** Runs that could not be measured (e.g. a tab that did not start on an overloaded machine); the medians are over the rest. */
  failed: { round: number; throttle: number; error: string }[];
}

const SLOW_STATS = ['blocksAccepted', 'blocksRequested', 'blocksRequestedCompact', 'headersRequested', 'compactBlockHits', 'compactBlockMisses', 'peersBanned', 'peersHeldOff', 'rateLimited', 'linksClosed', 'fetchRetries'];

/** Log lines of the node (src/core/node.ts, src/app/start-peer.ts) that say a link was closed or a peer punished. */
const LOG_KINDS: [string, LinkEvent['kind']][] = [['peer misbehaved', 'banned'], ['holding a peer off', 'held off'], ['link closed', 'closed']];

/** Slows `page`'s CPU `rate`× (1 = normal) through its own DevTools session. */
async function throttle(page: Page, rate: number): Promise<void> {
  const session = await page.context().newCDPSession(page);
  await session.send('Emulation.setCPUThrottlingRate', { rate });
}

/** The hooks of one run, and what they measured once it ends. */
function slowPeerHooks(throttleRate: number, catchUpTimeoutMs: number) {
  const events: LinkEvent[] = [];
  const reading: Promise<void>[] = [];
  /** The events up to the end of the run: closing the tabs afterwards closes every link, which is not the run's doing. */
  let logged: LinkEvent[] | undefined;
  let ids: string[] = [];
  let slow = 0;
  let linksAtStart = new Map<number, number>();
  let statsBefore: Record<string, number> = {};
  const measured = { behindAtEndBlocks: Number.NaN, catchUpMs: null as number | null, slowStats: {} as Record<string, number>, slowLinks: { atStart: 0, keptToEnd: 0, atEnd: 0 } };
  let latency: ReturnType<typeof othersLatency> | undefined;

  const watch = (page: Page, tab: number) => page.on('console', (message: ConsoleMessage) => {
    const kind = LOG_KINDS.find(([text]) => message.text().startsWith(`[tabmesh] ${text}`))?.[1];
    if (!kind) return;
    const fields = message.args()[1];
    if (!fields) return;
    reading.push(fields.jsonValue().then((value: { peerId?: string; reason?: string }) => {
      events.push({ tab, kind, peer: ids.indexOf(value.peerId ?? ''), reason: String(value.reason ?? '').replace(/\d+/g, 'N') });
    }, () => undefined)); // the page closed before the argument could be read: the run is over
  });
  const slowLinkTimes = async (page: Page) => new Map((await page.evaluate(() => window.tabmesh.peers().map((peer) => [peer.id, peer.connectedAtMs] as const))).map(([id, at]) => [ids.indexOf(id), at]));

  const hooks: PropagationHooks = {
    async beforeSending(pages, tabIds) {
      ids = tabIds;
      slow = pages.length - 1;
      pages.forEach(watch);
      linksAtStart = await slowLinkTimes(pages[slow]!);
      statsBefore = await statsOf(pages[slow]!);
      if (throttleRate !== 1) await throttle(pages[slow]!, throttleRate);
    },
    async afterSending(pages, endedAtMs) {
      const tips = () => Promise.all(pages.map((page) => page.evaluate(() => window.tabmesh.tip())));
      const first = await tips();
      measured.behindAtEndBlocks = Math.max(...first.slice(0, slow).map((tip) => tip.height)) - first[slow]!.height;
      try {
        await waitUntil(`the slow tab to reach the others' tip`, catchUpTimeoutMs, async () => {
          // The others may sit on two tips of one height (a fork no later block has settled yet, since the
          // load has stopped): the slow tab has caught up once it is on one of the others' best tips.
          const now = await tips();
          const others = now.slice(0, slow);
          const best = Math.max(...others.map((tip) => tip.height));
          return now[slow]!.height === best && others.some((tip) => tip.hash === now[slow]!.hash);
        }, 100);
        measured.catchUpMs = Math.round(Date.now() - endedAtMs);
      } catch (error) {
        if (!(error instanceof BenchError)) throw error;
      }
    },
    async beforeClose(pages, sends, arrivals) {
      latency = othersLatency(sends, arrivals, slow);
      const after = await statsOf(pages[slow]!);
      measured.slowStats = Object.fromEntries(SLOW_STATS.map((name) => [name, (after[name] ?? 0) - (statsBefore[name] ?? 0)]));
      const linksAtEnd = await slowLinkTimes(pages[slow]!);
      measured.slowLinks = { atStart: linksAtStart.size, keptToEnd: [...linksAtStart].filter(([tab, at]) => linksAtEnd.get(tab) === at).length, atEnd: linksAtEnd.size };
      await Promise.all(reading);
      logged = [...events];
    },
  };
  const result = (roundIndex: number, machine: SlowPeerRun['machine']): SlowPeerRun => {
    if (!latency || !logged) throw new BenchError('the propagation run ended before its arrivals were read');
    const punishments = logged.filter((event) => event.kind !== 'closed');
    return {
      round: roundIndex,
      throttle: throttleRate,
      ...latency,
      ...measured,
      // Each closed link is logged by both ends: counted once, from the slow tab's log.
      againstSlow: logged.filter((event) => (event.tab !== slow && event.peer === slow && event.kind !== 'closed') || (event.tab === slow && event.kind === 'closed')),
      closedByOthers: logged.filter((event) => event.tab !== slow && event.peer === slow && event.kind === 'closed'),
      bySlow: punishments.filter((event) => event.tab === slow),
      networkPunishments: punishments.length,
      machine,
    };
  };
  return { hooks, result };
}

/** The other tabs' latency (send → last other tab), and what the slow tab received, from one run's sends and arrivals. */
function othersLatency(sends: SendRecord[][], arrivals: Record<string, number>[], slow: number) {
  const others: number[] = [];
  const toSlow: number[] = [];
  let offered = 0;
  sends.forEach((records, sender) => {
    if (sender === slow) return;
    for (const record of records) {
      offered++;
      if (!record.id) continue;
      const times = arrivals.flatMap((tab, index) => (index === sender || index === slow || tab[record.id!] === undefined ? [] : [tab[record.id!]! - record.atMs]));
      if (times.length === sends.length - 2) others.push(Math.max(...times));
      const atSlow = arrivals[slow]![record.id];
      if (atSlow !== undefined) toSlow.push(atSlow - record.atMs);
    }
  });
  const slowRecords = sends[slow] ?? [];
  return {
    othersLatencyMs: summarize(others),
    othersDeliveredPercent: round((100 * others.length) / Math.max(1, offered), 2),
    slowReceiveMs: summarize(toSlow),
    slowDeliveredPercent: round((100 * toSlow.length) / Math.max(1, offered), 2),
    slowSends: { made: slowRecords.length, refused: slowRecords.filter((record) => record.error !== undefined).length },
  };
}

/** Runs `rounds` of (unthrottled, each throttle rate), order reversed every other round. */
export async function measureSlowPeer(browser: Browser, baseUrl: string, agentScript: string, options: SlowPeerOptions, log: (line: string) => void): Promise<SlowPeerFigure> {
  const { throttleRates, rounds, catchUpTimeoutMs, ...sizes } = options;
  const runs: SlowPeerRun[] = [];
  const failed: SlowPeerFigure['failed'] = [];
  const miners = Array.from({ length: sizes.tabs - 1 }, (_, index) => index);
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    const order = [1, ...throttleRates];
    if (roundIndex % 2 === 1) order.reverse();
    for (const rate of order) {
      log(`  round ${roundIndex + 1}: ${rate === 1 ? 'unthrottled' : `tab ${sizes.tabs - 1} slowed ${rate}×`}`);
      const { hooks, result } = slowPeerHooks(rate, catchUpTimeoutMs);
      let run: SlowPeerRun;
      try {
        const { cpu } = await measurePropagation(browser, baseUrl, agentScript, { ...sizes, miners }, (line) => log(`  ${line}`), hooks);
        run = result(roundIndex, { loadAvg1m: round(loadavg()[0]!, 2), machineCores: cpu.machineCores, browserCores: cpu.browserCoresTotal });
      } catch (error) {
        // One run lost (a tab that did not start under load) leaves the others' medians; the row says so.
        failed.push({ round: roundIndex, throttle: rate, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
        log(`    could not measure this run: ${failed[failed.length - 1]!.error.split('\n')[0]}`);
        continue;
      }
      runs.push(run);
      log(`    others p50 ${Math.round(run.othersLatencyMs.p50)} ms, p99 ${Math.round(run.othersLatencyMs.p99)} ms (${run.othersDeliveredPercent}%); slow tab p50 ${Math.round(run.slowReceiveMs.p50)} ms, ${run.behindAtEndBlocks} blocks behind at the end, caught up ${run.catchUpMs === null ? 'never' : `in ${run.catchUpMs} ms`}; against it: ${describeEvents(run.againstSlow)}`);
    }
  }
  if (runs.length === 0) throw new BenchError(`no run could be measured: ${failed.map((run) => run.error).join('; ')}`);
  return { options, runs, failed };
}

/** "2 closed (reason), 1 held off (reason)", or "nothing". */
export function describeEvents(events: LinkEvent[]): string {
  if (events.length === 0) return 'nothing';
  const counts = new Map<string, number>();
  for (const event of events) counts.set(`${event.kind} (${event.reason})`, (counts.get(`${event.kind} (${event.reason})`) ?? 0) + 1);
  return [...counts].map(([what, count]) => `${count} ${what}`).join(', ');
}

/** Per slowdown: medians over rounds of the others' p50 and p99, beside the baseline's. */
export function summarizeSlowPeer(figure: SlowPeerFigure) {
  const at = (rate: number) => figure.runs.filter((run) => run.throttle === rate);
  const base = at(1);
  const baseP50 = median(base.map((run) => run.othersLatencyMs.p50));
  const baseP99 = median(base.map((run) => run.othersLatencyMs.p99));
  return figure.options.throttleRates.map((rate) => {
    const runs = at(rate);
    const p50 = median(runs.map((run) => run.othersLatencyMs.p50));
    const p99 = median(runs.map((run) => run.othersLatencyMs.p99));
    const caught = runs.map((run) => run.catchUpMs);
    return {
      rate, runs, base, baseP50, baseP99, p50, p99,
      p50Change: p50 / baseP50 - 1,
      p99Change: p99 / baseP99 - 1,
      punished: runs.flatMap((run) => run.againstSlow.filter((event) => event.kind !== 'closed')),
      linksClosed: runs.flatMap((run) => run.againstSlow.filter((event) => event.kind === 'closed')),
      closedByOthers: runs.flatMap((run) => run.closedByOthers ?? []),
      caughtUp: caught.every((ms) => ms !== null),
      catchUpMs: median(caught.map((ms) => ms ?? Number.POSITIVE_INFINITY)),
    };
  });
}

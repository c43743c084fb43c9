/**
 * The soak's figures, each beside its limit or goal: per tab from its
 * samples, the anchors' (tabs open for the whole run) as the headline, and
 * the lines printed at every interval and at the end.
 */
import { DEFAULT_FEELER_INTERVAL_MS, DEFAULT_ROTATION_INTERVAL_MS } from '../../src/net/mesh-maintainer-healing.ts';
import { DEFAULT_RECORD_TTL_MS } from '../../src/core/peers/peer-record.ts';
import { round } from '../lib/summary.ts';
import { perHour, slopePerHour } from './growth.ts';
import type { SoakInterval, SoakOptions, SoakResult } from './run-soak.ts';
import type { PcCounts } from './pc-counter.ts';
import type { SoakTab, TabSample } from './soak-tab.ts';

/** Chromium's cap on RTCPeerConnections a page creates over its lifetime; failed dials count (js-libp2p #2591). */
export const PC_LIFETIME_CAP = 500;
/** "Far below" the cap: an hour of churn may use at most a fifth of it, so a tab lasts five hours of it. */
export const PC_GOAL_PER_HOUR = 100;
/** Heap: a tab open for a working day (8 h) should grow by less than 80 MiB; its caches are bounded (20,000 recent transactions, a 5,000-transaction mempool). */
export const HEAP_GOAL_MIB_PER_HOUR = 10;
/**
 * IndexedDB grows with the chain and should grow with nothing else: at a steady rate of transactions its
 * growth in the second half of the run is at most this times the first half's (LevelDB compaction makes it
 * uneven, hence not 1.0).
 */
export const IDB_GOAL_HALVES_RATIO = 1.25;

const MIB = 2 ** 20;
/** Start-up left out of growth rates (figureOf). */
const WARMUP_MS = 3 * 60_000;

export interface TabFigure {
  label: string;
  anchor: boolean;
  lifetimeMin: number;
  /** The page's RTCPeerConnection counts at its last reading (pc-counter.ts). */
  pc: PcCounts;
  linksOpened: number;
  pcPerHour: number;
  linksPerHour: number;
  /**
   * The most RTCPeerConnections this tab's life explains: two (a dial and a glare loser) for each cause to
   * link, that is every other tab at its start, every fresh tab opened while it lived, every dropped link
   * it was an end of, the maintainer's own feelers and rotations at their shortest jittered interval, and
   * the redials the backoff allows of each tab that departed (backoffDialsIn).
   */
  pcBound: number;
  heapStartMiB: number;
  heapEndMiB: number;
  heapMiBPerHour: number;
  idbStartMiB: number;
  idbEndMiB: number;
  idbMiBPerHour: number;
  /** The same over the first and the second half of the steady readings: equal when the store grows with the chain only. */
  idbMiBPerHourHalves: [number, number];
  /** Dials given up, by reason and by whether the peer was a tab already closed (src/net/webrtc-dialer.ts's abandon). */
  abandonedDials: Record<string, number>;
  /** Every reading, for the record (results JSON). */
  samples: TabSample[];
}

export interface SoakFigures {
  tabs: TabFigure[];
  /** Over the anchors: the worst of each. */
  anchors: { pcPerHour: number; pcCreated: number; wastedPerHour: number; linksPerHour: number; heapMiBPerHour: number; idbMiBPerHour: number; idbBytesPerTx: number; idbSecondOverFirstHalf: number; heapEndMiB: number };
  /** Over every tab: the most RTCPeerConnections any page created, and how many tabs exceeded their bound. */
  maxPcCreated: number;
  tabsOverPcBound: string[];
}

/**
 * The most dials the shared backoff allows to one peer within `ms`: src/core/peers/backoff-table.ts waits at
 * least half of min(60 s, 2 s · 2^n) after the n-th attempt. A departed tab stays a candidate until its peer
 * record expires (DEFAULT_RECORD_TTL_MS, 10 min), so this is what a departure may cost each tab.
 */
function backoffDialsIn(ms: number): number {
  let dials = 0;
  for (let atMs = 0; atMs <= ms; dials++) atMs += Math.min(60_000, 2_000 * 2 ** dials) / 2;
  return dials;
}

/** "reason → departed tab | live tab | other peer" counts of a tab's abandoned dials. */
function abandonedDials(tab: SoakTab, everyTab: SoakTab[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { reason, peerId, atMs } of tab.abandoned) {
    const target = everyTab.find((other) => other.id === peerId);
    const whom = !target ? 'other peer' : target.closedAtMs !== undefined && target.closedAtMs <= atMs ? 'departed tab' : 'live tab';
    const key = `${reason} → ${whom}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The readings split at the middle of their time span. */
function halves(samples: TabSample[]): [TabSample[], TabSample[]] {
  if (samples.length === 0) return [[], []];
  const middleMs = (samples[0]!.atMs + samples.at(-1)!.atMs) / 2;
  return [samples.filter((sample) => sample.atMs <= middleMs), samples.filter((sample) => sample.atMs >= middleMs)];
}

function figureOf(tab: SoakTab, nowMs: number, tabCount: number, everyTab: SoakTab[]): TabFigure {
  const lifetimeMs = (tab.closedAtMs ?? nowMs) - tab.openedAtMs;
  const first = tab.samples[0];
  const last = tab.samples.at(-1);
  // Growth is taken after the tab's start-up (caches filling, the chain synced): from its first reading
  // after a quarter of its life, or after WARMUP_MS, whichever is sooner.
  const settledMs = tab.openedAtMs + Math.min(WARMUP_MS, lifetimeMs / 4);
  const steady = tab.samples.filter((sample) => sample.atMs >= settledMs);
  const times = steady.map((sample) => sample.atMs);
  const endMs = tab.closedAtMs ?? nowMs;
  const redialsOfDeparted = everyTab.filter((other) => other.closedAtMs !== undefined && other.closedAtMs < endMs)
    .reduce((total, other) => total + backoffDialsIn(Math.min(DEFAULT_RECORD_TTL_MS, endMs - Math.max(other.closedAtMs!, tab.openedAtMs))), 0);
  const causes = tabCount - 1 + tab.churnSeen.freshTabs + tab.churnSeen.drops + redialsOfDeparted
    + Math.ceil(lifetimeMs / (DEFAULT_FEELER_INTERVAL_MS / 2)) + Math.ceil(lifetimeMs / (DEFAULT_ROTATION_INTERVAL_MS / 2));
  return {
    label: tab.label,
    anchor: tab.anchor,
    lifetimeMin: round(lifetimeMs / 60_000, 2),
    pc: last?.pc ?? { created: Number.NaN, connected: Number.NaN, failed: Number.NaN, open: Number.NaN, wasted: Number.NaN, unanswered: Number.NaN },
    linksOpened: last?.linksOpened ?? Number.NaN,
    pcPerHour: round(perHour(last?.pc.created ?? Number.NaN, lifetimeMs)),
    linksPerHour: round(perHour(last?.linksOpened ?? Number.NaN, lifetimeMs)),
    pcBound: 2 * causes,
    heapStartMiB: first?.heapMiB ?? Number.NaN,
    heapEndMiB: last?.heapMiB ?? Number.NaN,
    heapMiBPerHour: round(slopePerHour(times, steady.map((sample) => sample.heapMiB)), 2),
    idbStartMiB: round((first?.idbBytes ?? Number.NaN) / MIB, 2),
    idbEndMiB: round((last?.idbBytes ?? Number.NaN) / MIB, 2),
    idbMiBPerHour: round(slopePerHour(times, steady.map((sample) => sample.idbBytes / MIB)), 2),
    idbMiBPerHourHalves: halves(steady).map((half) => round(slopePerHour(half.map((sample) => sample.atMs), half.map((sample) => sample.idbBytes / MIB)), 2)) as [number, number],
    abandonedDials: abandonedDials(tab, everyTab),
    samples: tab.samples,
  };
}

/** The largest finite value; NaN when there is none (a run too short for a slope). */
const worst = (values: number[]) => {
  const finite = values.filter(Number.isFinite);
  return finite.length > 0 ? Math.max(...finite) : Number.NaN;
};

export function figuresOf(tabs: SoakTab[], nowMs: number, options: SoakOptions): SoakFigures {
  const figures = tabs.map((tab) => figureOf(tab, nowMs, options.tabs, tabs));
  const anchors = figures.filter((figure) => figure.anchor);
  const idbMiBPerHour = worst(anchors.map((figure) => figure.idbMiBPerHour));
  return {
    tabs: figures,
    anchors: {
      pcPerHour: worst(anchors.map((figure) => figure.pcPerHour)),
      pcCreated: worst(anchors.map((figure) => figure.pc.created)),
      linksPerHour: worst(anchors.map((figure) => figure.linksPerHour)),
      heapMiBPerHour: worst(anchors.map((figure) => figure.heapMiBPerHour)),
      heapEndMiB: worst(anchors.map((figure) => figure.heapEndMiB)),
      idbMiBPerHour,
      idbBytesPerTx: Math.round((idbMiBPerHour * MIB) / (options.ratePerSec * 3_600)),
      idbSecondOverFirstHalf: round(worst(anchors.map((figure) => figure.idbMiBPerHourHalves[1] / figure.idbMiBPerHourHalves[0])), 2),
      wastedPerHour: worst(anchors.map((figure) => round(perHour(figure.pc.wasted, figure.lifetimeMin * 60_000)))),
    },
    maxPcCreated: worst(figures.map((figure) => figure.pc.created)),
    tabsOverPcBound: figures.filter((figure) => figure.pc.created > figure.pcBound).map((figure) => `${figure.label} (${figure.pc.created} > ${figure.pcBound})`),
  };
}

/** One line per interval: delivery so far, then each tab's heap, IndexedDB, PCs and links. */
export function printInterval(interval: SoakInterval, tabs: SoakTab[], log: (line: string) => void): void {
  const { check } = interval;
  log(`[${(interval.elapsedS / 60).toFixed(1)} min] load ${interval.loadAverage1m.toFixed(1)}, ${interval.liveTabs} tabs, ${interval.sent} sent; `
    + `due ${check.due} × ${check.tabsAsked} tabs: ${check.overduePairs} overdue pairs (goal 0)${check.overdueExamples.length > 0 ? ` e.g. ${check.overdueExamples.join(', ')}` : ''}`);
  const cells = tabs.flatMap((tab) => {
    const sample = tab.samples.at(-1);
    if (!sample) return [];
    return [`${tab.label}${tab.anchor ? '*' : ''} heap ${sample.heapMiB} MiB idb ${(sample.idbBytes / MIB).toFixed(2)} MiB pc ${sample.pc.created} links ${sample.linksOpened}/${sample.links}`];
  });
  log(`    ${cells.join(' | ')}`);
}

/** A NaN figure (too few readings for a slope) is 'not measured', never 'met'. */
const verdict = (met: boolean, value = 0) => (!Number.isFinite(value) ? 'not measured' : met ? 'met' : '**missed**');

/** The final table: figure, measured, limit or goal, verdict. */
export function printFinal(result: SoakResult, log: (line: string) => void): void {
  const { delivery, figures: { anchors }, options } = result;
  const hoursTo500 = anchors.pcPerHour > 0 ? PC_LIFETIME_CAP / anchors.pcPerHour : Number.POSITIVE_INFINITY;
  log('');
  log(`soak: ${options.minutes} min, ${options.tabs} tabs (${options.anchors} anchors), ${options.ratePerSec} tx/s, D=${options.links}; `
    + `${result.counters.tabsReplaced} tabs replaced, ${result.counters.linksDropped} links dropped, ${result.counters.blocks} blocks; load average ${result.loadAverage.start[0]!.toFixed(1)} → ${result.loadAverage.end[0]!.toFixed(1)}`);
  log('delivery: a transaction the sender\'s wallet accepted is delivered when every tab open at the end (fresh ones included) has it confirmed in its chain.');
  const rows: [string, string, string, boolean, number?][] = [
    ['delivery', `${delivery.deliveredPercent}% (${delivery.delivered} of ${delivery.sent} in ${delivery.tabsAtEnd} tabs)`, '100%', delivery.sent > 0 && delivery.delivered === delivery.sent],
    ['overdue (tx, tab) pairs at the last interval', `${result.intervals.at(-1)?.check.overduePairs ?? 'none taken'}`, '0', (result.intervals.at(-1)?.check.overduePairs ?? 0) === 0],
    ['refused sends', `${Object.values(result.refusedSends).reduce((total, count) => total + count, 0)} ${JSON.stringify(result.refusedSends)}`, '0', Object.keys(result.refusedSends).length === 0],
    ['RTCPeerConnections / anchor tab / hour', `${anchors.pcPerHour} (${anchors.pcCreated} created; ${Number.isFinite(hoursTo500) ? `${hoursTo500.toFixed(1)} h of this churn to reach 500` : 'none'})`, `≤ ${PC_GOAL_PER_HOUR}/h; cap ${PC_LIFETIME_CAP} per page lifetime`, anchors.pcPerHour <= PC_GOAL_PER_HOUR],
    ['  of which wasted (closed without connecting) / anchor tab / hour', `${anchors.wastedPerHour}`, 'info: dials that gave no link (see "dials abandoned")', true],
    ['RTCPeerConnections, most in any page', `${result.figures.maxPcCreated}`, `< ${PC_LIFETIME_CAP}`, result.figures.maxPcCreated < PC_LIFETIME_CAP],
    ['tabs over their PC bound (2 per cause to link)', result.figures.tabsOverPcBound.join(', ') || 'none', 'none', result.figures.tabsOverPcBound.length === 0],
    ['links opened / anchor tab / hour', `${anchors.linksPerHour}`, 'info (each is one RTCPeerConnection that linked)', true],
    ['heap growth / anchor tab / hour', `${anchors.heapMiBPerHour} MiB/h (heap at end ${anchors.heapEndMiB} MiB)`, `≤ ${HEAP_GOAL_MIB_PER_HOUR} MiB/h`, anchors.heapMiBPerHour <= HEAP_GOAL_MIB_PER_HOUR, anchors.heapMiBPerHour],
    ['IndexedDB growth / anchor tab / hour', `${anchors.idbMiBPerHour} MiB/h = ${anchors.idbBytesPerTx} B per transaction at ${options.ratePerSec} tx/s (a transaction is 153 B)`, 'info: grows with the chain', true],
    ['IndexedDB growth, second half over first', `${anchors.idbSecondOverFirstHalf}×`, `≤ ${IDB_GOAL_HALVES_RATIO}× (grows with the chain only)`, anchors.idbSecondOverFirstHalf <= IDB_GOAL_HALVES_RATIO, anchors.idbSecondOverFirstHalf],
  ];
  log('| figure | measured | limit / goal | verdict |');
  log('|---|---|---|---|');
  for (const [name, measured, goal, met, value] of rows) log(`| ${name} | ${measured} | ${goal} | ${verdict(met, value)} |`);
  if (result.refusedExamples.length > 0) log(`refused sends, e.g.: ${result.refusedExamples.join(' | ')}`);
  if (delivery.undeliveredExamples.length > 0) log(`undelivered: ${JSON.stringify(delivery.undeliveredByStatus)} e.g. ${delivery.undeliveredExamples.join(', ')}`);
  log('per tab (* anchor): lifetime min, PCs created/connected/wasted/unanswered (bound), links opened, heap start→end (MiB/h), IndexedDB start→end MiB (MiB/h)');
  for (const tab of result.figures.tabs) {
    log(`  ${tab.label}${tab.anchor ? '*' : ''} ${tab.lifetimeMin} min, pc ${tab.pc.created}/${tab.pc.connected}/${tab.pc.wasted}/${tab.pc.unanswered} (≤ ${tab.pcBound}), links ${tab.linksOpened}, `
      + `heap ${tab.heapStartMiB}→${tab.heapEndMiB} (${tab.heapMiBPerHour}), idb ${tab.idbStartMiB}→${tab.idbEndMiB} (${tab.idbMiBPerHour})`);
  }
  const abandoned: Record<string, number> = {};
  for (const tab of result.figures.tabs) for (const [key, count] of Object.entries(tab.abandonedDials)) abandoned[key] = (abandoned[key] ?? 0) + count;
  log(`dials abandoned, all tabs: ${JSON.stringify(abandoned)}`);
  if (result.pageErrors.length > 0) log(`page errors: ${result.pageErrors.slice(0, 5).join(' | ')}`);
}

/**
 * The bench's table: one row per figure, its measured value beside its
 * target, and whether it met it. A figure whose measurement failed, or came
 * out as no number, is "not measured", which makes the run exit non-zero
 * (the smoke mode's whole check); a missed target never does.
 */
import type { BenchResults } from '../run.ts';
import { round } from './summary.ts';
import { SATURATION_MIN_SENT_FRACTION } from '../figures/saturation.ts';
import { RELAY_FLOOD_LINK_GOAL_MS } from '../figures/relay-flood.ts';
import { describeEvents, SLOW_PEER_P50_CHANGE_GOAL, summarizeSlowPeer, type SlowPeerRun } from '../figures/slow-peer.ts';

export interface Row {
  figure: string;
  measured: string;
  target: string;
  verdict: 'met' | 'MISSED' | 'not measured' | 'info';
  detail: string;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const finite = (...values: number[]) => values.every((value) => Number.isFinite(value));
/** The detail clause for the announcement delay's share; nothing for a saved run from before it was measured (--table). */
const delayedShare = (percent: number | undefined) => (percent === undefined ? '' : `${percent}% of INV items waited out the busy tab's announcement delay; `);
/**
 * The largest threads' cores (bench/lib/cpu.ts), for the CPU-per-transaction row: the protocol's threads
 * (WebRTC, the network service, IPC, workers, IndexedDB) spend per transaction, while the main threads and
 * the rendering threads take whatever CPU is left (per view refresh), so the row compares only with its threads.
 */
const threadShares = (threads: Record<string, number> | undefined) =>
  threads ? `; by thread (cores): ${Object.entries(threads).slice(0, 8).map(([name, cores]) => `${name} ${cores}`).join(', ')}` : '';
const MB = 1e6;
const MIB = 2 ** 20;

export function buildRows(results: BenchResults, only: Set<string>): { rows: Row[]; missing: string[] } {
  const rows: Row[] = [];
  const missing: string[] = [];
  const add = (figure: string, ok: boolean, measured: string, target: string, met: boolean | undefined, detail = '') => {
    if (!ok) {
      rows.push({ figure, measured: '—', target, verdict: 'not measured', detail });
      missing.push(figure);
      return;
    }
    // A smoke run's sizes are too small to judge anything: it only checks that each figure is produced.
    rows.push({ figure, measured, target, verdict: met === undefined || results.mode === 'smoke' ? 'info' : met ? 'met' : 'MISSED', detail });
  };
  const notMeasured = (figure: string, target: string, reason: string) => add(figure, false, '', target, undefined, reason);

  if (only.has('verify')) {
    const v = results.verify;
    if (!v) notMeasured('signature verification', 'pool ≥ 0.8× raw', results.errors.verify ?? 'no result');
    else {
      const m = v.medianPerSecond;
      add('verify: pool vs raw WebCrypto', finite(v.poolOverRaw) && v.allAgreed, `${m.pool}/s = ${v.poolOverRaw}× raw ${v.rawPerSecond}/s`, 'pool ≥ 0.8× raw', v.poolOverRaw >= 0.8,
        `${v.poolWorkers} worker(s) at hardwareConcurrency ${v.hardwareConcurrency}; raw one-at-a-time ${m['raw-seq']}/s, batched ${m['raw-batch']}/s; backend on main thread ${m['backend-main']}/s; pool cache-key hashing alone ${m['pool-hash']}/s; pool fed in 8 back-to-back calls ${m['pool-chunked']}/s; one item through the pool ${v.singleRoundTripUs} µs`);
      add('verify: @noble/ed25519 loop', finite(m.noble), `${m.noble}/s = ${v.nobleOverRaw}× raw`, 'baseline (fallback)', undefined, 'the fallback backend, for scale');
    }
  }

  if (only.has('propagation')) {
    const expectedTabs = results.mode === 'smoke' ? [4] : [3, 8, 16];
    for (const tabs of expectedTabs) {
      const p = results.propagation.find((figure) => figure.options.tabs === tabs);
      const label = tabs === 3 ? '3 tabs (reference)' : `${tabs} tabs`;
      if (!p) {
        notMeasured(`propagation, ${label}`, 'p50 ≤ 25 ms, p99 ≤ 150 ms, 100% delivered', results.errors[`propagation-${tabs}`] ?? 'no result');
        continue;
      }
      const offered = `${p.options.ratePerSec} tx/s × ${p.options.durationMs / 1000} s offered (${p.offered} tx, sent at ${p.achievedRatePerSec} tx/s)`;
      add(`propagation ${label}: latency p50`, finite(p.latencyMs.p50), ms(p.latencyMs.p50), '≤ 25 ms', p.latencyMs.p50 <= 25, `${offered}; send → last tab; first other tab p50 ${ms(p.firstHopMs.p50)}; p50 to each tab ${p.receiverP50Ms.map(Math.round).join('/')} ms; clock spread ${p.clockSpreadMs} ms`);
      add(`propagation ${label}: latency p99`, finite(p.latencyMs.p99), ms(p.latencyMs.p99), '≤ 150 ms', p.latencyMs.p99 <= 150, `max ${ms(p.latencyMs.max)}; IndexedDB probe p50 ${ms(p.idbProbeMs.p50)}, worker echo p50 ${round(p.workerProbeMs.p50, 1)} ms; CPU ${p.cpu.browserCoresTotal} of ${p.cpu.cores} cores for the browser, ${p.cpu.machineCores} machine`);
      add(`propagation ${label}: delivered`, finite(p.deliveredPercent), `${p.deliveredPercent}%`, '100%', p.deliveredPercent >= 100,
        `${p.deliveredOfSentPercent}% of the ${p.offered - Object.values(p.sendsRefused).reduce((a, b) => a + b, 0)} sends the senders' wallets accepted; ${Object.keys(p.sendsRefused).length > 0 ? `refused at send by the sender's own wallet: ${Object.entries(p.sendsRefused).map(([reason, count]) => `${count} ${reason}`).join(', ')}; ` : ''}(tx, tab) pairs delivered ${p.pairDeliveredPercent}%; ${p.health.peersBanned} punishments (${Object.entries(p.health.banReasons).sort((a, b) => b[1] - a[1]).slice(0, 2).map(([reason, count]) => `${count}× "${reason}"`).join(', ') || 'none'}), ${p.health.linksClosed} links closed, degrees at the end ${p.health.finalDegrees.join(',')}; confirming block ${p.health.confirmingBlock}`);
      // No reconstruction at all while blocks were mined means no block reached any other tab: measured, and missed.
      const reconstructions = p.compact.hits + p.compact.misses;
      add(`compact blocks, ${label}`, reconstructions > 0 || p.mineCallMs.count > 0, reconstructions > 0 ? `${p.compact.hitPercent}%` : 'no block reached another tab', '≥ 90%', reconstructions > 0 && p.compact.hitPercent >= 90,
        `${p.compact.hits} hits, ${p.compact.misses} misses over ${p.blocksDuringRun + 1} blocks (${p.blocksDuringRun} during the run), ${p.compact.waits} waited for transactions on their way, ${p.compact.txsRequested} txs fetched (sync fetched ${p.compact.fullBlocksFetched} blocks whole, ${p.compact.compactFetched ?? 0} compact), ${p.compact.fallbacks} fallbacks; mine(1) in the miner tab p50 ${ms(p.mineCallMs.p50)}, max ${ms(p.mineCallMs.max)}`);
      const flood = p.bandwidth.flooding;
      const floodBodies = 'error' in flood ? `flooding baseline not measured: ${flood.error}` : `flooding baseline ${flood.flooding.bodiesPerNodePerTx} bodies (simulated over the same ${p.links} links, ${flood.txs} tx; announce-fetch there ${flood.announceFetch.bodiesPerNodePerTx})`;
      const floodBytes = 'error' in flood ? '' : `; flooding baseline ${flood.flooding.bytesPerNodePerTx} B = ${flood.flooding.overTxFrame}× (announce-fetch simulated ${flood.announceFetch.overTxFrame}×)`;
      add(`bandwidth ${label}: tx bodies / tab / tx`, finite(p.bandwidth.bodiesPerTabPerTx), String(p.bandwidth.bodiesPerTabPerTx), '≤ 1.02', p.bandwidth.bodiesPerTabPerTx <= 1.02, floodBodies);
      const frames = Object.entries(p.bandwidth.byFrame).sort((a, b) => b[1] - a[1]).map(([name, bytes]) => `${name} ${bytes}`).join(', ');
      add(`bandwidth ${label}: bytes in / tab / tx`, finite(p.bandwidth.totalOverBody), `${p.bandwidth.bytesInPerTabPerTx} B = ${p.bandwidth.totalOverBody}× body`, `≤ 1.5× the ${p.bandwidth.txFrameBytes}-byte TX frame`, p.bandwidth.totalOverBody <= 1.5,
        `${p.bandwidth.messagesInPerTabPerTx} messages in per tab per tx; ${delayedShare(p.bandwidth.delayedAnnouncementsPercent)}by frame (B/tab/tx): ${frames}${floodBytes}`);
      const sentTxs = p.offered - Object.values(p.sendsRefused).reduce((a, b) => a + b, 0);
      const cpuMsPerTx = (p.cpu.browserCoresTotal * p.cpu.windowMs) / (tabs * Math.max(1, sentTxs));
      const verifyMs = results.verify ? 1000 / results.verify.rawPerSecond : Number.NaN;
      add(`CPU per tx per tab, ${label}`, finite(cpuMsPerTx) && sentTxs > 0, `${round(cpuMsPerTx, 3)} ms${finite(verifyMs) ? ` = ${round(cpuMsPerTx / verifyMs, 1)}× one verify` : ''}`,
        `≤ 5× one verify${finite(verifyMs) ? ` (${round(5 * verifyMs, 3)} ms)` : ' (verify not run)'}`, finite(verifyMs) ? cpuMsPerTx <= 5 * verifyMs : undefined,
        `the browser's CPU from its processes over the run and drain (${p.cpu.browserCoresTotal} cores × ${round(p.cpu.windowMs / 1000, 1)} s) over ${tabs} tabs × ${sentTxs} tx; one raw WebCrypto verify ${finite(verifyMs) ? `${round(verifyMs * 1000)} µs` : 'not measured'} in this run${threadShares(p.cpu.browserThreads)}`);
      add(`longest task, propagation ${label}`, p.longTasks.supported, p.longTasks.count === 0 ? 'none ≥ 50 ms' : ms(p.longTasks.maxMs), '≤ 50 ms', p.longTasks.maxMs <= 50,
        `${p.longTasks.count} long tasks over all tabs; per tab max ${p.longTasks.perTabMaxMs.join('/')} ms`);
    }
  }

  if (only.has('propagation')) {
    const sat = results.saturation;
    if (!sat) notMeasured('saturation', '≥ 500 tx/s', results.errors.saturation ?? 'no result');
    else {
      const steps = sat.steps.map((step) => `${step.ratePerSec} tx/s: sent at ${step.sentPerSec ?? '—'} tx/s, p99 ${Number.isFinite(step.p99Ms) ? ms(step.p99Ms) : '—'}, ${step.deliveredPercent}% delivered${step.keptUp ? '' : ' ✗'}`).join('; ');
      add(`saturation, ${sat.tabs} tabs`, sat.steps.length > 0 && sat.steps.every((step) => step.error === undefined), sat.highestKeptUpPerSec > 0 ? `${sat.highestKeptUpPerSec} tx/s` : `below ${Math.min(...sat.steps.map((step) => step.ratePerSec))} tx/s`, '≥ 500 tx/s',
        sat.highestKeptUpPerSec >= 500, `kept up = sent at ≥ ${Math.round(SATURATION_MIN_SENT_FRACTION * 100)}% of the rate, every sent tx reached every tab, p99 < ${ms(sat.p99LimitMs)}; ${steps}`);
    }
  }

  if (only.has('sync')) {
    const s = results.sync;
    if (!s) notMeasured('late-joiner sync', '≥ 5,000 tx/s', results.errors.sync ?? 'no result');
    else {
      add(`late-joiner sync, ${s.build.height} blocks / ${s.build.txs} tx`, finite(s.txsPerSecFromLink) && s.persistedTxs >= s.build.txs, `${s.txsPerSecFromLink} tx/s`, '≥ 5,000 tx/s', s.txsPerSecFromLink >= 5000,
        `from the first link; ${s.txsPerSecFromNavigation} tx/s from navigation; ${s.blocksPerSecFromLink} blocks/s; linked at ${ms(s.stagesMs.linked)}, first block ${ms(s.stagesMs.firstBlock)}, done ${ms(s.stagesMs.done)}; ${s.persistedTxs} transaction locations persisted; ${s.joinerStats.blocksDuplicate ?? 0} duplicate block bodies`);
      add('longest task, sync (joiner)', s.longTasks.supported, s.longTasks.joinerCount === 0 ? 'none ≥ 50 ms' : ms(s.longTasks.joinerMaxMs), '≤ 50 ms', s.longTasks.joinerMaxMs <= 50,
        `${s.longTasks.joinerCount} long tasks in the joiner; source tab's longest ${ms(s.longTasks.sourceMaxMs)}`);
    }
  }

  if (only.has('memory')) {
    const m = results.memory;
    if (!m) notMeasured('memory: JS heap', '≤ 80 MB', results.errors.memory ?? 'no result');
    else {
      const heapMB = (Math.max(m.built.usedMiB, m.reloaded.usedMiB) * MIB) / MB;
      add(`memory: JS heap, tab holding ${m.txs} tx`, finite(heapMB) && m.txs >= m.options.txs, `${round(heapMB, 1)} MB (${m.built.usedMiB} MiB built here, ${m.reloaded.usedMiB} MiB after reload)`, '≤ 80 MB', heapMB <= 80,
        `after GC, main thread (workers excluded); ${m.height} blocks built in ${round(m.buildMs / 1000, 0)} s; growth ${m.growth.map((point) => `${point.txs} tx: ${point.usedMiB}`).join(', ')} MiB; reload to ready ${ms(m.reloadReadyMs)}`);
    }
  }

  if (only.has('scale')) {
    const sc = results.scale;
    if (!sc) notMeasured('scale (simulator)', '100% delivered, p99 hops ≤ ⌈log_D N⌉+2', results.errors.scale ?? 'no result');
    else {
      for (const r of sc.results) {
        add(`scale ${r.nodes} nodes: delivered`, finite(r.deliveryPercent), `${r.deliveryPercent}%`, '100%', r.deliveryPercent >= 100, `exactly once: ${r.exactlyOnce}; bodies/node ${r.txBodiesPerNode.mean}`);
        add(`scale ${r.nodes} nodes: hops p99`, finite(r.hops.p99), `${r.hops.p99} (p50 ${r.hops.p50})`, `≤ ⌈log_${r.degree} N⌉+2 = ${r.hops.bound}`, r.hops.withinBound,
          `duplicate INV/node ${r.announcements.duplicateInvPerNode.mean} (floor ${r.announcements.duplicateInvPerNode.floor}); ${r.wall.gossipEventsPerSec} events/s wall, ${r.wall.gossipEventsPerCpuSec}/CPU-s`);
      }
    }
  }
  if (only.has('fullnode')) addFullNodeRows(results, add, notMeasured);
  if (only.has('relayflood')) addRelayFloodRows(results, add, notMeasured);
  if (only.has('slowpeer')) addSlowPeerRows(results, add, notMeasured);
  return { rows, missing };
}

type AddRow = (figure: string, ok: boolean, measured: string, target: string, met: boolean | undefined, detail?: string) => void;
/** A share (0-1) as a percentage; '?' for a saved run from before it was measured (--table). */
const pct = (share: number | undefined) => (share === undefined ? '?' : `${Math.round(share * 100)}%`);
const counters = (values: Record<string, number>) => Object.entries(values).map(([name, value]) => `${name} ${value}`).join(', ');

/** Issue 18 §5: the full node's three figures (docs/PERFORMANCE.md, "The full node"). */
function addFullNodeRows(results: BenchResults, add: AddRow, notMeasured: (figure: string, target: string, reason: string) => void): void {
  const load = results.fullNodeLoad;
  if (!load) notMeasured('full node under load', '≥ 0.5× one core\'s raw verify', results.errors['fullnode-load'] ?? 'no result');
  else {
    const w = load.window;
    add('full node under load: admitted', finite(load.admittedPerSec, load.overRaw), `${load.admittedPerSec} tx/s = ${load.overRaw}× raw ${load.raw.perSecond}/s`, '≥ 0.5× one core\'s raw verify', load.overRaw >= 0.5,
      `${load.options.loadPeers} load peers over WebRTC, ${w.admitted} tx admitted in ${round(w.ms / 1000, 1)} s (${w.endedBy}), ${w.blocks} blocks mined, mempool ${w.mempoolAtEnd} at the end; load ceiling ${load.loadCeilingPerSec} tx/s; raw batched on all cores ${load.raw.batchedPerSecond}/s; POST /mine p50 ${ms(load.mineCallMs.p50)}, max ${ms(load.mineCallMs.max)}; node counters: ${counters(load.nodeCounters)}`);
    const nodeVerifyUs = 1e6 / load.raw.perSecond;
    add('full node under load: CPU / admitted tx', finite(load.nodeCpuUsPerTx), `${load.nodeCpuUsPerTx} µs = ${round(load.nodeCpuUsPerTx / nodeVerifyUs, 2)}× one verify`, `≤ 2× one raw verify (${Math.round(2 * nodeVerifyUs)} µs)`, load.nodeCpuUsPerTx <= 2 * nodeVerifyUs,
      `node process ${load.cores.node} cores, load peers (bench process) ${load.cores.bench}, machine ${load.cores.machine} of ${load.cores.of}; ${load.nodeMainThread ? `node main thread busy ${pct(load.nodeMainThread.busy)} of the window, ${load.nodeMainThread.usPerTx} µs/tx; ` : ''}node event-loop delay p99 ${ms(load.nodeLoopDelayMs.p99)}, max ${ms(load.nodeLoopDelayMs.max)}`);
  }

  const sync = results.fullNodeSync;
  if (!sync) notMeasured('node-to-node sync (LevelDB)', '≥ 20,000 tx/s', results.errors['fullnode-sync'] ?? 'no result');
  else {
    add(`node-to-node sync (LevelDB), ${sync.build.height} blocks / ${sync.build.txs} tx`, finite(sync.txsPerSec) && sync.persisted.txLocations === sync.build.txs, `${sync.txsPerSec} tx/s`, '≥ 20,000 tx/s', sync.txsPerSec >= 20_000,
      `link to tip in ${ms(sync.syncMs)} (${sync.blocksPerSec} blocks/s); both peers' process ${sync.cpu.cores} cores, ${sync.cpu.usPerTx} µs CPU/tx, main thread busy ${pct(sync.cpu.mainThreadBusy)}${load ? `; raw verify on every core, this run: ${load.raw.batchedPerSecond}/s` : ''}; read back: tip ${sync.persisted.tipHeight}, ${sync.persisted.txLocations} transaction locations; joiner: ${counters(sync.joinerCounters)}`);
  }

  if (sync?.withoutSignatureChecks) {
    const ref = sync.withoutSignatureChecks;
    add('node-to-node sync, reference: signatures unchecked', finite(ref.txsPerSec), `${ref.txsPerSec} tx/s`, 'info (all but Ed25519)', undefined,
      `the same sync to another fresh joiner whose verifier answers yes unchecked; ${ref.cores} cores, ${ref.usPerTx} µs CPU/tx, main thread busy ${pct(ref.mainThreadBusy)}`);
  }

  const tab = results.fullNodeTabSync;
  if (!tab) notMeasured('node-to-tab sync', '≥ 5,000 tx/s', results.errors['fullnode-tab'] ?? 'no result');
  else {
    add(`node-to-tab sync, ${tab.build.height} blocks / ${tab.build.txs} tx`, finite(tab.txsPerSecFromNavigation) && tab.persistedTxs === tab.build.txs, `${tab.txsPerSecFromNavigation} tx/s`, '≥ 5,000 tx/s', tab.txsPerSecFromNavigation >= 5_000,
      `from page load; ${tab.txsPerSecFromLink} tx/s from the link; ready ${ms(tab.stagesMs.ready)}, linked ${ms(tab.stagesMs.linked)}, first block ${ms(tab.stagesMs.firstBlock)}, done ${ms(tab.stagesMs.done)}; node ${tab.cpu.nodeCores} cores, browser ${tab.cpu.browser.browserCoresTotal}, machine ${tab.cpu.browser.machineCores}; tab: ${counters(tab.tabCounters)}`);
  }
}

/** Issue 23 §4: honest links during a relay flood, one row group per attacker spread (docs/PERFORMANCE.md "Relay flood"). */
function addRelayFloodRows(results: BenchResults, add: AddRow, notMeasured: (figure: string, target: string, reason: string) => void): void {
  const goal = `≤ ${RELAY_FLOOD_LINK_GOAL_MS / 1000} s`;
  const floods = results.relayflood ?? [];
  if (floods.length === 0) notMeasured('relay flood: honest link', goal, results.errors.relayflood ?? 'no result');
  for (const f of floods) {
    const from = f.options.addresses === 1 ? 'one address' : `${f.options.addresses} addresses`;
    const last = f.runs[f.runs.length - 1]!;
    const attack = `${f.options.idleSockets} idle sockets (last run: ${last.attacker.idle.opened} opened), ${f.options.frames} fuzzed frames (${last.attacker.frames.written} written, ${last.attacker.frames.socketsOpened} sockets opened for them), ${f.options.floodMs / 1000} s; medians of ${f.runs.length} run(s)`;
    const linked = Number.isFinite(f.linkMs.max);
    add(`relay flood from ${from}: honest link, worst`, f.linkMs.probes > 0, linked ? ms(f.linkMs.max) : 'not linked', goal, linked && f.linkMs.max <= RELAY_FLOOD_LINK_GOAL_MS,
      `${attack}; ${f.linkMs.probes} probes, p50 ${ms(f.linkMs.p50)}, ${f.linkMs.unlinked} not linked in 15 s; ${ms(f.idleLinkMs)} before the flood; relay refusals (last run): ${counters(last.refusals)}`);
    add(`relay flood from ${from}: /healthz p99`, finite(f.healthzP99Ms), ms(f.healthzP99Ms), 'info', undefined,
      `the relay's own event-loop delay p99 ${ms(f.relayLoopDelayP99Ms)} (last run's max ${ms(last.relayLoopDelayMs.max)}); the rest is the shared machine (last run: load ${last.loadAvg} on ${results.machine.cores ?? '?'} cores${last.tcp ? `, ${last.tcp.listenOverflows} SYNs dropped at full accept queues and ${last.tcp.synRetrans} resent, machine-wide` : ''})`);
    add(`relay flood from ${from}: relay RSS`, finite(f.rssMiB.peak), `${f.rssMiB.before} → ${f.rssMiB.peak} → ${f.rssMiB.after} MiB`, 'info (before → peak → after)', undefined,
      `log ${round(f.logBytes / 1024, 1)} KiB over the flood; relay CPU ${last.relayCpuMs} ms (last run)`);
  }
}

/** Issue 24 §4: the other tabs' latency beside a slowed tab, whether it was punished, and its catch-up. */
function addSlowPeerRows(results: BenchResults, add: AddRow, notMeasured: (figure: string, target: string, reason: string) => void): void {
  const goal = `p50 within ±${Math.round(SLOW_PEER_P50_CHANGE_GOAL * 100)}% of unthrottled`;
  const figure = results.slowpeer;
  if (!figure) return notMeasured('slow peer: other tabs\' p50', goal, results.errors.slowpeer ?? 'no result');
  const signed = (share: number) => `${share >= 0 ? '+' : ''}${Math.round(share * 100)}%`;
  for (const s of summarizeSlowPeer(figure)) {
    const label = `slow peer ${s.rate}×`;
    const pairs = s.runs.map((run) => `round ${run.round + 1}: ${Math.round(run.othersLatencyMs.p50)}/${Math.round(run.othersLatencyMs.p99)} ms (${run.othersDeliveredPercent}%)`).join(', ');
    const bases = s.base.map((run) => `round ${run.round + 1}: ${Math.round(run.othersLatencyMs.p50)}/${Math.round(run.othersLatencyMs.p99)} ms (${run.othersDeliveredPercent}%)`).join(', ');
    const sizes = `${figure.options.tabs} tabs, ${figure.options.ratePerSec} tx/s × ${figure.options.durationMs / 1000} s; medians of ${s.runs.length} run(s)`;
    add(`${label}: other tabs' p50`, finite(s.p50, s.baseP50), `${ms(s.p50)} vs ${ms(s.baseP50)} (${signed(s.p50Change)})`, goal, Math.abs(s.p50Change) <= SLOW_PEER_P50_CHANGE_GOAL,
      `${sizes}; send → last of the other tabs; p50/p99 slowed ${pairs}; unthrottled ${bases}; the slow tab's own p50 ${s.runs.map((run) => ms(run.slowReceiveMs.p50)).join(', ')}`);
    const machine = (run: SlowPeerRun) => `${run.throttle}× round ${run.round + 1}: load ${run.machine.loadAvg1m}, ${run.machine.machineCores} cores busy (browser ${run.machine.browserCores})`;
    const failed = figure.failed.filter((run) => run.throttle === 1 || run.throttle === s.rate);
    add(`${label}: other tabs' p99`, finite(s.p99, s.baseP99), `${ms(s.p99)} vs ${ms(s.baseP99)} (${signed(s.p99Change)})`, 'info (beside unthrottled)', undefined,
      `the shared machine (${results.machine.cores ?? '?'} cores) per run: ${[...s.base, ...s.runs].map(machine).join('; ')}${failed.length > 0 ? `; not measured: ${failed.map((run) => `${run.throttle}× round ${run.round + 1} (${run.error.split('\n')[0]})`).join(', ')}` : ''}`);
    add(`${label}: slow tab punished`, s.runs.length > 0, s.punished.length === 0 ? 'never' : describeEvents(s.punished), 'never', s.punished.length === 0,
      `bans and hold-offs of it by any other tab; links it lost: ${describeEvents(s.linksClosed)}, as the other ends logged them: ${describeEvents(s.closedByOthers)} (unthrottled: ${describeEvents(s.base.flatMap((run) => run.againstSlow))}); links kept from the slowdown to the end ${s.runs.map((run) => `${run.slowLinks.keptToEnd}/${run.slowLinks.atStart}`).join(', ')}; it punished: ${describeEvents(s.runs.flatMap((run) => run.bySlow))}`);
    add(`${label}: slow tab caught up`, s.runs.length > 0, s.caughtUp ? `in ${ms(s.catchUpMs)}` : 'not in time', `reaches the others' tip after the load (≤ ${figure.options.catchUpTimeoutMs / 1000} s)`, s.caughtUp,
      `from the end of the load; ${s.runs.map((run) => `${run.behindAtEndBlocks} blocks behind, ${run.slowStats.blocksRequested ?? 0} fetched whole by sync, ${run.slowStats.blocksRequestedCompact ?? 0} compact`).join('; ')}; its sends made ${s.runs.map((run) => `${run.slowSends.made} (${run.slowSends.refused} refused)`).join(', ')}`);
  }
}

export function printTable(rows: Row[], log: (line: string) => void): void {
  const columns: (keyof Row)[] = ['figure', 'measured', 'target', 'verdict'];
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ');
  log('');
  log(line(columns));
  log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) {
    log(line(columns.map((column) => row[column])));
    if (row.detail) log(`    ${row.detail}`);
  }
}

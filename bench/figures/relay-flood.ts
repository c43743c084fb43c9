/**
 * Relay flood (issue 23 §4; docs/PERFORMANCE.md "Relay flood"): do honest
 * tabs still link while one address floods the relay?
 *
 * The relay runs as `npm start` runs it (createHostServer, default limits,
 * console log) in a child process, so its RSS, CPU and log are its own
 * (bench/lib/relay-child.ts). An attacker in another child process
 * (bench/lib/relay-attacker.ts) opens `idleSockets` sockets that never join
 * and writes `frames` fuzzed frames, all from 127.0.0.1, for `floodMs`.
 * Meanwhile, in this process:
 *
 *  - honest link time: two honest clients (stamped ids on the main network,
 *    real challenge/sign joins) join the room and exchange a signal each way,
 *    as two tabs do before WebRTC; the time from their first connect to the
 *    second signal, retrying (like a tab's signaling client) when refused.
 *    A probe starts every PROBE_EVERY_MS for the whole flood. Goal: ≤ 5 s, every probe;
 *  - GET /healthz every HEALTH_EVERY_MS, on a new connection each, as a load
 *    balancer's check: its p99;
 *  - the relay's RSS before the flood (after GC), its peak, and after
 *    (SETTLE_MS past the flood, after GC); and the bytes it logged.
 *
 * Addresses: the relay trusts one proxy hop (trustProxyHops 1) and every
 * client sends X-Forwarded-For, as a reverse proxy would write it. The
 * attacker's is 127.0.0.1; each honest probe's two clients get addresses of
 * their own (198.51.100.0/24 and 198.51.101.0/24), as two tabs in two homes.
 * Without that, every client of this bench shares 127.0.0.1 and the honest
 * clients would be held to the attacker's per-address share, which is the
 * limit working, not a link time. With `addresses` > 1 the attacker is
 * spread over that many addresses (a botnet) instead.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_NETWORK } from '../../src/core/network.ts';
import { chainParams } from '../../src/core/ledger/params.ts';
import { joinRelay, makeRelayKeys, type RelayKey, type RelayMember } from '../lib/relay-client.ts';
import { startRelayProcess, type RelayProcess } from '../lib/relay-process.ts';
import type { AttackerInit, AttackerReport } from '../lib/relay-attacker.ts';
import { median, round, summarize } from '../lib/summary.ts';

export interface RelayFloodOptions {
  idleSockets: number;
  frames: number;
  floodMs: number;
  runs: number;
  /** Addresses the attacker is spread over; 1: all from 127.0.0.1. */
  addresses: number;
  /** Write the relay's CPU profile here (bench/lib/relay-process.ts), to find where a slow flood's time goes. */
  profileDir?: string;
}

/** The figure's sizes in bench/run.ts: one flood per entry of `addresses`. */
export type RelayFloodSizes = Omit<RelayFloodOptions, 'addresses'> & { addresses: number[] };

export interface RelayFloodRun {
  /** Honest link times during the flood, ms, in order; a probe that never linked is Infinity. */
  linkMs: number[];
  /** One honest link before the flood, on the idle relay, for scale. */
  idleLinkMs: number;
  healthzMs: { p50: number; p99: number; max: number; count: number; failed: number };
  /** The relay's own event-loop delay over the flood: what /healthz waited on the relay, apart from the shared machine. */
  relayLoopDelayMs: { p99: number; max: number };
  /** Why honest joins were turned away (each retried), by the relay's answer. */
  honestRefused: Record<string, number>;
  /** Machine-wide TCP counters over the flood (tcpCounters): dropped SYNs and their resends. */
  tcp: { listenOverflows: number; synRetrans: number };
  /** The machine's 1-minute load average at the end of the flood (2 cores here, shared). */
  loadAvg: number;
  rssMiB: { before: number; peak: number; after: number };
  logBytes: number;
  relayCpuMs: number;
  attacker: AttackerReport;
  refusals: Record<string, number>;
}

export interface RelayFloodFigure {
  options: RelayFloodOptions;
  /** Medians over runs. */
  linkMs: { p50: number; max: number; probes: number; unlinked: number };
  idleLinkMs: number;
  healthzP99Ms: number;
  relayLoopDelayP99Ms: number;
  rssMiB: { before: number; peak: number; after: number };
  logBytes: number;
  runs: RelayFloodRun[];
}

/** The issue's goal: honest tabs link within 5 s during the flood. */
export const RELAY_FLOOD_LINK_GOAL_MS = 5_000;
/** A probe not linked by then counts as not linked: twice the goal, past the relay's 10 s join timeout of a stuck socket. */
const PROBE_TIMEOUT_MS = 15_000;
/** A refused honest client retries after this, as the tab's signaling client backs off (at its shortest). */
const RETRY_MS = 250;
/** Gap between honest probes: a pair of tabs linking twice a second, so honest joins do not become the load. */
const PROBE_EVERY_MS = 500;
const HEALTH_EVERY_MS = 50;
const SETTLE_MS = 2_000;
const NETWORK = DEFAULT_NETWORK;
const ATTACKER = fileURLToPath(new URL('../lib/relay-attacker.ts', import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

/**
 * Linux's TCP counters (machine-wide, /proc/net/netstat TcpExt): a full accept
 * queue drops SYNs (ListenOverflows), and the client resends after 1 s, 3 s, 7 s
 * (TCPSynRetrans): a wait that no event-loop figure shows. Zeros off Linux.
 */
function tcpCounters(): { listenOverflows: number; synRetrans: number } {
  try {
    const [names, values] = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((line) => line.startsWith('TcpExt:')).map((line) => line.split(/\s+/));
    const read = (name: string) => Number(values?.[names?.indexOf(name) ?? -1] ?? 0);
    return { listenOverflows: read('ListenOverflows'), synRetrans: read('TCPSynRetrans') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { listenOverflows: 0, synRetrans: 0 };
    throw error;
  }
}

/** Two stamped ids on main, minted once per process (about a second each) and reused by every probe. */
let honestKeys: RelayKey[] | undefined;

/**
 * Joins, retrying until `deadline` (performance.now()) as a tab's signaling
 * client does: after a refusal, and after a socket error (a reset under load);
 * each one's message goes to `refused`.
 */
async function joinWithRetry(url: string, key: RelayKey, address: string, deadline: number, onFrame: (member: RelayMember, text: string) => void, refused: string[]): Promise<RelayMember> {
  for (;;) {
    try {
      return await joinRelay(url, key, { network: NETWORK, headers: { 'X-Forwarded-For': address }, onFrame });
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      refused.push(error.message.replace(/^relay (refused|closed) (the socket|the join|before the welcome): /, ''));
      if (performance.now() + RETRY_MS > deadline) throw error;
      await sleep(RETRY_MS);
    }
  }
}

/** Two honest clients join and exchange a signal each way; ms from the first connect, or Infinity. Refusals met on the way go to `refused`. */
async function linkPair(url: string, probe: number, refused: string[] = []): Promise<number> {
  const [a, b] = honestKeys!;
  const started = performance.now();
  const deadline = started + PROBE_TIMEOUT_MS;
  const members: RelayMember[] = [];
  let done: () => void = () => undefined;
  const linked = new Promise<void>((resolve) => (done = resolve));
  const heard = new Set<string>();
  const signal = (member: RelayMember, to: string) => member.ws.send(JSON.stringify({ type: 'signal', to, data: `probe ${probe}` }));
  // A tab dials a peer it is told of (welcome or peer-joined) and answers a signal: one signal each way is a link's start.
  const onFrame = (member: RelayMember, text: string) => {
    const message = JSON.parse(text) as { type: string; peerId?: string; from?: string };
    const other = member.peerId === a!.peerId ? b!.peerId : a!.peerId;
    if (message.type === 'peer-joined' && message.peerId === other) signal(member, other);
    if (message.type === 'signal' && message.from === other && !heard.has(member.peerId)) {
      heard.add(member.peerId);
      signal(member, other);
      if (heard.size === 2) done();
    }
  };
  const address = (net: number) => `198.51.${net}.${(probe % 250) + 1}`;
  try {
    const joining = [a!, b!].map(async (key, i) => {
      const member = await joinWithRetry(url, key, address(100 + i), deadline, onFrame, refused);
      members.push(member);
      const other = i === 0 ? b!.peerId : a!.peerId;
      if (member.sample.includes(other)) signal(member, other);
    });
    await Promise.race([Promise.all(joining).then(() => linked), sleep(PROBE_TIMEOUT_MS)]);
    return heard.size === 2 ? performance.now() - started : Number.POSITIVE_INFINITY;
  } catch (error) {
    // Retried until the deadline and still not in: not linked (its reasons are in `refused`).
    if (error instanceof Error) return Number.POSITIVE_INFINITY;
    throw error;
  } finally {
    for (const member of members) member.ws.terminate();
  }
}

/** GET /healthz on a new connection; ms, or undefined when it failed. */
function healthz(httpUrl: string): Promise<number | undefined> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.get(`${httpUrl}/healthz`, { agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - started : undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

function startAttacker(init: AttackerInit) {
  const child = fork(ATTACKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(type: string): Promise<T> => new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`attacker exited with ${code} before '${type}'`)));
  });
  return {
    prepare: async () => {
      const prepared = next('prepared');
      child.send({ type: 'prepare', ...init });
      await prepared;
    },
    run: (): Promise<AttackerReport> => {
      const done = next<AttackerReport & { type: string }>('done');
      child.send({ type: 'start' });
      return done;
    },
    stop: () => child.kill(),
  };
}

async function measureRun(options: RelayFloodOptions, seed: number): Promise<RelayFloodRun> {
  const relay: RelayProcess = await startRelayProcess({ relay: { trustProxyHops: 1 }, log: 'console', profileDir: options.profileDir });
  const attacker = startAttacker({ url: relay.url, idleSockets: options.idleSockets, frames: options.frames, floodMs: options.floodMs, addresses: options.addresses, seed });
  try {
    await attacker.prepare();
    const idleLinkMs = await linkPair(relay.url, 0);
    await relay.gc();
    const before = await relay.stats();
    const logBefore = relay.logBytes();
    await relay.loopDelay();
    const tcpBefore = tcpCounters();

    let flooding = true;
    const flood = attacker.run().finally(() => (flooding = false));
    let peakRss = before.rssBytes;
    const sampler = (async () => {
      while (flooding) {
        peakRss = Math.max(peakRss, (await relay.stats()).rssBytes);
        await sleep(200);
      }
    })();
    const health: number[] = [];
    let healthFailed = 0;
    const poller = (async () => {
      while (flooding) {
        const ms = await healthz(relay.httpUrl);
        if (ms === undefined) healthFailed++;
        else health.push(ms);
        await sleep(HEALTH_EVERY_MS);
      }
    })();
    const linkMs: number[] = [];
    const refused: string[] = [];
    const prober = (async () => {
      for (let probe = 1; flooding; probe++) {
        linkMs.push(await linkPair(relay.url, probe, refused));
        await sleep(PROBE_EVERY_MS);
      }
    })();
    const report = await flood;
    const logBytes = relay.logBytes() - logBefore;
    const relayLoopDelayMs = await relay.loopDelay();
    const loadAvg = round(loadavg()[0]!, 2);
    const tcpAfter = tcpCounters();
    const tcp = { listenOverflows: tcpAfter.listenOverflows - tcpBefore.listenOverflows, synRetrans: tcpAfter.synRetrans - tcpBefore.synRetrans };
    await Promise.all([sampler, poller, prober]);
    await sleep(SETTLE_MS);
    await relay.gc();
    const after = await relay.stats();
    const { count, p50, p99, max } = summarize(health);
    return {
      linkMs, idleLinkMs,
      healthzMs: { p50: round(p50), p99: round(p99), max: round(max), count, failed: healthFailed },
      relayLoopDelayMs, loadAvg, tcp,
      honestRefused: refused.reduce<Record<string, number>>((counts, why) => ({ ...counts, [why]: (counts[why] ?? 0) + 1 }), {}),
      rssMiB: { before: mib(before.rssBytes), peak: mib(Math.max(peakRss, after.rssBytes)), after: mib(after.rssBytes) },
      logBytes, relayCpuMs: Math.round(after.cpuMs - before.cpuMs),
      attacker: { idle: report.idle, frames: report.frames, closes: report.closes },
      refusals: Object.fromEntries(Object.entries(after.relay.refusals).filter(([, value]) => value > 0)),
    };
  } finally {
    attacker.stop();
    await relay.close();
  }
}

/** Runs the flood `options.runs` times; figures are medians over the runs. */
export async function measureRelayFlood(options: RelayFloodOptions, log: (line: string) => void): Promise<RelayFloodFigure> {
  honestKeys ??= makeRelayKeys(2, chainParams(NETWORK).identityStampBits);
  const runs: RelayFloodRun[] = [];
  for (let i = 0; i < options.runs; i++) {
    const run = await measureRun(options, 23 + i);
    runs.push(run);
    const linked = run.linkMs.filter(Number.isFinite);
    log(`  run ${i + 1}: ${linked.length} of ${run.linkMs.length} honest links, max ${linked.length ? Math.round(Math.max(...run.linkMs)) : '—'} ms; healthz p99 ${run.healthzMs.p99} ms (relay loop delay p99 ${run.relayLoopDelayMs.p99} ms, max ${run.relayLoopDelayMs.max} ms, load ${run.loadAvg}, SYNs dropped ${run.tcp.listenOverflows}, resent ${run.tcp.synRetrans}); RSS ${run.rssMiB.before} → ${run.rssMiB.peak} → ${run.rssMiB.after} MiB; log ${run.logBytes} B; attacker idle ${run.attacker.idle.opened} open, frames ${run.attacker.frames.written} written; honest refusals ${JSON.stringify(run.honestRefused)}`);
  }
  const per = <T>(pick: (run: RelayFloodRun) => T) => runs.map(pick);
  return {
    options,
    linkMs: {
      p50: round(median(per((run) => median(run.linkMs)))),
      max: round(median(per((run) => Math.max(...run.linkMs)))),
      probes: median(per((run) => run.linkMs.length)),
      unlinked: median(per((run) => run.linkMs.filter((ms) => !Number.isFinite(ms)).length)),
    },
    idleLinkMs: round(median(per((run) => run.idleLinkMs))),
    healthzP99Ms: median(per((run) => run.healthzMs.p99)),
    relayLoopDelayP99Ms: median(per((run) => run.relayLoopDelayMs.p99)),
    rssMiB: { before: median(per((run) => run.rssMiB.before)), peak: median(per((run) => run.rssMiB.peak)), after: median(per((run) => run.rssMiB.after)) },
    logBytes: median(per((run) => run.logBytes)),
    runs,
  };
}

/** One flood per entry of `sizes.addresses` (bench/run.ts's call): all from one address, then spread. */
export async function measureRelayFloods(sizes: RelayFloodSizes, log: (line: string) => void): Promise<RelayFloodFigure[]> {
  const figures: RelayFloodFigure[] = [];
  for (const addresses of sizes.addresses) {
    log(`  flood from ${addresses === 1 ? 'one address (127.0.0.1)' : `${addresses} addresses`}: ${sizes.idleSockets} idle sockets, ${sizes.frames} fuzzed frames, ${sizes.floodMs / 1000} s, ${sizes.runs} run(s)`);
    figures.push(await measureRelayFlood({ ...sizes, addresses }, log));
  }
  return figures;
}

/**
 * Figure 9 (issue 18 §5): the full node under load. One full node in a
 * child process (full-node-child.ts: startFullNode, as the bin runs it) on a
 * fresh test network, with a data directory whose chain funds the load's
 * senders, is linked over real WebRTC, introduced by the relay, to
 * `loadPeers` load peers in the bench's process (lib/load-peer.ts). They
 * offer pre-signed transfers as fast as the node takes them, each sender
 * inside the ledger's 200-nonce window counted from the node's blocks, and
 * the node mines a block through its RPC (POST /mine) `blockGapMs` after the
 * last, so its mempool keeps draining into its LevelDB chain as on a busy
 * network.
 *
 * Measured over a window after a warm-up: transactions the node admitted a
 * second (its `txAccepted` counter: verified in its worker threads and taken
 * into its mempool), and the node process's CPU (all its threads) per
 * admitted transaction, which includes announcing each to the other load
 * peers (they do not fetch it), mining it and persisting it. The limit is
 * one core's raw Ed25519 verification rate in Node, measured at the start
 * of the same run (lib/raw-verify.ts); the goal is admission at half of it
 * or more.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { connectRpc } from '../../fullnode/rpc-client.ts';
import { loadOrCreateIdentity } from '../../fullnode/key-file.ts';
import { makeDataDir, removeDataDir } from '../../e2e/harness/full-node.ts';
import type { Tx } from '../../src/core/tx.ts';
import type { Logger } from '../../src/core/types.ts';
import { BenchError } from '../lib/bench-error.ts';
import { benchSigner, buildLevelChain, mineOn, signTransfers } from '../lib/chain-build.ts';
import { cpuSnapshot, cpuUsage } from '../lib/cpu.ts';
import { startLoadPeer, type LoadPeer } from '../lib/load-peer.ts';
import { startNodeHost, type NodeHost, type NodeSample } from '../lib/node-host.ts';
import { measureRawVerify, ratio, type RawVerifyRate } from '../lib/raw-verify.ts';
import { round, summarize } from '../lib/summary.ts';
import { benchNetwork, waitUntil } from '../lib/tabs.ts';

export interface FullNodeLoadOptions {
  loadPeers: number;
  sendersPerPeer: number;
  /** Pre-signed transfers per sender; the window ends early if a load peer runs out. */
  txsPerSender: number;
  /** Submissions a second per load peer: under the 2,000 frames a second the node allows a peer (core/node.ts). */
  maxPerPeerPerSec: number;
  blockGapMs: number;
  warmupMs: number;
  durationMs: number;
  rawRounds: number;
  rawRoundMs: number;
  /** Diagnosis: CPU profiles of the node's threads go here (lib/node-host.ts). */
  profileDir?: string;
}

export interface FullNodeLoadFigure {
  options: FullNodeLoadOptions;
  network: string;
  raw: RawVerifyRate;
  admittedPerSec: number;
  /** admittedPerSec over the raw one-core rate. */
  overRaw: number;
  nodeCpuUsPerTx: number;
  /** Cores' worth of CPU over the window: the node process, the bench's (the load peers), the whole machine. */
  cores: { node: number; bench: number; machine: number; of: number };
  window: { ms: number; admitted: number; blocks: number; mempoolAtEnd: number; endedBy: 'duration' | 'txs-exhausted' };
  /** The node's main thread over the window: how late its tasks ran (ms), p99 and max; CPU starvation shows here. */
  nodeLoopDelayMs: { p99: number; max: number };
  /** The node's main thread over the window: the share of the time it was running (event-loop utilization), and its ms per admitted transaction. */
  nodeMainThread: { busy: number; usPerTx: number };
  /** POST /mine calls over the whole load (warm-up included): p50 and max, ms. */
  mineCallMs: { count: number; p50: number; max: number };
  /** The load side's ceiling: loadPeers × maxPerPeerPerSec. */
  loadCeilingPerSec: number;
  nodeCounters: Record<string, number>;
  /** Over the whole load: bodies the node fetched from the load peers, and their transactions confirmed in its blocks. */
  loadSide: { fetched: number; confirmed: number };
  setupMs: { build: number; sign: number; link: number };
  warnings: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Seeds for benchSigner (one byte): load peers' identities, then the senders', then the recipient. */
const LOAD_PEER_SEED = 10;
const SENDER_SEED = 100;
const RECIPIENT_SEED = 250;
const COUNTERS = ['txAccepted', 'txRejected', 'txWaiting', 'invalidDropped', 'duplicatesDropped', 'rateLimited', 'peersBanned', 'linksClosed', 'getDataSent', 'txRelayed', 'blocksAccepted'];

export async function measureFullNodeLoad(relayUrl: string, options: FullNodeLoadOptions, log: (line: string) => void): Promise<FullNodeLoadFigure> {
  const network = benchNetwork('load');
  const warnings: string[] = [];
  const quiet: Logger = { info: () => undefined, warn: (message, fields) => void (warnings.length < 20 && warnings.push(`${message} ${JSON.stringify(fields ?? {})}`)) };

  const raw = await measureRawVerify(options.rawRounds, options.rawRoundMs);
  log(`  raw WebCrypto verify, one core: ${raw.perSecond}/s (all cores, batched: ${raw.batchedPerSecond}/s)`);

  const dataDir = makeDataDir();
  let node: NodeHost | undefined;
  const loadPeers: LoadPeer[] = [];
  let mining: Promise<void> | undefined;
  let stopMining = false;
  const failed: { mining?: Error } = {};
  /** How long each POST /mine took: template, nonce search, connect, LevelDB commit and announcement, under load. */
  const mineCallsMs: number[] = [];
  try {
    // The node's identity first, so the chain it finds is the one it would have written for itself.
    const owner = (await loadOrCreateIdentity(dataDir)).signer.peerId;
    const senders = Array.from({ length: options.loadPeers * options.sendersPerPeer }, (_, i) => benchSigner(SENDER_SEED + i));
    let started = performance.now();
    const fundedHeight = await buildLevelChain(join(dataDir, 'chain'), { network, owner, log: quiet }, async (full, clock) => {
      for (const sender of senders) await mineOn(full, sender.peerId, [], clock); // one block reward (50,000) per sender
      return full.ledger.tip().height;
    });
    const buildMs = performance.now() - started;
    started = performance.now();
    const recipient = benchSigner(RECIPIENT_SEED).peerId;
    const txs: Tx[][] = [];
    for (const sender of senders) txs.push(await signTransfers(network, sender, recipient, options.txsPerSender));
    const signMs = performance.now() - started;
    log(`  funded ${senders.length} senders in ${fundedHeight} blocks (${Math.round(buildMs)} ms), signed ${senders.length * options.txsPerSender} transfers (${Math.round(signMs)} ms)`);

    started = performance.now();
    node = await startNodeHost({ relayUrl, network, dataDir, links: Math.max(6, options.loadPeers), ...(options.profileDir ? { profileDir: options.profileDir } : {}) });
    for (let i = 0; i < options.loadPeers; i++) loadPeers.push(await startLoadPeer({ relayUrl, network, nodeId: node.id, seed: LOAD_PEER_SEED + i, log: quiet }));
    await waitUntil(`${options.loadPeers} load peers to link to the node`, 60_000, async () => loadPeers.every((peer) => peer.linked()));
    const linkMs = performance.now() - started;

    const rpc = await connectRpc(dataDir);
    // Errors end the loop and are kept (an unawaited rejection would end the bench's process), then thrown below.
    mining = (async () => {
      while (!stopMining) {
        const called = performance.now();
        await rpc.mine(1);
        mineCallsMs.push(performance.now() - called);
        await sleep(options.blockGapMs);
      }
    })().catch((error: unknown) => void (failed.mining = error instanceof Error ? error : new Error(String(error))));
    const spp = options.sendersPerPeer;
    loadPeers.forEach((peer, i) => peer.start(txs.slice(i * spp, (i + 1) * spp), options.maxPerPeerPerSec));
    await sleep(options.warmupMs);

    const first = await node.sample();
    const benchBefore = process.cpuUsage();
    const machineBefore = cpuSnapshot();
    let endedBy: 'duration' | 'txs-exhausted' = 'duration';
    while (performance.now() - first.atMs < options.durationMs) {
      if (failed.mining) throw new BenchError(`the node could not mine: ${failed.mining.message}`);
      if (loadPeers.some((peer) => peer.counts().left === 0)) {
        endedBy = 'txs-exhausted';
        break;
      }
      await sleep(100);
    }
    const last = await node.sample();
    const bench = process.cpuUsage(benchBefore);
    const machine = cpuUsage(machineBefore, cpuSnapshot(), availableParallelism());
    stopMining = true;
    await mining;

    const seconds = (last.atMs - first.atMs) / 1000;
    const admitted = last.stats.txAccepted! - first.stats.txAccepted!;
    if (!(admitted > 0)) throw new BenchError(`the node admitted no transaction in ${round(seconds, 1)} s of load; its counters: ${JSON.stringify(pick(last))}\n${node.output().slice(-2_000)}`);
    const nodeCpuUs = cpuOf(last) - cpuOf(first);
    const admittedPerSec = Math.round(admitted / seconds);
    return {
      options,
      network,
      raw,
      admittedPerSec,
      overRaw: ratio(admittedPerSec, raw.perSecond),
      nodeCpuUsPerTx: Math.round(nodeCpuUs / admitted),
      cores: { node: round(nodeCpuUs / 1e6 / seconds, 2), bench: round((bench.user + bench.system) / 1e6 / seconds, 2), machine: machine.machineCores, of: machine.cores },
      window: { ms: Math.round(seconds * 1000), admitted, blocks: last.tipHeight - first.tipHeight, mempoolAtEnd: last.mempool, endedBy },
      nodeLoopDelayMs: last.loopDelayMs,
      nodeMainThread: mainThreadOf(first, last, admitted),
      mineCallMs: mineCallSummary(mineCallsMs),
      loadCeilingPerSec: options.loadPeers * options.maxPerPeerPerSec,
      nodeCounters: pick(last),
      loadSide: loadPeers.map((peer) => peer.counts()).reduce((all, counts) => ({ fetched: all.fetched + counts.fetched, confirmed: all.confirmed + counts.confirmed }), { fetched: 0, confirmed: 0 }),
      setupMs: { build: Math.round(buildMs), sign: Math.round(signMs), link: Math.round(linkMs) },
      warnings,
    };
  } finally {
    stopMining = true;
    await mining;
    for (const loadPeer of loadPeers) loadPeer.close();
    await node?.close();
    removeDataDir(dataDir);
  }
}

function mineCallSummary(values: number[]): FullNodeLoadFigure['mineCallMs'] {
  const summary = summarize(values);
  return { count: summary.count, p50: Math.round(summary.p50), max: Math.round(summary.max) };
}
/** The main thread's share of the window spent running (not waiting for events), and its µs of running per admitted transaction. */
function mainThreadOf(first: NodeSample, last: NodeSample, admitted: number): FullNodeLoadFigure['nodeMainThread'] {
  const active = last.mainThreadMs.active - first.mainThreadMs.active;
  const idle = last.mainThreadMs.idle - first.mainThreadMs.idle;
  return { busy: round(active / Math.max(1, active + idle), 2), usPerTx: Math.round((active * 1000) / admitted) };
}
const cpuOf = (sample: NodeSample): number => sample.cpuUs.user + sample.cpuUs.system;
const pick = (sample: NodeSample): Record<string, number> => Object.fromEntries(COUNTERS.map((name) => [name, sample.stats[name] ?? 0]));

/**
 * Figure 10 (issue 18 §5): node-to-node sync, persisted to LevelDB. Two
 * peers assembled as the full node assembles itself (createMeshPeer over a
 * LevelDB store, the worker_threads verifier pool, the host scheduler), in
 * the bench's process, over an in-memory link pair: the source starts on a
 * data directory holding `blocks` blocks of `txsPerBlock` signed transfers
 * (built beforehand, lib/chain-build.ts), the joiner on an empty one.
 *
 * The rate is transactions per second from the moment the link is handed to
 * both peers to the moment the joiner's tip reaches the source's. The
 * ledger moves its tip only after the store's commit of that block has
 * resolved (src/core/ledger/ledger.ts), so at that moment every transaction
 * is in the joiner's LevelDB; after the peers close, the joiner's directory
 * is opened again and every transaction's location is read back, to show it.
 *
 * Both peers, their verifier threads and LevelDB's own threads share this
 * machine's 2 cores; the process's CPU over the sync is reported beside the
 * rate. The in-memory link has no latency: what is measured is the nodes.
 * A second fresh joiner then syncs from the same source with a verifier
 * that answers yes unchecked: that reference rate is what everything but
 * Ed25519 verification allows, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { createNodeVerifierPool } from '../../fullnode/node-verifier.ts';
import type { Logger, Signer } from '../../src/core/types.ts';
import { createMemoryLinkPair } from '../../src/net/memory-link.ts';
import type { Connector } from '../../src/peer/connector.ts';
import { createMeshPeer, type MeshPeer } from '../../src/peer/mesh-peer.ts';
import { createHostScheduler } from '../../src/runtime/host-scheduler.ts';
import { openLevelLedgerStore } from '../../src/storage/level-ledger-store.ts';
import { BenchError } from '../lib/bench-error.ts';
import { benchSigner, buildLevelChain, buildTransferChain, trustingVerifier } from '../lib/chain-build.ts';
import { round } from '../lib/summary.ts';
import { benchNetwork } from '../lib/tabs.ts';

export interface FullNodeSyncOptions {
  blocks: number;
  txsPerBlock: number;
  timeoutMs: number;
}

export interface FullNodeSyncFigure {
  options: FullNodeSyncOptions;
  network: string;
  build: { ms: number; height: number; txs: number };
  /** Transactions per second from the link to the joiner's tip at the source's. */
  txsPerSec: number;
  blocksPerSec: number;
  syncMs: number;
  /** The bench process (both peers, their verifier threads, LevelDB's threads) over the sync. */
  cpu: { cores: number; usPerTx: number; mainThreadBusy: number };
  /**
   * Reference pass, same run: another fresh joiner whose verifier answers yes
   * without checking. What everything but Ed25519 verification allows.
   */
  withoutSignatureChecks: { txsPerSec: number; cores: number; usPerTx: number; mainThreadBusy: number };
  /** Read back from the joiner's directory after it closed. */
  persisted: { tipHeight: number; txLocations: number };
  joinerCounters: Record<string, number>;
  warnings: string[];
}

const clock = { nowMs: () => Date.now() };
/** The full node dials through WebRTC; these two are handed their one link, and must not dial anyone. */
const neverDials: Connector = { dial: () => undefined, isPending: () => false, pendingCount: () => 0, receiveSignal: () => undefined, close: () => undefined };
/** Housekeeping cadence, as the full node's (fullnode/main.ts TICK_MS). */
const TICK_MS = 1_000;
const COUNTERS = ['headersRequested', 'blocksRequested', 'blocksRequestedCompact', 'blocksAccepted', 'blocksDuplicate', 'blockTxsRequested', 'compactBlockMisses', 'peersBanned', 'linksClosed'];

interface LevelPeer {
  peer: MeshPeer;
  close(): Promise<void>;
}

/**
 * A peer on the LevelDB ledger in `dir`, assembled as fullnode/main.ts does,
 * minus relay, dialer, miner and RPC. `checks: 'none'` swaps the worker pool
 * for a verifier that answers yes unverified: the reference pass.
 */
async function openLevelPeer(dir: string, signer: Signer, network: string, log: Logger, checks: 'ed25519' | 'none'): Promise<LevelPeer> {
  const store = await openLevelLedgerStore(dir, { network, owner: signer.peerId, clock, log });
  const pool = checks === 'ed25519' ? createNodeVerifierPool({ log }) : undefined;
  const peer = await createMeshPeer({
    signer, verifier: pool ?? trustingVerifier, clock, log, store, scheduler: createHostScheduler(), rng: Math.random, connect: () => neverDials,
  }, { network });
  const tick = setInterval(() => peer.tick(), TICK_MS);
  return {
    peer,
    async close() {
      clearInterval(tick);
      peer.close();
      pool?.close();
      await pool?.closed();
      store.close();
      await store.whenClosed();
    },
  };
}

/** Resolves once `peer`'s tip is at `height`, or rejects after `timeoutMs`. */
function tipReaches(peer: MeshPeer, height: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (peer.ledger.tip().height < height) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new BenchError(`the joiner reached height ${peer.ledger.tip().height} of ${height} in ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const unsubscribe = peer.ledger.events.on('tip', check);
    check();
  });
}

interface SyncPass {
  syncMs: number;
  cpuUs: number;
  /** The share of the sync the process's main thread (both peers' JavaScript) was running. */
  mainThreadBusy: number;
  stats: Record<string, number>;
}

/** Links a fresh joiner in `dir` to `source` and waits for it to reach `height`; the joiner is closed afterwards. */
async function syncPass(source: MeshPeer, network: string, dir: string, signer: Signer, checks: 'ed25519' | 'none', height: number, options: FullNodeSyncOptions, log: Logger): Promise<SyncPass> {
  const joiner = await openLevelPeer(dir, signer, network, log, checks);
  try {
    const cpuBefore = process.cpuUsage();
    const loopBefore = performance.eventLoopUtilization();
    const started = performance.now();
    const pair = createMemoryLinkPair(source.id, joiner.peer.id);
    source.addLink(pair.atA);
    joiner.peer.addLink(pair.atB);
    await tipReaches(joiner.peer, height, options.timeoutMs);
    const syncMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const loop = performance.eventLoopUtilization(loopBefore);
    return { syncMs, cpuUs: cpu.user + cpu.system, mainThreadBusy: round(loop.utilization, 2), stats: joiner.peer.stats() };
  } finally {
    await joiner.close();
  }
}

export async function measureFullNodeSync(options: FullNodeSyncOptions, log: (line: string) => void): Promise<FullNodeSyncFigure> {
  const network = benchNetwork('nsync');
  const warnings: string[] = [];
  const quiet: Logger = { info: () => undefined, warn: (message, fields) => void (warnings.length < 20 && warnings.push(`${message} ${JSON.stringify(fields ?? {})}`)) };
  const root = mkdtempSync(join(tmpdir(), 'tabmesh-bench-nsync-'));
  const [sourceDir, joinerDir, referenceDir] = [join(root, 'source'), join(root, 'joiner'), join(root, 'reference')];
  const sourceSigner = benchSigner(1);
  const joinerSigner = benchSigner(2);
  let source: LevelPeer | undefined;
  try {
    const built = await buildLevelChain(sourceDir, { network, owner: sourceSigner.peerId, log: quiet }, (full, buildClock) =>
      buildTransferChain(full, buildClock, { network, signer: sourceSigner, recipient: benchSigner(3).peerId, blocks: options.blocks, txsPerBlock: options.txsPerBlock }));
    log(`  source built ${built.height} blocks with ${built.txIds.length} transactions into LevelDB in ${(built.ms / 1000).toFixed(1)} s`);

    source = await openLevelPeer(sourceDir, sourceSigner, network, quiet, 'ed25519');
    if (source.peer.ledger.tip().height !== built.height) throw new BenchError(`the source reopened at height ${source.peer.ledger.tip().height}, not ${built.height}`);
    const main = await syncPass(source.peer, network, joinerDir, joinerSigner, 'ed25519', built.height, options, quiet);
    const reference = await syncPass(source.peer, network, referenceDir, benchSigner(4), 'none', built.height, options, quiet);
    await source.close();
    source = undefined;

    const persisted = await readBack(joinerDir, network, joinerSigner.peerId, built.txIds, quiet);
    if (persisted.tipHeight !== built.height || persisted.txLocations !== built.txIds.length) {
      throw new BenchError(`the joiner's directory holds tip ${persisted.tipHeight} (source ${built.height}) and ${persisted.txLocations} of ${built.txIds.length} transaction locations`);
    }
    const txs = built.txIds.length;
    const rate = (pass: SyncPass) => Math.round(txs / (pass.syncMs / 1000));
    return {
      options,
      network,
      build: { ms: Math.round(built.ms), height: built.height, txs },
      txsPerSec: rate(main),
      blocksPerSec: round(built.height / (main.syncMs / 1000), 1),
      syncMs: Math.round(main.syncMs),
      cpu: { cores: round(main.cpuUs / 1000 / main.syncMs, 2), usPerTx: Math.round(main.cpuUs / txs), mainThreadBusy: main.mainThreadBusy },
      withoutSignatureChecks: { txsPerSec: rate(reference), cores: round(reference.cpuUs / 1000 / reference.syncMs, 2), usPerTx: Math.round(reference.cpuUs / txs), mainThreadBusy: reference.mainThreadBusy },
      persisted,
      joinerCounters: Object.fromEntries(COUNTERS.map((name) => [name, main.stats[name] ?? 0])),
      warnings,
    };
  } finally {
    await source?.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Opens the joiner's closed directory again: its stored tip, and how many of `txIds` have a stored location. */
async function readBack(dir: string, network: string, owner: string, txIds: readonly string[], log: Logger): Promise<{ tipHeight: number; txLocations: number }> {
  const store = await openLevelLedgerStore(dir, { network, owner, clock, log });
  try {
    const state = await store.loadState();
    let found = 0;
    for (const id of txIds) if (await store.getTxLocation(id)) found++;
    return { tipHeight: state?.tip.height ?? -1, txLocations: found };
  } finally {
    store.close();
    await store.whenClosed();
  }
}

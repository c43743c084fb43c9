/**
 * Wires one running peer: identity and storage, the verifier workers, the
 * ledger, mempool and protocol node, the miner, the relay client, the WebRTC
 * dialer and the mesh maintainer. Data flows one way: net delivers bytes,
 * core parses and decides, the worker verifies, core applies, storage
 * persists, and the UI store is updated.
 */
import { createFullNode, type FullNode } from '../core/full-node.ts';
import { decodeTx, encodeTx } from '../core/tx.ts';
import type { Clock, Logger, TxId } from '../core/types.ts';
import { createPeersModule } from '../core/peers/peers-module.ts';
import { createMeshMaintainer, createOfferGate, type MeshMaintainer } from '../net/mesh-maintainer.ts';
import { createSignalingClient } from '../net/signaling-client.ts';
import { createWebrtcDialer, type WebrtcDialer } from '../net/webrtc-dialer.ts';
import type { StoredTx } from '../storage/ledger-store.ts';
import { inHistoryOf } from '../storage/chain-commits.ts';
import type { TabmeshStore } from '../ui/store.ts';
import type { TxView } from '../ui/view-models.ts';
import { createMiner } from '../worker/miner.ts';
import { edgesFromRecords } from '../ui/graph-model.ts';
import { sampleFromStats } from '../ui/net-series.ts';
import { createTaskScheduler } from '../worker/macrotask.ts';
import { measureTaskLag } from '../worker/task-lag.ts';
import { createVerifierPool } from '../worker/verifier-pool.ts';
import { createChainView, createTxStatusIndex, txToView } from './chain-view.ts';
import type { PeerConfig } from './config.ts';
import { createMiningLoop } from './mining-loop.ts';
import { createTraceWiring, type TraceResult } from './trace-wiring.ts';
import { createTxHistoryWriter } from './tx-history-writer.ts';
import { openIdentity } from './open-identity.ts';
import { createWallet } from './wallet.ts';

/** Recent transactions loaded at start for the page and for tx(id). */
const RECENT_TXS_ON_LOAD = 500;
/** Housekeeping cadence: keepalive, dead-link detection, mesh repair, stats for the page. */
const TICK_MS = 1_000;

export interface RunningPeer extends FullNode {
  id: string;
  send(to: unknown, amount: unknown, fee?: unknown): Promise<TxId>;
  /** From memory: every recent transaction (chain-view.ts, TX_STATUS_INDEX_ENTRIES). */
  txStatus(id: string): TxStatusAnswer;
  /** Like txStatus, then the mempool, and for older ids IndexedDB (where each confirmed transaction sits, then the wallet's history). */
  findTx(id: string): Promise<TxStatusAnswer>;
  mine(blocks: number): Promise<string[]>;
  setMining(on: boolean): void;
  knownPeers(): string[];
  disconnect(peerId: string): boolean;
  trace(txId: string): Promise<TraceResult>;
  stats(): Record<string, number>;
  stop(): void;
}

export interface TxStatusAnswer {
  status: 'unknown' | 'pending' | 'confirmed';
  height?: number;
  /** When this tab first saw it (performance.timeOrigin + performance.now()), where known. */
  receivedAtMs?: number;
}

const clock: Clock = { nowMs: () => performance.timeOrigin + performance.now() };

function storedToView(stored: StoredTx, log: Logger): TxView | undefined {
  const decoded = decodeTx(stored.bytes);
  if (!decoded.ok) {
    log.warn('a stored transaction is corrupt and was skipped', { id: stored.id, reason: decoded.detail });
    return undefined;
  }
  return txToView(decoded.value, stored.id, stored.receivedAtMs, stored.source, stored.status === 'confirmed' ? stored.height : undefined);
}

/** Prefixes a component's counters so they never collide with the node's. */
const prefixed = (prefix: string, counters: object) =>
  Object.fromEntries(Object.entries(counters).filter(([, value]) => typeof value === 'number').map(([name, value]) => [`${prefix}${name[0]!.toUpperCase()}${name.slice(1)}`, value as number]));

export async function startPeer(config: PeerConfig, ui: TabmeshStore, log: Logger): Promise<RunningPeer> {
  const { network } = config;
  // simple-peer's browser bundle carries its own Node polyfills (buffer, process, streams), and evaluating
  // them took about half of the page's first task, the only task of 50 ms or more in a joining tab
  // (docs/PERFORMANCE.md, section 6). Imported here, it is evaluated in a task of its own while the identity opens.
  const simplePeerModule = import('simple-peer/simplepeer.min.js');
  const { signer, store, clashed } = await openIdentity(network, log);
  const verifier = createVerifierPool();
  log.info('signature verification runs in workers', { backend: await verifier.backend() });

  // The mesh maintainer and dialer are created below but the peers module needs them; these forward
  // references are filled in before any frame can arrive (the relay starts last).
  const later: { mesh?: MeshMaintainer; gate?: (from: string, hex: string) => boolean; dialer?: WebrtcDialer } = {};
  const peers = createPeersModule({
    signer, verifier, random: Math.random,
    acceptsInbound: () => later.mesh?.hasInboundRoom() ?? true,
    onSignal: (from, hex) => {
      if (!full.node.banOf(from) && later.gate?.(from, hex)) later.dialer?.receiveSignal(from, hex);
    },
  }, { network });
  const traces = createTraceWiring({ signer, verifier, clock, log, ui, networkSize: () => peers.knownPeers().length }, { network });
  // The node's deferred tasks also tell how far behind the page's task queue is (announcements batch while it is).
  const taskLag = measureTaskLag(createTaskScheduler());
  // Only a visible page delays its announcements: the browser runs a hidden page's timers at most about once a
  // second, which would turn the 20 ms delay into a second per hop (and a hidden page draws nothing anyway).
  const visible = () => document.visibilityState === 'visible';
  const busy = () => visible() && taskLag.busy();
  // For the same reason only a visible page holds announcements to a signer's neighbours (SIGNER_NEIGHBOUR_HOLD_MS).
  const linkedWhileVisible = (a: string, b: string) => visible() && peers.book.linked(a, b);
  const full = await createFullNode({ verifier, clock, log, store, defer: taskLag.schedule, after: (delayMs, fn) => void setTimeout(fn, delayMs), busy, linked: linkedWhileVisible, modules: [peers.factory, traces.factory] }, { network, peerId: signer.peerId });
  const { node, ledger, mempool } = full;
  traces.attach(node);
  if (ledger.rebuilt) ui.getState().log('error', `stored chain state was corrupt and has been rebuilt from stored blocks: ${ledger.rebuildReason}`);
  if (clashed) node.count('identityClashes');

  const txIndex = createTxStatusIndex();
  const stored = await store.listRecentTxs(RECENT_TXS_ON_LOAD);
  const recent = stored.map((record) => storedToView(record, log)).filter((view) => view !== undefined);
  const remembered = recent.filter((view) => view.status !== 'dropped');
  for (const view of [...remembered].reverse()) txIndex.set(view.id, { status: view.status as 'pending' | 'confirmed', height: view.height, receivedAtMs: view.receivedAtMs });
  ui.getState().setTxs(recent);
  // Confirmed ones are only remembered (never fetched again); pending ones go back into the mempool below.
  node.rememberTxs(remembered.filter((view) => view.status === 'confirmed').map((view) => view.id));
  const chainView = createChainView({ ledger, mempool, ui, clock, log }, signer.peerId, txIndex);
  await chainView.load();
  const history = createTxHistoryWriter({
    store,
    onError: (message, error) => ui.getState().log('error', `${message}: ${String(error)}`),
  });
  // A tab being closed or hidden for good writes what is queued (best effort: the page may be gone first).
  const flushHistory = () => void history.flush();
  globalThis.addEventListener?.('pagehide', flushHistory);

  node.events.on('tx', (tx, id, source) => {
    const receivedAtMs = clock.nowMs();
    txIndex.set(id, { status: 'pending', receivedAtMs });
    ui.getState().queueTx(txToView(tx, id, receivedAtMs, source));
    if (source !== 'self') ui.getState().queueArrival('tx', id, source);
    // The history is the wallet's: the transactions it relays for others live in memory, and in blocks.
    if (inHistoryOf(signer.peerId, tx)) history.put({ id, bytes: encodeTx(tx), receivedAtMs, status: 'pending', source });
  });

  node.events.on('block', (hash, from) => ui.getState().noteArrival('block', hash, from));
  const markDropped = (ids: readonly TxId[]) => {
    for (const id of ids) {
      txIndex.delete(id);
      ui.getState().setTxStatus(id, 'dropped');
      history.drop(id);
    }
  };
  node.events.on('txs-dropped', markDropped);
  // The pending transactions stored before a reload go back into the mempool (the wallet numbers its next
  // send past its own); those the ledger now refuses for good (their nonce was used meanwhile) are dropped.
  const storedPending = stored.filter((record) => record.status === 'pending').flatMap((record) => {
    const decoded = decodeTx(record.bytes);
    return decoded.ok ? [{ tx: decoded.value, id: record.id }] : []; // a corrupt record was reported by storedToView
  });
  markDropped(await node.restoreTxs(storedPending));

  const { default: SimplePeer } = await simplePeerModule;
  const relay = createSignalingClient({ url: config.relayUrl, network, signer, log });
  const relayReaches = (id: string) => relay.status() === 'open' && later.mesh!.inRoom(id);
  const dialer = createWebrtcDialer({
    signer, verifier, clock, log,
    createPeer: (options) => new SimplePeer(options),
    // The relay introduces; once it is gone (or does not know the peer), signals travel through the mesh.
    sendSignal: (to, hex) => (relayReaches(to) && relay.sendSignal(to, hex)) || peers.send(to, hex),
    onLink: (link) => node.addLink(link),
    onRefused: () => node.count('signalsRejected'),
  }, { network, iceServers: config.iceServers });
  const mesh = createMeshMaintainer({ targetLinks: config.targetLinks, backoff: peers.book.backoff }, {
    isLinked: (id) => node.hasLink(id),
    isPending: (id) => dialer.isPending(id),
    isBanned: (id) => node.banOf(id) !== undefined,
    linkCount: () => node.peers().length,
    pendingCount: () => dialer.pendingCount(),
    dial: (id) => dialer.dial(id),
    links: () => node.peers(),
    disconnect: (id, reason) => node.disconnect(id, reason),
    bookPeers: () => peers.knownPeers(),
    canSignal: (id) => relayReaches(id) || peers.canRoute(id),
    acceptsInbound: (id) => peers.book.get(id)?.acceptsInbound,
    distance: (id) => peers.distance(id),
  });
  const gate = createOfferGate(mesh, dialer);
  Object.assign(later, { mesh, gate, dialer });

  relay.events.on('status', (status) => ui.getState().setRelay(status));
  relay.events.on('welcome', (members) => mesh.welcome(members));
  relay.events.on('peer-joined', (id) => mesh.joined(id));
  relay.events.on('peer-left', (id) => mesh.left(id));
  relay.events.on('signal', (from, data) => {
    if (node.banOf(from)) return log.warn('ignored a signal from a banned peer', { peerId: from });
    if (gate(from, data)) dialer.receiveSignal(from, data);
  });
  node.events.on('peer-open', (peer) => {
    mesh.linked(peer.id);
    ui.getState().upsertPeer({ ...peer, state: 'open' });
    log.info('link open', { peerId: peer.id, direction: peer.direction });
  });
  node.events.on('peer-update', (peer) => ui.getState().upsertPeer({ ...peer, state: 'open' }));
  node.events.on('peer-close', (peerId, reason) => {
    ui.getState().removePeer(peerId);
    log.info('link closed', { peerId, reason });
  });

  const miner = createMiner({ log });
  const mining = createMiningLoop({ ledger, mempool, node, miner, clock, log }, signer.peerId);
  const wallet = createWallet(network, { signer, ledger, mempool, submit: (tx) => node.submitLocalTx(tx) });

  const stats = () => ({
    ...node.stats(), taskLagMs: Math.round(taskLag.lagMs() * 10) / 10, ...prefixed('verifier', verifier.stats()), ...prefixed('miner', miner.stats()), ...prefixed('minedBlock', mining.lastBlockStages()),
    ...prefixed('peers', peers.stats()), ...prefixed('mesh', mesh.stats()), ...prefixed('trace', traces.stats()),
  });
  let previousStats: Record<string, number> | undefined;
  let previousSampleMs = clock.nowMs();
  /** Pushes the explorer's view: links, the whole graph from peer records, and one chart sample. */
  const refreshExplorer = (current: Record<string, number>) => {
    const state = ui.getState();
    const now = clock.nowMs();
    state.upsertPeers(node.peers().map((peer) => ({ ...peer, state: 'open' as const })));
    const records = peers.records();
    state.setGraph(
      records.map((record) => ({ id: record.peerId })),
      edgesFromRecords(records),
    );
    const latency = traces.latency();
    state.pushSample(sampleFromStats(previousStats, current, now - previousSampleMs, now, node.peers().length, latency?.spreadMs, latency?.p50Ms));
    previousStats = current;
    previousSampleMs = now;
  };
  const timer = setInterval(() => {
    node.tick();
    mesh.tick();
    chainView.refreshWallet();
    chainView.refreshAccounts();
    ui.getState().setMining(mining.stats());
    const current = stats();
    ui.getState().setStats(current);
    refreshExplorer(current);
    ui.getState().setBans(node.bans());
    ui.getState().setSync(node.syncProgress());
  }, TICK_MS);
  relay.start();

  return {
    ...full,
    id: signer.peerId,
    send: wallet.send,
    txStatus: (id) => {
      const entry = txIndex.get(id);
      return entry ? { ...entry } : { status: 'unknown' };
    },
    async findTx(id) {
      const recentStatus = txIndex.get(id);
      if (recentStatus) return { ...recentStatus };
      if (mempool.has(id)) return { status: 'pending' };
      const location = await ledger.txLocation(id);
      if (location) return { status: 'confirmed', height: location.height };
      const stored = await store.getTx(id);
      return stored?.status === 'pending' ? { status: 'pending', receivedAtMs: stored.receivedAtMs } : { status: 'unknown' };
    },
    mine: (blocks) => mining.mine(blocks),
    knownPeers: () => [...new Set([...mesh.knownPeers(), ...peers.knownPeers()])],
    disconnect: (peerId) => node.disconnect(peerId, 'closed by script'),
    trace: (txId) => traces.trace(txId),
    setMining(on) {
      mining.setMining(on);
      ui.getState().setMining(mining.stats());
    },
    stats,
    stop() {
      clearInterval(timer);
      traces.stop();
      mining.setMining(false);
      miner.close();
      relay.stop();
      dialer.close();
      node.close();
      chainView.close();
      verifier.close();
      globalThis.removeEventListener?.('pagehide', flushHistory);
      // The queued history is written before the database closes.
      void history.flush().finally(() => store.close());
    },
  };
}

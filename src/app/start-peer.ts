/**
 * Wires one running peer: identity and storage, the verifier workers, the
 * ledger, mempool and protocol node, the miner, the relay set (every relay
 * of ?relay=, and the same-browser BroadcastChannel), the WebRTC
 * dialer and the mesh maintainer. Data flows one way: net delivers bytes,
 * core parses and decides, the worker verifies, core applies, storage
 * persists, and the UI store is updated.
 */
import { decodeTx, encodeTx } from '../core/tx.ts';
import type { ChainParams } from '../core/ledger/params.ts';
import type { Clock, Logger, TxId } from '../core/types.ts';
import { createBroadcastSignaling, routeAroundDepartedPages } from '../net/broadcast-signaling.ts';
import { channelName } from '../net/broadcast-signaling-messages.ts';
import { createRelaySet, type RelayMemberState } from '../net/relay-set.ts';
import { createSignalingClient } from '../net/signaling-client.ts';
import { createWebrtcDialer } from '../net/webrtc-dialer.ts';
import { createMeshPeer, prefixedStats, type MeshPeer } from '../peer/mesh-peer.ts';
import { createMiningLoop } from '../peer/mining-loop.ts';
import { keepPeerBook } from '../peer/peer-book-store.ts';
import { keepBans } from '../peer/ban-store.ts';
import { createWallet } from '../peer/wallet.ts';
import { createHostScheduler } from '../runtime/host-scheduler.ts';
import type { StoredTx } from '../storage/ledger-store.ts';
import { inHistoryOf } from '../storage/chain-commits.ts';
import type { TabmeshStore } from '../ui/store.ts';
import type { TxView } from '../ui/view-models.ts';
import { createMiner } from '../worker/miner.ts';
import { edgesFromRecords } from '../ui/graph-model.ts';
import { sampleFromStats } from '../ui/net-series.ts';
import { createVerifierPool } from '../worker/verifier-pool.ts';
import { createChainView, createTxStatusIndex, txToView } from './chain-view.ts';
import type { PeerConfig } from './config.ts';
import { resolveIceServers } from './ice-config.ts';
import { createTraceWiring, type TraceResult } from './trace-wiring.ts';
import { createTxHistoryWriter } from '../storage/tx-history-writer.ts';
import { openIdentity } from './open-identity.ts';
import { BUILD_PROFILE } from './build-profile.ts';
import { watchPeerVersions } from './update-offer.ts';

/** Recent transactions loaded at start for the page and for tx(id). */
const RECENT_TXS_ON_LOAD = 500;
/** Housekeeping cadence: keepalive, dead-link detection, mesh repair, stats for the page. */
const TICK_MS = 1_000;
/**
 * The peer book and anchors are written this often (and when the page goes), so a reload, even with the
 * relay down, has peers to try. 15 s: a book of 1,000 records is ~1.3 MB of hex, and it is written only
 * when it changed; a tab's records live 10 minutes (peer-record.ts), so a save is never stale for long.
 */
const SAVE_BOOK_EVERY_MS = 15_000;

export interface RunningPeer extends MeshPeer {
  id: string;
  send(to: unknown, amount: unknown, fee?: unknown): Promise<TxId>;
  /** Replaces this account's pending transaction by the same one at a higher fee (wallet.ts). */
  bump(id: unknown, fee: unknown): Promise<TxId>;
  /** Replaces this account's pending transaction by a burn of 1 unit at a higher fee (wallet.ts). */
  cancel(id: unknown, fee?: unknown): Promise<TxId>;
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
  /** Each signaling route: the relays, then the same-browser channel (url `broadcast:…`). */
  relays(): RelayMemberState[];
  /** Joins one more relay (the URL is checked by the caller); false when it is already joined. */
  addRelay(url: string): boolean;
  /** Leaves a relay; false when it is not one of ours. */
  removeRelay(url: string): boolean;
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

/**
 * Starts this tab's peer. `params` overrides ledger parameters for a build variant, e.g.
 * `{ deployments: withoutDeployments(chainParams(network).deployments) }` for a build that
 * predates every deployment (core/ledger/params.ts); such a tab still follows the chain.
 */
export async function startPeer(config: PeerConfig, ui: TabmeshStore, log: Logger, params?: Partial<ChainParams>): Promise<RunningPeer> {
  const { network } = config;
  // simple-peer's browser bundle carries its own Node polyfills (buffer, process, streams), and evaluating
  // them took about half of the page's first task, the only task of 50 ms or more in a joining tab
  // (docs/PERFORMANCE.md, "Responsiveness"). Imported here, it is evaluated in a task of its own while the identity opens.
  const simplePeerModule = import('simple-peer/simplepeer.min.js');
  const { signer, store, clashed } = await openIdentity(network, log);
  const verifier = createVerifierPool();
  log.info('signature verification runs in workers', { backend: await verifier.backend() });
  // Only a visible page delays or holds its announcements: the browser runs a hidden page's timers at most
  // about once a second, which would turn a 20 ms delay into a second per hop (and a hidden page draws nothing anyway).
  const scheduler = createHostScheduler({ punctual: () => document.visibilityState === 'visible' });
  const { default: SimplePeer } = await simplePeerModule;
  const iceServers = await resolveIceServers(config, fetch, log);
  // Every relay at once (relay-set.ts): the mesh is introduced while any one is up.
  const relay = createRelaySet({
    create: (url) => createSignalingClient({ url, network, signer, log }),
    log,
    // Asked only once signals flow (after start); the channel then defers to a mesh route.
    meshReaches: (to) => peer.peers.canRoute(to),
  }, config.relayUrls);
  // Tabs of this browser find each other with no server at all (broadcast-signaling.ts).
  const sameBrowser = typeof BroadcastChannel === 'function' ? createBroadcastSignaling({ network, selfId: signer.peerId, log }) : undefined;
  if (sameBrowser) relay.add(`broadcast:${channelName(network)}`, { member: sameBrowser, local: true });
  // The trace samples at a rate scaled to the network's size, which it asks the peer book on its timer (after start).
  const traces = createTraceWiring({ signer, verifier, clock, log, ui, networkSize: () => peer.peers.knownPeers().length }, { network });
  const peer = await createMeshPeer({
    signer, verifier, clock, log, store, scheduler, relay, rng: Math.random,
    connect: (hooks) => createWebrtcDialer({
      signer, verifier, clock, log, createPeer: (options) => new SimplePeer(options), ...hooks,
      // A tab whose page just left is reached by a relay or not at all, never by a stale mesh route (broadcast-signaling.ts).
      sendSignal: sameBrowser ? routeAroundDepartedPages(sameBrowser, (to, hex) => relay.sendSignal(to, hex), hooks.sendSignal) : hooks.sendSignal,
    }, { network, iceServers, iceTransportPolicy: config.iceTransportPolicy }),
    modules: [traces.factory],
  }, { network, mesh: { targetLinks: config.targetLinks }, ...(params ? { params } : {}), ...(BUILD_PROFILE.protocol ? { protocol: BUILD_PROFILE.protocol } : {}) });
  const { node, ledger, mempool } = peer;
  traces.attach(node);
  watchPeerVersions({ node, ui, log });
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
  const showDeployments = () => ui.getState().setDeployments(ledger.deployments(), ledger.nextBlockParams().minFee);
  showDeployments();
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

  const showRelays = () => {
    ui.getState().setRelay(relay.relayStatus());
    ui.getState().setRelays(relay.states());
  };
  relay.onStates(showRelays);
  showRelays();
  // The stored peer book and anchors (dialled first) go in before the peer starts.
  const book = await keepPeerBook({ store, verifier, clock, log, peer }, network);
  const saveBook = setInterval(() => void book.save(), SAVE_BOOK_EVERY_MS);
  // Bans held before the reload hold again, and each new one is stored as it happens (peer/ban-store.ts).
  const bans = await keepBans({ store, clock, log, node });
  node.events.on('peer-open', (link) => {
    sameBrowser?.linked(link.id); // from now on a mesh route to this page may be trusted (relay-set.ts)
    ui.getState().upsertPeer({ ...link, state: 'open' });
    log.info('link open', { peerId: link.id, direction: link.direction });
  });
  node.events.on('peer-update', (link) => ui.getState().upsertPeer({ ...link, state: 'open' }));
  node.events.on('peer-close', (peerId, reason) => {
    ui.getState().removePeer(peerId);
    log.info('link closed', { peerId, reason });
  });

  const miner = createMiner({ log });
  const mining = createMiningLoop({ ledger, mempool, node, miner, clock, log }, signer.peerId);
  const wallet = createWallet(network, { signer, ledger, mempool, submit: (tx) => node.submitLocalTx(tx) });

  const stats = () => ({
    ...peer.stats(), taskLagMs: Math.round(scheduler.lagMs() * 10) / 10, ...prefixedStats('verifier', verifier.stats()), ...prefixedStats('miner', miner.stats()),
    ...prefixedStats('minedBlock', mining.lastBlockStages()), ...prefixedStats('trace', traces.stats()),
    ...(sameBrowser ? prefixedStats('sameBrowser', { ...sameBrowser.stats(), present: sameBrowser.present().length }) : {}),
  });
  let previousStats: Record<string, number> | undefined;
  let previousSampleMs = clock.nowMs();
  /** Pushes the explorer's view: links, the whole graph from peer records, and one chart sample. */
  const refreshExplorer = (current: Record<string, number>) => {
    const state = ui.getState();
    const now = clock.nowMs();
    state.upsertPeers(node.peers().map((peer) => ({ ...peer, state: 'open' as const })));
    const records = peer.peers.records();
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
    peer.tick();
    chainView.refreshWallet();
    chainView.refreshAccounts();
    ui.getState().setMining(mining.stats());
    showDeployments();
    const current = stats();
    ui.getState().setStats(current);
    refreshExplorer(current);
    ui.getState().setBans(node.bans());
    ui.getState().setSync(node.syncProgress());
  }, TICK_MS);
  peer.start();

  return {
    ...peer,
    id: signer.peerId,
    send: wallet.send,
    bump: wallet.bump,
    cancel: wallet.cancel,
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
    disconnect: (peerId) => node.disconnect(peerId, 'closed by script'),
    trace: (txId) => traces.trace(txId),
    setMining(on) {
      mining.setMining(on);
      ui.getState().setMining(mining.stats());
    },
    stats,
    relays: () => relay.states(),
    addRelay: (url) => relay.add(url),
    removeRelay: (url) => relay.remove(url),
    stop() {
      clearInterval(timer);
      clearInterval(saveBook);
      // Reads the outbound links (the anchors) now, before peer.close() below closes them.
      const bookSaved = book.save();
      traces.stop();
      mining.setMining(false);
      miner.close();
      peer.close();
      chainView.close();
      verifier.close();
      globalThis.removeEventListener?.('pagehide', flushHistory);
      // The queued history, the peer book, the anchors and the bans are written before the database closes.
      bans.stop();
      void Promise.all([history.flush(), bookSaved, bans.save()]).finally(() => store.close());
    },
  };
}

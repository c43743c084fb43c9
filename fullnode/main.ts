/**
 * The headless full node: the peer assembly a tab runs (peer/mesh-peer.ts),
 * hosted in Node. Its components are the Node kind of each seam:
 *
 *   identity   DIR/identity.key (key-file.ts), the same id on every start
 *   store      LevelDB in DIR/chain (storage/level-ledger-store.ts)
 *   verifier   the tabs' verifier pool over worker_threads (node-verifier.ts)
 *   miner      the tabs' miner over a worker thread (node-miner.ts)
 *   links      simple-peer over @roamhq/wrtc, through the tabs' WebRTC dialer
 *   relay      the tabs' signaling client over `ws`
 *   control    an HTTP JSON API on 127.0.0.1 behind DIR/.cookie (rpc-server.ts)
 *
 * startFullNode resolves once the node is listening; close() shuts it down in
 * order: RPC, mining, links and relay, then the store is flushed and closed.
 */
import { join } from 'node:path';
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import WebSocket from 'ws';
import type { Clock, Logger } from '../src/core/types.ts';
import { createSignalingClient } from '../src/net/signaling-client.ts';
import { createWebrtcDialer } from '../src/net/webrtc-dialer.ts';
import { createMeshPeer, prefixedStats, type MeshPeer } from '../src/peer/mesh-peer.ts';
import { createMiningLoop } from '../src/peer/mining-loop.ts';
import { createWallet } from '../src/peer/wallet.ts';
import { createHostScheduler } from '../src/runtime/host-scheduler.ts';
import { openLevelLedgerStore } from '../src/storage/level-ledger-store.ts';
import { loadOrCreateIdentity } from './key-file.ts';
import { createNodeMiner } from './node-miner.ts';
import { createNodeVerifierPool } from './node-verifier.ts';
import type { NodeOptions } from './node-flags.ts';
import { createNodeRpcTarget } from './node-rpc-target.ts';
import { keepWalletHistory } from './node-history.ts';
import { keepBans } from '../src/peer/ban-store.ts';
import { keepPeerBook } from '../src/peer/peer-book-store.ts';
import { cookiePathFor } from './rpc-cookie.ts';
import { createRpcServer } from './rpc-server.ts';

/** Housekeeping cadence, as in a tab: keepalive, dead links, mesh repair. */
const TICK_MS = 1_000;
/** The peer book and anchors are written this often (and on shutdown), so a restart has peers to try before the relay answers. */
const SAVE_BOOK_EVERY_MS = 60_000;

export interface FullNodeHost {
  readonly id: string;
  readonly peer: MeshPeer;
  /** The RPC port (the OS's choice when asked for 0). */
  readonly rpcPort: number;
  stats(): Record<string, number>;
  close(): Promise<void>;
}

const clock: Clock = { nowMs: () => Date.now() };

export async function startFullNode(options: NodeOptions, log: Logger): Promise<FullNodeHost> {
  const { network, dataDir } = options;
  const identity = await loadOrCreateIdentity(dataDir);
  const { signer } = identity;
  log.info(identity.created ? 'created a new identity' : 'loaded the identity', { id: signer.peerId, path: identity.path, backend: identity.backend });
  const store = await openLevelLedgerStore(join(dataDir, 'chain'), { network, owner: signer.peerId, clock, log });
  const verifier = createNodeVerifierPool({ log });
  const relay = createSignalingClient({ url: options.relayUrl, network, signer, log, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
  const peer = await createMeshPeer({
    signer, verifier, clock, log, store, relay, scheduler: createHostScheduler(), rng: Math.random,
    connect: (hooks) => createWebrtcDialer({
      signer, verifier, clock, log, ...hooks,
      createPeer: (peerOptions) => new SimplePeer({ ...peerOptions, wrtc }),
    }, { network, iceServers: options.iceServers }),
  }, { network, mesh: { targetLinks: options.targetLinks } });
  const { node, ledger, mempool } = peer;
  if (ledger.rebuilt) log.warn('stored chain state was corrupt and has been rebuilt from stored blocks', { reason: ledger.rebuildReason });

  const history = await keepWalletHistory({ node, store, clock, log }, signer.peerId);
  // The stored peer book, the anchors (dialled first, as a tab does) and the bans go in before the peer starts.
  const book = await keepPeerBook({ store, verifier, clock, log, peer }, network);
  const bans = await keepBans({ store, clock, log, node });
  const miner = createNodeMiner(log);
  const mining = createMiningLoop({ ledger, mempool, node, miner, clock, log }, signer.peerId);
  const wallet = createWallet(network, { signer, ledger, mempool, submit: (tx) => node.submitLocalTx(tx) });
  const stats = () => ({ ...peer.stats(), ...prefixedStats('verifier', verifier.stats()), ...prefixedStats('miner', miner.stats()) });

  const rpc = createRpcServer({ target: createNodeRpcTarget({ peer, wallet, mining, store }, network), log }, { port: options.rpcPort, cookiePath: cookiePathFor(dataDir) });
  try {
    await rpc.ready;
  } catch (error) {
    peer.close();
    miner.close();
    verifier.close();
    store.close();
    throw error;
  }
  const tick = setInterval(() => peer.tick(), TICK_MS);
  const saveBook = setInterval(() => void book.save(), SAVE_BOOK_EVERY_MS);
  peer.start();
  if (options.mine) mining.setMining(true);
  log.info('full node running', { id: signer.peerId, network, relay: options.relayUrl, rpcPort: rpc.address().port, tip: ledger.tip().height });

  let closing: Promise<void> | undefined;
  return {
    id: signer.peerId,
    peer,
    rpcPort: rpc.address().port,
    stats,
    close: () => (closing ??= (async () => {
      clearInterval(tick);
      clearInterval(saveBook);
      await rpc.close();
      mining.setMining(false);
      miner.close();
      // Reads the outbound links (the anchors) now, before peer.close() below closes them.
      const bookSaved = book.save();
      bans.stop();
      peer.close();
      await history.flush();
      await Promise.all([bookSaved, bans.save()]);
      verifier.close();
      await verifier.closed();
      store.close();
      await store.whenClosed();
      log.info('full node stopped', { id: signer.peerId });
    })()),
  };
}

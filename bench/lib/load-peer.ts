/**
 * A load generator for the full node's load figure
 * (bench/figures/full-node-load.ts): a peer that meets the node through the
 * relay and links to it over real WebRTC (the project's relay client and
 * signed-signaling dialer, simple-peer on @roamhq/wrtc), and speaks just the
 * part of the link protocol (docs/PROTOCOL.md) a sender needs, as the e2e
 * tier's scripted peer does (e2e/harness/malicious-peer.ts): HELLO, a pong
 * for every ping, an INV for its transactions and a TX frame for each one
 * the node asks for (GETDATA), and a GETDATA for each block the node
 * announces, to read from its short ids which of its transactions are
 * confirmed. It runs no ledger, no mempool and no verifier; the node's
 * announcements of other peers' transactions are ignored, which the
 * protocol allows (slow is not malicious, docs/SECURITY.md).
 *
 * Why not a core node: four of them in the bench's one thread cost ≈ 550 µs
 * of CPU per transaction (mempools, ledgers and stores following the node;
 * a CPU profile), more than the node itself, and saturated that thread at
 * ≈ 1,700 tx/s, so the generator, not the node, set the rate.
 *
 * Flow: each sender may be at most 200 nonces ahead of its confirmed nonce
 * (mempool.ts DEFAULT_MAX_TXS_PER_SENDER); a sender's transactions are
 * offered only inside that window, counted from the confirmations seen in
 * the node's blocks, and at most `maxPerSec` a second in all: the node
 * allows a peer 2,000 frames a second (core/node.ts) and bans one that sends
 * faster, and each transaction costs one TX frame.
 */
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import WebSocket from 'ws';
import { packFrames } from '../../src/core/frame-bundle.ts';
import { encodeFrame, invId, MAX_INV_ITEMS, parseFrame, USER_AGENT, type InvItem } from '../../src/core/frames.ts';
import { DEFAULT_MAX_TXS_PER_SENDER } from '../../src/core/ledger/mempool.ts';
import type { PeerLink } from '../../src/core/link.ts';
import { TokenBuckets } from '../../src/core/token-bucket.ts';
import { txId, type Tx } from '../../src/core/tx.ts';
import type { Logger, PeerId } from '../../src/core/types.ts';
import { createSignalingClient } from '../../src/net/signaling-client.ts';
import { createWebrtcDialer } from '../../src/net/webrtc-dialer.ts';
import { framesOf } from '../../src/sim/frame-kind.ts';
import { benchSigner, trustingVerifier } from './chain-build.ts';

/**
 * The rate cap's burst, in seconds of the rate: short, so that after a spell
 * of full windows the peer does not catch up faster than the node's limit
 * refills (its bucket holds 4,000 frames, refilled at 2,000 a second).
 */
const BURST_SECONDS = 0.25;

export interface LoadPeerInit {
  relayUrl: string;
  network: string;
  /** The only peer it links to. */
  nodeId: PeerId;
  /** Derives its identity (chain-build.ts benchSigner). */
  seed: number;
  log: Logger;
}

export interface LoadPeer {
  readonly id: PeerId;
  linked(): boolean;
  /** Starts offering each sender's transfers (in nonce order), at most `maxPerSec` a second. */
  start(txsBySender: Tx[][], maxPerSec: number): void;
  /** Transactions the node fetched; confirmed in its blocks; not yet offered. */
  counts(): { fetched: number; confirmed: number; left: number };
  close(): void;
}

interface Sender {
  txs: Tx[];
  /** Next nonce to offer, and how many from nonce 0 are confirmed in a row. */
  next: number;
  confirmed: number;
  confirmedAhead: Set<number>;
}

export async function startLoadPeer(init: LoadPeerInit): Promise<LoadPeer> {
  const { network, nodeId, log } = init;
  const signer = benchSigner(init.seed);
  const clock = { nowMs: () => Date.now() };
  let link: PeerLink | undefined;
  let helloReceived = false;
  let senders: Sender[] = [];
  /** Offered transactions by the short id INV and GETDATA name them by, with their sender and nonce. */
  const offered = new Map<string, { tx: Tx; sender: Sender; nonce: number }>();
  let cap: TokenBuckets<'offers'> | undefined;
  let fetched = 0;
  let confirmed = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const send = (frames: Uint8Array[]) => {
    for (const message of packFrames(frames)) link?.send(message);
  };

  function confirm(shortIds: readonly string[]): void {
    for (const shortId of shortIds) {
      const entry = offered.get(shortId);
      if (!entry) continue;
      offered.delete(shortId);
      confirmed++;
      const { sender } = entry;
      sender.confirmedAhead.add(entry.nonce);
      while (sender.confirmedAhead.delete(sender.confirmed)) sender.confirmed++;
    }
    schedule(0);
  }

  function handleFrame(bytes: Uint8Array): void {
    const parsed = parseFrame(bytes);
    if (!parsed.ok) return log.warn('load peer: the node sent a frame we cannot parse', { reason: parsed.detail });
    const frame = parsed.value;
    if (frame.type === 'hello') helloReceived = frame.network === network && frame.peerId === nodeId;
    else if (frame.type === 'ping') send([encodeFrame({ type: 'pong', nonce: frame.nonce })]);
    else if (frame.type === 'getData') answer(frame.items);
    else if (frame.type === 'block') confirm(frame.shortIds);
    else if (frame.type === 'inv') {
      // Blocks only: their short ids say which of ours are confirmed. Transactions of other peers are not wanted.
      const blocks = frame.items.filter((item) => item.kind === 'block');
      if (blocks.length > 0) send([encodeFrame({ type: 'getData', items: blocks })]);
    }
  }

  /** TX frames for the transactions we offered, NOTFOUND for anything else. */
  function answer(items: InvItem[]): void {
    const frames: Uint8Array[] = [];
    const missing: InvItem[] = [];
    for (const item of items) {
      const entry = item.kind === 'tx' ? offered.get(item.id) : undefined;
      if (entry) frames.push(encodeFrame({ type: 'tx', tx: entry.tx }));
      else missing.push(item);
    }
    fetched += frames.length;
    if (missing.length > 0) frames.push(encodeFrame({ type: 'notFound', items: missing }));
    send(frames);
  }

  function adopt(opened: PeerLink): void {
    if (opened.peerId !== nodeId) return opened.close('a load peer links to the node only');
    link?.close('replaced by a newer link');
    link = opened;
    opened.onClose((reason) => {
      if (link === opened) link = undefined;
      if (!closed) log.warn('load peer: link to the node closed', { reason });
    });
    opened.onMessage((message) => {
      for (const bytes of framesOf(message)) handleFrame(bytes);
    });
    send([encodeFrame({ type: 'hello', network, peerId: signer.peerId, userAgent: `${USER_AGENT} (bench load peer)`, tipHeight: 0, tipHash: '0'.repeat(64), identityStamp: signer.identityStamp })]);
  }

  function schedule(delayMs: number): void {
    if (timer !== undefined || closed || !cap) return;
    timer = setTimeout(() => {
      timer = undefined;
      offer();
    }, delayMs);
  }

  /** Announces what the windows and the rate cap allow, in one or more INV frames. */
  function offer(): void {
    if (!link || !cap) return;
    const now = performance.now();
    let budget = Math.floor(cap.available('offers', now));
    const items: InvItem[] = [];
    for (const sender of senders) {
      const end = Math.min(sender.txs.length, sender.confirmed + DEFAULT_MAX_TXS_PER_SENDER);
      for (; sender.next < end && budget > 0; sender.next++, budget--) {
        const tx = sender.txs[sender.next]!;
        const id = invId('tx', txId(tx));
        offered.set(id, { tx, sender, nonce: sender.next });
        items.push({ kind: 'tx', id });
      }
    }
    if (items.length > 0) cap.take('offers', now, items.length);
    const frames: Uint8Array[] = [];
    for (let at = 0; at < items.length; at += MAX_INV_ITEMS) frames.push(encodeFrame({ type: 'inv', items: items.slice(at, at + MAX_INV_ITEMS) }));
    send(frames);
    // Out of rate budget: come back when a little more is allowed. Out of window: a block's confirmations call schedule().
    if (budget <= 0) schedule(10);
  }

  const relay = createSignalingClient({ url: init.relayUrl, network, signer, log, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
  const dialer = createWebrtcDialer({
    // Signal envelopes are verified by the dialer; this peer trusts the relay it was started with.
    signer, verifier: trustingVerifier, clock, log,
    createPeer: (options) => new SimplePeer({ ...options, wrtc: wrtc as unknown as SimplePeer.Options['wrtc'] }),
    sendSignal: (to, hex) => relay.sendSignal(to, hex),
    onLink: adopt,
    onRefused: (peerId, reason) => log.warn('load peer: signal refused', { peerId, reason }),
  }, { network });
  relay.events.on('welcome', (members) => members.includes(nodeId) && dialer.dial(nodeId));
  relay.events.on('peer-joined', (id) => id === nodeId && dialer.dial(nodeId));
  relay.events.on('signal', (from, data) => from === nodeId && dialer.receiveSignal(from, data));
  relay.start();

  return {
    id: signer.peerId,
    linked: () => link !== undefined && helloReceived,
    start(txsBySender, rate) {
      senders = txsBySender.map((txs) => ({ txs, next: 0, confirmed: 0, confirmedAhead: new Set() }));
      cap = new TokenBuckets({ ratePerSec: rate, burst: Math.max(1, Math.round(rate * BURST_SECONDS)) });
      schedule(0);
    },
    counts: () => ({ fetched, confirmed, left: senders.reduce((sum, sender) => sum + sender.txs.length - sender.next, 0) }),
    close() {
      closed = true;
      clearTimeout(timer);
      relay.stop();
      dialer.close();
      link?.close('bench done');
    },
  };
}

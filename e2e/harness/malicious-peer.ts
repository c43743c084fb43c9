/**
 * A peer that a test controls, running in Node: it joins the relay and links
 * with tabs exactly as a tab does, by reusing the project's own relay client
 * and signed-signaling dialer (src/net) and frame codec (src/core/frames.ts),
 * with simple-peer over @roamhq/wrtc for WebRTC. On each link it completes
 * HELLO and answers pings, so tabs keep it as a peer; it runs no ledger and
 * relays nothing. Transactions it offers follow the gossip protocol
 * (docs/PROTOCOL.md, "Inventory"): an INV names the id, and the body goes
 * only to a tab that asks for it with GETDATA, since an unrequested body is
 * itself misbehaviour.
 *
 * Once linked it misbehaves on command: raw bytes, a transaction whose signed
 * fields were changed after signing, or a frame over the size limit. Honest
 * tabs must drop such input, count it and disconnect the sender. It can also
 * act as a scheming account holder: `signTransfer` signs valid transactions
 * from its own key, and `sendTx` offers one to exactly one tab, so two
 * conflicting ones can be placed in different tabs (a double spend).
 */
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import WebSocket from 'ws';
import { mintIdentityStampNative } from '../../fullnode/key-file-stamp.ts';
import { framesOf } from '../../src/sim/frame-kind.ts';
import { chainParams } from '../../src/core/ledger/params.ts';
import { encodeFrame, FRAME_VERSION, FrameType, invId, MAX_FRAME_BYTES, parseFrame, USER_AGENT, type InvItem } from '../../src/core/frames.ts';
import type { PeerLink } from '../../src/core/link.ts';
import { signTx, txId, type Tx, type UnsignedTx } from '../../src/core/tx.ts';
import type { Logger, PeerId, TxId, Verifier } from '../../src/core/types.ts';
import { createNobleEd25519Verifier, nobleKeypair } from '../../src/crypto/ed25519.ts';
import { createSigner } from '../../src/identity/key-material.ts';
import { createSignalingClient } from '../../src/net/signaling-client.ts';
import { createWebrtcDialer } from '../../src/net/webrtc-dialer.ts';

export interface MaliciousPeerInit {
  /** The relay's WebSocket URL, e.g. ws://127.0.0.1:4317/signal. */
  relayUrl: string;
  network: string;
  /** Print the peer's log lines (they are always kept for `logLines()`). */
  verbose?: boolean;
}

export interface TamperedTx {
  /** Id of the transaction as sent: its amount no longer matches the signature. */
  id: TxId;
  /** Id of the validly signed original, never sent. */
  originalId: TxId;
  tx: Tx;
}

export type MaliciousPeer = Awaited<ReturnType<typeof startMaliciousPeer>>;

/** The relay answers a join within one round trip; 10 s is the relay's own join timeout. */
const JOIN_TIMEOUT_MS = 10_000;

interface Session {
  link: PeerLink;
  /** The tab's HELLO arrived and named this network and the signaling identity. */
  helloReceived: boolean;
}

/** Joins the relay and links with every tab in the room; resolves once the relay has welcomed it. */
export async function startMaliciousPeer(init: MaliciousPeerInit) {
  const { network } = init;
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const line = `[malicious ${level}] ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`;
    lines.push(line);
    if (init.verbose) console.log(line);
  };
  const log: Logger = { info: record('info'), warn: record('warn') };
  const clock = { nowMs: () => Date.now() };

  const { secretKey, publicKey } = nobleKeypair();
  // It mints an honest stamp: the tab must link with it for the misbehaviour under test to reach the tab.
  const signer = createSigner({ kind: 'noble', secretKey, publicKey }, mintIdentityStampNative(publicKey, chainParams(network).identityStampBits));
  const ed25519 = createNobleEd25519Verifier();
  const verifier: Verifier = { verify: (items) => Promise.all(items.map((item) => ed25519.verify(item))) };

  /** Raw access to each open link, which an honest node never gives out. */
  const sessions = new Map<PeerId, Session>();
  /** Transactions announced to a tab, by the short id INV and GETDATA carry: delivered to that tab when it asks. */
  const offers = new Map<string, { tx: Tx; to: PeerId }>();
  let nextNonce = 0;

  /** Answers a tab's GETDATA: the bodies of transactions we offered it, NOTFOUND for anything else. */
  function deliver(link: PeerLink, items: InvItem[]): void {
    const missing: InvItem[] = [];
    for (const item of items) {
      const offer = item.kind === 'tx' ? offers.get(item.id) : undefined;
      if (offer?.to === link.peerId) {
        link.send(encodeFrame({ type: 'tx', tx: offer.tx }));
        log.info('delivered an offered tx', { peerId: link.peerId, id: item.id });
      } else {
        missing.push(item);
      }
    }
    if (missing.length > 0) link.send(encodeFrame({ type: 'notFound', items: missing }));
  }

  /** The honest minimum that keeps a tab linked: HELLO once, a pong for every ping, offered bodies on GETDATA; everything else is ignored. */
  function adopt(link: PeerLink): void {
    sessions.get(link.peerId)?.link.close('replaced by a newer link');
    const session: Session = { link, helloReceived: false };
    sessions.set(link.peerId, session);
    link.onClose((reason) => {
      if (sessions.get(link.peerId) === session) sessions.delete(link.peerId);
      log.info('link closed', { peerId: link.peerId, reason });
    });
    const handleFrame = (bytes: Uint8Array) => {
      const parsed = parseFrame(bytes);
      if (!parsed.ok) return log.warn('tab sent a frame we cannot parse', { peerId: link.peerId, reason: parsed.detail });
      const frame = parsed.value;
      if (frame.type === 'hello') session.helloReceived = frame.network === network && frame.peerId === link.peerId;
      else if (frame.type === 'ping') link.send(encodeFrame({ type: 'pong', nonce: frame.nonce }));
      else if (frame.type === 'getData') deliver(link, frame.items);
    };
    // A tab bundles the frames of one task into one message (src/core/frame-bundle.ts).
    link.onMessage((message) => {
      for (const bytes of framesOf(message)) handleFrame(bytes);
    });
    // Height 0 with an all-zero tip: a tab that asks for our headers gets no answer, which it tolerates.
    link.send(encodeFrame({ type: 'hello', network, peerId: signer.peerId, userAgent: `${USER_AGENT} (e2e malicious peer)`, tipHeight: 0, tipHash: '0'.repeat(64), identityStamp: signer.identityStamp }));
  }

  const relay = createSignalingClient({
    url: init.relayUrl,
    network,
    signer,
    log,
    // ws speaks the browser WebSocket API (onmessage, onclose, readyState, OPEN) that the client uses.
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  const dialer = createWebrtcDialer({
    signer,
    verifier,
    clock,
    log,
    createPeer: (options) => new SimplePeer({ ...options, wrtc: wrtc as unknown as SimplePeer.Options['wrtc'] }),
    sendSignal: (to, hex) => relay.sendSignal(to, hex),
    onLink: adopt,
    onRefused: (peerId, reason) => log.warn('signal refused', { peerId, reason }),
  }, { network });

  let welcomedTimer: ReturnType<typeof setTimeout> | undefined;
  const welcomed = new Promise<void>((resolve, reject) => {
    welcomedTimer = setTimeout(() => reject(new Error(`malicious peer: no welcome from ${init.relayUrl} within ${JOIN_TIMEOUT_MS} ms\n${lines.join('\n')}`)), JOIN_TIMEOUT_MS);
    relay.events.on('welcome', (peers) => {
      // Like a newcomer tab: dial every member; tabs that join later dial us.
      for (const peerId of peers) dialer.dial(peerId);
      resolve();
    });
  });
  relay.events.on('signal', (from, data) => dialer.receiveSignal(from, data));
  relay.start();
  try {
    await welcomed;
  } catch (error) {
    relay.stop();
    throw error;
  } finally {
    clearTimeout(welcomedTimer);
  }

  /** Announces `tx` to `peerId` alone (INV); its body follows when that tab asks for it. */
  function offerTx(peerId: PeerId, tx: Tx): TxId {
    const id = txId(tx);
    offers.set(invId('tx', id), { tx, to: peerId });
    if (!sendRaw(peerId, encodeFrame({ type: 'inv', items: [{ kind: 'tx', id: invId('tx', id) }] }))) throw new Error(`the link to ${peerId.slice(0, 8)} refused the INV frame`);
    return id;
  }

  /** Sends bytes as one data-channel message, with no framing or checks. */
  function sendRaw(peerId: PeerId, bytes: Uint8Array): boolean {
    const link = sessions.get(peerId)?.link;
    if (!link) throw new Error(`malicious peer has no open link to ${peerId.slice(0, 8)}`);
    return link.send(bytes);
  }

  return {
    id: signer.peerId,

    /** Peers with an open link whose HELLO completed. */
    linkedPeers(): PeerId[] {
      return [...sessions.entries()].filter(([, session]) => session.helloReceived).map(([peerId]) => peerId);
    },

    sendRaw,

    /**
     * Signs a valid transfer from this peer's own account (its id is its
     * account) and returns it unsent: two calls with the same nonce make a
     * double spend. Nothing checks that the account can afford it.
     */
    async signTransfer(transfer: Omit<UnsignedTx, 'from'>): Promise<{ id: TxId; tx: Tx }> {
      const tx = await signTx(network, { ...transfer, from: signer.peerId }, signer);
      return { id: txId(tx), tx };
    },

    /**
     * Gives `tx` to `peerId` only: an INV to that tab, and the TX frame when
     * it asks. The tab gossips it on if its ledger admits it.
     */
    sendTx: offerTx,

    /**
     * Signs a valid transfer to `peerId`, then raises its amount after
     * signing, and offers that (INV, then the body on GETDATA): the frame
     * parses, but its signature fails.
     */
    async sendTamperedTx(peerId: PeerId): Promise<TamperedTx> {
      const signed = await signTx(network, { from: signer.peerId, to: peerId, amount: 5, fee: 1, nonce: nextNonce++ }, signer);
      const tampered: Tx = { ...signed, amount: signed.amount + 1_000_000 };
      offerTx(peerId, tampered);
      return { id: txId(tampered), originalId: txId(signed), tx: tampered };
    },

    /** Sends a well-formed header with a payload one byte over the frame limit (16 KiB). */
    sendOversized(peerId: PeerId): number {
      const bytes = new Uint8Array(MAX_FRAME_BYTES + 1);
      bytes[0] = FRAME_VERSION;
      bytes[1] = FrameType.tx;
      if (!sendRaw(peerId, bytes)) throw new Error('the link refused the oversized frame');
      return bytes.length;
    },

    /** Everything the peer logged (signals refused, links closed, ...), for failure messages. */
    logLines(): string[] {
      return [...lines];
    },

    close(): void {
      relay.stop();
      dialer.close();
      for (const session of sessions.values()) session.link.close('harness closing');
    },
  };
}

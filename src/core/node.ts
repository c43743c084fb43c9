/**
 * The protocol core of one peer: HELLO handshake, keepalive, transaction
 * gossip and misbehaviour handling over a set of PeerLinks. It is pure: links,
 * signature verification, time and logging are injected (js-libp2p style), so
 * the same code runs in a tab, in Node tests and in the simulator. It never
 * touches storage: accepted transactions are emitted for the app to persist.
 */
import { BoundedSet } from './bounded-set.ts';
import { Emitter } from './emitter.ts';
import { USER_AGENT, encodeFrame, parseFrame, type ChainView, type Frame } from './frames.ts';
import type { LinkDirection, PeerLink } from './link.ts';
import { createStats, type StatName } from './stats.ts';
import { txId, txVerifyItem, type Tx } from './tx.ts';
import type { Clock, Logger, PeerId, TxId, Verifier } from './types.ts';

export interface NodeComponents {
  verifier: Verifier;
  clock: Clock;
  log: Logger;
}

export interface NodeInit {
  network: string;
  peerId: PeerId;
  /** This peer's view of the chain, sent in HELLO. */
  chainView(): ChainView;
  /** How long a misbehaving peer is held off. 10 minutes outlasts a reload loop without banning forever. */
  banMs?: number;
  /** Seen-cache bound: 100k ids is ~7 MB of strings, hours of traffic at 10 tx/s. */
  maxKnownTxs?: number;
  /** A link that has not completed HELLO by then is closed. */
  helloTimeoutMs?: number;
  /** Keepalive interval; a peer silent for 3 intervals is dead. */
  pingIntervalMs?: number;
}

export interface PeerInfo {
  id: PeerId;
  direction: LinkDirection;
  rttMs?: number;
  connectedAtMs: number;
}

/** Where a transaction came from: a peer, or this tab itself. */
export type TxSource = PeerId | 'self';

export type NodeEvents = {
  tx: [tx: Tx, id: TxId, source: TxSource];
  'peer-open': [peer: PeerInfo];
  'peer-update': [peer: PeerInfo];
  'peer-close': [peerId: PeerId, reason: string];
  ban: [peerId: PeerId, reason: string];
};

interface Session {
  link: PeerLink;
  openedAtMs: number;
  helloReceived: boolean;
  lastHeardMs: number;
  rttMs?: number;
  pingNonce?: number;
  pingSentMs?: number;
}

export type TabmeshNode = ReturnType<typeof createNode>;

export function createNode(components: NodeComponents, init: NodeInit) {
  const { verifier, clock, log } = components;
  const banMs = init.banMs ?? 10 * 60_000;
  const helloTimeoutMs = init.helloTimeoutMs ?? 10_000;
  const pingIntervalMs = init.pingIntervalMs ?? 5_000;
  const events = new Emitter<NodeEvents>();
  const stats = createStats();
  const sessions = new Map<PeerId, Session>();
  const bans = new Map<PeerId, { untilMs: number; reason: string }>();
  /** Every tx id accepted, in flight, or sent: each is relayed at most once. */
  const knownTxs = new BoundedSet<TxId>(init.maxKnownTxs ?? 100_000);
  let nextPingNonce = 1;

  const count = (name: StatName, by = 1) => { stats[name] += by; };

  function sendFrame(session: Session, frame: Frame): void {
    const bytes = encodeFrame(frame);
    if (session.link.send(bytes)) {
      count('messagesOut');
      count('bytesOut', bytes.length);
    }
  }

  function info(session: Session): PeerInfo {
    return { id: session.link.peerId, direction: session.link.direction, rttMs: session.rttMs, connectedAtMs: session.openedAtMs };
  }

  /** Bitcoin Core since PR #29575: the first misbehaviour disconnects and discourages. */
  function punish(peerId: PeerId, reason: string): void {
    log.warn('peer misbehaved; disconnecting and holding it off', { peerId, reason });
    bans.set(peerId, { untilMs: clock.nowMs() + banMs, reason });
    count('peersBanned');
    events.emit('ban', peerId, reason);
    sessions.get(peerId)?.link.close(`banned: ${reason}`);
  }

  function handleBytes(session: Session, bytes: Uint8Array): void {
    if (sessions.get(session.link.peerId) !== session) return;
    count('messagesIn');
    count('bytesIn', bytes.length);
    session.lastHeardMs = clock.nowMs();
    const parsed = parseFrame(bytes);
    if (!parsed.ok) {
      count('framesRejected');
      punish(session.link.peerId, `malformed frame (${parsed.reason}): ${parsed.detail}`);
      return;
    }
    const frame = parsed.value;
    if (!session.helloReceived && frame.type !== 'hello') {
      count('framesRejected');
      punish(session.link.peerId, `${frame.type} before hello`);
      return;
    }
    switch (frame.type) {
      case 'hello': return handleHello(session, frame);
      case 'ping': return sendFrame(session, { type: 'pong', nonce: frame.nonce });
      case 'pong': return handlePong(session, frame.nonce);
      case 'tx': return void handleTx(session.link.peerId, frame.tx);
    }
  }

  function handleHello(session: Session, hello: Extract<Frame, { type: 'hello' }>): void {
    const peerId = session.link.peerId;
    if (session.helloReceived) return punish(peerId, 'second hello');
    if (hello.network !== init.network) {
      log.warn('peer is on another network; closing', { peerId, network: hello.network });
      return session.link.close(`wrong network ${hello.network}`);
    }
    if (hello.peerId !== peerId) return punish(peerId, 'hello peer id differs from the signed signaling identity');
    session.helloReceived = true;
    log.info('peer said hello', { peerId, tipHeight: hello.tipHeight, userAgent: hello.userAgent });
    events.emit('peer-open', info(session));
  }

  function handlePong(session: Session, nonce: number): void {
    if (nonce !== session.pingNonce || session.pingSentMs === undefined) return;
    session.rttMs = Math.round((clock.nowMs() - session.pingSentMs) * 10) / 10;
    session.pingNonce = undefined;
    events.emit('peer-update', info(session));
  }

  async function handleTx(source: PeerId, tx: Tx): Promise<void> {
    const id = txId(tx);
    if (knownTxs.has(id)) {
      count('duplicatesDropped');
      return;
    }
    knownTxs.add(id);
    const [valid] = await verifier.verify([txVerifyItem(init.network, tx)]);
    if (!valid) {
      knownTxs.delete(id);
      count('invalidDropped');
      punish(source, `transaction ${id.slice(0, 12)} has an invalid signature`);
      return;
    }
    count('txAccepted');
    events.emit('tx', tx, id, source);
    broadcastTx(tx, source);
  }

  function broadcastTx(tx: Tx, except: TxSource): void {
    for (const session of sessions.values()) {
      if (!session.helloReceived || session.link.peerId === except) continue;
      sendFrame(session, { type: 'tx', tx });
      count('txRelayed');
    }
  }

  return {
    events,

    /** Adopts an authenticated link: sends HELLO and starts handling its frames. */
    addLink(link: PeerLink): void {
      const ban = bans.get(link.peerId);
      if (ban && ban.untilMs > clock.nowMs()) return link.close(`banned: ${ban.reason}`);
      sessions.get(link.peerId)?.link.close('replaced by a newer link');
      const now = clock.nowMs();
      const session: Session = { link, openedAtMs: now, lastHeardMs: now, helloReceived: false };
      sessions.set(link.peerId, session);
      count('linksOpened');
      link.onMessage((bytes) => handleBytes(session, bytes));
      link.onClose((reason) => {
        if (sessions.get(link.peerId) !== session) return;
        sessions.delete(link.peerId);
        count('linksClosed');
        events.emit('peer-close', link.peerId, reason);
      });
      sendFrame(session, { type: 'hello', network: init.network, peerId: init.peerId, userAgent: USER_AGENT, ...init.chainView() });
    },

    /** Signs nothing: takes a transaction this tab already signed, and gossips it. */
    submitLocalTx(tx: Tx): TxId {
      const id = txId(tx);
      knownTxs.add(id);
      count('txSent');
      events.emit('tx', tx, id, 'self');
      broadcastTx(tx, 'self');
      return id;
    },

    /** Marks ids loaded from storage as known, so a reloaded tab does not relay them again. */
    rememberTxs(ids: Iterable<TxId>): void {
      for (const id of ids) knownTxs.add(id);
    },

    /** Called on a timer by the host: keepalive pings, dead-peer and hello timeouts. */
    tick(): void {
      const now = clock.nowMs();
      for (const session of sessions.values()) {
        if (!session.helloReceived && now - session.openedAtMs > helloTimeoutMs) {
          session.link.close('no hello in time');
        } else if (now - session.lastHeardMs > 3 * pingIntervalMs) {
          session.link.close(`silent for ${now - session.lastHeardMs} ms`);
        } else if (session.helloReceived && (session.pingSentMs === undefined || now - session.pingSentMs >= pingIntervalMs)) {
          session.pingNonce = nextPingNonce++;
          session.pingSentMs = now;
          sendFrame(session, { type: 'ping', nonce: session.pingNonce });
        }
      }
      for (const [peerId, ban] of bans) if (ban.untilMs <= now) bans.delete(peerId);
    },

    /** Reports why a peer is held off, or undefined when it may connect. */
    banOf(peerId: PeerId): { untilMs: number; reason: string } | undefined {
      const ban = bans.get(peerId);
      return ban && ban.untilMs > clock.nowMs() ? { ...ban } : undefined;
    },

    /** Records misbehaviour found outside the link (a signal that fails to verify). */
    punish,

    /** Open links that completed HELLO. */
    peers(): PeerInfo[] {
      return [...sessions.values()].filter((session) => session.helloReceived).map(info);
    },

    hasLink(peerId: PeerId): boolean {
      return sessions.has(peerId);
    },

    knowsTx(id: TxId): boolean {
      return knownTxs.has(id);
    },

    count,

    stats(): Record<string, number> {
      return { ...stats, peers: [...sessions.values()].filter((s) => s.helloReceived).length };
    },

    close(): void {
      for (const session of sessions.values()) session.link.close('node shutting down');
    },
  };
}

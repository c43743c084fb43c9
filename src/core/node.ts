/**
 * The protocol core of one peer: sessions (HELLO, keepalive, bans) and the
 * routing of each frame to its protocol module: transaction relay, compact
 * block relay and chain sync. It is pure: links, verification, the ledger,
 * time and logging are injected (js-libp2p style), so the same code runs in a
 * tab, in Node tests and in the simulator. It never touches storage: the
 * ledger persists through its ChainStore, and accepted transactions are
 * emitted for the app.
 */
import { createBuiltinProtocols } from './builtin-protocols.ts';
import { Emitter } from './emitter.ts';
import { isBundle, splitBundle } from './frame-bundle.ts';
import { FRAME_VERSION, MAX_FRAME_BYTES, MAX_GOODBYE_REASON_CHARS, USER_AGENT, encodeFrame, parseFrame, type Frame } from './frames.ts';
import { fromHex } from './bytes.ts';
import { InvalidArgumentError } from './result.ts';
import { mintIdentityStamp } from './identity-stamp.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { Mempool } from './ledger/mempool.ts';
import type { Block } from './ledger/types.ts';
import type { PeerLink } from './link.ts';
import type { ProtocolContext } from './protocol-context.ts';
import { indexModules, type ProtocolModule, type ProtocolModuleFactory } from './protocol-module.ts';
import { PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN, checkRange, frameRequirement, type IncompatibleReason, type ProtocolRange } from './protocol-version.ts';
import { checkHello, readGoodbye } from './link-handshake.ts';
import { createStats, type StatName } from './stats.ts';
import { PeerSession, type PeerInfo } from './peer-session.ts';
import { microtaskDefer, type Scheduler } from './scheduler.ts';
import type { RateLimit } from './token-bucket.ts';
import type { TxSource } from './tx-relay.ts';
import type { Tx } from './tx.ts';
import type { BlockHash, Clock, Logger, PeerId, TxId, Verifier } from './types.ts';

export type { TxSource } from './tx-relay.ts';

export interface NodeComponents {
  verifier: Verifier;
  clock: Clock;
  log: Logger;
  ledger: Ledger;
  mempool: Mempool;
  /** Extra protocols (peer exchange, mesh signaling), each owning frame types 0x10–0x3f. */
  modules?: ProtocolModuleFactory[];
  /**
   * Timing (scheduler.ts). Without one (unit tests), announcement batches run as a microtask and
   * transaction announcements are never delayed; a host passes its scheduler, so the frames of a
   * burst (one task each) share one INV per peer, and a busy host batches for TX_ANNOUNCE_DELAY_MS.
   */
  scheduler?: Scheduler;
  /** Do the peer records say these two peers are linked (peers/peer-book.ts)? Lets relays hold announcements to a signer's neighbours (InventoryInit.linked). */
  linked?: (a: PeerId, b: PeerId) => boolean;
}

export interface NodeInit {
  network: string;
  peerId: PeerId;
  /**
   * This node's identity stamp (Signer.identityStamp), sent in HELLO. Without
   * one the node mints it here, blocking: trivial on test networks (256
   * hashes), ~1 s on main, so hosts pass their signer's.
   */
  identityStamp?: number;
  /** How long a misbehaving peer is held off. 10 minutes outlasts a reload loop without banning forever. */
  banMs?: number;
  /** Seen-cache bound for transaction ids. */
  maxKnownTxs?: number;
  /** InventoryInit.announcerStanding and ChainSyncInit.outboundProof: false only for the attack bench's ablation. Default true. */
  announcerStanding?: boolean;
  /** A link that has not completed HELLO by then is closed. */
  helloTimeoutMs?: number;
  /** Keepalive interval; a peer silent for 3 intervals is dead. */
  pingIntervalMs?: number;
  /** Frames a peer may send: a burst, then a rate. Generous: 100 tx/s of gossip is ~300 frames/s per link. */
  peerRateLimit?: RateLimit;
  /**
   * The protocol versions and features this node advertises (protocol-version.ts). Defaults: this build's
   * PROTOCOL_VERSION_MIN..MAX, and the feature bits of its modules. The simulator and the "previous" build
   * (app/build-profile.ts) run an older range through it.
   */
  protocol?: Partial<ProtocolRange>;
}

export type { PeerInfo } from './peer-session.ts';

export type NodeEvents = {
  tx: [tx: Tx, id: TxId, source: TxSource];
  /** Pooled transactions that left unconfirmed: the new tip made them invalid (a conflict confirmed, funds gone), an admission pushed them out (replaced by a higher fee, or evicted from a full pool), or they expired. */
  'txs-dropped': [ids: TxId[]];
  /** A block from a peer was accepted into the chain index. */
  block: [hash: BlockHash, from: PeerId];
  'peer-open': [peer: PeerInfo];
  'peer-update': [peer: PeerInfo];
  'peer-close': [peerId: PeerId, reason: string];
  /**
   * A peer's protocol range does not meet ours (found by negotiation, or said by its GOODBYE): the link closes
   * without a ban. 'peer-too-new' means this build is the old one, and should update.
   */
  'peer-incompatible': [peerId: PeerId, reason: IncompatibleReason, detail: string];
  ban: [peerId: PeerId, reason: string];
  /** A ban lifted by the operator (unban) before it expired. */
  unban: [peerId: PeerId];
};

type Session = PeerSession;

export type TabmeshNode = ReturnType<typeof createNode>;

/** Builds the protocol node over a ledger and mempool; createFullNode (full-node.ts) builds all three. */
export function createNode(components: NodeComponents, init: NodeInit) {
  const { clock, log, ledger, mempool } = components;
  const banMs = init.banMs ?? 10 * 60_000;
  const helloTimeoutMs = init.helloTimeoutMs ?? 10_000;
  const pingIntervalMs = init.pingIntervalMs ?? 5_000;
  // Headroom over honest peaks: 100 tx/s of gossip is ~300 frames/s on a link, and a sync source answers
  // each block with two frames, so 1,000/s would cap a catch-up at 500 blocks/s and ban the source beyond.
  const peerRateLimit = init.peerRateLimit ?? { burst: 4_000, perSecond: 2_000 };
  const { scheduler } = components;
  // Peers' stamps are checked at the ledger's difficulty: the network's, or the simulator's override.
  const stampBits = ledger.params.identityStampBits;
  const identityStamp = init.identityStamp ?? mintIdentityStamp(fromHex(init.peerId) ?? new Uint8Array(0), stampBits);
  const defer = (scheduler ?? microtaskDefer).defer;
  const events = new Emitter<NodeEvents>();
  const stats = createStats();
  const sessions = new Map<PeerId, Session>();
  const bans = new Map<PeerId, { untilMs: number; reason: string }>();
  let nextPingNonce = 1;

  const count = (name: StatName, by = 1) => { stats[name] += by; };
  const openSessions = () => [...sessions.values()].filter((session) => session.helloReceived);

  const sendFrame = (session: Session, frame: Frame): boolean => session.send(encodeFrame(frame));
  const info = (session: Session): PeerInfo => {
    const base: PeerInfo = session.info();
    if (sync.hasAnswered(base.id)) base.answered = true;
    return inventory.isStalled(base.id) || sync.isStalled(base.id) ? { ...base, stalled: true } : base;
  };

  /** Closes `peerId`'s link and refuses it for `durationMs` (a 'ban' event; ban-store.ts keeps it across reloads). */
  function holdOffFor(peerId: PeerId, reason: string, durationMs: number, closeAs: 'banned' | 'held off'): void {
    bans.set(peerId, { untilMs: clock.nowMs() + durationMs, reason });
    events.emit('ban', peerId, reason);
    sessions.get(peerId)?.link.close(`${closeAs}: ${reason}`);
  }

  /** Bitcoin Core since PR #29575: the first misbehaviour disconnects and discourages. */
  function punish(peerId: PeerId, reason: string): void {
    log.warn('peer misbehaved; disconnecting and holding it off', { peerId, reason });
    count('peersBanned');
    holdOffFor(peerId, reason, banMs, 'banned');
  }

  const context: ProtocolContext = {
    clock,
    log,
    count,
    punish,
    holdOff(peerId, reason, durationMs) {
      log.info('holding a peer off', { peerId, reason, ms: durationMs });
      count('peersHeldOff');
      holdOffFor(peerId, reason, durationMs, 'held off');
    },
    send(peerId, frame) {
      const session = sessions.get(peerId);
      return session?.helloReceived === true && sendFrame(session, frame);
    },
    broadcast(frame, except) {
      let sent = 0;
      for (const session of openSessions()) if (session.link.peerId !== except && sendFrame(session, frame)) sent++;
      return sent;
    },
    openPeers: () => openSessions().map((session) => session.link.peerId),
    networkGroup: (peerId) => sessions.get(peerId)?.link.remoteGroup,
    sendModuleFrame(peerId, type, payload) {
      const session = sessions.get(peerId);
      if (session?.helloReceived !== true) return false;
      // A module behind a feature bit talks only to peers that run it (Bitcoin's service bits).
      const feature = moduleTable.byType.get(type)?.feature ?? 0;
      if ((feature & (session.protocol?.peerFeatures ?? 0)) !== feature) {
        count('moduleFramesWithheld');
        return false;
      }
      const bytes = new Uint8Array(2 + payload.length);
      bytes[0] = FRAME_VERSION;
      bytes[1] = type;
      bytes.set(payload, 2);
      return bytes.length <= MAX_FRAME_BYTES && session.send(bytes);
    },
  };

  const { inventory, txRelay, sync, blockRelay, route, ...builtins } = createBuiltinProtocols(context, {
    verifier: components.verifier, ledger, mempool, scheduler, linked: components.linked, defer,
    flushSessions: () => { for (const session of sessions.values()) session.flush(); },
    onTx: (tx, id, source) => events.emit('tx', tx, id, source),
    onTxsDropped: (ids) => events.emit('txs-dropped', ids),
    onBlock: (hash, from) => events.emit('block', hash, from),
  }, { network: init.network, selfId: init.peerId, maxKnownTxs: init.maxKnownTxs, announcerStanding: init.announcerStanding });
  const modules = (components.modules ?? []).map((create) => create(context));
  const moduleTable = indexModules(modules);
  const ours = checkRange({
    min: init.protocol?.min ?? PROTOCOL_VERSION_MIN, max: init.protocol?.max ?? PROTOCOL_VERSION_MAX, features: init.protocol?.features ?? moduleTable.features,
  }, 'NodeInit.protocol');

  /** Frames of module-owned types: version, size and HELLO state checked here, payload by the module. */
  function handleModuleFrame(session: Session, module: ProtocolModule, bytes: Uint8Array): void {
    const peerId = session.link.peerId;
    const type = bytes[1]!;
    const spec = module.frames[type]!;
    const reason = bytes[0] !== FRAME_VERSION ? `frame version ${bytes[0]}`
      : bytes.length - 2 > spec.maxPayloadBytes ? `${spec.name} payload of ${bytes.length - 2} bytes exceeds ${spec.maxPayloadBytes}`
      : !session.helloReceived ? `${spec.name} before hello` : undefined;
    const decoded = reason === undefined ? module.decode(type, bytes.subarray(2)) : undefined;
    if (reason !== undefined || !decoded?.ok) {
      count('framesRejected');
      return punish(peerId, `malformed frame: ${reason ?? (decoded as { detail: string }).detail}`);
    }
    session.enqueue(() => module.handle(peerId, decoded.value), (error) => log.warn('a module frame handler failed', { peerId, module: module.name, error: String(error) }));
  }

  /** One data-channel message: a frame, or a bundle of frames handled one by one (frame-bundle.ts). */
  function handleMessage(session: Session, bytes: Uint8Array): void {
    const peerId = session.link.peerId;
    if (sessions.get(peerId) !== session) return;
    count('messagesIn');
    count('bytesIn', bytes.length);
    session.bytesIn += bytes.length;
    // Liveness only (the keepalive): bytes arrived. Whether a peer withheld a body is judged by the
    // inventory from the answers it handled, since a frame may wait long in the queue below.
    session.lastHeardMs = clock.nowMs();
    if (!isBundle(bytes) || bytes[0] !== FRAME_VERSION) return handleFrame(session, bytes);
    const frames = splitBundle(bytes);
    if (!frames.ok) {
      count('framesRejected');
      return punish(peerId, `malformed bundle (${frames.reason}): ${frames.detail}`);
    }
    // A frame that closed the link (a ban, another network) ends the bundle: the rest is not handled.
    for (const frame of frames.value) if (sessions.get(peerId) === session) handleFrame(session, frame);
  }

  function handleFrame(session: Session, bytes: Uint8Array): void {
    const peerId = session.link.peerId;
    if (!session.rate.take()) {
      count('rateLimited');
      return punish(peerId, `sent frames faster than ${peerRateLimit.perSecond}/s (burst ${peerRateLimit.burst})`);
    }
    // A tab still running an older (or newer) build speaks another frame version from its first frame
    // (HELLO): not misbehaviour, just incompatible. Close the link without a ban, so both meet again once
    // they reload. A peer that spoke our version and then changes it, or sends too much, is punished below.
    if (bytes.length >= 1 && bytes[0] !== FRAME_VERSION && !session.helloReceived && bytes.length <= MAX_FRAME_BYTES) {
      count('versionMismatches');
      log.warn('peer speaks another frame version; closing', { peerId, version: bytes[0], expected: FRAME_VERSION });
      return session.link.close(`frame version ${bytes[0]}, expected ${FRAME_VERSION}`);
    }
    const module = bytes.length >= 2 && session.leaving === undefined ? moduleTable.byType.get(bytes[1]!) : undefined;
    if (module) return handleModuleFrame(session, module, bytes);
    const parsed = parseFrame(bytes);
    // An optional type we do not know: a newer build's frame, or a module we do not run (docs/PROTOCOL.md, "Versioning").
    if (!parsed.ok && parsed.reason === 'unknown-type' && frameRequirement(bytes[1]!) === 'optional') return count('unknownFrames');
    if (session.leaving !== undefined) {
      // We said GOODBYE and close on the next tick; only the peer's own GOODBYE still matters.
      return parsed.ok && parsed.value.type === 'goodbye' ? handleGoodbye(session, parsed.value) : undefined;
    }
    if (!parsed.ok) {
      count('framesRejected');
      return punish(peerId, `malformed frame (${parsed.reason}): ${parsed.detail}`);
    }
    const frame = parsed.value;
    if (frame.type === 'goodbye') return handleGoodbye(session, frame);
    if (!session.helloReceived && frame.type !== 'hello') {
      count('framesRejected');
      return punish(peerId, `${frame.type} before hello`);
    }
    if (frame.type === 'hello') return handleHello(session, frame);
    if (frame.type === 'ping') return void sendFrame(session, { type: 'pong', nonce: frame.nonce });
    if (frame.type === 'pong') return handlePong(session, frame.nonce);
    // One link's frames are handled in order: a transaction that spends a block's reward must not be
    // checked before that block, which arrived first, is connected.
    // A frame still queued when its link closed is not handled: a newer link to the same peer has fresh
    // protocol state, and an answer from the old one (HEADERS, say) would look unsolicited on it.
    session.enqueue(() => (sessions.get(peerId) === session ? route(peerId, frame) : undefined), (error) => log.warn('a frame handler failed', { peerId, frame: frame.type, error: String(error) }));
  }

  function handleHello(session: Session, hello: Extract<Frame, { type: 'hello' }>): void {
    const peerId = session.link.peerId;
    if (session.helloReceived) return punish(peerId, 'second hello');
    const verdict = checkHello(hello, { network: init.network, peerId, ours, stampBits });
    if ((verdict.kind === 'punish' || verdict.kind === 'close') && verdict.stampRejected) count('stampRejected');
    if (verdict.kind === 'punish') return punish(peerId, verdict.reason);
    if (verdict.kind === 'close' || verdict.kind === 'goodbye') {
      log.warn('closing a peer without a ban', { peerId, reason: verdict.reason });
      if (verdict.kind === 'close') return session.link.close(verdict.reason);
      if (verdict.incompatible) {
        count(verdict.incompatible === 'peer-too-old' ? 'peersTooOld' : 'peersTooNew');
        events.emit('peer-incompatible', peerId, verdict.incompatible, verdict.reason);
      }
      // The close waits for the next tick (PeerSession.leaving), so the GOODBYE leaves first.
      session.leaving = verdict.reason;
      sendFrame(session, { type: 'goodbye', code: verdict.code, reason: verdict.reason.slice(0, MAX_GOODBYE_REASON_CHARS) });
      return session.flush();
    }
    session.protocol = verdict.protocol;
    session.helloReceived = true;
    log.info('peer said hello', { peerId, tipHeight: hello.tipHeight, userAgent: hello.userAgent, protocol: verdict.protocol.version });
    events.emit('peer-open', info(session));
    sync.onHello(peerId, hello.tipHash, hello.tipHeight, session.link.direction);
    // A peer that just linked learns what is waiting for a block (BIP35's mempool message, pushed).
    inventory.announceTo(peerId, 'tx', mempool.list().map((entry) => entry.id));
    for (const module of modules) module.onPeerOpen?.(peerId, session.link.direction);
  }

  /** The peer says why it closes: the link closes now, without a ban. */
  function handleGoodbye(session: Session, frame: Extract<Frame, { type: 'goodbye' }>): void {
    const peerId = session.link.peerId;
    const { name, incompatible } = readGoodbye(frame.code);
    count('goodbyesReceived');
    log.warn('peer said goodbye', { peerId, code: name, reason: frame.reason });
    // A peer whose HELLO we could read was already found incompatible here (session.leaving): said once.
    if (incompatible && session.leaving === undefined) events.emit('peer-incompatible', peerId, incompatible, `the peer says: ${frame.reason}`);
    session.link.close(`goodbye (${name}): ${frame.reason}`);
  }

  function handlePong(session: Session, nonce: number): void {
    if (nonce !== session.pingNonce || session.pingSentMs === undefined) return;
    session.rttMs = Math.round((clock.nowMs() - session.pingSentMs) * 10) / 10;
    session.pingNonce = undefined;
    events.emit('peer-update', info(session));
  }

  return {
    events,

    /** Adopts an authenticated link: sends HELLO and starts handling its frames. */
    addLink(link: PeerLink): void {
      const ban = bans.get(link.peerId);
      if (ban && ban.untilMs > clock.nowMs()) return link.close(`banned: ${ban.reason}`);
      sessions.get(link.peerId)?.link.close('replaced by a newer link');
      const session = new PeerSession(link, clock, peerRateLimit, (bytes) => {
        count('messagesOut');
        count('bytesOut', bytes);
      }, defer);
      sessions.set(link.peerId, session);
      count('linksOpened');
      link.onMessage((bytes) => handleMessage(session, bytes));
      link.onClose((reason) => {
        if (sessions.get(link.peerId) !== session) return;
        sessions.delete(link.peerId);
        blockRelay.forgetPeer(link.peerId);
        sync.forgetPeer(link.peerId);
        inventory.forgetPeer(link.peerId);
        if (session.helloReceived) for (const module of modules) module.onPeerClose?.(link.peerId);
        count('linksClosed');
        events.emit('peer-close', link.peerId, reason);
      });
      const tip = ledger.tip();
      sendFrame(session, { type: 'hello', network: init.network, peerId: init.peerId, userAgent: USER_AGENT, tipHeight: tip.height, tipHash: tip.hash, identityStamp, protocol: ours });
    },

    /** A transaction this tab signed: admitted to the mempool and gossiped, or the ledger's reason why not. */
    submitLocalTx: (tx: Tx) => txRelay.submitLocal(tx),

    /** A block this tab mined: connected and announced, or the ledger's reason why not. */
    submitLocalBlock: (block: Block) => blockRelay.submitLocal(block),

    /** Marks ids loaded from storage as known, so a reloaded tab does not relay them again. */
    rememberTxs(ids: Iterable<TxId>): void {
      const list = [...ids];
      txRelay.remember(list);
      inventory.remember('tx', list);
    },

    /** A reloaded tab's stored pending transactions, back into the mempool; returns those refused for good (tx-relay's restore). */
    async restoreTxs(entries: readonly { tx: Tx; id: TxId }[]): Promise<TxId[]> {
      const refused = await txRelay.restore(entries);
      inventory.remember('tx', entries.map((entry) => entry.id).filter((id) => mempool.has(id)));
      return refused;
    },

    /** Called on a timer by the host: keepalive pings, timeouts, sync and mempool housekeeping. */
    tick(): void {
      const now = clock.nowMs();
      for (const session of sessions.values()) {
        session.drain();
        if (session.leaving !== undefined) {
          session.link.close(session.leaving);
        } else if (!session.helloReceived && now - session.openedAtMs > helloTimeoutMs) {
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
      inventory.tick();
      blockRelay.tick();
      sync.tick();
      for (const module of modules) module.tick?.();
      // Expired transactions leave like any other dropped ones, so their status stops saying pending.
      const expired = mempool.expire(now);
      if (expired.length > 0) events.emit('txs-dropped', expired);
    },

    /**
     * Holds `peerId` off until `untilMs`, as a ban read back from storage
     * (peer/ban-store.ts): no 'ban' event and no count, since it was counted
     * when it happened. A longer ban already held is kept.
     */
    restoreBan(peerId: PeerId, untilMs: number, reason: string): void {
      if (untilMs <= clock.nowMs() || (bans.get(peerId)?.untilMs ?? 0) >= untilMs) return;
      bans.set(peerId, { untilMs, reason });
      sessions.get(peerId)?.link.close(`banned: ${reason}`);
    },

    /**
     * The operator holds `peerId` off for `durationMs` (Bitcoin Core's setban): its link closes and
     * redials and signals are refused until then. Not misbehaviour, so not counted in peersBanned;
     * tests and demos split a network with it.
     */
    ban(peerId: PeerId, reason: string, durationMs: number): void {
      if (!Number.isSafeInteger(durationMs) || durationMs <= 0) throw new InvalidArgumentError(`ban duration must be a positive integer of ms, got ${durationMs}`);
      holdOffFor(peerId, reason, durationMs, 'banned');
    },

    /** Lifts a ban before it expires; false when `peerId` was not banned. */
    unban(peerId: PeerId): boolean {
      if (!bans.delete(peerId)) return false;
      events.emit('unban', peerId);
      return true;
    },

    /** Reports why a peer is held off, or undefined when it may connect. */
    banOf(peerId: PeerId): { untilMs: number; reason: string } | undefined {
      const ban = bans.get(peerId);
      return ban && ban.untilMs > clock.nowMs() ? { ...ban } : undefined;
    },

    /** Closes the link to `peerId` without holding it off (pruning, tests); false when there is none. */
    disconnect(peerId: PeerId, reason: string): boolean {
      const session = sessions.get(peerId);
      session?.link.close(reason);
      return session !== undefined;
    },

    /** Peers held off for misbehaviour, with why and until when. */
    bans: (): { peerId: PeerId; reason: string; untilMs: number }[] =>
      [...bans].filter(([, ban]) => ban.untilMs > clock.nowMs()).map(([peerId, ban]) => ({ peerId, ...ban })),

    /** Open links that completed HELLO. */
    peers: (): PeerInfo[] => openSessions().map(info),

    hasLink: (peerId: PeerId): boolean => sessions.has(peerId),

    knowsTx: (id: TxId): boolean => txRelay.knows(id),

    syncProgress: () => sync.progress(),

    /** The protocol versions and features this node advertises in HELLO. */
    protocol: (): ProtocolRange => ({ ...ours }),

    count,

    stats(): Record<string, number> {
      return { ...stats, peers: openSessions().length, mempoolSize: mempool.size, tipHeight: ledger.tip().height };
    },

    close(): void {
      builtins.close();
      for (const session of sessions.values()) session.link.close('node shutting down');
    },
  };
}

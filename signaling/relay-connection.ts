/**
 * One relay socket, from challenge to close (docs/PROTOCOL.md, "Relay").
 *
 *   challenged --join, stamp and signature ok--> joined --close--> closed
 *        |--join, bad stamp--> closed
 *        \--join--> verifying --bad signature / address full / room full--> closed
 *
 * A joined socket is `active` (wants peers, drawn into welcome samples) until
 * it says `idle`, and back with `active`; it receives signals either way.
 *
 * Every handler is wrapped so that nothing a client sends can throw out of
 * it: malformed input becomes an error frame, repeated abuse a close.
 */
import { randomBytes } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { toHex } from '../src/core/bytes.ts';
import { checkIdentityStamp } from '../src/core/identity-stamp.ts';
import {
  RELAY_FEATURE_ACTIVITY, parseClientMessage, type ClientMessage, type RelayErrorCode, type ServerMessage,
} from '../src/core/relay-protocol.ts';
import type { Logger, PeerId } from '../src/core/types.ts';
import { TokenBucket } from '../src/core/token-bucket.ts';
import { attestedGroupOf, type AddressLimits, type PendingSocket } from './relay-address-limits.ts';
import { RELAY_CLOSE, clip, errorCodeFor, rawToText, verifyJoin, type JoinMessage, type RelayLimits } from './relay-frames.ts';
import type { RelayRooms, RoomMember } from './relay-rooms.ts';

export { RELAY_CLOSE, type RelayLimits } from './relay-frames.ts';

/** What a connection needs from its server. */
export interface ConnectionContext {
  rooms: RelayRooms<RelayConnection>;
  limits: RelayLimits;
  /** Per-address limits (members) and refusal counters. */
  addresses: AddressLimits;
  /** Work a joiner's identity stamp must show on `network`. */
  stampBits(network: string): number;
  log: Logger;
  onClosed(connection: RelayConnection): void;
}

type SignalMessage = Extract<ClientMessage, { type: 'signal' }>;

export class RelayConnection implements RoomMember, PendingSocket {
  private state: 'challenged' | 'verifying' | 'joined' | 'closed' = 'challenged';
  private readonly nonce = new Uint8Array(randomBytes(32));
  private readonly bucket: TokenBucket;
  private joinTimer: ReturnType<typeof setTimeout> | undefined;
  private protocolErrors = 0;
  private droppedMessages = 0;
  private awaitingPong = false;
  private socketClosed = false;
  private network: string | undefined;
  private peerId: PeerId | undefined;
  /** Resolves once the underlying socket has closed. */
  readonly closed: Promise<void>;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ConnectionContext,
    private readonly label: string,
    /** The address this socket counts against (relay-address-limits.ts). */
    readonly address: string,
  ) {
    this.bucket = new TokenBucket(ctx.limits.rateLimit, () => performance.now());
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** This socket's network group as the relay attests it to other members (attestedGroupOf); undefined for loopback, LAN. */
  get group(): string | undefined {
    return attestedGroupOf(this.address);
  }

  /** Accepted but not yet admitted to a room (and not closing). */
  get pending(): boolean {
    return this.state === 'challenged' || this.state === 'verifying';
  }

  /** Sends the challenge and starts the join timer. */
  start(): void {
    this.ws.on('message', (data, isBinary) => this.guard('message', () => this.onMessage(data, isBinary)));
    this.ws.on('pong', () => {
      this.awaitingPong = false;
    });
    this.ws.on('error', (error) => this.ctx.log.warn('relay: socket error', { ...this.fields(), error: error.message }));
    this.ws.on('close', (code, reason) => this.guard('close', () => this.onSocketClosed(code, reason.toString())));
    this.joinTimer = setTimeout(() => this.close(RELAY_CLOSE.policyViolation, 'join timeout'), this.ctx.limits.joinTimeoutMs);
    this.send({ type: 'challenge', nonce: toHex(this.nonce) });
  }

  /** Called once per heartbeat round: a socket that missed the previous ping is terminated. */
  heartbeat(): void {
    if (this.socketClosed) return;
    if (this.awaitingPong) {
      this.ctx.log.warn('relay: no pong since last ping, terminating', this.fields());
      this.terminate();
      return;
    }
    this.awaitingPong = true;
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  send(message: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
      this.ctx.log.warn('relay: send buffer full (client not reading), terminating', this.fields());
      this.terminate();
      return;
    }
    this.ws.send(JSON.stringify(message), (error) => {
      if (error) this.ctx.log.warn('relay: send failed', { ...this.fields(), error: error.message });
    });
  }

  /** The pending pool is full and this socket's address holds the most of it. */
  evict(reason: string): void {
    this.ctx.log.warn('relay: evicting a pending socket', { ...this.fields(), reason });
    this.close(RELAY_CLOSE.tryAgainLater, reason);
  }

  /** Another socket now holds this peer id (a reload, here or on another relay). */
  replace(): void {
    this.close(RELAY_CLOSE.replaced, 'replaced by a newer connection');
  }

  /** Leaves the room at once and starts the closing handshake. */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.joinTimer);
    this.leave();
    this.ws.close(code, reason);
  }

  /** Closes with 1001 and resolves when the socket is gone, terminating it after `graceMs`. */
  async shutdown(graceMs: number): Promise<void> {
    this.close(RELAY_CLOSE.shuttingDown, 'relay shutting down');
    if (this.socketClosed) return;
    const timer = setTimeout(() => this.ws.terminate(), graceMs);
    await this.closed;
    clearTimeout(timer);
  }

  private terminate(): void {
    this.state = 'closed';
    clearTimeout(this.joinTimer);
    this.leave();
    this.ws.terminate();
  }

  private guard(what: string, handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.ctx.log.warn(`relay: ${what} handler failed`, { ...this.fields(), error: String(error) });
      this.close(RELAY_CLOSE.internalError, 'internal error');
    }
  }

  private fields(): Record<string, unknown> {
    return { conn: this.label, network: this.network, peer: this.peerId?.slice(0, 16) };
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    if (!this.bucket.take()) return this.onRateLimited();
    if (isBinary) return this.protocolError('binary-frame', 'frames must be JSON text');
    const parsed = parseClientMessage(rawToText(data));
    if (!parsed.ok) return this.protocolError(errorCodeFor(parsed), parsed.detail);
    const message = parsed.value;
    if (message.type === 'join') this.onJoin(message);
    else if (message.type === 'signal') this.onSignal(message);
    else this.onActivity(message.type === 'active');
  }

  private onJoin(join: JoinMessage): void {
    if (this.state !== 'challenged') {
      return this.protocolError('already-joined', this.state === 'joined' ? `already joined ${this.network}` : 'a join is already being verified');
    }
    // The stamp first: one hash, where the signature costs ~1.9 ms. An id that cost no work never reaches a room.
    const bits = this.ctx.stampBits(join.network);
    const stamp = checkIdentityStamp(join.peerId, join.identityStamp, bits);
    if (!stamp.ok) {
      const missing = join.identityStamp === undefined;
      this.ctx.addresses.count(missing ? 'no-stamp' : 'bad-stamp');
      const detail = missing ? `join has no identity stamp; network ${join.network} asks ${bits} bits of work` : stamp.detail;
      this.ctx.log.warn('relay: refused identity stamp', { ...this.fields(), claimed: join.peerId.slice(0, 16), detail });
      this.sendError('bad-stamp', detail);
      return this.close(RELAY_CLOSE.policyViolation, 'bad identity stamp');
    }
    this.state = 'verifying';
    verifyJoin(join, this.nonce).then(
      (valid) => this.guard('join', () => this.finishJoin(join, valid)),
      (error: unknown) => this.guard('join', () => {
        this.ctx.log.warn('relay: join verification threw', { ...this.fields(), error: String(error) });
        this.finishJoin(join, false);
      }),
    );
  }

  private finishJoin(join: JoinMessage, valid: boolean): void {
    if (this.state !== 'verifying') return; // closed while the signature was being checked
    const { network, peerId } = join;
    if (!valid) {
      this.ctx.log.warn('relay: bad join signature', { ...this.fields(), claimed: peerId.slice(0, 16) });
      this.sendError('bad-signature', 'join signature does not verify for this peer id and challenge');
      return this.close(RELAY_CLOSE.policyViolation, 'bad join signature');
    }
    const key = `${network}/${peerId}`;
    if (!this.ctx.addresses.claimMember(this.address, key, this)) {
      this.ctx.log.warn('relay: address holds too many members', { ...this.fields(), address: this.address });
      this.sendError('address-limit', `your address already has ${this.ctx.limits.maxMembersPerAddress} members on this relay`);
      return this.close(RELAY_CLOSE.tryAgainLater, 'too many members from your address');
    }
    const admitted = this.ctx.rooms.admit(network, peerId, this);
    if (!admitted.ok) {
      this.ctx.addresses.releaseMember(this.address, key, this);
      this.ctx.log.warn('relay: room full', { ...this.fields(), room: network });
      this.sendError('room-full', `room ${network} has ${this.ctx.limits.maxRoomSize} peers`);
      return this.close(RELAY_CLOSE.tryAgainLater, 'room full');
    }
    clearTimeout(this.joinTimer);
    this.state = 'joined';
    this.network = network;
    this.peerId = peerId;
    // The old socket no longer holds the id, so its close removes nothing; nobody else is told (no broadcasts).
    admitted.replaced?.replace();
    this.ctx.rooms.sample(network, peerId, this.ctx.limits.welcomeSample).then(
      (peers) => this.guard('welcome', () => this.welcome(peers, admitted.replaced !== undefined)),
      (error: unknown) => this.guard('welcome', () => {
        this.ctx.log.warn('relay: sampling the room failed', { ...this.fields(), error: String(error) });
        this.welcome([], admitted.replaced !== undefined);
      }),
    );
  }

  /**
   * The joiner gets a sample of the room; a few active members (who want
   * peers) are told of the joiner. O(sample) work, whatever the room's size.
   */
  private welcome(peers: PeerId[], replaced: boolean): void {
    if (this.state !== 'joined' || this.network === undefined || this.peerId === undefined) return;
    const network = this.network;
    // Each member's network group as this relay sees its socket (null when another process holds it): tabs
    // apply their per-group link limits before any link forms (docs/PROTOCOL.md, "Relay").
    const groups = peers.map((id) => attestedGroupOf(this.ctx.rooms.get(network, id)?.address) ?? null);
    // Left out when no member has one (loopback and LAN rooms), so such welcomes are as before.
    this.send({ type: 'welcome', peerId: this.peerId, peers, features: [RELAY_FEATURE_ACTIVITY], ...(groups.some((group) => group !== null) ? { groups } : {}) });
    this.ctx.rooms.announce(network, this.peerId, this.ctx.limits.announceSample, this.group);
    this.ctx.log.info('relay: joined', { ...this.fields(), replaced, sample: peers.length });
  }

  private onSignal(signal: SignalMessage): void {
    if (this.state !== 'joined' || this.network === undefined || this.peerId === undefined) {
      return this.protocolError('not-joined', 'join before sending signals');
    }
    if (signal.to === this.peerId) return this.protocolError('bad-field', 'signal.to is your own peer id');
    const { network, peerId } = this;
    const group = this.group === undefined ? {} : { group: this.group };
    const delivered = this.ctx.rooms.deliver(network, signal.to, { type: 'signal', from: peerId, data: signal.data, ...group });
    if (delivered === true) return;
    if (delivered === false) return this.unknownPeer(signal.to);
    delivered.then(
      (ok) => ok || this.guard('signal', () => this.unknownPeer(signal.to)),
      (error: unknown) => this.guard('signal', () => {
        this.ctx.log.warn('relay: forwarding a signal failed', { ...this.fields(), error: String(error) });
        this.unknownPeer(signal.to);
      }),
    );
  }

  /**
   * Not counted as abuse: the target may have left while the signal was in
   * flight. Leaves are not broadcast, so `peer-left` here is how a tab learns
   * that a sampled id is gone (older tabs log the error, newer ones drop the id).
   */
  private unknownPeer(to: PeerId): void {
    if (this.state !== 'joined') return;
    this.send({ type: 'peer-left', peerId: to });
    this.sendError('unknown-peer', `peer ${to.slice(0, 16)}… is not in room ${this.network ?? '?'}`);
  }

  private onActivity(active: boolean): void {
    if (this.state !== 'joined' || this.network === undefined || this.peerId === undefined) {
      return this.protocolError('not-joined', `join before sending ${active ? 'active' : 'idle'}`);
    }
    this.ctx.rooms.setActive(this.network, this.peerId, this, active);
  }

  private protocolError(code: RelayErrorCode, detail: string): void {
    this.protocolErrors++;
    this.ctx.log.warn('relay: rejected frame', { ...this.fields(), code, detail: clip(detail) });
    this.sendError(code, detail);
    if (this.protocolErrors >= this.ctx.limits.maxProtocolErrors) this.close(RELAY_CLOSE.policyViolation, 'too many protocol errors');
  }

  private onRateLimited(): void {
    this.droppedMessages++;
    const { burst, perSecond } = this.ctx.limits.rateLimit;
    if (this.droppedMessages === 1) this.ctx.log.warn('relay: rate limited', this.fields());
    if (this.droppedMessages >= this.ctx.limits.maxDroppedMessages) {
      this.ctx.log.warn('relay: still flooding, closing', { ...this.fields(), dropped: this.droppedMessages });
      return this.close(RELAY_CLOSE.policyViolation, 'message rate exceeded');
    }
    this.sendError('rate-limited', `over ${burst} messages burst or ${perSecond}/s; message dropped`);
  }

  private sendError(code: RelayErrorCode, message: string): void {
    this.send({ type: 'error', code, message: clip(message) });
  }

  /** Leaves the room. Nobody is told: tabs learn of departures when a signal finds no one (unknownPeer). */
  private leave(): void {
    const { network, peerId } = this;
    if (network === undefined || peerId === undefined) return;
    this.ctx.rooms.remove(network, peerId, this);
    this.ctx.addresses.releaseMember(this.address, `${network}/${peerId}`, this);
  }

  private onSocketClosed(code: number, reason: string): void {
    this.socketClosed = true;
    this.state = 'closed';
    clearTimeout(this.joinTimer);
    this.leave();
    this.ctx.onClosed(this);
    this.ctx.log.info('relay: socket closed', { ...this.fields(), code, reason: clip(reason) });
  }
}

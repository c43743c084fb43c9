/**
 * One relay socket, from challenge to close (docs/PROTOCOL.md, "Relay").
 *
 *   challenged --join, signature ok--> joined --close--> closed
 *        \--join--> verifying --bad signature / room full--> closed
 *
 * Every handler is wrapped so that nothing a client sends can throw out of
 * it: malformed input becomes an error frame, repeated abuse a close.
 */
import { randomBytes, randomInt } from 'node:crypto';
import * as ed from '@noble/ed25519';
import type { RawData, WebSocket } from 'ws';
import { fromHex, toHex } from '../src/core/bytes.ts';
import {
  RELAY_MAX_WELCOME_PEERS, joinSigningBytes, parseClientMessage,
  type ClientMessage, type RelayErrorCode, type ServerMessage,
} from '../src/core/relay-protocol.ts';
import type { Reject } from '../src/core/result.ts';
import type { Logger, PeerId } from '../src/core/types.ts';
import { TokenBucket, type RateLimit } from '../src/core/token-bucket.ts';
import type { RelayRooms } from './relay-rooms.ts';

/** WebSocket close codes the relay sends (RFC 6455 §7.4; 4000-4999 are ours). */
export const RELAY_CLOSE = {
  shuttingDown: 1001,
  /** Bad join signature, join timeout, too many protocol errors, flooding. */
  policyViolation: 1008,
  /** Sent by `ws` itself when a frame exceeds maxFrameBytes. */
  frameTooLarge: 1009,
  internalError: 1011,
  /** Room full: the client may retry later. */
  tryAgainLater: 1013,
  /** The same peer id joined again on a newer socket (a tab reload). */
  replaced: 4001,
} as const;

export interface RelayLimits {
  maxRoomSize: number;
  joinTimeoutMs: number;
  rateLimit: RateLimit;
  maxDroppedMessages: number;
  maxProtocolErrors: number;
  maxBufferedBytes: number;
}

/** What a connection needs from its server. */
export interface ConnectionContext {
  rooms: RelayRooms<RelayConnection>;
  limits: RelayLimits;
  log: Logger;
  /** True once the relay is shutting down: departures are no longer announced. */
  isClosing(): boolean;
  onClosed(connection: RelayConnection): void;
}

type JoinMessage = Extract<ClientMessage, { type: 'join' }>;
type SignalMessage = Extract<ClientMessage, { type: 'signal' }>;

/** Client-controlled text echoed in errors and logs is clipped (error.message is at most 500 chars). */
const clip = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

function errorCodeFor(rejected: Reject): RelayErrorCode {
  if (rejected.reason === 'too-large' || rejected.reason === 'unknown-type' || rejected.reason === 'bad-json') return rejected.reason;
  return 'bad-field';
}

function rawToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** Strict RFC 8032 verification (zip215: false), the same rule the ledger uses. */
async function verifyJoin(join: JoinMessage, nonce: Uint8Array): Promise<boolean> {
  const publicKey = fromHex(join.peerId);
  const signature = fromHex(join.signature);
  if (publicKey === undefined || signature === undefined) return false;
  return ed.verifyAsync(signature, joinSigningBytes(join.network, nonce), publicKey, { zip215: false });
}

export class RelayConnection {
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
  ) {
    this.bucket = new TokenBucket(ctx.limits.rateLimit, () => performance.now());
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
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
    if (parsed.value.type === 'join') this.onJoin(parsed.value);
    else this.onSignal(parsed.value);
  }

  private onJoin(join: JoinMessage): void {
    if (this.state !== 'challenged') {
      return this.protocolError('already-joined', this.state === 'joined' ? `already joined ${this.network}` : 'a join is already being verified');
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
    const admitted = this.ctx.rooms.admit(network, peerId, this);
    if (!admitted.ok) {
      this.ctx.log.warn('relay: room full', { ...this.fields(), room: network });
      this.sendError('room-full', `room ${network} has ${this.ctx.limits.maxRoomSize} peers`);
      return this.close(RELAY_CLOSE.tryAgainLater, 'room full');
    }
    clearTimeout(this.joinTimer);
    this.state = 'joined';
    this.network = network;
    this.peerId = peerId;
    const others = this.ctx.rooms.others(network, peerId);
    if (admitted.replaced !== undefined) {
      // The old socket no longer holds the id, so its close announces nothing;
      // the others see exactly one peer-left and then one peer-joined.
      admitted.replaced.close(RELAY_CLOSE.replaced, 'replaced by a newer connection');
      for (const [, other] of others) other.send({ type: 'peer-left', peerId });
    }
    const peers = this.ctx.rooms.sampleIds(network, peerId, RELAY_MAX_WELCOME_PEERS, randomInt);
    this.send({ type: 'welcome', peerId, peers });
    for (const [, other] of others) other.send({ type: 'peer-joined', peerId });
    this.ctx.log.info('relay: joined', { ...this.fields(), replaced: admitted.replaced !== undefined, roomSize: others.length + 1 });
  }

  private onSignal(signal: SignalMessage): void {
    if (this.state !== 'joined' || this.network === undefined || this.peerId === undefined) {
      return this.protocolError('not-joined', 'join before sending signals');
    }
    if (signal.to === this.peerId) return this.protocolError('bad-field', 'signal.to is your own peer id');
    const target = this.ctx.rooms.get(this.network, signal.to);
    // Not counted as abuse: the target may have left while the signal was in flight.
    if (target === undefined) return this.sendError('unknown-peer', `peer ${signal.to.slice(0, 16)}… is not in room ${this.network}`);
    target.send({ type: 'signal', from: this.peerId, data: signal.data });
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

  private leave(): void {
    const { network, peerId } = this;
    if (network === undefined || peerId === undefined) return;
    if (!this.ctx.rooms.remove(network, peerId, this) || this.ctx.isClosing()) return;
    for (const [, other] of this.ctx.rooms.others(network, peerId)) other.send({ type: 'peer-left', peerId });
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

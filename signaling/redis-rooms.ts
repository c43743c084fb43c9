/**
 * Rooms shared by several relay processes through Redis (docs/PROTOCOL.md,
 * "Relays that share rooms"). Each process keeps its own sockets in a memory
 * room (relay-rooms-memory.ts) and mirrors their membership into Redis;
 * welcomes are sampled from Redis, and a message for a member held by another
 * process is published on that process's channel (redis-bus.ts).
 *
 * Redis is optional at run time: while it is unreachable every operation falls
 * back to the local room with one logged warning, and when it returns (ioredis
 * reconnects) the local members are registered again and sharing resumes.
 */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { isPeerId } from '../src/core/relay-protocol.ts';
import { InvalidArgumentError } from '../src/core/result.ts';
import type { Logger, PeerId } from '../src/core/types.ts';
import { BUS_VERSION, createThrottledWarning, parseBusMessage, type BusMessage } from './redis-bus.ts';
import { REGISTER_SCRIPT, REMOVE_SCRIPT, ROUTE_SCRIPT, SAMPLE_SCRIPT, redisKeys } from './redis-scripts.ts';
import type { AdmitResult, RelayRooms, RoomMember, RoomMessage, RoomStats } from './relay-rooms.ts';
import { MemoryRooms, type MemoryRoomsInit } from './relay-rooms-memory.ts';

export interface RedisRoomsInit extends MemoryRoomsInit {
  /** redis:// or rediss:// (TLS) URL, with credentials if the server needs them. */
  url: string;
  log: Logger;
  /** This process's id in Redis. Default: 16 random bytes as hex. */
  relayId?: string;
  /** Key and channel prefix, so several deployments can share one Redis. Default 'tabmesh:'. */
  prefix?: string;
  /** How often members' expiries are renewed. Default 10 s: 10,000 members cost 40 script calls (256 members each) per round. */
  refreshMs?: number;
  /** A member unrefreshed this long is gone (its relay died). Default 30 s: three refresh rounds. */
  ttlMs?: number;
}

/** How the Redis side is doing, for stats and tests. */
export interface RedisRoomsStatus {
  relayId: string;
  /** 'shared' while both Redis connections are ready; 'local' otherwise (degraded to this process's rooms). */
  state: 'shared' | 'local';
  /** Bus messages rejected by the guard (garbage or a misbehaving relay). */
  busRejected: number;
  /** Bus messages for a member no longer here. */
  busUndeliverable: number;
  busDelivered: number;
  /** Redis commands that failed (each fell back to the local room). */
  commandErrors: number;
}

type Scripted = Redis & {
  tmRegister(numKeys: number, ...args: string[]): Promise<unknown>;
  /** Keys then arguments; these three declare their key count (defineCommand numberOfKeys). */
  tmRemove(...keysThenArgs: string[]): Promise<unknown>;
  tmSample(...keysThenArgs: string[]): Promise<unknown>;
  tmRoute(...keysThenArgs: string[]): Promise<unknown>;
};

/** Members per REGISTER call: one script call should not hold Redis for more than about a millisecond. */
const REGISTER_BATCH = 256;
/** A reply from Redis is untrusted too: a list of peer ids, no longer than asked for. */
const peerIdsFrom = (reply: unknown, max: number): PeerId[] =>
  Array.isArray(reply) ? reply.filter(isPeerId).slice(0, max) : [];

function checkedUrl(url: string): string {
  if (!/^rediss?:\/\//.test(url)) throw new InvalidArgumentError(`redis url must start with redis:// or rediss://, got ${JSON.stringify(url.slice(0, 40))}`);
  return url;
}

export class RedisRooms<M extends RoomMember> implements RelayRooms<M> {
  readonly relayId: string;
  private readonly local: MemoryRooms<M>;
  private readonly cmd: Scripted;
  private readonly sub: Redis;
  private readonly keys: ReturnType<typeof redisKeys>;
  private readonly ttlMs: number;
  private readonly refreshTimer: ReturnType<typeof setInterval>;
  private readonly counters = { busRejected: 0, busUndeliverable: 0, busDelivered: 0, commandErrors: 0 };
  private readonly warnRejected: (fields: Record<string, unknown>) => void;
  private readonly warnCommand: (fields: Record<string, unknown>) => void;
  private readonly warnConnection: (fields: Record<string, unknown>) => void;
  private wasShared = false;
  private closed = false;

  constructor(private readonly init: RedisRoomsInit) {
    const url = checkedUrl(init.url);
    this.relayId = init.relayId ?? randomBytes(16).toString('hex');
    this.local = new MemoryRooms<M>(init);
    this.keys = redisKeys(init.prefix ?? 'tabmesh:');
    this.ttlMs = init.ttlMs ?? 30_000;
    const log = init.log;
    this.warnRejected = createThrottledWarning(log, 'relay: rejected a message from Redis', 10_000);
    this.warnCommand = createThrottledWarning(log, 'relay: a Redis command failed; used the local room', 10_000);
    this.warnConnection = createThrottledWarning(log, 'relay: Redis connection error', 10_000);
    const options: RedisOptions = {
      connectTimeout: 2_000,
      // Fail fast instead of queueing while Redis is away: the local room answers meanwhile.
      maxRetriesPerRequest: 0,
      // Reconnect forever, at most every 2 s, so sharing resumes soon after Redis returns.
      retryStrategy: (attempt) => Math.min(200 * attempt, 2_000),
    };
    this.cmd = new Redis(url, { ...options, enableOfflineQueue: false, enableAutoPipelining: true }) as Scripted;
    this.sub = new Redis(url, options); // queues its one SUBSCRIBE until connected, and resubscribes after reconnects
    this.cmd.defineCommand('tmRegister', { lua: REGISTER_SCRIPT });
    this.cmd.defineCommand('tmRemove', { lua: REMOVE_SCRIPT, numberOfKeys: 3 });
    this.cmd.defineCommand('tmSample', { lua: SAMPLE_SCRIPT, numberOfKeys: 2 });
    this.cmd.defineCommand('tmRoute', { lua: ROUTE_SCRIPT, numberOfKeys: 1 });
    for (const connection of [this.cmd, this.sub]) {
      connection.on('error', (error: Error) => this.warnConnection({ error: error.message }));
      connection.on('ready', () => this.onStateChange());
      connection.on('close', () => this.onStateChange());
    }
    this.sub.on('message', (_channel: string, payload: string) => this.onBusMessage(payload));
    this.sub.subscribe(this.keys.channel(this.relayId)).catch((error: unknown) => this.warnConnection({ error: String(error) }));
    this.refreshTimer = setInterval(() => this.refreshAll(), init.refreshMs ?? 10_000);
    this.refreshTimer.unref();
  }

  /** Both connections are up: samples and routes go through Redis. */
  shared(): boolean {
    return this.cmd.status === 'ready' && this.sub.status === 'ready';
  }

  admit(network: string, peerId: PeerId, member: M): AdmitResult<M> {
    const admitted = this.local.admit(network, peerId, member);
    if (admitted.ok) this.register(network, [[peerId, true]], 'claim');
    return admitted;
  }

  remove(network: string, peerId: PeerId, member: M): boolean {
    if (!this.local.remove(network, peerId, member)) return false;
    if (this.shared()) {
      const k = this.keys;
      this.cmd.tmRemove(k.active(network), k.idle(network), k.peer(network, peerId), this.relayId, peerId).catch((error: unknown) => this.commandFailed('remove', error));
    }
    return true;
  }

  setActive(network: string, peerId: PeerId, member: M, active: boolean): void {
    if (this.local.get(network, peerId) !== member) return;
    this.local.setActive(network, peerId, member, active);
    this.register(network, [[peerId, active]], 'refresh');
  }

  get(network: string, peerId: PeerId): M | undefined {
    return this.local.get(network, peerId);
  }

  async sample(network: string, exceptPeerId: PeerId, max: number): Promise<PeerId[]> {
    if (!this.shared()) return this.local.sampleNow(network, exceptPeerId, max);
    try {
      return peerIdsFrom(await this.cmd.tmSample(this.keys.active(network), this.keys.idle(network), String(max), exceptPeerId, '0'), max);
    } catch (error) {
      this.commandFailed('sample', error);
      return this.local.sampleNow(network, exceptPeerId, max);
    }
  }

  deliver(network: string, to: PeerId, message: RoomMessage): boolean | Promise<boolean> {
    if (this.local.deliver(network, to, message)) return true;
    if (!this.shared()) return false;
    const group = message.group === undefined ? {} : { group: message.group };
    const bus: BusMessage = message.type === 'signal'
      ? { v: BUS_VERSION, type: 'signal', network, to, from: message.from, data: message.data, ...group }
      : { v: BUS_VERSION, type: 'peer-joined', network, to, peerId: message.peerId, ...group };
    return this.cmd.tmRoute(this.keys.peer(network, to), this.keys.channelPrefix, JSON.stringify(bus)).then(
      (receivers) => typeof receivers === 'number' && receivers > 0,
      (error: unknown) => {
        this.commandFailed('route', error);
        return false;
      },
    );
  }

  announce(network: string, peerId: PeerId, max: number, group?: string): void {
    if (!this.shared()) return this.local.announce(network, peerId, max, group);
    const message: RoomMessage = { type: 'peer-joined', peerId, ...(group === undefined ? {} : { group }) };
    this.cmd.tmSample(this.keys.active(network), this.keys.idle(network), String(max), peerId, '1').then(
      (reply) => {
        for (const id of peerIdsFrom(reply, max)) void this.deliver(network, id, message);
      },
      (error: unknown) => {
        this.commandFailed('announce', error);
        this.local.announce(network, peerId, max, group);
      },
    );
  }

  stats(): RoomStats {
    return this.local.stats();
  }

  status(): RedisRoomsStatus {
    return { relayId: this.relayId, state: this.shared() ? 'shared' : 'local', ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.refreshTimer);
    await Promise.all([this.cmd, this.sub].map(async (connection) => {
      if (connection.status !== 'ready') return connection.disconnect();
      // Auto-pipelined commands (the last removals) go out on the next tick; a PING through the
      // same pipeline is answered after them, so QUIT cannot overtake them.
      if (connection === this.cmd) await this.cmd.ping().catch((error: unknown) => this.commandFailed('ping', error));
      return connection.quit().then(() => undefined, (error: unknown) => {
        this.init.log.warn('relay: closing the Redis connection failed', { error: String(error) });
        connection.disconnect();
      });
    }));
  }

  /** Logs when sharing stops or resumes, and registers every local member again when it resumes. */
  private onStateChange(): void {
    if (this.closed) return;
    const shared = this.shared();
    if (shared === this.wasShared) return;
    this.wasShared = shared;
    if (shared) {
      this.init.log.info('relay: rooms shared through Redis', { relayId: this.relayId, members: this.local.stats().peers });
      this.refreshAll();
    } else {
      this.init.log.warn('relay: Redis unavailable; rooms are local to this relay until it returns', { relayId: this.relayId });
    }
  }

  private onBusMessage(payload: string): void {
    const parsed = parseBusMessage(payload);
    if (!parsed.ok) {
      this.counters.busRejected++;
      this.warnRejected({ reason: parsed.reason, detail: parsed.detail.slice(0, 200), rejected: this.counters.busRejected });
      return;
    }
    const message = parsed.value;
    const member = this.local.get(message.network, message.to);
    if (member === undefined) {
      this.counters.busUndeliverable++;
      return;
    }
    this.counters.busDelivered++;
    const group = message.group === undefined ? {} : { group: message.group };
    member.send(message.type === 'signal'
      ? { type: 'signal', from: message.from, data: message.data, ...group }
      : { type: 'peer-joined', peerId: message.peerId, ...group });
  }

  /** Renews every local member's expiry; members another relay has since taken are closed here. */
  private refreshAll(): void {
    if (!this.shared()) return;
    const byNetwork = new Map<string, Array<[PeerId, boolean]>>();
    for (const { network, peerId, active } of this.local.entries()) {
      let list = byNetwork.get(network);
      if (!list) byNetwork.set(network, (list = []));
      list.push([peerId, active]);
    }
    for (const [network, members] of byNetwork) {
      for (let at = 0; at < members.length; at += REGISTER_BATCH) this.register(network, members.slice(at, at + REGISTER_BATCH), 'refresh');
    }
  }

  private register(network: string, members: Array<[PeerId, boolean]>, mode: 'claim' | 'refresh'): void {
    if (!this.shared() || members.length === 0) return;
    const k = this.keys;
    const keys = [k.active(network), k.idle(network), ...members.map(([id]) => k.peer(network, id))];
    const args = members.flatMap(([id, active]) => [id, active ? '1' : '0']);
    this.cmd.tmRegister(keys.length, ...keys, this.relayId, String(this.ttlMs), mode, ...args).then(
      (lost) => {
        for (const id of peerIdsFrom(lost, members.length)) {
          this.init.log.info('relay: peer id taken by another relay; closing the stale socket', { network, peer: id.slice(0, 16) });
          this.local.get(network, id)?.replace();
        }
      },
      (error: unknown) => this.commandFailed('register', error),
    );
  }

  private commandFailed(what: string, error: unknown): void {
    this.counters.commandErrors++;
    this.warnCommand({ command: what, error: error instanceof Error ? error.message : String(error) });
  }
}

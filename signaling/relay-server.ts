/**
 * The signaling relay (docs/PROTOCOL.md, "Relay"): introduces tabs of one
 * network to each other and forwards their WebRTC signals, nothing more. It
 * never sees ledger data; every signal it forwards is stamped with the
 * sender's authenticated peer id.
 *
 * Two ways to run it, same code:
 *  - standalone: `createRelayServer({ port: 0 })` owns an http.Server (tests);
 *  - attached:   `createRelayServer({ server })` handles upgrades on `path` of
 *    an existing server and leaves other upgrade paths (Vite HMR) alone.
 *
 * Importing this module has no side effects.
 */
import http from 'node:http';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { chainParams } from '../src/core/ledger/params.ts';
import { RELAY_MAX_FRAME_BYTES } from '../src/core/relay-protocol.ts';
import { InvalidArgumentError } from '../src/core/result.ts';
import type { Logger } from '../src/core/types.ts';
import { createConsoleLogger, createRateLimitedLogger } from './logger.ts';
import type { RateLimit } from '../src/core/token-bucket.ts';
import { clientAddress, createAddressLimits, type AddressLimitsInit, type RelayRefusal } from './relay-address-limits.ts';
import { RelayConnection, type ConnectionContext, type RelayLimits } from './relay-connection.ts';
import type { RelayRooms } from './relay-rooms.ts';
import { MemoryRooms } from './relay-rooms-memory.ts';
import { RedisRooms, type RedisRoomsInit, type RedisRoomsStatus } from './redis-rooms.ts';

export { RELAY_CLOSE } from './relay-connection.ts';
export type { RelayRefusal } from './relay-address-limits.ts';
export type { RateLimit } from '../src/core/token-bucket.ts';

export interface RelayServerInit {
  /** Attach to this server instead of owning one; `port` and `host` must then be unset. */
  server?: http.Server;
  /** Standalone port (0 picks a free one). Default 0. */
  port?: number;
  /** Standalone listen address. Default: all interfaces. */
  host?: string;
  /** Upgrade path served. Default '/signal'. */
  path?: string;
  /** Refuse (404) upgrades on other paths. Default: true when standalone, false when attached. */
  exclusiveUpgrades?: boolean;
  maxFrameBytes?: number;
  /** Members of one room on this process. Default: maxConnections (rooms have no cap of their own). */
  maxRoomSize?: number;
  /** Members listed in a welcome. Default 32. */
  welcomeSample?: number;
  /** Active members told of each join. Default 16. */
  announceSample?: number;
  /**
   * Share rooms with other relay processes through this Redis (redis://host:port
   * or rediss://). Unset: rooms live in this process's memory (the embedded default).
   */
  redisUrl?: string;
  /** Tuning for the Redis rooms (prefix, refresh and expiry); tests shorten them. */
  redis?: Pick<RedisRoomsInit, 'prefix' | 'refreshMs' | 'ttlMs' | 'relayId'>;
  rateLimit?: RateLimit;
  maxDroppedMessages?: number;
  maxProtocolErrors?: number;
  joinTimeoutMs?: number;
  /** Pending (not yet joined) sockets over all addresses; past it a newcomer evicts from the address holding the most. */
  maxPendingJoins?: number;
  /** Pending sockets one address may hold. */
  maxPendingPerAddress?: number;
  /** Joined members one address may hold on this process. */
  maxMembersPerAddress?: number;
  /** Join attempts (new sockets) per address: a burst, then per minute. */
  joinsPerAddress?: AddressLimitsInit['joinsPerAddress'];
  /**
   * Reverse proxies in front of the relay whose X-Forwarded-For is trusted
   * (relay-address-limits.ts clientAddress). Default 0: the TCP peer is the
   * client. Behind one proxy set 1, or every client shares the proxy's address
   * and its limits.
   */
  trustProxyHops?: number;
  /** Work a join's identity stamp must show, for every network. Default: each network's identityStampBits (tests lower it). */
  identityStampBits?: number;
  maxConnections?: number;
  maxBufferedBytes?: number;
  pingIntervalMs?: number;
  /** How long close() waits for a client's close handshake before terminating it. */
  shutdownGraceMs?: number;
  /** Lines of one log message written per second; the rest are counted (logger.ts createRateLimitedLogger). */
  logLinesPerSecond?: number;
  log?: Logger;
}

export interface RelayStats {
  rooms: number;
  /** Joined sockets. */
  peers: number;
  /** Joined sockets that want peers (not idle). */
  active: number;
  /** Sockets that have not joined yet (closing ones excluded). */
  pending: number;
  /** Sockets and joins turned away, by reason (relay-address-limits.ts). */
  refusals: Record<RelayRefusal, number>;
  /** Pending sockets closed to make room for a newcomer from a lighter address. */
  pendingEvicted: number;
  /** Present when the relay was given a Redis URL. */
  redis?: RedisRoomsStatus;
}

export interface RelayServer {
  /** Resolves when listening (standalone) or at once (attached); rejects if listen fails. */
  readonly ready: Promise<void>;
  /** The listening address of the owned or attached server. */
  address(): { port: number; host: string };
  stats(): RelayStats;
  /** Closes every socket with 1001, stops timers, closes the server if owned. Idempotent. */
  close(): Promise<void>;
}

/**
 * Bytes of memory budgeted per connection when deriving maxConnections: a
 * frame being assembled can reach 64 KiB, while an idle joined socket costs
 * about 8 KiB of RSS at 10,000 members (bench/relay-scale.ts), so the budget covers a
 * room of clients all sending full-size frames at once.
 */
const BYTES_PER_CONNECTION = 64 * 1024;

/**
 * maxConnections from this machine's memory: a quarter of it at 64 KiB a
 * connection, between 4,096 (the old fixed limit) and 65,536 (one process's
 * file descriptors and event loop are the limit beyond that). 24 GiB -> 65,536;
 * 1 GiB -> 4,096.
 */
export function memoryDerivedMaxConnections(totalMemBytes: number = os.totalmem()): number {
  return Math.max(4096, Math.min(65_536, Math.floor(totalMemBytes / 4 / BYTES_PER_CONNECTION)));
}

/** Defaults, each with the reason for its value. */
export const RELAY_DEFAULTS = {
  /** An SDP offer inside a signed hex envelope fits with room to spare (relay-protocol.ts). */
  maxFrameBytes: RELAY_MAX_FRAME_BYTES,
  /**
   * Enough for a newcomer to fill its links (D = 6) several times over when
   * some sampled peers are full or gone; 32 ids are 2.1 KB of JSON.
   */
  welcomeSample: 32,
  /**
   * Active members (short of links) told of a join, so they can dial it too.
   * Constant, so a join costs the same in any room; tabs learn the rest of
   * the network by peer exchange (docs/PROTOCOL.md, "Relay"). 16, drawn
   * across addresses: in a room of 400 silent Sybils from 9 hosts, 8 missed
   * the one honest member's address 1 time in 5 and its tab never heard of
   * the newcomer (e2e/sybil-flood.spec.ts); 16 reach every host up to 16.
   */
  announceSample: 16,
  /** A tab dialing a dozen peers sends an offer plus ~10 trickled ICE candidates each (~150 frames); 50/s covers churn. */
  rateLimit: { burst: 200, perSecond: 50 },
  /** A client that ignored 100 rate-limited errors is flooding on purpose. */
  maxDroppedMessages: 100,
  /** A correct client makes no protocol errors; 10 tolerates version skew while bounding log noise. */
  maxProtocolErrors: 10,
  /** One signature and one round trip; 10 s tolerates throttled background tabs and slow links. */
  joinTimeoutMs: 10_000,
  /**
   * Unauthenticated sockets cost memory and a timer; 512 absorbs a reload
   * storm. A flood is met by the per-address share below and by eviction from
   * the heaviest address, so it no longer turns every newcomer away.
   */
  maxPendingJoins: 512,
  /** A tab holds one pending socket at a time for one round trip; 32 lets a NAT's tabs all reload at once. */
  maxPendingPerAddress: 32,
  /**
   * 64 ids: a household or an office behind one NAT with many tabs fits, while
   * a script on one machine holds at most 64 ids in a room (of the 256 it took
   * to fill a room before, issue 20), on top of paying a stamp for each.
   */
  maxMembersPerAddress: 64,
  /**
   * 60 at once, then one a second: a relay restart reconnects a NAT's 60 tabs
   * together (they back off and retry past it), while 1,000 scripted joins from
   * one address are refused after the first 60, before any signature is checked.
   */
  joinsPerAddress: { burst: 60, perMinute: 60 },
  /** Direct connections by default: trusting a header nobody rewrites would let any client pick its own address. */
  trustProxyHops: 0,
  /** Each socket may hold a frame being assembled (64 KiB): a quarter of memory at that size (memoryDerivedMaxConnections). */
  maxConnections: memoryDerivedMaxConnections(),
  /** 16 full frames queued to a client that does not read: it is gone or hostile. */
  maxBufferedBytes: 1024 * 1024,
  /** Below common proxy idle timeouts (60 s); a vanished tab is dropped, and announced, within 30 s. */
  pingIntervalMs: 15_000,
  shutdownGraceMs: 1_000,
  /**
   * A flood makes one line per rejected frame, socket and eviction: 10 lines a
   * second of each message keep what happened readable, with the rest counted
   * (`suppressed`), where unlimited logging wrote 9.7-13.5 MB in 52 s (issue 23)
   * and about 48 KB/s in bench/figures/relay-flood.ts's spread flood.
   */
  logLinesPerSecond: 10,
} as const;

/**
 * The listen backlog of a server carrying the relay: connections the kernel
 * holds before the event loop accepts them. Node's default (511) overflows
 * when a flood opens 1,000 sockets at once on a busy machine, and a dropped
 * SYN costs its client a 1 s, then 3 s resend (bench/figures/relay-flood.ts
 * counts them); Linux caps it at net.core.somaxconn (4,096 here).
 */
export const RELAY_LISTEN_BACKLOG = 4096;

/** The path part of a request target, ignoring the query string. */
const pathOf = (url: string | undefined): string => (url ?? '').split('?', 1)[0] ?? '';

function refuseUpgrade(socket: Duplex, status: number, log: Logger, detail?: string): void {
  const body = `${http.STATUS_CODES[status] ?? 'Refused'}${detail ? `: ${detail}` : ''}`;
  socket.on('error', (error) => log.warn('relay: refused socket error', { error: error.message }));
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${body}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function listen(server: http.Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: RELAY_LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Creates the relay; see RelayServerInit for the two modes. */
export function createRelayServer(init: RelayServerInit = {}): RelayServer {
  if (init.server !== undefined && (init.port !== undefined || init.host !== undefined)) {
    throw new InvalidArgumentError('createRelayServer: port/host apply only when the relay owns its server');
  }
  const log = createRateLimitedLogger(init.log ?? createConsoleLogger(), {
    linesPerWindow: init.logLinesPerSecond ?? RELAY_DEFAULTS.logLinesPerSecond, windowMs: 1000, nowMs: () => performance.now(),
  });
  const path = init.path ?? '/signal';
  const owned = init.server === undefined;
  const exclusive = init.exclusiveUpgrades ?? owned;
  const maxConnections = init.maxConnections ?? RELAY_DEFAULTS.maxConnections;
  const limits: RelayLimits = {
    maxRoomSize: init.maxRoomSize ?? maxConnections,
    welcomeSample: init.welcomeSample ?? RELAY_DEFAULTS.welcomeSample,
    announceSample: init.announceSample ?? RELAY_DEFAULTS.announceSample,
    joinTimeoutMs: init.joinTimeoutMs ?? RELAY_DEFAULTS.joinTimeoutMs,
    rateLimit: init.rateLimit ?? RELAY_DEFAULTS.rateLimit,
    maxDroppedMessages: init.maxDroppedMessages ?? RELAY_DEFAULTS.maxDroppedMessages,
    maxProtocolErrors: init.maxProtocolErrors ?? RELAY_DEFAULTS.maxProtocolErrors,
    maxBufferedBytes: init.maxBufferedBytes ?? RELAY_DEFAULTS.maxBufferedBytes,
    maxMembersPerAddress: init.maxMembersPerAddress ?? RELAY_DEFAULTS.maxMembersPerAddress,
  };
  const addresses = createAddressLimits({
    joinsPerAddress: init.joinsPerAddress ?? RELAY_DEFAULTS.joinsPerAddress,
    maxPendingPerAddress: init.maxPendingPerAddress ?? RELAY_DEFAULTS.maxPendingPerAddress,
    maxPendingJoins: init.maxPendingJoins ?? RELAY_DEFAULTS.maxPendingJoins,
    maxMembersPerAddress: limits.maxMembersPerAddress,
  }, () => performance.now());
  const trustProxyHops = init.trustProxyHops ?? RELAY_DEFAULTS.trustProxyHops;
  const shutdownGraceMs = init.shutdownGraceMs ?? RELAY_DEFAULTS.shutdownGraceMs;

  const server = init.server ?? http.createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end(`tabmesh relay: connect with a WebSocket to ${path}\n`);
  });
  if (owned) server.on('error', (error) => log.warn('relay: server error', { error: error.message }));
  // perMessageDeflate off: compression would let a small frame inflate past maxFrameBytes of work.
  const wss = new WebSocketServer({ noServer: true, maxPayload: init.maxFrameBytes ?? RELAY_DEFAULTS.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  const redisRooms = init.redisUrl === undefined ? undefined
    : new RedisRooms<RelayConnection>({ ...init.redis, url: init.redisUrl, maxRoomSize: limits.maxRoomSize, log });
  const rooms: RelayRooms<RelayConnection> = redisRooms ?? new MemoryRooms<RelayConnection>({ maxRoomSize: limits.maxRoomSize });
  const connections = new Set<RelayConnection>();
  let closing: Promise<void> | undefined;
  let nextId = 1;

  const context: ConnectionContext = {
    rooms,
    limits,
    addresses,
    stampBits: (network) => init.identityStampBits ?? chainParams(network).identityStampBits,
    log,
    onClosed: (connection) => connections.delete(connection),
  };
  const logRefusal = (refusal: RelayRefusal, fields: Record<string, unknown>): void => log.warn(`relay: refusing connection (${refusal})`, fields);

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req.url) !== path) {
      if (exclusive) refuseUpgrade(socket, 404, log);
      return;
    }
    if (closing !== undefined) return refuseUpgrade(socket, 503, log);
    const address = clientAddress(req, trustProxyHops);
    if (connections.size >= maxConnections) {
      addresses.count('capacity');
      logRefusal('capacity', { connections: connections.size, maxConnections });
      return refuseUpgrade(socket, 503, log, 'relay at capacity');
    }
    const admission = addresses.admitSocket(address);
    if (!admission.ok) {
      logRefusal(admission.refusal, { address, detail: admission.detail });
      return refuseUpgrade(socket, admission.status, log, admission.detail);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (closing !== undefined) return ws.close(1001, 'relay shutting down');
      const connection = new RelayConnection(ws, context, `#${nextId++} ${address}`, address);
      connections.add(connection);
      addresses.addPending(address, connection);
      connection.start();
    });
  };
  server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => {
    for (const connection of connections) connection.heartbeat();
    addresses.prune();
  }, init.pingIntervalMs ?? RELAY_DEFAULTS.pingIntervalMs);

  const ready = owned ? listen(server, init.port ?? 0, init.host) : Promise.resolve();

  return {
    ready,
    address() {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new InvalidArgumentError('relay: server is not listening on a TCP port');
      return { port: address.port, host: address.address };
    },
    stats() {
      const { rooms: roomCount, peers, active } = rooms.stats();
      const { refusals, pendingEvicted } = addresses.stats();
      return { rooms: roomCount, peers, active, pending: addresses.pendingCount(), refusals, pendingEvicted, ...(redisRooms ? { redis: redisRooms.status() } : {}) };
    },
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        server.off('upgrade', onUpgrade);
        await Promise.all([...connections].map((connection) => connection.shutdown(shutdownGraceMs)));
        wss.close();
        await rooms.close();
        if (owned) {
          await ready.catch(() => undefined); // a failed listen was already reported through ready
          await closeServer(server);
        }
        log.info('relay: closed');
      })();
      return closing;
    },
  };
}

/**
 * Helpers for the relay tests: a ws client that queues parsed frames, and
 * Ed25519 identities that answer the join challenge with a stamp good for
 * every network (test/helpers/test-keys.ts: main's 20 bits, from a table).
 */
import * as ed from '@noble/ed25519';
import WebSocket from 'ws';
import { testStamp } from './test-keys.ts';
import { toHex } from '../../src/core/bytes.ts';
import { challengeBytes, joinSigningBytes, type ServerMessage } from '../../src/core/relay-protocol.ts';
import type { Logger } from '../../src/core/types.ts';
import { createRelayServer, type RelayServer, type RelayServerInit } from '../../signaling/relay-server.ts';

export interface Identity {
  peerId: string;
  secretKey: Uint8Array;
  identityStamp: number;
}

/** The next seed createIdentity uses; resetIdentities (each harness cleanup) starts again from 0. */
let nextSeed = 0;

/**
 * A distinct identity (up to 256 between resets): testSigner's key for the
 * next seed byte, with its listed stamp, so no test waits ~1 s to mint one.
 */
export async function createIdentity(): Promise<Identity> {
  const seed = nextSeed++ % 256;
  const secretKey = new Uint8Array(32).fill(seed);
  const publicKey = await ed.getPublicKeyAsync(secretKey);
  return { peerId: toHex(publicKey), secretKey, identityStamp: testStamp(seed, publicKey) };
}

/** Starts createIdentity's seeds again, so each test has 256 distinct identities. */
export function resetIdentities(): void {
  nextSeed = 0;
}

/** The join message `identity` answers challenge `nonce` with on `network`. */
export async function joinMessage(identity: Identity, network: string, nonce: string) {
  return { type: 'join', network, peerId: identity.peerId, signature: await signJoin(identity, network, nonce), identityStamp: identity.identityStamp };
}

export async function signJoin(identity: Identity, network: string, nonce: string): Promise<string> {
  const challenge = challengeBytes(nonce);
  if (challenge === undefined) throw new Error(`bad challenge nonce ${nonce}`);
  return toHex(await ed.signAsync(joinSigningBytes(network, challenge), identity.secretKey));
}

export interface CloseEvent {
  code: number;
  reason: string;
}

/** A relay client for tests: frames are queued in arrival order and taken with next(). */
export class TestClient {
  private readonly queue: ServerMessage[] = [];
  private readonly waiters: Array<(message: ServerMessage) => void> = [];
  readonly closed: Promise<CloseEvent>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const client = new TestClient(new WebSocket(url, options));
    await client.opened;
    return client;
  }

  /** The next frame, failing after `timeoutMs`. */
  next(timeoutMs = 2000): Promise<ServerMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (message: ServerMessage): void => {
        clearTimeout(timer);
        resolve(message);
      };
      this.waiters.push(waiter);
    });
  }

  /** The next frame, asserted to be of `type`. */
  async expect<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
    const message = await this.next();
    if (message.type !== type) throw new Error(`expected ${type}, got ${JSON.stringify(message)}`);
    return message as Extract<ServerMessage, { type: T }>;
  }

  sendJson(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  signal(to: string, data: string, extra: Record<string, unknown> = {}): void {
    this.sendJson({ type: 'signal', to, data, ...extra });
  }

  /** Waits for the close and returns its code and reason. */
  async close(): Promise<CloseEvent> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}

/** Connects, answers the challenge as `identity` and returns the client with its welcome. */
export async function joinAs(url: string, network: string, identity: Identity, options?: WebSocket.ClientOptions) {
  const client = await TestClient.connect(url, options);
  const { nonce } = await client.expect('challenge');
  client.sendJson(await joinMessage(identity, network, nonce));
  const welcome = await client.expect('welcome');
  return { client, welcome };
}

/** A logger that records warnings so tests can assert rejections were logged. */
export function createRecordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    info: () => undefined,
    warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };
}

/**
 * Starts relays and clients for one test file and closes them all in
 * cleanup(), so no test leaves an open handle behind.
 */
export function createRelayHarness() {
  const relays: RelayServer[] = [];
  const clients: TestClient[] = [];
  const log = createRecordingLogger();
  return {
    log,
    async start(init: RelayServerInit = {}): Promise<{ relay: RelayServer; url: string }> {
      const relay = createRelayServer({ host: '127.0.0.1', log, ...init });
      relays.push(relay);
      await relay.ready;
      return { relay, url: `ws://127.0.0.1:${relay.address().port}/signal` };
    },
    async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
      const client = await TestClient.connect(url, options);
      clients.push(client);
      return client;
    },
    async join(url: string, network = 'main', identity?: Identity, options?: WebSocket.ClientOptions) {
      const id = identity ?? (await createIdentity());
      const joined = await joinAs(url, network, id, options);
      clients.push(joined.client);
      return { ...joined, id };
    },
    async cleanup(): Promise<void> {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      await Promise.all(relays.splice(0).map((relay) => relay.close()));
      log.warnings.length = 0;
      resetIdentities();
    },
  };
}

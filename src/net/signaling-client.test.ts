/**
 * The tab's relay client against a scripted relay: it answers the challenge,
 * reports signal senders as room members, and tells the relay active/idle
 * only when the relay says it understands them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RELAY_FEATURE_ACTIVITY, type ServerMessage } from '../core/relay-protocol.ts';
import type { PeerId } from '../core/types.ts';
import { testSigner } from '../../test/helpers/test-keys.ts';
import { createSignalingClient } from './signaling-client.ts';

/** A WebSocket stand-in: opens at once, records what the client sends, and lets the test speak as the relay. */
class ScriptedSocket {
  static readonly OPEN = 1;
  static last: ScriptedSocket | undefined;
  readyState = ScriptedSocket.OPEN;
  readonly sent: Array<Record<string, unknown>> = [];
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(readonly url: string) {
    ScriptedSocket.last = this;
  }

  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }

  close(): void {
    this.readyState = 3;
  }

  relay(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }

  types(): unknown[] {
    return this.sent.map((message) => message.type);
  }
}

const A = 'aa'.repeat(32);
const B = 'bb'.repeat(32);
const quiet = { info: () => undefined, warn: () => undefined };

async function startClient() {
  const signer = await testSigner(3);
  const client = createSignalingClient({
    url: 'ws://relay.test/signal', network: 'main', signer, log: quiet,
    WebSocketImpl: ScriptedSocket as unknown as typeof WebSocket,
  });
  const seen: Array<[string, PeerId | PeerId[]]> = [];
  client.events.on('welcome', (peers) => seen.push(['welcome', peers]));
  client.events.on('peer-joined', (id) => seen.push(['peer-joined', id]));
  client.events.on('peer-left', (id) => seen.push(['peer-left', id]));
  client.events.on('signal', (from) => seen.push(['signal', from]));
  client.start();
  const socket = ScriptedSocket.last!;
  socket.relay({ type: 'challenge', nonce: '07'.repeat(32) });
  await vi.waitFor(() => expect(socket.types()).toEqual(['join']));
  return { client, socket, seen, signer };
}

beforeEach(() => vi.useRealTimers());
afterEach(() => {
  ScriptedSocket.last = undefined;
});

describe('signaling client', () => {
  it('joins with its peer id, signature and identity stamp', async () => {
    const { socket, signer } = await startClient();
    expect(socket.sent[0]).toMatchObject({ type: 'join', network: 'main', peerId: signer.peerId, identityStamp: signer.identityStamp });
  });

  it('reports a signal sender it was not told of as a room member, once, before the signal', async () => {
    const { socket, seen } = await startClient();
    socket.relay({ type: 'welcome', peerId: 'cc'.repeat(32), peers: [A] });
    socket.relay({ type: 'signal', from: B, data: 'offer' });
    socket.relay({ type: 'signal', from: B, data: 'candidate' });
    socket.relay({ type: 'signal', from: A, data: 'answer' });
    socket.relay({ type: 'peer-joined', peerId: B });
    expect(seen).toEqual([['welcome', [A]], ['peer-joined', B], ['signal', B], ['signal', B], ['signal', A]]);
  });

  it('forgets a member the relay says has left, so a later signal reports it again', async () => {
    const { socket, seen } = await startClient();
    socket.relay({ type: 'welcome', peerId: 'cc'.repeat(32), peers: [A] });
    socket.relay({ type: 'peer-left', peerId: A });
    socket.relay({ type: 'signal', from: A, data: 'offer' });
    expect(seen).toEqual([['welcome', [A]], ['peer-left', A], ['peer-joined', A], ['signal', A]]);
  });

  it('tells a relay with the activity feature only when the wish changes, and again after a reconnect', async () => {
    const { client, socket, signer } = await startClient();
    client.setActive(false); // before the welcome: remembered, not sent
    expect(socket.types()).toEqual(['join']);
    socket.relay({ type: 'welcome', peerId: signer.peerId, peers: [], features: [RELAY_FEATURE_ACTIVITY] });
    expect(socket.types()).toEqual(['join', 'idle']);
    client.setActive(false);
    client.setActive(false);
    expect(socket.types()).toEqual(['join', 'idle']);
    client.setActive(true);
    client.setActive(true);
    expect(socket.types()).toEqual(['join', 'idle', 'active']);
    client.setActive(false);

    vi.useFakeTimers();
    socket.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    vi.useRealTimers();
    const second = ScriptedSocket.last!;
    expect(second).not.toBe(socket);
    second.relay({ type: 'challenge', nonce: '08'.repeat(32) });
    await vi.waitFor(() => expect(second.types()).toEqual(['join']));
    second.relay({ type: 'welcome', peerId: signer.peerId, peers: [], features: [RELAY_FEATURE_ACTIVITY] });
    expect(second.types()).toEqual(['join', 'idle']);
    client.stop();
  });

  it('never sends active/idle to a relay whose welcome lists no activity feature', async () => {
    const { client, socket, signer } = await startClient();
    socket.relay({ type: 'welcome', peerId: signer.peerId, peers: [] });
    client.setActive(false);
    client.setActive(true);
    client.setActive(false);
    expect(socket.types()).toEqual(['join']);
    client.stop();
  });
});

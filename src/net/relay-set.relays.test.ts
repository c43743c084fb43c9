/**
 * A relay set over two real relays (signaling/relay-server.ts on loopback,
 * free ports) and real relay clients over `ws`: it merges both rooms, routes
 * each signal through the relay that has the peer, and keeps working when
 * one relay stops.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelayServer, type RelayServer } from '../../signaling/relay-server.ts';
import { testSigner } from '../../test/helpers/test-keys.ts';
import { until } from '../../test/helpers/until.ts';
import type { PeerId } from '../core/types.ts';
import { createRelaySet, type RelaySet } from './relay-set.ts';
import { createSignalingClient, type SignalingClient } from './signaling-client.ts';

const quiet = { info: () => undefined, warn: () => undefined };
const network = 'test-relay-set';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startRelay(): Promise<{ relay: RelayServer; url: string }> {
  const relay = createRelayServer({ port: 0, host: '127.0.0.1', log: quiet });
  await relay.ready;
  cleanups.push(() => relay.close());
  return { relay, url: `ws://127.0.0.1:${relay.address().port}/signal` };
}

async function clientFor(seed: number, url: string): Promise<SignalingClient & { id: PeerId; signals: string[] }> {
  const signer = await testSigner(seed);
  const client = createSignalingClient({ url, network, signer, log: quiet, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
  const signals: string[] = [];
  client.events.on('signal', (from, data) => signals.push(`${from.slice(0, 4)}:${data}`));
  client.start();
  cleanups.push(() => client.stop());
  return Object.assign(client, { id: signer.peerId, signals });
}

async function setFor(seed: number, urls: string[]): Promise<{ set: RelaySet; id: PeerId; room: Set<PeerId>; signals: string[] }> {
  const signer = await testSigner(seed);
  const create = (url: string) => createSignalingClient({ url, network, signer, log: quiet, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
  const set = createRelaySet({ create, log: quiet }, urls);
  const room = new Set<PeerId>();
  const signals: string[] = [];
  set.events.on('welcome', (ids) => ids.forEach((id) => room.add(id)));
  set.events.on('peer-joined', (id) => room.add(id));
  set.events.on('peer-left', (id) => room.delete(id));
  set.events.on('signal', (from, data) => signals.push(`${from.slice(0, 4)}:${data}`));
  set.start();
  cleanups.push(() => set.stop());
  return { set, id: signer.peerId, room, signals };
}

describe('relay set over two real relays', () => {
  it('joins both, merges their rooms, routes by room, and keeps working when one relay stops', async () => {
    const a = await startRelay();
    const b = await startRelay();
    const onA = await clientFor(0x11, a.url);
    const onB = await clientFor(0x22, b.url);
    await until(() => onA.status() === 'open' && onB.status() === 'open', 'the single-relay clients to join');
    const both = await setFor(0x33, [a.url, b.url]);
    await until(() => both.room.has(onA.id) && both.room.has(onB.id), 'the set to list the peers of both relays');
    expect(both.set.states().map((state) => state.status)).toEqual(['open', 'open']);

    // Each signal takes the relay its addressee is on.
    expect(both.set.sendSignal(onA.id, 'to-a')).toBe(true);
    expect(both.set.sendSignal(onB.id, 'to-b')).toBe(true);
    await until(() => onA.signals.length === 1 && onB.signals.length === 1, 'both signals to arrive');
    expect(onA.signals).toEqual([`${both.id.slice(0, 4)}:to-a`]);
    expect(onB.signals).toEqual([`${both.id.slice(0, 4)}:to-b`]);
    // And signals come back from either relay.
    expect(onB.sendSignal(both.id, 'from-b')).toBe(true);
    await until(() => both.signals.length === 1, 'the signal from relay B');
    expect(both.signals).toEqual([`${onB.id.slice(0, 4)}:from-b`]);

    await a.relay.close();
    await until(() => !both.room.has(onA.id), 'the peer only relay A listed to leave');
    expect(both.set.status(), 'one relay still up').toBe('open');
    expect(both.set.states().map((state) => state.status)).toEqual([expect.not.stringMatching(/^open$/), 'open']);
    expect(both.room.has(onB.id)).toBe(true);
    expect(both.set.sendSignal(onB.id, 'still')).toBe(true);
    await until(() => onB.signals.length === 2, 'a signal through the remaining relay');
    expect(onB.signals[1]).toBe(`${both.id.slice(0, 4)}:still`);
    expect(both.set.sendSignal(onA.id, 'unlisted'), 'a peer nobody lists goes to any open relay (which answers if it is not there)').toBe(true);
  });
});

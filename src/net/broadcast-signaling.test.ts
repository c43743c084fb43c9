/**
 * Same-browser signaling over Node's BroadcastChannel (the same API as the
 * browser's, shared by every channel of a name in this process).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/helpers/until.ts';
import type { PeerId } from '../core/types.ts';
import { RELAY_MAX_SIGNAL_CHARS } from '../core/relay-protocol.ts';
import { channelName } from './broadcast-signaling-messages.ts';
import { createBroadcastSignaling, routeAroundDepartedPages, type BroadcastSignaling, type BroadcastSignalingInit } from './broadcast-signaling.ts';

const quiet = { info: () => undefined, warn: () => undefined };
const idOf = (n: number): PeerId => n.toString(16).padStart(64, '0');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
let networks = 0;
const freshNetwork = () => `test-bc-${process.pid}-${++networks}`;

function tab(network: string, n: number, init: Partial<BroadcastSignalingInit> = {}) {
  const transport = createBroadcastSignaling({ network, selfId: idOf(n), log: quiet, welcomeWindowMs: 30, ...init });
  const seen: string[] = [];
  const signals: string[] = [];
  transport.events.on('welcome', (ids) => seen.push(`welcome ${ids.map((id) => Number.parseInt(id, 16)).join(',')}`));
  transport.events.on('peer-joined', (id) => seen.push(`+${Number.parseInt(id, 16)}`));
  transport.events.on('peer-left', (id) => seen.push(`-${Number.parseInt(id, 16)}`));
  transport.events.on('signal', (from, data) => signals.push(`${Number.parseInt(from, 16)}:${data}`));
  cleanups.push(() => transport.stop());
  return { transport, seen, signals };
}

/** A raw channel, as another (buggy) tab would post on. */
function rawChannel(network: string): BroadcastChannel {
  const channel = new BroadcastChannel(channelName(network));
  cleanups.push(() => channel.close());
  return channel;
}

const presentOf = (transport: BroadcastSignaling) => transport.present().map((id) => Number.parseInt(id, 16)).sort();

describe('broadcast signaling', () => {
  it('tabs find each other, signal by peer id, and a stopped tab says bye', async () => {
    const network = freshNetwork();
    const a = tab(network, 1);
    const b = tab(network, 2);
    const other = tab(freshNetwork(), 3);
    a.transport.start();
    other.transport.start();
    await until(() => a.seen.includes('welcome '), 'the first tab to be welcomed alone');
    b.transport.start();
    expect(b.transport.status()).toBe('open');
    await until(() => b.seen.some((line) => line.startsWith('welcome')), 'the second tab to be welcomed');
    expect(b.seen).toEqual(['+1', 'welcome 1']);
    expect(a.seen).toEqual(['welcome ', '+2']);
    expect(presentOf(other.transport), 'another network shares no channel').toEqual([]);

    expect(a.transport.sendSignal(idOf(2), 'offer')).toBe(true);
    expect(b.transport.sendSignal(idOf(1), 'answer')).toBe(true);
    expect(a.transport.sendSignal(idOf(9), 'nobody'), 'a tab that is not present').toBe(false);
    await until(() => a.signals.length === 1 && b.signals.length === 1, 'the signals');
    expect(b.signals).toEqual(['1:offer']);
    expect(a.signals).toEqual(['2:answer']);

    b.transport.stop();
    expect(b.transport.status()).toBe('closed');
    expect(b.transport.sendSignal(idOf(1), 'late')).toBe(false);
    await until(() => a.seen.includes('-2'), 'the bye');
    expect(presentOf(a.transport)).toEqual([]);
  });

  it('a tab that stops beating expires; one that beats stays', async () => {
    const network = freshNetwork();
    const a = tab(network, 1, { heartbeatMs: 20, expiryMs: 120 });
    const alive = tab(network, 2, { heartbeatMs: 20, expiryMs: 120 });
    a.transport.start();
    alive.transport.start();
    rawChannel(network).postMessage({ v: 1, type: 'hello', from: idOf(7), instance: 1 }); // says hello once, then crashes
    await until(() => presentOf(a.transport).join() === '2,7', 'both presences');
    await until(() => a.seen.includes('-7'), 'the silent tab to expire', 2_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(presentOf(a.transport), 'the beating tab is still present').toEqual([2]);
  });

  it('refuses malformed messages, ignores signals for others, and caps presence', async () => {
    const network = freshNetwork();
    const a = tab(network, 1, { maxPeers: 2 });
    a.transport.start();
    const raw = rawChannel(network);
    const garbage: unknown[] = [
      'hello', null, [1, 2], 42,
      { v: 2, type: 'hello', from: idOf(5), instance: 1 },
      { v: 1, type: 'hello', from: 'not-an-id', instance: 1 },
      { v: 1, type: 'hello', from: idOf(5).toUpperCase().replace(/^0/, 'A'), instance: 1 },
      { v: 1, type: 'hello', from: idOf(5) },
      { v: 1, type: 'hello', from: idOf(5), instance: -1 },
      { v: 1, type: 'hello', from: idOf(5), instance: 2 ** 53 },
      { v: 1, type: 'dance', from: idOf(5), instance: 1 },
      { v: 1, type: 'signal', from: idOf(5), instance: 1, to: idOf(1), data: '' },
      { v: 1, type: 'signal', from: idOf(5), instance: 1, to: idOf(1), data: 7 },
      { v: 1, type: 'signal', from: idOf(5), instance: 1, to: idOf(1), data: 'a'.repeat(RELAY_MAX_SIGNAL_CHARS + 1) },
    ];
    for (const message of garbage) raw.postMessage(message);
    raw.postMessage({ v: 1, type: 'signal', from: idOf(5), instance: 1, to: idOf(6), data: 'for someone else' });
    raw.postMessage({ v: 1, type: 'signal', from: idOf(5), instance: 1, to: idOf(1), data: 'for us' });
    await until(() => a.signals.length === 1, 'the well-formed signal');
    expect(a.signals).toEqual(['5:for us']);
    expect(a.transport.stats().rejected).toBe(garbage.length);
    expect(a.transport.stats().rejectedTooLarge).toBe(1);

    raw.postMessage({ v: 1, type: 'here', from: idOf(6), instance: 1 });
    raw.postMessage({ v: 1, type: 'here', from: idOf(8), instance: 1 });
    await until(() => a.transport.stats().presenceRefused === 1, 'the third presence to be refused');
    expect(presentOf(a.transport)).toEqual([5, 6]);
  });

  it('a reloaded tab (same id, new page) is not dropped by its old page\'s late bye, and is not trusted as linked', async () => {
    const network = freshNetwork();
    const a = tab(network, 1);
    a.transport.start();
    const raw = rawChannel(network);
    raw.postMessage({ v: 1, type: 'hello', from: idOf(2), instance: 100 });
    await until(() => presentOf(a.transport).join() === '2', 'the first page');
    a.transport.linked(idOf(2));
    expect(a.transport.linkedBefore(idOf(2))).toBe(true);
    // The reload: the new page says hello before the old page's bye arrives.
    raw.postMessage({ v: 1, type: 'hello', from: idOf(2), instance: 200 });
    raw.postMessage({ v: 1, type: 'bye', from: idOf(2), instance: 100 });
    raw.postMessage({ v: 1, type: 'signal', from: idOf(3), instance: 1, to: idOf(1), data: 'marker' });
    await until(() => a.signals.length === 1, 'the messages to be handled');
    expect(presentOf(a.transport), 'the old page\'s bye does not remove the new page').toEqual([2, 3]);
    expect(a.transport.linkedBefore(idOf(2)), 'the link was with the old page').toBe(false);
    raw.postMessage({ v: 1, type: 'bye', from: idOf(2), instance: 200 });
    await until(() => a.seen.includes('-2'), 'the new page\'s bye');
  });

  it('a tab linked through a relay before its page was heard here is not trusted as linked once it reloads', async () => {
    const network = freshNetwork();
    const a = tab(network, 1);
    a.transport.start();
    const raw = rawChannel(network);
    // Linked through the relay while its page's hello went by before our channel started.
    a.transport.linked(idOf(2));
    expect(a.transport.linkedBefore(idOf(2)), 'which page we linked is unknown').toBe(false);
    // The reload: the new page's hello is the first we hear of that id. It cannot be the page we linked.
    raw.postMessage({ v: 1, type: 'hello', from: idOf(2), instance: 300 });
    raw.postMessage({ v: 1, type: 'here', from: idOf(2), instance: 300 });
    await until(() => presentOf(a.transport).join() === '2', 'the new page');
    expect(a.transport.linkedBefore(idOf(2)), 'a mesh route to the old page must not carry signals for the new one').toBe(false);
  });

  it('a tab whose page said bye is departed until it is heard again, or for expiryMs; only relays carry signals to it', async () => {
    const network = freshNetwork();
    let nowMs = 1_000;
    const a = tab(network, 1, { expiryMs: 30_000, nowMs: () => nowMs });
    a.transport.start();
    const raw = rawChannel(network);
    const marker = (n: number) => raw.postMessage({ v: 1, type: 'signal', from: idOf(9), instance: 1, to: idOf(1), data: `marker ${n}` });
    raw.postMessage({ v: 1, type: 'hello', from: idOf(2), instance: 100 });
    raw.postMessage({ v: 1, type: 'hello', from: idOf(3), instance: 100 });
    await until(() => presentOf(a.transport).join() === '2,3', 'both pages');
    expect(a.transport.departed(idOf(2)), 'a present page').toBe(false);

    // Tab 2 reloads: its old page says bye. Until its new page says hello, no mesh route reaches it.
    raw.postMessage({ v: 1, type: 'bye', from: idOf(2), instance: 100 });
    raw.postMessage({ v: 1, type: 'bye', from: idOf(3), instance: 999 }); // not the page we know: ignored
    marker(1);
    await until(() => a.signals.length === 1, 'the byes to be handled');
    expect(a.transport.departed(idOf(2))).toBe(true);
    expect(a.transport.departed(idOf(3)), 'a bye from a page we do not know').toBe(false);
    expect(a.transport.departed(idOf(7)), 'an id never heard of').toBe(false);
    const routes: string[] = [];
    const send = routeAroundDepartedPages(a.transport, (to) => routes.push(`relays ${Number.parseInt(to, 16)}`) < 0, (to) => routes.push(`any ${Number.parseInt(to, 16)}`) > 0);
    expect(send(idOf(2), 'offer'), 'no relay reaches the departed page: no route, so the dialer gives the offer up at once').toBe(false);
    expect(send(idOf(3), 'offer')).toBe(true);
    expect(routes).toEqual(['relays 2', 'any 3']);

    raw.postMessage({ v: 1, type: 'hello', from: idOf(2), instance: 200 });
    marker(2);
    await until(() => a.signals.length === 2, 'the new page\'s hello');
    expect(a.transport.departed(idOf(2)), 'its new page said hello').toBe(false);

    // A page that said bye and never came back is departed for expiryMs only (it may have left the channel, not the mesh).
    raw.postMessage({ v: 1, type: 'bye', from: idOf(3), instance: 100 });
    marker(3);
    await until(() => a.signals.length === 3, 'the bye');
    expect(a.transport.departed(idOf(3))).toBe(true);
    nowMs += 30_000;
    expect(a.transport.departed(idOf(3))).toBe(false);
  });
});

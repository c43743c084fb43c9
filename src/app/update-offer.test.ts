import { describe, expect, it } from 'vitest';
import { Emitter } from '../core/emitter.ts';
import type { NodeEvents, PeerInfo } from '../core/node.ts';
import { createTabmeshStore } from '../ui/store.ts';
import { MAX_NEWER_PEERS, updateOffered } from '../ui/update-slice.ts';
import { createTabmeshApi } from './tabmesh-api.ts';
import { watchPeerVersions } from './update-offer.ts';

const OURS = { min: 4, max: 5, features: 1 };
const peer = (id: string, peerMax: number): PeerInfo => ({
  id, direction: 'out', connectedAtMs: 0, bytesIn: 0, bytesOut: 0, protocol: { version: Math.min(peerMax, OURS.max), peerMin: 4, peerMax, peerFeatures: 0 },
});

function setup() {
  const ui = createTabmeshStore();
  const events = new Emitter<NodeEvents>();
  const warnings: string[] = [];
  watchPeerVersions({ node: { events, protocol: () => OURS }, ui, log: { info: () => undefined, warn: (message) => void warnings.push(message) } });
  // The scripting API reads the same store (app.ts); its peer never starts here, and updateAvailable does not need it.
  const api = createTabmeshApi('test', new Promise(() => undefined), () => ui.getState().update);
  return { ui, events, warnings, api };
}

describe('the page offers an update', () => {
  it('not for peers at or below our newest version', () => {
    const { events, api } = setup();
    events.emit('peer-open', peer('a'.repeat(64), 5));
    events.emit('peer-open', peer('b'.repeat(64), 4));
    expect(api.updateAvailable()).toEqual({ offered: false, newerPeers: 0, workerWaiting: false });
  });

  it('when a linked peer speaks a newer version, counting each peer once and keeping the newest version', () => {
    const { events, api } = setup();
    events.emit('peer-open', peer('a'.repeat(64), 6));
    events.emit('peer-open', peer('a'.repeat(64), 6));
    events.emit('peer-open', peer('c'.repeat(64), 7));
    expect(api.updateAvailable()).toEqual({ offered: true, newerPeers: 2, newestProtocol: 7, workerWaiting: false });
  });

  it('when a peer is too new to link, and says so in the log; a peer too old is only logged', () => {
    const { events, api, warnings } = setup();
    events.emit('peer-incompatible', 'd'.repeat(64), 'peer-too-old', 'peer speaks protocol 3, this build 4–5');
    expect(api.updateAvailable().offered).toBe(false);
    events.emit('peer-incompatible', 'e'.repeat(64), 'peer-too-new', 'peer speaks protocol 6–7, this build 4–5');
    expect(api.updateAvailable()).toMatchObject({ offered: true, newerPeers: 1 });
    expect(warnings).toEqual([expect.stringMatching(/older build/), expect.stringMatching(/newer build.*reload to update/)]);
  });

  it('when the service worker has a newer build waiting, keeping its activation for the click', () => {
    const { ui, api } = setup();
    let activated = 0;
    ui.getState().offerWaitingWorker(() => void activated++);
    expect(api.updateAvailable()).toEqual({ offered: true, newerPeers: 0, workerWaiting: true });
    expect(activated).toBe(0);
    ui.getState().activateWaitingWorker?.();
    expect(activated).toBe(1);
  });

  it('remembers at most MAX_NEWER_PEERS peers', () => {
    const { ui } = setup();
    for (let i = 0; i < MAX_NEWER_PEERS + 10; i++) ui.getState().noteNewerPeer(i.toString(16).padStart(64, '0'), 6);
    expect(ui.getState().update.newerPeerIds).toHaveLength(MAX_NEWER_PEERS);
    expect(updateOffered(ui.getState().update)).toBe(true);
  });
});

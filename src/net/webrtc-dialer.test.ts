import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import type { PeerLink } from '../core/link.ts';
import { openSignal } from '../core/signal-envelope.ts';
import { toHex } from '../core/bytes.ts';
import { createWebrtcDialer, type WebrtcDialer } from './webrtc-dialer.ts';

const quiet = { info: () => undefined, warn: () => undefined };
type Tamper = (fromId: string, envelopeHex: string) => string;

/** Two dialers whose signals cross an in-process "relay" that may tamper with them. */
async function makePair(tamper: Tamper = (_from, hex) => hex, routable: (from: number) => boolean = () => true) {
  const signers = [await testSigner(1), await testSigner(2)];
  const links: PeerLink[][] = [[], []];
  const refused: string[][] = [[], []];
  const dialers: WebrtcDialer[] = [];
  signers.forEach((signer, index) => {
    dialers.push(createWebrtcDialer({
      signer,
      verifier: nodeVerifier,
      clock: { nowMs: () => Date.now() },
      log: quiet,
      createPeer: (options) => new SimplePeer({ ...options, wrtc }),
      sendSignal: (to, hex) => {
        if (!routable(index)) return false;
        const target = signers.findIndex((s) => s.peerId === to);
        setTimeout(() => dialers[target]!.receiveSignal(signer.peerId, tamper(signer.peerId, hex)), 1);
        return true;
      },
      onLink: (link) => links[index]!.push(link),
      onRefused: (_peerId, reason) => refused[index]!.push(reason),
    }, { network: 'test', connectTimeoutMs: 5_000 }));
  });
  return { signers, dialers, links, refused };
}

const waitFor = async (condition: () => boolean, timeoutMs = 5_000) => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('WebRTC dialer over signed signaling', () => {
  let cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup) fn();
    cleanup = [];
  });
  const track = (pair: Awaited<ReturnType<typeof makePair>>) => {
    cleanup.push(() => {
      pair.dialers.forEach((d) => d.close());
      pair.links.flat().forEach((l) => l.close('test over'));
    });
    return pair;
  };

  it('connects a dialled peer, outbound on one side and inbound on the other', async () => {
    const { signers, dialers, links } = track(await makePair());
    dialers[0]!.dial(signers[1]!.peerId);
    await waitFor(() => links[0]!.length === 1 && links[1]!.length === 1);
    expect([links[0]![0]!.peerId, links[0]![0]!.direction]).toEqual([signers[1]!.peerId, 'out']);
    expect([links[1]![0]!.peerId, links[1]![0]!.direction]).toEqual([signers[0]!.peerId, 'in']);
  });

  it('gives up an offer that no route carries at once, so the peer\'s own offer links instead of losing the glare to it', async () => {
    let lowerRoutes = false;
    const signers = [await testSigner(1), await testSigner(2)];
    const lower = signers[0]!.peerId < signers[1]!.peerId ? 0 : 1;
    const { dialers, links } = track(await makePair(undefined, (from) => from !== lower || lowerRoutes));
    // The lower id dials first, with no route (a reloaded tab dialling an anchor it cannot reach yet)...
    dialers[lower]!.dial(signers[1 - lower]!.peerId);
    await waitFor(() => !dialers[lower]!.isPending(signers[1 - lower]!.peerId), 2_000);
    // ...then the higher id dials it, and the lower one answers over a route that now exists.
    lowerRoutes = true;
    dialers[1 - lower]!.dial(signers[lower]!.peerId);
    await waitFor(() => links[0]!.length === 1 && links[1]!.length === 1, 4_000);
    expect(links[1 - lower]![0]!.direction).toBe('out');
  });

  it('abandons an offer nobody answers after answerTimeoutMs, not connectTimeoutMs (a gone peer or a silent Sybil frees its slot)', async () => {
    const signer = await testSigner(1);
    const silent = await testSigner(2);
    const abandoned: string[] = [];
    const dialer = createWebrtcDialer({
      signer, verifier: nodeVerifier, clock: { nowMs: () => Date.now() },
      log: { info: (message, fields) => void abandoned.push(`${message} ${String(fields?.reason)}`), warn: () => undefined },
      createPeer: (options) => new SimplePeer({ ...options, wrtc }),
      sendSignal: () => true, // carried, and never answered
      onLink: () => undefined,
      onRefused: () => undefined,
    }, { network: 'test', connectTimeoutMs: 20_000, answerTimeoutMs: 300 });
    cleanup.push(() => dialer.close());
    const started = Date.now();
    dialer.dial(silent.peerId);
    expect(dialer.isPending(silent.peerId)).toBe(true);
    await waitFor(() => !dialer.isPending(silent.peerId), 3_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(abandoned).toContain('connection attempt abandoned no answer');
  });

  it('settles glare: both dial at once and exactly one connection survives, the lower id\'s', async () => {
    const { signers, dialers, links } = track(await makePair());
    dialers[0]!.dial(signers[1]!.peerId);
    dialers[1]!.dial(signers[0]!.peerId);
    await waitFor(() => links[0]!.length >= 1 && links[1]!.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(links[0]!.length).toBe(1);
    expect(links[1]!.length).toBe(1);
    const lowerIndex = signers[0]!.peerId < signers[1]!.peerId ? 0 : 1;
    expect(links[lowerIndex]![0]!.direction).toBe('out');
    expect(links[1 - lowerIndex]![0]!.direction).toBe('in');
  });

  it('refuses a connection whose SDP the relay rewrote, and says why', async () => {
    // The relay swaps one hex digit inside the payload (the SDP, with its DTLS fingerprint), keeping the signature.
    const rewrite: Tamper = (_from, hex) => {
      const opened = openSignal(hex);
      if (!opened.ok || !opened.value.payload.includes('fingerprint')) return hex;
      const payloadHex = toHex(new TextEncoder().encode(opened.value.payload));
      const altered = toHex(new TextEncoder().encode(opened.value.payload.replace(/fingerprint:sha-256 ([0-9A-F])/, (_m, d: string) => `fingerprint:sha-256 ${d === 'A' ? 'B' : 'A'}`)));
      return hex.replace(payloadHex, altered);
    };
    const { signers, dialers, links, refused } = track(await makePair(rewrite));
    dialers[0]!.dial(signers[1]!.peerId);
    await waitFor(() => refused[1]!.length > 0);
    expect(refused[1]![0]).toMatch(/signature does not verify/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(links.flat()).toEqual([]);
  });

  it('refuses malformed and misaddressed envelopes without throwing', async () => {
    const { signers, dialers, refused } = track(await makePair());
    dialers[1]!.receiveSignal(signers[0]!.peerId, 'zz');
    dialers[1]!.receiveSignal(signers[0]!.peerId, '00'.repeat(10));
    await waitFor(() => refused[1]!.length === 2);
    expect(refused[1]!.every((reason) => reason.startsWith('malformed envelope'))).toBe(true);
  });
});

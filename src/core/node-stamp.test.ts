/** HELLO carries the identity stamp, and a node refuses a peer whose stamp is missing or short (docs/PROTOCOL.md, "Identity stamp"). */
import { describe, expect, it } from 'vitest';
import { nodeVerifier, nonceWithWork, testSigner } from '../../test/helpers/test-keys.ts';
import { rawPeer } from '../../test/helpers/raw-peer.ts';
import { createFullNode } from './full-node.ts';
import { checkIdentityStamp } from './identity-stamp.ts';
import { MemoryChainStore } from './ledger/memory-chain-store.ts';
import type { ChainParams } from './ledger/params.ts';

const quiet = { info: () => undefined, warn: () => undefined };

async function makeNode(seed: number, params?: Partial<ChainParams>) {
  const signer = await testSigner(seed);
  const { node, ledger } = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => 1_735_776_000_000 }, log: quiet, store: new MemoryChainStore() }, {
    network: 'test', peerId: signer.peerId, ...(params ? { params } : { identityStamp: signer.identityStamp }),
  });
  return { signer, node, ledger };
}

describe('identity stamps in HELLO', () => {
  it('sends its stamp and opens a peer whose stamp meets the network\'s bits', async () => {
    const { node, signer, ledger } = await makeNode(1);
    const peer = rawPeer(node, signer.peerId, await testSigner(2), 'test', ledger.tip());
    await expect.poll(() => node.peers().length).toBe(1);
    const hello = peer.received.find((frame) => frame.type === 'hello');
    expect(hello).toMatchObject({ identityStamp: signer.identityStamp });
    expect(node.stats().stampRejected).toBe(0);
  });

  it('bans a peer whose stamp is short of the work, naming it, and counts it', async () => {
    const { node, signer, ledger } = await makeNode(1);
    const cheat = await testSigner(2);
    const peer = rawPeer(node, signer.peerId, cheat, 'test', ledger.tip(), { identityStamp: nonceWithWork(cheat.peerId, 0, 8) });
    expect(await peer.closed).toMatch(/^remote closed: banned: identity stamp has [0-7] bits of work, the network asks 8$/);
    expect(node.banOf(cheat.peerId)).toBeDefined();
    expect(node.stats()).toMatchObject({ stampRejected: 1, peersBanned: 1, peers: 0 });
  });

  it('closes a peer that sends no stamp (a build from before stamps) without a ban, and counts it', async () => {
    const { node, signer, ledger } = await makeNode(1);
    const old = await testSigner(3);
    const peer = rawPeer(node, signer.peerId, old, 'test', ledger.tip(), { identityStamp: 'none' });
    expect(await peer.closed).toBe('remote closed: no identity stamp in hello');
    expect(node.banOf(old.peerId)).toBeUndefined();
    expect(node.stats()).toMatchObject({ stampRejected: 1, peersBanned: 0 });
  });

  it('checks at the bits of the node\'s parameters, and mints its own stamp for them when given none', async () => {
    const { node, signer, ledger } = await makeNode(1, { identityStampBits: 12 });
    const weak = await testSigner(4);
    const peer = rawPeer(node, signer.peerId, weak, 'test', ledger.tip(), { identityStamp: nonceWithWork(weak.peerId, 8, 12) });
    expect(await peer.closed).toMatch(/the network asks 12$/);
    const hello = peer.received.find((frame) => frame.type === 'hello');
    expect(hello?.type === 'hello' && checkIdentityStamp(signer.peerId, hello.identityStamp, 12).ok).toBe(true);
  });
});

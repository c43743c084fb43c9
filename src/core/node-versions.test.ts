/**
 * Two builds on one network (docs/PROTOCOL.md, "Versioning"): nodes with
 * different protocol ranges link at the highest version both know and
 * exchange transactions and blocks; a node outside the other's range is told
 * why, closed without a ban, and links again once it runs a newer range.
 */
import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { until } from '../../test/helpers/until.ts';
import { createMemoryLinkPair } from '../net/memory-link.ts';
import { FRAME_VERSION, FrameType, encodeFrame } from './frames.ts';
import { createFullNode } from './full-node.ts';
import { MemoryChainStore } from './ledger/memory-chain-store.ts';
import { mineHeader } from './ledger/testing.ts';
import type { NodeInit } from './node.ts';
import type { ProtocolContext } from './protocol-context.ts';
import type { ProtocolModuleFactory } from './protocol-module.ts';
import { PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN } from './protocol-version.ts';
import { accept } from './result.ts';
import { signTx } from './tx.ts';

const quiet = { info: () => undefined, warn: () => undefined };
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
const NOW_MS = 1_735_689_600_000 + 86_400_000;

async function makeNode(seed: number, protocol?: NodeInit['protocol'], modules: ProtocolModuleFactory[] = []) {
  const signer = await testSigner(seed);
  const now = { ms: NOW_MS };
  const { node, ledger } = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => now.ms }, log: quiet, store: new MemoryChainStore(), modules }, {
    network: 'test', peerId: signer.peerId, ...(protocol ? { protocol } : {}),
  });
  const incompatible: string[] = [];
  const closes: string[] = [];
  node.events.on('peer-incompatible', (_peerId, reason) => incompatible.push(reason));
  node.events.on('peer-close', (_peerId, reason) => closes.push(reason));
  return { signer, node, ledger, now, incompatible, closes };
}
type TestNode = Awaited<ReturnType<typeof makeNode>>;

function link(a: TestNode, b: TestNode) {
  const pair = createMemoryLinkPair(a.signer.peerId, b.signer.peerId);
  a.node.addLink(pair.atA);
  b.node.addLink(pair.atB);
  return pair;
}

describe('nodes of two builds', () => {
  it('link at the older version and exchange transactions and blocks both ways', async () => {
    const previous = await makeNode(1, { max: PROTOCOL_VERSION_MAX - 1, features: 0 });
    const current = await makeNode(2);
    link(previous, current);
    await until(() => previous.node.peers().length === 1 && current.node.peers().length === 1, 'the link to open');
    const version = PROTOCOL_VERSION_MAX - 1;
    expect(current.node.peers()[0]!.protocol).toEqual({ version, peerMin: PROTOCOL_VERSION_MIN, peerMax: version, peerFeatures: 0 });
    expect(previous.node.peers()[0]!.protocol).toMatchObject({ version, peerMax: PROTOCOL_VERSION_MAX });

    // A block each way, then a transaction each way (each spends its miner's reward).
    for (const [miner, other] of [[previous, current], [current, previous]] as const) {
      const header = mineHeader(miner.ledger.buildHeaderTemplate(miner.signer.peerId, [], miner.now.ms));
      const mined = await miner.node.submitLocalBlock({ header, txs: [] });
      if (!mined.ok) throw new Error(mined.detail);
      await until(() => other.ledger.tip().hash === miner.ledger.tip().hash, 'the block to cross');
    }
    for (const [sender, receiver] of [[previous, current], [current, previous]] as const) {
      const tx = await signTx('test', { from: sender.signer.peerId, to: receiver.signer.peerId, amount: 3, fee: 1, nonce: 0 }, sender.signer);
      const sent = sender.node.submitLocalTx(tx);
      if (!sent.ok) throw new Error(sent.detail);
      await until(() => receiver.node.knowsTx(sent.value), 'the transaction to cross');
    }
    expect(current.ledger.tip().height).toBe(2);
    for (const side of [previous, current]) expect(side.node.stats()).toMatchObject({ peersBanned: 0, framesRejected: 0, peersTooOld: 0, peersTooNew: 0 });
  });

  it('tells a node below the minimum why, closes without a ban, and links again once it runs a newer range', async () => {
    const current = await makeNode(1, { min: PROTOCOL_VERSION_MAX, max: PROTOCOL_VERSION_MAX });
    const old = await makeNode(2, { min: PROTOCOL_VERSION_MIN, max: PROTOCOL_VERSION_MAX - 1 });
    link(current, old);
    await until(() => current.closes.length === 1 && old.closes.length === 1, 'both ends to close');
    // Each side found the mismatch in the other's HELLO and said so; each read the other's GOODBYE.
    expect(current.incompatible).toEqual(['peer-too-old']);
    expect(old.incompatible).toEqual(['peer-too-new']);
    expect(current.node.stats()).toMatchObject({ peersTooOld: 1, peersTooNew: 0, goodbyesReceived: 1, peersBanned: 0, peersHeldOff: 0, framesRejected: 0 });
    expect(old.node.stats()).toMatchObject({ peersTooNew: 1, goodbyesReceived: 1, peersBanned: 0 });
    expect(old.closes[0]).toMatch(/^goodbye \(tooOld\): peer speaks protocol/);
    expect(current.node.banOf(old.signer.peerId)).toBeUndefined();
    expect(old.node.banOf(current.signer.peerId)).toBeUndefined();

    // The old tab reloads into the new build (same identity, a range that reaches the other's).
    const reloaded = await makeNode(2);
    link(current, reloaded);
    await until(() => current.node.peers().length === 1, 'the link to open again');
    expect(current.node.peers()[0]).toMatchObject({ id: reloaded.signer.peerId, protocol: { version: PROTOCOL_VERSION_MAX } });
  });

  it('closes a mismatched link on the next tick when the peer never answers with its own GOODBYE', async () => {
    const current = await makeNode(1, { min: PROTOCOL_VERSION_MAX, max: PROTOCOL_VERSION_MAX });
    const other = await testSigner(2);
    const pair = createMemoryLinkPair(current.signer.peerId, other.peerId);
    current.node.addLink(pair.atA);
    const heard: number[] = [];
    pair.atB.onMessage((bytes) => heard.push(bytes[1]!));
    pair.atB.send(encodeFrame({ type: 'hello', network: 'test', peerId: other.peerId, tipHeight: 0, tipHash: current.ledger.tip().hash, userAgent: 'old', identityStamp: other.identityStamp, protocol: { min: 1, max: 2, features: 0 } }));
    await settle();
    expect(heard).toContain(FrameType.goodbye);
    expect(current.closes).toEqual([]); // the GOODBYE is given time to leave
    current.node.tick();
    expect(current.closes).toEqual(['peer speaks protocol 1–2, this build 5']);
  });

  it('ignores and counts unknown optional frames, and bans an unknown required one', async () => {
    const [a, b] = [await makeNode(1), await makeNode(2)];
    const { atB } = link(a, b);
    await until(() => a.node.peers().length === 1, 'the link to open');
    for (const type of [0x13, 0x55, 0x7f]) atB.send(Uint8Array.of(FRAME_VERSION, type, 1, 2, 3));
    await settle();
    expect(a.node.stats()).toMatchObject({ unknownFrames: 3, framesRejected: 0, peersBanned: 0 });
    expect(a.node.peers()).toHaveLength(1);
    atB.send(Uint8Array.of(FRAME_VERSION, 0x90));
    await settle();
    expect(a.node.stats()).toMatchObject({ framesRejected: 1, peersBanned: 1 });
  });

  it("sends a module's frames only to peers that advertise its feature bit", async () => {
    const FEATURE = 1 << 5;
    const contexts: ProtocolContext[] = [];
    const probe: ProtocolModuleFactory = (context) => {
      contexts.push(context);
      return { name: 'probe', feature: FEATURE, frames: { 0x3e: { name: 'PROBE', maxPayloadBytes: 4 } }, decode: (_type, payload) => accept(payload), handle: () => undefined };
    };
    const withProbe = await makeNode(1, undefined, [probe]);
    const without = await makeNode(2);
    const alsoProbe = await makeNode(3, undefined, [probe]);
    expect(withProbe.node.protocol().features & FEATURE).toBe(FEATURE);
    link(withProbe, without);
    link(withProbe, alsoProbe);
    await until(() => withProbe.node.peers().length === 2, 'both links to open');
    const context = contexts[0]!;
    expect(context.sendModuleFrame(without.signer.peerId, 0x3e, Uint8Array.of(1))).toBe(false);
    expect(context.sendModuleFrame(alsoProbe.signer.peerId, 0x3e, Uint8Array.of(1))).toBe(true);
    expect(withProbe.node.stats().moduleFramesWithheld).toBe(1);
  });
});

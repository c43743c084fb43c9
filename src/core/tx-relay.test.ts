/**
 * Transaction bodies are verified without holding up the link: later frames
 * from the same peer are handled while a verification is pending, and
 * admission still follows arrival order.
 */
import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { until } from '../../test/helpers/until.ts';
import { createMemoryLinkPair } from '../net/memory-link.ts';
import { createFullNode } from './full-node.ts';
import { MemoryChainStore } from './ledger/memory-chain-store.ts';
import { mineHeader } from './ledger/testing.ts';
import { toHex } from './bytes.ts';
import { signTx, txId } from './tx.ts';
import type { Logger, Verifier, VerifyItem } from './types.ts';

const quiet = { info: () => undefined, warn: () => undefined };

/** Verifies for real, but each non-empty call waits until the test releases it. */
function gatedVerifier() {
  const held: { items: VerifyItem[]; release(): void }[] = [];
  const verifier: Verifier = {
    verify(items) {
      if (items.length === 0) return nodeVerifier.verify(items);
      return new Promise((resolve, reject) => {
        held.push({ items, release: () => void nodeVerifier.verify(items).then(resolve, reject) });
      });
    },
  };
  return { verifier, held };
}

async function makePeer(seed: number, verifier: Verifier, log: Logger = quiet) {
  const signer = await testSigner(seed);
  const now = { ms: 1_735_689_600_000 + 86_400_000 };
  const full = await createFullNode({ verifier, clock: { nowMs: () => now.ms }, log, store: new MemoryChainStore() }, { network: 'test', peerId: signer.peerId });
  const admitted: string[] = [];
  full.node.events.on('tx', (_tx, id) => admitted.push(id));
  return { signer, now, admitted, ...full };
}

describe('transaction relay', () => {
  it('handles later frames while a body is being verified, and admits bodies in arrival order', async () => {
    const gate = gatedVerifier();
    const sender = await makePeer(1, nodeVerifier);
    const receiver = await makePeer(2, gate.verifier);
    const pair = createMemoryLinkPair(sender.signer.peerId, receiver.signer.peerId);
    sender.node.addLink(pair.atA);
    receiver.node.addLink(pair.atB);
    await until(() => receiver.node.peers().length === 1, 'the link to open');

    const mine = async () => {
      const header = mineHeader(sender.ledger.buildHeaderTemplate(sender.signer.peerId, [], sender.now.ms));
      const result = await sender.node.submitLocalBlock({ header, txs: [] });
      expect(result.ok).toBe(true);
    };
    await mine();
    await until(() => receiver.ledger.tip().height === 1, 'the funding block at the receiver');

    const first = await signTx('test', { from: sender.signer.peerId, to: receiver.signer.peerId, amount: 5, fee: 1, nonce: 0 }, sender.signer);
    const second = await signTx('test', { from: sender.signer.peerId, to: receiver.signer.peerId, amount: 5, fee: 1, nonce: 1 }, sender.signer);
    expect(sender.node.submitLocalTx(first).ok).toBe(true);
    expect(sender.node.submitLocalTx(second).ok).toBe(true);
    await until(() => gate.held.length >= 1 && gate.held.reduce((sum, call) => sum + call.items.length, 0) === 2, 'both bodies to wait for verification');

    // A block sent after the bodies is handled while their verification is still pending.
    sender.now.ms += 1_000;
    await mine();
    await until(() => receiver.ledger.tip().height === 2, 'the second block despite pending verification');
    expect(receiver.admitted).toEqual([]);

    // Released last-first, the bodies are still admitted first-first: nonce 1 never waits for nonce 0.
    for (const call of [...gate.held].reverse()) call.release();
    await until(() => receiver.admitted.length === 2, 'both transactions admitted');
    expect(receiver.admitted).toEqual([txId(first), txId(second)]);
    expect(receiver.node.stats().txWaiting ?? 0).toBe(0);
  });

  it('verifies each transaction this tab signs in the background, so the block that carries it finds the answer cached', async () => {
    const asked: string[] = [];
    const recording: Verifier = {
      verify(items) {
        asked.push(...items.map((item) => toHex(item.signature)));
        return nodeVerifier.verify(items);
      },
    };
    const warnings: string[] = [];
    const { peer, pay } = await fundedPeerWatchingDrops(recording, { info: () => undefined, warn: (message) => void warnings.push(message) });
    const good = await pay(1);
    // A signing bug's output: the signature no longer covers the amount.
    const broken = { ...(await pay(1, 1)), amount: 6 };
    asked.length = 0;
    expect(peer.node.submitLocalTx(good).ok).toBe(true);
    expect(peer.node.submitLocalTx(broken).ok).toBe(true);
    await until(() => warnings.length > 0, 'the broken signature to be reported');
    expect(asked).toEqual([good.signature, broken.signature]);
    expect(warnings).toEqual(['a transaction this tab signed does not verify']);
  });

  /** A peer that mined a block (so it can pay), the drop events it emits, and a way to sign its payments. */
  async function fundedPeerWatchingDrops(verifier: Verifier = nodeVerifier, log: Logger = quiet) {
    const peer = await makePeer(1, verifier, log);
    const header = mineHeader(peer.ledger.buildHeaderTemplate(peer.signer.peerId, [], peer.now.ms));
    expect((await peer.node.submitLocalBlock({ header, txs: [] })).ok).toBe(true);
    const dropped: string[][] = [];
    peer.node.events.on('txs-dropped', (ids) => dropped.push(ids));
    const to = (await testSigner(2)).peerId;
    const pay = (fee: number, nonce = 0) => signTx('test', { from: peer.signer.peerId, to, amount: 5, fee, nonce }, peer.signer);
    return { peer, dropped, pay };
  }

  it('reports a transaction replaced by a higher fee as dropped, so its status stops saying pending', async () => {
    const { peer, dropped, pay } = await fundedPeerWatchingDrops();
    const [cheap, dearer] = [await pay(1), await pay(9)];
    expect(peer.node.submitLocalTx(cheap).ok).toBe(true);
    expect(peer.node.submitLocalTx(dearer).ok).toBe(true);
    expect(dropped).toEqual([[txId(cheap)]]);
  });

  it('reports transactions that expired from the mempool as dropped', async () => {
    const { peer, dropped, pay } = await fundedPeerWatchingDrops();
    const tx = await pay(1);
    expect(peer.node.submitLocalTx(tx).ok).toBe(true);
    peer.node.tick();
    expect(dropped).toEqual([]);
    peer.now.ms += peer.ledger.params.mempoolExpiryMs + 1;
    peer.node.tick();
    expect(dropped).toEqual([[txId(tx)]]);
    expect(peer.node.stats().mempoolSize).toBe(0);
  });
});

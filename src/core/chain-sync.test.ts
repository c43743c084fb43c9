import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { rawPeer } from '../../test/helpers/raw-peer.ts';
import { until } from '../../test/helpers/until.ts';
import { createMemoryLinkPair } from '../net/memory-link.ts';
import { createFullNode, type FullNode } from './full-node.ts';
import { MemoryChainStore } from './ledger/memory-chain-store.ts';
import { mineHeader } from './ledger/testing.ts';
import { signTx, txId, type Tx } from './tx.ts';
import type { Signer } from './types.ts';

const NETWORK = 'test-sync';
const quiet = { info: () => undefined, warn: () => undefined };
const START_MS = 1_735_689_600_000 + 86_400_000;

type Peer = FullNode & { signer: Signer; now: { ms: number }; bans: string[] };

async function makePeer(seed: number): Promise<Peer> {
  const signer = await testSigner(seed);
  const now = { ms: START_MS };
  const full = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => now.ms }, log: quiet, store: new MemoryChainStore() }, { network: NETWORK, peerId: signer.peerId });
  const bans: string[] = [];
  full.node.events.on('ban', (_peerId, reason) => bans.push(reason));
  return { ...full, signer, now, bans };
}

async function mine(peer: Peer, txs: Tx[] = []): Promise<void> {
  peer.now.ms += 1_000;
  const header = mineHeader(peer.ledger.buildHeaderTemplate(peer.signer.peerId, txs, peer.now.ms));
  const result = await peer.node.submitLocalBlock({ header, txs });
  if (!result.ok) throw new Error(`block refused: ${result.detail}`);
}

describe('headers-first sync', () => {
  it('fetches each block whole in one round trip, and asks for headers once per 100 blocks', async () => {
    const [source, joiner] = [await makePeer(1), await makePeer(2)];
    await mine(source);
    let nonce = 0;
    let sent = 0;
    for (let height = 2; height <= 130; height++) {
      const txs: Tx[] = [];
      // A few blocks carry transactions; a joiner has none of them in its mempool.
      if (height % 40 === 0) {
        for (let i = 0; i < 3; i++) txs.push(await signTx(NETWORK, { from: source.signer.peerId, to: joiner.signer.peerId, amount: 1, fee: 1, nonce: nonce++ }, source.signer));
        sent += txs.length;
      }
      await mine(source, txs);
    }
    joiner.now.ms = source.now.ms;
    const pair = createMemoryLinkPair(source.signer.peerId, joiner.signer.peerId);
    source.node.addLink(pair.atA);
    joiner.node.addLink(pair.atB);
    await until(() => joiner.ledger.tip().height === 130, 'sync to height 130', 15_000);

    expect(joiner.ledger.tip().hash).toBe(source.ledger.tip().hash);
    expect(joiner.ledger.account(joiner.signer.peerId).balance).toBe(sent);
    const stats = joiner.node.stats();
    // No block went through the compact path, so none cost a second round trip.
    expect(stats.compactBlockMisses).toBe(0);
    expect(stats.compactBlockHits).toBe(0);
    expect(stats.blockTxsRequested).toBe(sent);
    expect(stats.blocksDuplicate).toBe(0);
    // Two full answers (100 + 30) and the empty one that ends it: not a request per block or two.
    expect(stats.headersRequested).toBeLessThanOrEqual(4);
    expect(source.bans).toEqual([]);
    expect(joiner.bans).toEqual([]);
  });

  it('fetches a block compact when it is the only one missing, rebuilding it from the mempool', async () => {
    const [source, follower] = [await makePeer(1), await makePeer(2)];
    await mine(source);
    follower.now.ms = source.now.ms;
    const first = createMemoryLinkPair(source.signer.peerId, follower.signer.peerId);
    source.node.addLink(first.atA);
    follower.node.addLink(first.atB);
    await until(() => follower.ledger.tip().height === 1, 'the follower at height 1');
    const txs: Tx[] = [];
    for (let nonce = 0; nonce < 3; nonce++) txs.push(await signTx(NETWORK, { from: source.signer.peerId, to: follower.signer.peerId, amount: 1, fee: 1, nonce }, source.signer));
    for (const tx of txs) expect(source.node.submitLocalTx(tx).ok).toBe(true);
    await until(() => follower.node.stats().mempoolSize === 3, 'the transactions in the follower\'s mempool');
    // The block that confirms them is made while the two are apart: the follower learns of it from the next link's HELLO.
    first.atB.close('the test parts them');
    await until(() => follower.node.peers().length === 0 && source.node.peers().length === 0, 'the link closed');
    await mine(source, txs);
    follower.now.ms = source.now.ms;
    const before = follower.node.stats();
    const second = createMemoryLinkPair(source.signer.peerId, follower.signer.peerId);
    source.node.addLink(second.atA);
    follower.node.addLink(second.atB);
    await until(() => follower.ledger.tip().height === 2, 'the follower at height 2');

    const after = follower.node.stats();
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    expect(delta('blocksRequestedCompact')).toBe(1);
    expect(delta('blocksRequested')).toBe(0);
    expect(delta('compactBlockHits')).toBe(1);
    expect(delta('blockTxsRequested')).toBe(0);
    expect(source.bans).toEqual([]);
    expect(follower.bans).toEqual([]);
  });

  it('answers GET_BLOCK_TXS without indexes with every transaction of the block', async () => {
    const source = await makePeer(1);
    const asker = await testSigner(3);
    await mine(source);
    const txs = [];
    for (let nonce = 0; nonce < 3; nonce++) txs.push(await signTx(NETWORK, { from: source.signer.peerId, to: asker.peerId, amount: 1, fee: 1, nonce }, source.signer));
    await mine(source, txs);
    const tip = source.ledger.tip();
    const peer = rawPeer(source.node, source.signer.peerId, asker, NETWORK, { height: 0, hash: source.ledger.genesisHash });
    await until(() => source.node.peers().length === 1, 'the raw peer linked');
    peer.send({ type: 'getBlockTxs', hash: tip.hash, indexes: [] });
    await until(() => peer.received.some((frame) => frame.type === 'blockTxs'), 'the block transactions');
    const answer = peer.received.find((frame) => frame.type === 'blockTxs');
    expect(answer).toMatchObject({ type: 'blockTxs', hash: tip.hash });
    expect((answer as { txs: { index: number; tx: Tx }[] }).txs.map(({ index, tx }) => [index, txId(tx)])).toEqual(txs.map((tx, index) => [index, txId(tx)]));
    expect(source.bans).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { rawPeer } from '../../test/helpers/raw-peer.ts';
import { until } from '../../test/helpers/until.ts';
import { createMemoryLinkPair } from '../net/memory-link.ts';
import { createFullNode, type FullNode } from './full-node.ts';
import { blockHash } from './ledger/block.ts';
import { MemoryChainStore } from './ledger/memory-chain-store.ts';
import { mineHeader } from './ledger/testing.ts';
import type { Signer } from './types.ts';
import { shortTxId } from './frames.ts';
import { signTx, txId, type Tx } from './tx.ts';

const quiet = { info: () => undefined, warn: () => undefined };
const START_MS = 1_735_689_600_000 + 86_400_000;

type Peer = FullNode & { signer: Signer; now: { ms: number } };

/** A full node on `store` (a fresh memory store unless a test watches or holds its own). */
async function makePeer(seed: number, store: MemoryChainStore = new MemoryChainStore()): Promise<Peer> {
  const signer = await testSigner(seed);
  const now = { ms: START_MS };
  const full = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => now.ms }, log: quiet, store }, { network: 'test-blocks', peerId: signer.peerId });
  return { ...full, signer, now };
}

function link(a: Peer, b: Peer) {
  const pair = createMemoryLinkPair(a.signer.peerId, b.signer.peerId);
  a.node.addLink(pair.atA);
  b.node.addLink(pair.atB);
  return pair;
}

async function mine(peer: Peer, txs: Tx[] = [], count = 1): Promise<void> {
  for (let i = 0; i < count; i++) {
    peer.now.ms += 1_000;
    const header = mineHeader(peer.ledger.buildHeaderTemplate(peer.signer.peerId, i === 0 ? txs : [], peer.now.ms));
    const result = await peer.node.submitLocalBlock({ header, txs: i === 0 ? txs : [] });
    if (!result.ok) throw new Error(`block refused: ${result.detail}`);
  }
}

const send = (from: Peer, to: Peer, amount: number, nonce: number): Promise<Tx> =>
  signTx('test-blocks', { from: from.signer.peerId, to: to.signer.peerId, amount, fee: 1, nonce }, from.signer);

/** A mined block on `peer`'s tip carrying `txs`, not submitted anywhere: a raw peer can offer it. */
function blockOn(peer: Peer, miner: string, txs: Tx[], atMs: number) {
  const header = mineHeader(peer.ledger.buildHeaderTemplate(miner, txs, atMs));
  return { header, txs, hash: blockHash(header), shortIds: txs.map((tx) => shortTxId(txId(tx))) };
}

describe('block relay and sync between nodes', () => {
  it('serves a block that just joined its chain from memory, not from the store', async () => {
    class CountingStore extends MemoryChainStore {
      reads = 0;
      override async getBlock(...args: Parameters<MemoryChainStore['getBlock']>) {
        this.reads++;
        return super.getBlock(...args);
      }
    }
    const store = new CountingStore();
    const a = await makePeer(1, store);
    const [b, c] = [await makePeer(2), await makePeer(3)];
    link(a, b);
    link(a, c);
    await until(() => a.node.peers().length === 2, 'both links');
    await mine(a, [], 2);
    await until(() => b.ledger.tip().height === 2 && c.ledger.tip().height === 2, 'both blocks at both peers');
    // Both peers asked for both blocks (GETDATA); every answer came from memory.
    expect(a.node.stats().getDataReceived).toBe(4);
    expect(store.reads).toBe(0);
  });

  it('announces a validated block while its own store commit is still running, and serves it from memory', async () => {
    /** Holds each connect commit until the test releases it. */
    class GatedStore extends MemoryChainStore {
      gated = false;
      held: (() => void)[] = [];
      override async commitConnects(...args: Parameters<MemoryChainStore['commitConnects']>) {
        if (this.gated) await new Promise<void>((resolve) => this.held.push(resolve));
        return super.commitConnects(...args);
      }
    }
    const store = new GatedStore();
    const a = await makePeer(1, store);
    const b = await makePeer(2);
    link(a, b);
    await until(() => a.node.peers().length === 1, 'the link');
    store.gated = true;
    const mined = mine(a);
    await until(() => b.ledger.tip().height === 1, 'the block at the peer');
    // The miner has not stored it yet, so its own tip has not moved; the peer has it all the same.
    expect(store.held).toHaveLength(1);
    expect(a.ledger.tip().height).toBe(0);
    store.gated = false;
    store.held[0]!();
    await mined;
    expect(a.ledger.tip()).toEqual(b.ledger.tip());
  });

  it('relays a mined block as a compact block rebuilt from the mempool', async () => {
    const [a, b, c] = [await makePeer(1), await makePeer(2), await makePeer(3)];
    link(a, b);
    link(b, c);
    await mine(a);
    await until(() => c.ledger.tip().height === 1, 'the first block at c');
    const tx = await send(a, c, 700, 0);
    const submitted = a.node.submitLocalTx(tx);
    expect(submitted.ok).toBe(true);
    await until(() => c.mempool.has(txId(tx)), 'the transaction at c');
    await mine(a, [tx]);
    await until(() => c.ledger.tip().height === 2, 'the second block at c');
    for (const peer of [a, b, c]) {
      expect(peer.ledger.account(c.signer.peerId).balance).toBe(700);
      expect(peer.mempool.size).toBe(0);
    }
    expect(c.node.stats().compactBlockHits).toBe(2);
    expect(c.node.stats().compactBlockMisses).toBe(0);
  });

  it('fetches only the transactions a receiver lacks', async () => {
    const [a, b] = [await makePeer(1), await makePeer(2)];
    await mine(a);
    const tx = await send(a, b, 5, 0); // straight into a's next block, never gossiped: b's mempool lacks it
    link(a, b);
    await until(() => b.ledger.tip().height === 1, 'sync of the first block');
    await mine(a, [tx]);
    await until(() => b.ledger.tip().height === 2, 'the block with the transaction');
    expect(b.node.stats().compactBlockMisses).toBeGreaterThan(0);
    expect(b.node.stats().blockTxsRequested).toBeGreaterThanOrEqual(1);
    expect(b.ledger.account(b.signer.peerId).balance).toBe(5);
  });

  /**
   * A raw peer announces a transaction (honest asks for it, and it is not delivered yet: it is on its
   * way), then offers a block carrying it; resolves once honest's rebuild waits for it.
   */
  async function blockWaitingForATransaction() {
    const [honest, payee, peerSigner] = [await makePeer(1), await makePeer(2), await testSigner(3)];
    await mine(honest);
    const tx = await send(honest, payee, 4, 0);
    const peer = rawPeer(honest.node, honest.signer.peerId, peerSigner, 'test-blocks', honest.ledger.tip());
    await until(() => honest.node.peers().length === 1, 'the link');
    peer.send({ type: 'inv', items: [{ kind: 'tx', id: shortTxId(txId(tx)) }] });
    await until(() => peer.received.some((frame) => frame.type === 'getData'), 'the request for the transaction');
    const block = blockOn(honest, peerSigner.peerId, [tx], honest.now.ms + 1_000);
    peer.offerBlock(block.header, block.shortIds);
    await until(() => honest.node.stats().compactBlockWaits === 1, 'the compact block, waiting');
    return { honest, peer, peerSigner, tx, block };
  }

  it('waits for a transaction already being fetched instead of asking the block\'s sender for it again', async () => {
    const { honest, peer, tx, block } = await blockWaitingForATransaction();
    peer.send({ type: 'tx', tx });
    await until(() => honest.ledger.tip().hash === block.hash, 'the block, completed by the transaction');
    expect(peer.received.some((frame) => frame.type === 'getBlockTxs')).toBe(false);
    expect(honest.node.stats()).toMatchObject({ compactBlockHits: 1, compactBlockMisses: 0 });
  });

  it('asks the block\'s sender for transactions that are still on their way when the wait is over', async () => {
    const { honest, peer, peerSigner, tx, block } = await blockWaitingForATransaction();
    honest.node.tick();
    expect(peer.received.some((frame) => frame.type === 'getBlockTxs')).toBe(false);
    honest.now.ms += 1_001;
    honest.node.tick();
    await until(() => peer.received.some((frame) => frame.type === 'getBlockTxs'), 'the request for the block\'s transaction');
    peer.send({ type: 'blockTxs', hash: block.hash, txs: [{ index: 0, tx }] });
    await until(() => honest.ledger.tip().hash === block.hash, 'the block');
    expect(honest.node.stats()).toMatchObject({ compactBlockHits: 0, compactBlockMisses: 1 });
    expect(honest.node.banOf(peerSigner.peerId)).toBeUndefined();
  });

  it('rebuilds a competing block from the transactions of the block it replaces, without asking for them', async () => {
    const [honest, payee, peerSigner] = [await makePeer(1), await makePeer(2), await testSigner(3)];
    await mine(honest);
    const tx = await send(honest, payee, 4, 0);
    expect(honest.node.submitLocalTx(tx).ok).toBe(true);
    // A rival block at the same height with the same transaction, made before honest mines its own.
    const rival = blockOn(honest, peerSigner.peerId, [tx], honest.now.ms + 1_500);
    await mine(honest, [tx]);
    expect(honest.mempool.has(txId(tx))).toBe(false);
    const peer = rawPeer(honest.node, honest.signer.peerId, peerSigner, 'test-blocks', honest.ledger.tip());
    await until(() => honest.node.peers().length === 1, 'the link');
    peer.offerBlock(rival.header, rival.shortIds);
    await until(() => honest.node.stats().compactBlockHits === 1, 'the rival block, rebuilt');
    await until(() => honest.ledger.hasBlock(rival.hash), 'the rival block, stored as a side branch');
    expect(peer.received.some((frame) => frame.type === 'getBlockTxs')).toBe(false);
    expect(honest.node.stats().compactBlockMisses).toBe(0);
  });

  it('a peer that links late learns the transactions already waiting in the mempool', async () => {
    const [a, late] = [await makePeer(1), await makePeer(2)];
    await mine(a);
    const tx = await send(a, late, 3, 0);
    expect(a.node.submitLocalTx(tx).ok).toBe(true);
    late.now.ms = a.now.ms;
    link(a, late);
    await until(() => late.mempool.has(txId(tx)), 'the pooled transaction at the late peer');
  });

  it('a late joiner syncs 150 blocks headers-first, then follows the tip', async () => {
    const [a, late] = [await makePeer(1), await makePeer(2)];
    await mine(a, [], 150);
    late.now.ms = a.now.ms;
    link(a, late);
    await until(() => late.ledger.tip().height === 150, 'sync to height 150', 15_000);
    expect(late.ledger.tip().hash).toBe(a.ledger.tip().hash);
    expect(late.node.stats().headersRequested).toBeGreaterThanOrEqual(2); // 100 headers per answer
    await mine(a);
    await until(() => late.ledger.tip().height === 151, 'the next block');
  });

  it('converges on the most-work chain after a partition, returning the losing side\'s transactions to the mempool', async () => {
    const [a, b] = [await makePeer(1), await makePeer(2)];
    const shared = link(a, b);
    await mine(a);
    await until(() => b.ledger.tip().height === 1, 'the shared block');
    const tx = await send(a, b, 10, 0);
    shared.atA.close('partition');
    await until(() => a.node.peers().length === 0 && b.node.peers().length === 0, 'the partition');
    expect(a.node.submitLocalTx(tx).ok).toBe(true);
    await mine(a, [tx]); // a's side: 1 block with the transaction
    b.now.ms = a.now.ms;
    await mine(b, [], 3); // b's side: 3 blocks, more work
    link(a, b);
    await until(() => a.ledger.tip().hash === b.ledger.tip().hash, 'convergence');
    expect(a.ledger.tip().height).toBe(4);
    expect(a.mempool.has(txId(tx))).toBe(true); // disconnected, back in the pool
    await mine(b, [tx]);
    await until(() => a.ledger.tip().height === 5, 'the re-confirming block');
    expect(a.ledger.account(b.signer.peerId).balance).toBe(b.ledger.account(b.signer.peerId).balance);
  });

  it('bans a peer that announces a block without valid proof-of-work', async () => {
    const [honest, attackerSigner] = [await makePeer(1), await testSigner(2)];
    const attacker = rawPeer(honest.node, honest.signer.peerId, attackerSigner, 'test-blocks', honest.ledger.tip());
    await until(() => honest.node.peers().length === 1, 'the link');
    const template = honest.ledger.buildHeaderTemplate(attackerSigner.peerId, [], START_MS + 1_000);
    let header = template;
    for (let nonce = 0; blockHash(header) <= header.target; nonce++) header = { ...template, nonce };
    attacker.offerBlock(header);
    expect(await attacker.closed).toMatch(/bad-pow/);
    expect(honest.ledger.tip().height).toBe(0);
  });

  it('gives up, without blame, a rebuild whose peer is slow to send the transactions, and fetches the block from another peer', async () => {
    const [honest, other, slowSigner] = [await makePeer(1), await makePeer(2), await testSigner(3)];
    await mine(honest);
    const tx = await send(honest, other, 4, 0); // in the block only: honest's mempool lacks it
    const block = blockOn(honest, slowSigner.peerId, [tx], honest.now.ms + 1_000);
    const slow = rawPeer(honest.node, honest.signer.peerId, slowSigner, 'test-blocks', honest.ledger.tip());
    await until(() => honest.node.peers().length === 1, 'the slow link');
    slow.offerBlock(block.header, block.shortIds);
    await until(() => slow.received.some((frame) => frame.type === 'getBlockTxs'), 'the request for the missing transaction');
    // Another peer gets the block too and announces it; honest is already rebuilding it, so waits.
    other.now.ms = honest.now.ms;
    link(honest, other);
    await until(() => other.ledger.tip().height === 1, 'the first block at the other peer');
    other.now.ms += 1_000;
    expect((await other.node.submitLocalBlock({ header: block.header, txs: block.txs })).ok).toBe(true);
    await until(() => (honest.node.stats().duplicateInv ?? 0) >= 1, 'its announcement, not fetched while the rebuild runs');
    honest.now.ms += 10_001;
    honest.node.tick();
    await until(() => honest.ledger.tip().hash === block.hash, 'the block, fetched from the other peer');
    expect(honest.node.stats().blockRebuildsAbandoned).toBe(1);
    // The slow peer's answer comes at last: late, not unsolicited.
    const framesBefore = honest.node.stats().messagesIn ?? 0;
    slow.send({ type: 'blockTxs', hash: block.hash, txs: [{ index: 0, tx }] });
    await until(() => (honest.node.stats().messagesIn ?? 0) > framesBefore, 'the late answer');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(honest.node.banOf(slowSigner.peerId)).toBeUndefined();
    expect(honest.node.peers().map((peer) => peer.id)).toContain(slowSigner.peerId);
  });

  it('bans a peer that answers a later request for block transactions but withholds an earlier one', async () => {
    const [honest, liarSigner, payee] = [await makePeer(1), await testSigner(2), await makePeer(3)];
    await mine(honest);
    const [first, second] = [await send(honest, payee, 1, 0), await send(honest, payee, 2, 0)];
    const withheld = blockOn(honest, liarSigner.peerId, [first], honest.now.ms + 1_000);
    const answered = blockOn(honest, liarSigner.peerId, [second], honest.now.ms + 2_000);
    const liar = rawPeer(honest.node, honest.signer.peerId, liarSigner, 'test-blocks', honest.ledger.tip());
    await until(() => honest.node.peers().length === 1, 'the link');
    liar.offerBlock(withheld.header, withheld.shortIds);
    await until(() => liar.received.filter((frame) => frame.type === 'getBlockTxs').length === 1, 'the first request');
    liar.offerBlock(answered.header, answered.shortIds);
    await until(() => liar.received.filter((frame) => frame.type === 'getBlockTxs').length === 2, 'the second request');
    liar.send({ type: 'blockTxs', hash: answered.hash, txs: [{ index: 0, tx: second }] });
    await until(() => honest.ledger.tip().hash === answered.hash, 'the answered block');
    honest.now.ms += 10_001;
    honest.node.tick();
    expect(await liar.closed).toMatch(/withheld the transactions of block/);
    expect(honest.node.stats().blockRebuildsAbandoned).toBe(0);
  });
});

/**
 * The sync liveness bug of issue 20, reproduced step by step with a scripted
 * peer: a neighbour announces a block as soon as its ledger has checked it
 * (before its tip moves), we fetch it, find its parent missing and park it
 * as an orphan, and the headers we ask for are answered from the neighbour's
 * old tip: empty. The chase must not end there: later announcements of the
 * orphan (which `ledger.hasBlock` counts as held) and the tick ask again, so
 * the node reaches the neighbour's chain.
 */
import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { rawPeer } from '../../test/helpers/raw-peer.ts';
import { until } from '../../test/helpers/until.ts';
import { CLAIM_RETRY_MS } from './chain-sync.ts';
import { createFullNode, type FullNode } from './full-node.ts';
import { blockHash } from './ledger/block.ts';
import { MemoryChainStore } from './ledger/memory-chain-store.ts';
import { mineHeader } from './ledger/testing.ts';
import type { BlockHeader } from './ledger/types.ts';
import type { Frame } from './frames.ts';
import type { Signer } from './types.ts';

const NETWORK = 'test-liveness';
const quiet = { info: () => undefined, warn: () => undefined };
const START_MS = 1_735_689_600_000 + 86_400_000;

type Peer = FullNode & { signer: Signer; now: { ms: number } };

async function makePeer(seed: number): Promise<Peer> {
  const signer = await testSigner(seed);
  const now = { ms: START_MS };
  const full = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => now.ms }, log: quiet, store: new MemoryChainStore() }, { network: NETWORK, peerId: signer.peerId });
  return { ...full, signer, now };
}

async function mineOn(peer: Peer): Promise<BlockHeader> {
  peer.now.ms += 1_000;
  const header = mineHeader(peer.ledger.buildHeaderTemplate(peer.signer.peerId, [], peer.now.ms));
  const result = await peer.node.submitLocalBlock({ header, txs: [] });
  if (!result.ok) throw new Error(`block refused: ${result.detail}`);
  return header;
}

const getHeaders = (frames: Frame[]) => frames.filter((frame) => frame.type === 'getHeaders').length;

describe('chain sync liveness (issue 20)', () => {
  it('keeps asking for headers after an empty answer, while an orphan from the peer waits for its parent', async () => {
    const miner = await makePeer(1);
    const node = await makePeer(2);
    const [first, second] = [await mineOn(miner), await mineOn(miner)];
    node.now.ms = miner.now.ms;
    const genesis = node.ledger.tip();
    // The scripted neighbour says hello from genesis: the tip it had before its commit landed.
    const neighbour = rawPeer(node.node, node.signer.peerId, await testSigner(3), NETWORK, { height: 0, hash: genesis.hash });
    await until(() => node.node.peers().length === 1, 'hello');
    // Every new link is asked once as it opens (chain-sync.ts, the outbound proof): our tips match, so it is empty.
    await until(() => getHeaders(neighbour.received) === 1, 'the new link\'s headers request');
    neighbour.send({ type: 'headers', headers: [] });
    await new Promise((resolve) => setTimeout(resolve, 20));

    // 1-2. It announces block 2 (validated, not yet its tip); we fetch it, lack block 1, park it and ask for headers.
    neighbour.offerBlock(second);
    await until(() => getHeaders(neighbour.received) === 2, 'the orphan\'s headers request');
    expect(node.ledger.hasBlock(blockHash(second))).toBe(true);
    expect(node.ledger.headerEntry(blockHash(second))).toBeUndefined();
    // 3. The answer comes from its old tip: empty.
    neighbour.send({ type: 'headers', headers: [] });
    await until(() => node.node.stats().headersReceived === 0 && node.node.syncProgress().blocksWanted === 0, 'the empty answer handled');

    // 4-5. It announces the orphan again: the node asks again at once (it cannot fetch what it holds).
    neighbour.send({ type: 'inv', items: [{ kind: 'block', id: blockHash(second) }] });
    await until(() => getHeaders(neighbour.received) === 3, 'a second headers request, on the announcement');
    neighbour.send({ type: 'headers', headers: [] });
    await new Promise((resolve) => setTimeout(resolve, 20));

    // No announcement at all: the tick asks again once CLAIM_RETRY_MS has passed, not before.
    node.node.tick();
    expect(getHeaders(neighbour.received)).toBe(3);
    node.now.ms += CLAIM_RETRY_MS;
    node.node.tick();
    await until(() => getHeaders(neighbour.received) === 4, 'a third headers request, on the tick');
    expect(node.node.stats().headersRetried).toBe(1);

    // Its tip has moved by now: the answer carries blocks 1 and 2, the node fetches block 1 and connects both.
    neighbour.send({ type: 'headers', headers: [first, second] });
    await until(() => neighbour.received.some((frame) => frame.type === 'getData'), 'block 1 requested');
    const full = await miner.ledger.getBlock(blockHash(first));
    neighbour.send({ type: 'block', header: first, shortIds: [] });
    expect(full!.txs).toEqual([]);
    await until(() => node.ledger.tip().height === 2, 'the node on the neighbour\'s chain');
    expect(node.ledger.tip().hash).toBe(blockHash(second));

    // Resolved: no more asking.
    const asked = getHeaders(neighbour.received);
    node.now.ms += 10 * CLAIM_RETRY_MS;
    node.node.tick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(getHeaders(neighbour.received)).toBe(asked);
  });

  it('gives up a claim the peer never serves, after a bounded number of asks', async () => {
    const miner = await makePeer(4);
    const node = await makePeer(5);
    await mineOn(miner);
    const tip = miner.ledger.tip();
    node.now.ms = miner.now.ms;
    const neighbour = rawPeer(node.node, node.signer.peerId, await testSigner(6), NETWORK, { height: tip.height, hash: tip.hash });
    await until(() => getHeaders(neighbour.received) === 1, 'the hello\'s headers request');
    let answered = 0;
    for (let round = 0; round < 10; round++) {
      // Answer each request (empty), never more: an answer nobody asked for is misbehaviour.
      if (getHeaders(neighbour.received) > answered) {
        answered++;
        neighbour.send({ type: 'headers', headers: [] });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      node.now.ms += CLAIM_RETRY_MS;
      node.node.tick();
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(getHeaders(neighbour.received)).toBe(5);
    expect(node.node.peers().length).toBe(1);
  });
});

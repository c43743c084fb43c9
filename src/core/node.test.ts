import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { rawPeer } from '../../test/helpers/raw-peer.ts';
import { until } from '../../test/helpers/until.ts';
import { createMemoryLinkPair } from '../net/memory-link.ts';
import { BUNDLE_FRAME_TYPE, packFrames } from './frame-bundle.ts';
import { FRAME_VERSION, FrameType, encodeFrame, invId } from './frames.ts';
import { createFullNode } from './full-node.ts';
import { MemoryChainStore } from './ledger/memory-chain-store.ts';
import type { TabmeshNode } from './node.ts';
import { mineHeader } from './ledger/testing.ts';
import { signTx, txId, type Tx } from './tx.ts';
import type { Signer } from './types.ts';

const quiet = { info: () => undefined, warn: () => undefined };
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

async function makePeer(seed: number, network = 'test') {
  const signer = await testSigner(seed);
  const now = { ms: 1_735_689_600_000 + 86_400_000 };
  const { node, ledger } = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => now.ms }, log: quiet, store: new MemoryChainStore() }, {
    network, peerId: signer.peerId,
  });
  const txs: string[] = [];
  node.events.on('tx', (_tx, id) => txs.push(id));
  return { signer, node, ledger, now, txs };
}

/** Mines one block on `peer`'s tip (test proof-of-work: a few dozen hashes) with the given transactions. */
async function mineOn(peer: Awaited<ReturnType<typeof makePeer>>, txs: Tx[] = []) {
  const header = mineHeader(peer.ledger.buildHeaderTemplate(peer.signer.peerId, txs, peer.now.ms));
  const result = await peer.node.submitLocalBlock({ header, txs });
  if (!result.ok) throw new Error(`mined block refused: ${result.detail}`);
  return header;
}

function link(a: { signer: Signer; node: TabmeshNode }, b: { signer: Signer; node: TabmeshNode }) {
  const pair = createMemoryLinkPair(a.signer.peerId, b.signer.peerId);
  a.node.addLink(pair.atA);
  b.node.addLink(pair.atB);
  return pair;
}

describe('protocol node', () => {
  it('exchanges HELLO and reports the peer open', async () => {
    const [a, b] = [await makePeer(1), await makePeer(2)];
    link(a, b);
    await settle();
    expect(a.node.peers().map((p) => p.id)).toEqual([b.signer.peerId]);
    expect(b.node.peers()[0]).toMatchObject({ id: a.signer.peerId, direction: 'in' });
  });

  it('relays a transaction around a ring: every node gets the body once, extra announcements are skipped', async () => {
    const peers = [await makePeer(1), await makePeer(2), await makePeer(3), await makePeer(4)];
    for (let i = 0; i + 1 < peers.length; i++) link(peers[i]!, peers[i + 1]!);
    link(peers[0]!, peers[3]!); // a ring, so the tx arrives twice at the far side
    await until(() => peers.every((peer) => peer.node.peers().length === 2), 'the ring to open');
    await mineOn(peers[0]!);
    await until(() => peers.every((peer) => peer.ledger.tip().height === 1), 'the block everywhere');
    const tx = await signTx('test', { from: peers[0]!.signer.peerId, to: peers[2]!.signer.peerId, amount: 5, fee: 1, nonce: 0 }, peers[0]!.signer);
    const submitted = peers[0]!.node.submitLocalTx(tx);
    if (!submitted.ok) throw new Error(submitted.detail);
    await until(() => peers.every((peer) => peer.txs.length === 1), 'the transaction everywhere');
    await settle();
    for (const peer of peers) expect(peer.txs).toEqual([submitted.value]);
    // Announce-and-fetch: the body crossed each link at most once, so each receiver got exactly one copy.
    expect(peers.map((peer) => peer.node.stats().txBodiesReceived)).toEqual([0, 1, 1, 1]);
    // The signer pushed it to its two neighbours; the far node fetched it after an announcement.
    expect(peers.map((peer) => peer.node.stats().txPushesReceived)).toEqual([0, 1, 0, 1]);
    expect(peers[0]!.node.stats().txPushed).toBe(2);
    expect(peers.reduce((sum, peer) => sum + peer.node.stats().duplicatesDropped!, 0)).toBe(0);
    // In a ring the two waves meet: the node where they cross hears a second announcement and ignores it.
    const extraAnnouncements = peers.reduce((sum, peer) => sum + peer.node.stats().duplicateInv! + peer.node.stats().announcementsAvoided!, 0);
    expect(extraAnnouncements).toBeGreaterThan(0);
  });

  it('announces, rather than pushes, a transaction it was handed but did not sign (its peers would ban the push)', async () => {
    const [signer, relay, far] = [await makePeer(1), await makePeer(2), await makePeer(3)];
    link(signer, relay);
    link(relay, far);
    await until(() => relay.node.peers().length === 2, 'the line to open');
    await mineOn(signer);
    await until(() => far.ledger.tip().height === 1, 'the funding block everywhere');
    const tx = await signTx('test', { from: signer.signer.peerId, to: far.signer.peerId, amount: 5, fee: 1, nonce: 0 }, signer.signer);
    const submitted = relay.node.submitLocalTx(tx);
    if (!submitted.ok) throw new Error(submitted.detail);
    await until(() => far.txs.length === 1 && signer.txs.length === 1, 'the transaction at both ends');
    expect(relay.node.stats().txPushed).toBe(0);
    // The far node fetched it after an announcement: two requests, the funding block's and the transaction's.
    expect(far.node.stats()).toMatchObject({ txPushesReceived: 0, txBodiesReceived: 1, getDataSent: 2, peersBanned: 0 });
    expect(relay.node.peers()).toHaveLength(2);
  });

  it("restores a reloaded tab's pending transactions to the mempool in nonce order, silently; refuses used nonces and bad signatures", async () => {
    const peer = await makePeer(1);
    await mineOn(peer);
    const to = (await testSigner(2)).peerId;
    const pay = (nonce: number, fee = 1) => signTx('test', { from: peer.signer.peerId, to, amount: 5, fee, nonce }, peer.signer);
    const [tx0, tx1] = [await pay(0), await pay(1)];
    // Stored newest first; nonce 1 alone would wait for nonce 0. Storage is not trusted: a tampered record is refused.
    const tampered = { ...(await pay(2)), amount: 9 };
    expect(await peer.node.restoreTxs([{ tx: tampered, id: txId(tampered) }, { tx: tx1, id: txId(tx1) }, { tx: tx0, id: txId(tx0) }])).toEqual([txId(tampered)]);
    expect(peer.node.stats().mempoolSize).toBe(2);
    expect(peer.txs).toEqual([]); // no 'tx' event: the page already lists them
    expect(peer.node.knowsTx(txId(tx1))).toBe(true);
    // Once a block has used a nonce, a stored transaction with that nonce is refused for good (the caller drops it).
    await mineOn(peer, [tx0, tx1]);
    const reused = await pay(1, 5);
    expect(await peer.node.restoreTxs([{ tx: reused, id: txId(reused) }])).toEqual([txId(reused)]);
    expect(peer.node.stats().mempoolSize).toBe(0);
  });

  it('drops a tampered transaction, counts it, and bans the sender', async () => {
    const [honest, attackerSigner] = [await makePeer(1), await testSigner(2)];
    const attacker = rawPeer(honest.node, honest.signer.peerId, attackerSigner, 'test', honest.ledger.tip());
    await until(() => honest.node.peers().length === 1, 'the attacker link');
    const tx = await signTx('test', { from: attackerSigner.peerId, to: honest.signer.peerId, amount: 5, fee: 1, nonce: 0 }, attackerSigner);
    const tampered = { ...tx, amount: 5_000 };
    attacker.offerTx(tampered);
    await until(() => honest.node.stats().peersBanned === 1, 'the ban');
    expect(honest.txs).toEqual([]);
    expect(honest.node.stats()).toMatchObject({ invalidDropped: 1, peersBanned: 1, peers: 0 });
    expect(honest.node.banOf(attackerSigner.peerId)?.reason).toMatch(/invalid signature/);
    expect(honest.node.knowsTx(txId(tampered))).toBe(false);
    // Held off: a new link from the banned peer is closed at once.
    const again = rawPeer(honest.node, honest.signer.peerId, attackerSigner, 'test', honest.ledger.tip());
    expect(await again.closed).toMatch(/banned/);
  });

  it("bans a peer that sends someone else's transaction nobody asked for", async () => {
    const [honest, attackerSigner, otherSigner] = [await makePeer(1), await testSigner(2), await testSigner(3)];
    const attacker = rawPeer(honest.node, honest.signer.peerId, attackerSigner, 'test', honest.ledger.tip());
    const tx = await signTx('test', { from: otherSigner.peerId, to: honest.signer.peerId, amount: 5, fee: 1, nonce: 0 }, otherSigner);
    attacker.send({ type: 'tx', tx });
    expect(await attacker.closed).toMatch(/nobody asked for/);
    expect(honest.node.knowsTx(txId(tx))).toBe(false);
  });

  it('accepts a transaction its signer pushed unasked (the first hop), and counts a second copy as a duplicate', async () => {
    const [honest, senderSigner] = [await makePeer(1), await testSigner(2)];
    const sender = rawPeer(honest.node, honest.signer.peerId, senderSigner, 'test', honest.ledger.tip());
    await until(() => honest.node.peers().length === 1, 'the link');
    await mineOn(honest);
    // Unfunded, so it waits for a block rather than entering the mempool; what matters is that it was taken, not punished.
    const tx = await signTx('test', { from: senderSigner.peerId, to: honest.signer.peerId, amount: 5, fee: 1, nonce: 0 }, senderSigner);
    sender.send({ type: 'tx', tx });
    sender.send({ type: 'tx', tx });
    await until(() => honest.node.stats().txBodiesReceived === 2, 'both copies');
    await settle();
    expect(honest.node.stats()).toMatchObject({ txPushesReceived: 1, duplicatesDropped: 1, txPushesLate: 1, peersBanned: 0, peers: 1, txWaiting: 1 });
    expect(honest.node.knowsTx(txId(tx))).toBe(true);
  });

  it('bans a peer that answers a later request but never delivers an earlier one, and asks another announcer', async () => {
    const [honest, liarSigner, goodSigner] = [await makePeer(1), await testSigner(2), await testSigner(3)];
    const liar = rawPeer(honest.node, honest.signer.peerId, liarSigner, 'test', honest.ledger.tip());
    const good = rawPeer(honest.node, honest.signer.peerId, goodSigner, 'test', honest.ledger.tip());
    await until(() => honest.node.peers().length === 2, 'both links');
    const id = invId('tx', 'ab'.repeat(32));
    liar.send({ type: 'inv', items: [{ kind: 'tx', id }] });
    await until(() => liar.received.some((frame) => frame.type === 'getData'), 'the request to the first announcer');
    good.send({ type: 'inv', items: [{ kind: 'tx', id }] });
    await until(() => honest.node.stats().invReceived === 2, 'the second announcement');
    // The liar answers a later request (it delivers another transaction) but withholds the first body:
    // peers answer requests in order, so that is proof of withholding, not slowness.
    const other = await signTx('test', { from: liarSigner.peerId, to: honest.signer.peerId, amount: 5, fee: 1, nonce: 0 }, liarSigner);
    liar.offerTx(other);
    await until(() => honest.node.stats().txBodiesReceived === 1, 'the later body');
    honest.now.ms += 5_001;
    honest.node.tick();
    expect(await liar.closed).toMatch(/did not deliver/);
    await until(() => good.received.some((frame) => frame.type === 'getData'), 'the retry with the second announcer');
    expect(honest.node.stats().fetchRetries).toBe(1);
  });

  it('skips, without banning, an announcer that went silent or is slow (it answered nothing later)', async () => {
    const [honest, stalledSigner, goodSigner] = [await makePeer(1), await testSigner(2), await testSigner(3)];
    const stalled = rawPeer(honest.node, honest.signer.peerId, stalledSigner, 'test', honest.ledger.tip());
    const good = rawPeer(honest.node, honest.signer.peerId, goodSigner, 'test', honest.ledger.tip());
    await until(() => honest.node.peers().length === 2, 'both links');
    const id = invId('tx', 'cd'.repeat(32));
    stalled.send({ type: 'inv', items: [{ kind: 'tx', id }] });
    await until(() => stalled.received.some((frame) => frame.type === 'getData'), 'the request');
    good.send({ type: 'inv', items: [{ kind: 'tx', id }] });
    await until(() => honest.node.stats().invReceived === 2, 'the second announcement');
    honest.now.ms += 5_001;
    honest.node.tick();
    await until(() => good.received.some((frame) => frame.type === 'getData'), 'the retry');
    expect(honest.node.stats().peersBanned).toBe(0);
  });

  it('bans a peer that exceeds the frame rate limit', async () => {
    const [honest, floodSigner] = [await makePeer(1), await testSigner(2)];
    const flooder = rawPeer(honest.node, honest.signer.peerId, floodSigner, 'test', honest.ledger.tip());
    for (let i = 0; i < 4_100; i++) flooder.send({ type: 'ping', nonce: i + 1 });
    expect(await flooder.closed).toMatch(/faster than/);
    expect(honest.node.stats().rateLimited).toBe(1);
  });

  it('closes the link to a peer whose first frame is another version, without holding it off', async () => {
    const honest = await makePeer(1);
    const other = await testSigner(2);
    const pair = createMemoryLinkPair(honest.signer.peerId, other.peerId);
    honest.node.addLink(pair.atA);
    const closed = new Promise<string>((resolve) => pair.atB.onClose(resolve));
    const hello = encodeFrame({ type: 'hello', network: 'test', peerId: other.peerId, tipHeight: 0, tipHash: honest.ledger.tip().hash, userAgent: 'newer' });
    hello[0] = FRAME_VERSION + 1; // the HELLO of a newer build
    pair.atB.send(hello);
    expect(await closed).toMatch(/frame version/);
    expect(honest.node.stats()).toMatchObject({ versionMismatches: 1, peersBanned: 0 });
    expect(honest.node.banOf(other.peerId)).toBeUndefined();
  });

  it('bans a peer that changes frame version after HELLO', async () => {
    const [honest, other] = [await makePeer(1), await makePeer(2)];
    const { atB } = link(honest, other);
    await settle();
    atB.send(Uint8Array.of(FRAME_VERSION + 1, 0x03, 0, 0, 0, 1));
    await settle();
    expect(honest.node.stats()).toMatchObject({ versionMismatches: 0, peersBanned: 1 });
  });

  it.each([
    ['a malformed frame', Uint8Array.of(FRAME_VERSION, FrameType.ping, 1)],
    ['a frame of an unknown required type', Uint8Array.of(FRAME_VERSION, 0x80)],
    ['an oversized frame', new Uint8Array(17 * 1024)],
  ])('bans a peer that sends %s', async (_name, bytes) => {
    const [honest, attacker] = [await makePeer(1), await makePeer(2)];
    const { atB } = link(honest, attacker);
    await settle();
    atB.send(bytes);
    await settle();
    expect(honest.node.stats()).toMatchObject({ framesRejected: 1, peersBanned: 1 });
  });

  it('bans a peer that sends data before HELLO or claims another id', async () => {
    const [honest, attacker, other] = [await makePeer(1), await makePeer(2), await makePeer(3)];
    const early = createMemoryLinkPair(honest.signer.peerId, attacker.signer.peerId);
    honest.node.addLink(early.atA);
    early.atB.send(encodeFrame({ type: 'ping', nonce: 1 }));
    await settle();
    expect(honest.node.banOf(attacker.signer.peerId)?.reason).toBe('ping before hello');

    const liar = createMemoryLinkPair(honest.signer.peerId, other.signer.peerId);
    honest.node.addLink(liar.atA);
    liar.atB.send(encodeFrame({ type: 'hello', network: 'test', peerId: attacker.signer.peerId, tipHeight: 0, tipHash: '00'.repeat(32), userAgent: 'x' }));
    await settle();
    expect(honest.node.banOf(other.signer.peerId)?.reason).toMatch(/differs/);
  });

  it('closes a link to another network without banning', async () => {
    const [a, b] = [await makePeer(1, 'test'), await makePeer(2, 'main')];
    link(a, b);
    await settle();
    expect(a.node.peers()).toEqual([]);
    expect(a.node.banOf(b.signer.peerId)).toBeUndefined();
  });

  it('measures round-trip time and closes a link that falls silent', async () => {
    const [a, b] = [await makePeer(1), await makePeer(2)];
    link(a, b);
    await settle();
    a.node.tick();
    a.now.ms += 7;
    await settle();
    expect(a.node.peers()[0]!.rttMs).toBe(7);
    // Nothing heard for more than three ping intervals (5 s each): the peer is dead.
    a.now.ms += 15_001;
    a.node.tick();
    await settle();
    expect(a.node.peers()).toEqual([]);
    expect(a.node.stats().linksClosed).toBe(1);
  });

  it('handles the frames of a bundle one by one, and answers the frames of one task in one message', async () => {
    const [honest, peerSigner] = [await makePeer(1), await testSigner(2)];
    const peer = rawPeer(honest.node, honest.signer.peerId, peerSigner, 'test', honest.ledger.tip());
    await until(() => honest.node.peers().length === 1, 'the link');
    let messages = 0;
    peer.link.onMessage(() => void messages++);
    const [messagesBefore, pongsBefore] = [honest.node.stats().messagesOut ?? 0, peer.received.filter((frame) => frame.type === 'pong').length];
    peer.sendBytes(packFrames([1, 2, 3].map((nonce) => encodeFrame({ type: 'ping', nonce })))[0]!);
    await until(() => peer.received.filter((frame) => frame.type === 'pong').length === pongsBefore + 3, 'three pongs');
    expect(peer.received.filter((frame) => frame.type === 'pong').slice(-3)).toEqual([1, 2, 3].map((nonce) => ({ type: 'pong', nonce })));
    expect(messages).toBe(1);
    expect((honest.node.stats().messagesOut ?? 0) - messagesBefore).toBe(1);
  });

  it('bans a peer that sends a malformed bundle', async () => {
    const [honest, peerSigner] = [await makePeer(1), await testSigner(2)];
    const peer = rawPeer(honest.node, honest.signer.peerId, peerSigner, 'test', honest.ledger.tip());
    await until(() => honest.node.peers().length === 1, 'the link');
    peer.sendBytes(Uint8Array.of(FRAME_VERSION, BUNDLE_FRAME_TYPE, 0, 9, FRAME_VERSION, 3));
    expect(await peer.closed).toMatch(/malformed bundle \(truncated\)/);
  });

  it('counts each bundled frame against the rate limit', async () => {
    const signer = await testSigner(1);
    const { node, ledger } = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => 0 }, log: quiet, store: new MemoryChainStore() }, {
      network: 'test', peerId: signer.peerId, peerRateLimit: { burst: 5, perSecond: 1 },
    });
    const peer = rawPeer(node, signer.peerId, await testSigner(2), 'test', ledger.tip());
    await until(() => node.peers().length === 1, 'the link');
    peer.sendBytes(packFrames([1, 2, 3, 4, 5, 6].map((nonce) => encodeFrame({ type: 'ping', nonce })))[0]!);
    expect(await peer.closed).toMatch(/faster than 1\/s/);
  });

  it('closes a link that never says HELLO', async () => {
    const [a, b] = [await makePeer(1), await makePeer(2)];
    const pair = createMemoryLinkPair(a.signer.peerId, b.signer.peerId);
    a.node.addLink(pair.atA);
    let closedWith = '';
    pair.atB.onClose((reason) => { closedWith = reason; });
    a.now.ms += 10_001;
    a.node.tick();
    await settle();
    expect(closedWith).toMatch(/no hello in time/);
  });

  it('does not fetch transactions it loaded from storage', async () => {
    const [a, peerSigner] = [await makePeer(1), await testSigner(2)];
    const tx = await signTx('test', { from: peerSigner.peerId, to: a.signer.peerId, amount: 1, fee: 1, nonce: 0 }, peerSigner);
    a.node.rememberTxs([txId(tx)]);
    const peer = rawPeer(a.node, a.signer.peerId, peerSigner, 'test', a.ledger.tip());
    await until(() => a.node.peers().length === 1, 'the link');
    peer.offerTx(tx);
    await until(() => a.node.stats().invReceived === 1, 'the announcement');
    await settle();
    expect(peer.received.some((frame) => frame.type === 'getData')).toBe(false);
    expect(a.node.stats().duplicateInv).toBe(1);
  });
});

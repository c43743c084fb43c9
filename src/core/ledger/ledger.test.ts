import { beforeAll, describe, expect, it } from 'vitest';
import { nodeVerifier } from '../../../test/helpers/test-keys.ts';
import { txId } from '../tx.ts';
import type { Signer } from '../types.ts';
import { blockHash, genesisBlock } from './block.ts';
import { NETWORK, branch, childOf, mineBlocks, nextBlock, send, setup, signers, sumOfBalances } from '../../../test/helpers/ledger-fixtures.ts';
import type { TipEvent } from './ledger.ts';
import { TEST_PARAMS } from './params.ts';
import { mineHeader } from './testing.ts';

const reward = TEST_PARAMS.blockReward;
let alice: Signer, bob: Signer, carol: Signer;
beforeAll(async () => {
  [alice, bob, carol] = (await signers(1, 2, 3)) as [Signer, Signer, Signer];
});

describe('a new ledger', () => {
  it('starts at this network\'s genesis and stores it', async () => {
    const { ledger, store } = await setup();
    const genesisHash = blockHash(genesisBlock(NETWORK).header);
    expect(ledger.genesisHash).toBe(genesisHash);
    expect(ledger.tip()).toEqual({ hash: genesisHash, height: 0, chainWork: 16n, timeMs: TEST_PARAMS.genesisTimeMs });
    expect(store.tipRecord).toMatchObject({ hash: genesisHash, height: 0, chainWork: '16' });
    expect(await ledger.getBlock(genesisHash)).toEqual(genesisBlock(NETWORK));
    expect(ledger.account(alice.peerId)).toEqual({ balance: 0, nonce: 0 });
    expect(ledger.totalIssued()).toBe(0);
    expect(ledger.rebuilt).toBe(false);
  });
});

describe('connecting blocks', () => {
  it('pays the miner, moves coins, and keeps balances equal to the coins issued', async () => {
    const fixture = await setup();
    const { ledger } = fixture;
    const events: TipEvent[] = [];
    ledger.events.on('tip', (event) => events.push(event));
    const [first] = await mineBlocks(fixture, alice.peerId, 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.connected).toEqual([first]);
    expect(ledger.account(alice.peerId)).toEqual({ balance: reward, nonce: 0 });

    const pay = await send(alice, bob.peerId, 700, 0, 3);
    const block = nextBlock(fixture, carol.peerId, [pay]);
    expect(await ledger.acceptBlock(block, 'self')).toEqual({ ok: true, value: { status: 'connected', connected: [block], disconnected: [] } });
    expect(ledger.account(alice.peerId)).toEqual({ balance: reward - 703, nonce: 1 });
    expect(ledger.account(bob.peerId)).toEqual({ balance: 700, nonce: 0 });
    expect(ledger.account(carol.peerId)).toEqual({ balance: reward + 3, nonce: 0 });
    expect(ledger.totalIssued()).toBe(2 * reward);
    expect(sumOfBalances(ledger)).toBe(ledger.totalIssued());
    expect(await ledger.txLocation(txId(pay))).toEqual({ blockHash: blockHash(block.header), height: 2 });
    expect(ledger.tip()).toMatchObject({ hash: blockHash(block.header), height: 2, chainWork: 48n });
    expect(ledger.ancestorAt(1)).toMatchObject({ hash: blockHash(first!.header), status: 'best' });
  });

  it('answers known for a block it has', async () => {
    const fixture = await setup();
    const [block] = await mineBlocks(fixture, alice.peerId, 1);
    expect(await fixture.ledger.acceptBlock(block!)).toMatchObject({ ok: true, value: { status: 'known' } });
    expect(await fixture.ledger.acceptBlock(genesisBlock(NETWORK))).toMatchObject({ ok: true, value: { status: 'known' } });
  });

  it('serializes concurrent acceptBlock calls', async () => {
    const fixture = await setup();
    const blocks = branch(genesisBlock(NETWORK), alice.peerId, 4);
    const results = await Promise.all([...blocks].reverse().map((block) => fixture.ledger.acceptBlock(block)));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(fixture.ledger.tip().height).toBe(4);
    expect(fixture.store.tipRecord?.height).toBe(4);
  });
});

describe('refusing blocks', () => {
  it('refuses a bad signature by index without storing, and remembers it', async () => {
    const fixture = await setup();
    await mineBlocks(fixture, alice.peerId, 1);
    const good = await send(alice, bob.peerId, 5, 0);
    const forged = { ...(await send(alice, bob.peerId, 6, 1)), amount: 600 };
    const block = nextBlock(fixture, alice.peerId, [good, forged]);
    expect(await fixture.ledger.acceptBlock(block)).toMatchObject({ ok: false, reason: 'bad-signature', txIndex: 1 });
    expect(fixture.ledger.tip().height).toBe(1);
    expect(fixture.store.blocks.has(blockHash(block.header))).toBe(false);
    const calls = nodeVerifier.calls;
    expect(await fixture.ledger.acceptBlock(block)).toMatchObject({ ok: false, reason: 'bad-signature', detail: expect.stringMatching(/previously rejected/) });
    expect(nodeVerifier.calls).toBe(calls);
  });

  it('refuses a mutated body without poisoning the genuine block', async () => {
    const fixture = await setup();
    await mineBlocks(fixture, alice.peerId, 1);
    const txs = [await send(alice, bob.peerId, 1, 0), await send(alice, bob.peerId, 1, 1), await send(alice, bob.peerId, 1, 2)];
    const genuine = nextBlock(fixture, alice.peerId, txs);
    const mutated = { header: genuine.header, txs: [...txs, txs[2]!] }; // same Merkle root (CVE-2012-2459)
    expect(await fixture.ledger.acceptBlock(mutated)).toMatchObject({ ok: false, reason: 'duplicate-tx' });
    expect(await fixture.ledger.acceptBlock({ header: genuine.header, txs: txs.slice(0, 2) })).toMatchObject({ ok: false, reason: 'bad-merkle-root' });
    expect(await fixture.ledger.acceptBlock(genuine)).toMatchObject({ ok: true, value: { status: 'connected' } });
  });

  it('refuses a block too far in the future, but only until the clock catches up', async () => {
    const fixture = await setup();
    const template = fixture.ledger.buildHeaderTemplate(alice.peerId, [], fixture.clock.nowMs() + 180_000);
    const block = { header: mineHeader(template), txs: [] };
    expect(await fixture.ledger.acceptBlock(block)).toMatchObject({ ok: false, reason: 'time-too-new' });
    fixture.clock.advance(60_000);
    expect(await fixture.ledger.acceptBlock(block)).toMatchObject({ ok: true, value: { status: 'connected' } });
  });

  it.each([
    ['time-too-old', { timeMs: TEST_PARAMS.genesisTimeMs }],
    ['bad-target', { target: '00' + 'ff'.repeat(31) }],
    ['bad-height', { height: 2 }],
    ['bad-version', { version: 0 }],
  ] as const)('refuses %s', async (reason, change) => {
    const fixture = await setup();
    const header = mineHeader({ ...fixture.ledger.buildHeaderTemplate(alice.peerId, [], fixture.clock.nowMs()), ...change });
    expect(await fixture.ledger.acceptBlock({ header, txs: [] })).toMatchObject({ ok: false, reason });
    expect(fixture.ledger.checkHeader(header)).toMatchObject({ ok: false, reason });
  });

  it('refuses a second genesis, bad proof-of-work, and a block breaking account rules', async () => {
    const fixture = await setup();
    const fake = { header: mineHeader({ ...genesisBlock(NETWORK).header, nonce: 1 }), txs: [] };
    expect(await fixture.ledger.acceptBlock(fake)).toMatchObject({ ok: false, reason: 'bad-genesis' });
    const block = nextBlock(fixture, alice.peerId);
    let header = block.header;
    while (fixture.ledger.checkHeader(header).ok) header = { ...header, nonce: header.nonce + 1 };
    expect(await fixture.ledger.acceptBlock({ header, txs: [] })).toMatchObject({ ok: false, reason: 'bad-pow' });
    const broke = nextBlock(fixture, alice.peerId, [await send(bob, alice.peerId, 5, 0)]);
    expect(await fixture.ledger.acceptBlock(broke)).toMatchObject({ ok: false, reason: 'insufficient-funds', txIndex: 0 });
    expect(fixture.ledger.headerEntry(blockHash(broke.header))).toMatchObject({ status: 'invalid' });
    expect(fixture.ledger.tip().height).toBe(0);
  });
});

describe('checkTx', () => {
  it('checks fee, nonce not below the account, and balance against the tip', async () => {
    const fixture = await setup();
    await mineBlocks(fixture, alice.peerId, 1, []);
    await mineBlocks(fixture, bob.peerId, 1, [await send(alice, bob.peerId, 10, 0)]);
    const { ledger } = fixture;
    expect(ledger.checkTx(await send(alice, bob.peerId, 10, 1))).toEqual({ ok: true, value: undefined });
    expect(ledger.checkTx(await send(alice, bob.peerId, 10, 5))).toEqual({ ok: true, value: undefined }); // the mempool chains nonces
    expect(ledger.checkTx(await send(alice, bob.peerId, 10, 0))).toMatchObject({ ok: false, reason: 'bad-nonce' });
    expect(ledger.checkTx(await send(alice, bob.peerId, reward, 1))).toMatchObject({ ok: false, reason: 'insufficient-funds' });
    expect(ledger.checkTx(await send(alice, bob.peerId, 10, 1, 0))).toMatchObject({ ok: false, reason: 'fee-too-low' });
    expect(ledger.checkTx(await send(alice, alice.peerId, 10, 1))).toMatchObject({ ok: false, reason: 'self-transfer' });
    expect(ledger.checkTx(await send(carol, alice.peerId, 1, 0))).toMatchObject({ ok: false, reason: 'insufficient-funds' });
  });
});

describe('queries', () => {
  it('builds templates on the tip with time after the median time past', async () => {
    const fixture = await setup();
    const [block] = await mineBlocks(fixture, alice.peerId, 1);
    const template = fixture.ledger.buildHeaderTemplate(bob.peerId, [], 0);
    expect(template).toMatchObject({ prevHash: blockHash(block!.header), height: 2, nonce: 0, miner: bob.peerId, merkleRoot: '00'.repeat(32) });
    // The median of {genesis, block 1} is the upper middle, block 1: a template is 1 ms after it.
    expect(template.timeMs).toBe(block!.header.timeMs + 1);
    expect(fixture.ledger.buildHeaderTemplate(bob.peerId, [], block!.header.timeMs + 5).timeMs).toBe(block!.header.timeMs + 5);
  });

  it('gives a dense-then-sparse locator ending at genesis, and serves headers after it', async () => {
    const fixture = await setup();
    const blocks = await mineBlocks(fixture, alice.peerId, 25);
    const { ledger } = fixture;
    const heights = ledger.locator().map((hash) => ledger.headerEntry(hash)!.height);
    expect(heights).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 14, 10, 2, 0]);
    const peer = [blockHash(blocks[4]!.header), ledger.genesisHash];
    expect(ledger.headersAfter(peer, 3)).toEqual(blocks.slice(5, 8).map((block) => block.header));
    expect(ledger.headersAfter(['ab'.repeat(32)], 2)).toEqual(blocks.slice(0, 2).map((block) => block.header));
    expect(ledger.headersAfter([ledger.tip().hash], 10)).toEqual([]);
    expect(ledger.headersAfter([], 10_000)).toHaveLength(25);
  });

  it('reports headers and blocks it holds', async () => {
    const fixture = await setup();
    const [block] = await mineBlocks(fixture, alice.peerId, 1);
    const side = childOf(genesisBlock(NETWORK), bob.peerId);
    expect(await fixture.ledger.acceptBlock(side)).toMatchObject({ ok: true, value: { status: 'side-branch' } });
    const hash = blockHash(side.header);
    expect(fixture.ledger.headerEntry(hash)).toMatchObject({ status: 'side', height: 1, chainWork: 32n });
    expect(fixture.ledger.hasBlock(hash)).toBe(true);
    expect(await fixture.ledger.getBlock(hash)).toEqual(side);
    expect(await fixture.ledger.getBlock(blockHash(block!.header))).toEqual(block);
    expect(fixture.ledger.hasBlock('ab'.repeat(32))).toBe(false);
  });
});

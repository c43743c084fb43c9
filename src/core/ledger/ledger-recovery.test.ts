import { beforeAll, describe, expect, it } from 'vitest';
import type { Signer } from '../types.ts';
import { blockHash, genesisBlock } from './block.ts';
import { NETWORK, balances, branch, childOf, send, setup, signers, sumOfBalances, type Fixture } from '../../../test/helpers/ledger-fixtures.ts';
import type { TipEvent } from './ledger.ts';
import { MemoryChainStore } from './memory-chain-store.ts';
import { TEST_PARAMS } from './params.ts';
import type { Block } from './types.ts';

const genesis = genesisBlock(NETWORK);
let alice: Signer, bob: Signer, carol: Signer;
beforeAll(async () => {
  [alice, bob, carol] = (await signers(1, 2, 3)) as [Signer, Signer, Signer];
});

/** A ledger with 4 blocks and two payments, and a copy of its balances. */
async function populated(): Promise<Fixture & { blocks: Block[]; expected: Map<string, number> }> {
  const fixture = await setup();
  const b1 = childOf(genesis, alice.peerId);
  const b2 = childOf(b1, bob.peerId, [await send(alice, bob.peerId, 1_000, 0), await send(alice, carol.peerId, 500, 1, 4)]);
  const b3 = childOf(b2, carol.peerId, [await send(bob, carol.peerId, 10, 0)]);
  const b4 = childOf(b3, alice.peerId);
  const blocks = [b1, b2, b3, b4];
  for (const block of blocks) {
    const result = await fixture.ledger.acceptBlock(block);
    if (!result.ok) throw new Error(result.detail);
  }
  return { ...fixture, blocks, expected: balances(fixture.ledger) };
}

describe('restart', () => {
  it('restores the same tip and balances from the store without replaying', async () => {
    const { ledger, store, expected } = await populated();
    const resets = store.calls.commitConnect;
    const again = await setup({ store });
    expect(again.ledger.tip()).toEqual(ledger.tip());
    expect(balances(again.ledger)).toEqual(expected);
    expect(again.ledger.account(alice.peerId)).toEqual(ledger.account(alice.peerId));
    expect(again.ledger.rebuilt).toBe(false);
    expect(store.calls.commitConnect).toBe(resets);
    expect(store.calls.resetState).toBe(0);
    // Side branches are remembered too.
    expect(again.ledger.headerEntry(blockHash(ledger.ancestorAt(2)!.header))).toMatchObject({ status: 'best' });
  });

  it('finishes a reorg that was cut short: a heavier stored branch is connected on start', async () => {
    const { ledger, store } = await populated();
    const heavier = branch(genesis, carol.peerId, 5, [], 2_000);
    for (const block of heavier) await store.putBlock(block); // as if stored, then the tab closed
    const again = await setup({ store });
    expect(again.ledger.tip().hash).toBe(blockHash(heavier[4]!.header));
    expect(balances(again.ledger)).toEqual(new Map([[carol.peerId, 5 * TEST_PARAMS.blockReward]]));
    expect(store.calls.resetState).toBe(0);
    expect(ledger.tip().height).toBe(4);
  });

  it('leaves memory at the old tip when a store write fails, and recovers on retry', async () => {
    const fixture = await setup();
    const block = childOf(genesis, alice.peerId);
    const commit = fixture.store.commitConnects.bind(fixture.store);
    fixture.store.commitConnects = async () => {
      fixture.store.commitConnects = commit;
      throw new Error('disk full');
    };
    await expect(fixture.ledger.acceptBlock(block)).rejects.toThrow('disk full');
    expect(fixture.ledger.tip().height).toBe(0);
    expect(fixture.ledger.account(alice.peerId).balance).toBe(0);
    // The block is indexed but not connected: the next block on it retries the connect.
    const next = childOf(block, alice.peerId);
    expect(await fixture.ledger.acceptBlock(next)).toMatchObject({ ok: true, value: { status: 'connected', connected: [block, next] } });
    expect(sumOfBalances(fixture.ledger)).toBe(fixture.ledger.totalIssued());
  });
});

describe('corruption', () => {
  const damages: [string, (store: MemoryChainStore, fixture: Awaited<ReturnType<typeof populated>>) => void, RegExp][] = [
    ['an altered balance', (store) => store.accountsById.set(bob.peerId, { balance: 1e9, nonce: 1 }), /balances sum/],
    ['a swapped balance (same total)', (store) => {
      const a = store.accountsById.get(alice.peerId)!;
      const c = store.accountsById.get(carol.peerId)!;
      store.accountsById.set(alice.peerId, { ...a, balance: c.balance });
      store.accountsById.set(carol.peerId, { ...c, balance: a.balance });
    }, /hash to/],
    ['a lost account', (store) => store.accountsById.delete(carol.peerId), /balances sum/],
    ['an altered nonce', (store) => store.accountsById.set(bob.peerId, { ...store.accountsById.get(bob.peerId)!, nonce: 0 }), /hash to/],
    ['a tip that is not a stored header', (store) => { store.tipRecord = { ...store.tipRecord!, hash: 'ab'.repeat(32) }; }, /not among the stored headers/],
    ['a tip with the wrong height', (store) => { store.tipRecord = { ...store.tipRecord!, height: 9 }; }, /height/],
    ['a lost state', (store) => { store.tipRecord = undefined; }, /state is missing/],
    ['a malformed account', (store) => store.accountsById.set(bob.peerId, { balance: -5, nonce: 0 }), /malformed/],
  ];

  it.each(damages)('detects %s and rebuilds from stored blocks', async (_, damage, message) => {
    const fixture = await populated();
    damage(fixture.store, fixture);
    const again = await setup({ store: fixture.store });
    expect(again.ledger.rebuilt).toBe(true);
    expect(again.ledger.rebuildReason).toMatch(message);
    expect(again.log.lines.some((line) => line.level === 'warn' && /corrupt/.test(line.message))).toBe(true);
    expect(again.ledger.tip()).toEqual(fixture.ledger.tip());
    expect(balances(again.ledger)).toEqual(fixture.expected);
    expect(fixture.store.calls.resetState).toBe(1);
    // The repaired store now loads cleanly.
    const third = await setup({ store: fixture.store });
    expect(third.ledger.rebuilt).toBe(false);
    expect(balances(third.ledger)).toEqual(fixture.expected);
  });

  it('detects corrupt undo data during a reorg and rebuilds instead of trusting it', async () => {
    const fixture = await populated();
    const { ledger, store, blocks } = fixture;
    const tipHash = blockHash(blocks[3]!.header);
    const undo = store.undo.get(tipHash)!;
    store.undo.set(tipHash, { ...undo, before: undo.before.map((item) => ({ ...item, account: item.account && { ...item.account, balance: item.account.balance + 7 } })) });
    const rebuilt: string[] = [];
    ledger.events.on('rebuilt', (reason) => rebuilt.push(reason));
    const tips: TipEvent[] = [];
    ledger.events.on('tip', (event) => tips.push(event));

    // A heavier branch forking after block 2 forces block 3 and 4 to be disconnected.
    const fork = branch(blocks[1]!, carol.peerId, 3, [], 5_000);
    for (const block of fork) await ledger.acceptBlock(block);
    expect(rebuilt).toHaveLength(1);
    expect(rebuilt[0]).toMatch(/state digest/);
    expect(ledger.rebuilt).toBe(true);
    expect(ledger.tip().hash).toBe(blockHash(fork[2]!.header));
    expect(sumOfBalances(ledger)).toBe(ledger.totalIssued());
    // Listeners hear the net change, as for any reorg: blocks 4 and 3 left, the fork joined.
    expect(tips.at(-1)).toMatchObject({ disconnected: [blocks[3], blocks[2]], connected: fork });

    // The result equals a clean ledger fed the same chain.
    const clean = await setup();
    for (const block of [...blocks.slice(0, 2), ...fork]) await clean.ledger.acceptBlock(block);
    expect(balances(ledger)).toEqual(balances(clean.ledger));
    const reloaded = await setup({ store });
    expect(reloaded.ledger.rebuilt).toBe(false);
    expect(balances(reloaded.ledger)).toEqual(balances(clean.ledger));
  });

  it('forgets a stored block that went missing and takes it again from a peer', async () => {
    const { store, blocks } = await populated();
    const fork = branch(blocks[0]!, carol.peerId, 4, [], 5_000);
    for (const block of fork) await store.putBlock(block);
    // Its header is still listed, but the body no longer matches the Merkle root.
    const damagedHash = blockHash(fork[1]!.header);
    store.blocks.set(damagedHash, { ...fork[1]!, txs: blocks[1]!.txs });
    const again = await setup({ store });
    expect(again.log.lines.some((line) => /missing or damaged/.test(line.message))).toBe(true);
    expect(again.ledger.hasBlock(damagedHash)).toBe(false);
    expect(again.ledger.tip().height).toBe(4);
    expect(again.ledger.tip().hash).toBe(blockHash(blocks[3]!.header));
    expect(again.ledger.hasBlock(blockHash(fork[3]!.header))).toBe(false);
    expect(await again.ledger.acceptBlock(fork[1]!)).toMatchObject({ ok: true, value: { status: 'side-branch' } });
    await again.ledger.acceptBlock(fork[2]!);
    expect(await again.ledger.acceptBlock(fork[3]!)).toMatchObject({ ok: true, value: { status: 'reorged' } });
  });
});

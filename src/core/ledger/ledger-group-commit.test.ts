import { beforeAll, describe, expect, it } from 'vitest';
import type { Signer } from '../types.ts';
import { blockHash, genesisBlock } from './block.ts';
import { NETWORK, balances, branch, childOf, send, setup, signers, sumOfBalances } from '../../../test/helpers/ledger-fixtures.ts';
import type { TipEvent } from './ledger.ts';
import { TEST_PARAMS } from './params.ts';

const genesis = genesisBlock(NETWORK);
const reward = TEST_PARAMS.blockReward;
let alice: Signer, bob: Signer;
beforeAll(async () => {
  [alice, bob] = (await signers(1, 2)) as [Signer, Signer];
});

describe('group commit', () => {
  it('connects the blocks of calls made together in one store commit and one tip event', async () => {
    const fixture = await setup();
    const { ledger, store } = fixture;
    const blocks = branch(genesis, alice.peerId, 5);
    const events: TipEvent[] = [];
    ledger.events.on('tip', (event) => events.push(event));
    const before = store.calls.commitConnect;

    const results = await Promise.all(blocks.map((block) => ledger.acceptBlock(block)));

    expect(results.map((result) => result.ok && result.value.status)).toEqual(Array(5).fill('connected'));
    expect(store.calls.commitConnect - before).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]!.connected).toEqual(blocks);
    expect(store.tipRecord?.hash).toBe(blockHash(blocks[4]!.header));
    const again = await setup({ store });
    expect(again.ledger.tip()).toEqual(ledger.tip());
    expect(balances(again.ledger)).toEqual(new Map([[alice.peerId, 5 * reward]]));
  });

  it('commits the good blocks before a bad one, refuses it and its descendants, and persists only the good tip', async () => {
    const fixture = await setup();
    const { ledger, store } = fixture;
    const [g1, g2] = branch(genesis, alice.peerId, 2);
    // Signed and well formed, so it passes admission, but bob has no coins: it fails when connected.
    const bad = childOf(g2!, alice.peerId, [await send(bob, alice.peerId, 5, 0)]);
    const after = childOf(bad, alice.peerId);

    const results = await Promise.all([g1!, g2!, bad, after].map((block) => ledger.acceptBlock(block)));

    expect(results[0]).toMatchObject({ ok: true, value: { status: 'connected' } });
    expect(results[1]).toMatchObject({ ok: true, value: { status: 'connected' } });
    expect(results[2]).toMatchObject({ ok: false, reason: 'insufficient-funds', txIndex: 0 });
    expect(results[3]).toMatchObject({ ok: false, reason: 'invalid-parent' });
    expect(ledger.tip().hash).toBe(blockHash(g2!.header));
    expect(store.tipRecord?.hash).toBe(blockHash(g2!.header));
    expect(ledger.headerEntry(blockHash(bad.header))).toMatchObject({ status: 'invalid' });
    expect(sumOfBalances(ledger)).toBe(ledger.totalIssued());
    const again = await setup({ store });
    expect(again.ledger.tip().hash).toBe(blockHash(g2!.header));
    expect(balances(again.ledger)).toEqual(new Map([[alice.peerId, 2 * reward]]));
    expect(again.ledger.rebuilt).toBe(false);
  });

  it('writes nothing of a group whose commit fails, and a reload resumes from the last stored tip', async () => {
    const fixture = await setup();
    const { ledger, store } = fixture;
    const blocks = branch(genesis, alice.peerId, 4);
    expect(await ledger.acceptBlock(blocks[0]!)).toMatchObject({ ok: true });
    const commit = store.commitConnects.bind(store);
    store.commitConnects = async () => {
      store.commitConnects = commit;
      throw new Error('tab closed mid-write');
    };

    const results = await Promise.allSettled(blocks.slice(1).map((block) => ledger.acceptBlock(block)));

    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(ledger.tip().hash).toBe(blockHash(blocks[0]!.header));
    expect(store.tipRecord?.hash).toBe(blockHash(blocks[0]!.header));
    expect(balances(ledger)).toEqual(new Map([[alice.peerId, reward]]));
    const again = await setup({ store });
    // The group's bodies were stored unconnected for the retry: the reload connects them on start.
    expect(again.ledger.tip().hash).toBe(blockHash(blocks[3]!.header));
    expect(balances(again.ledger)).toEqual(new Map([[alice.peerId, 4 * reward]]));
    expect(again.ledger.rebuilt).toBe(false);
  });
});

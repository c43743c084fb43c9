import { beforeAll, describe, expect, it } from 'vitest';
import { txId } from '../tx.ts';
import type { Signer } from '../types.ts';
import { NETWORK, branch, mineBlocks, nextBlock, send, setup, signers, type Fixture } from '../../../test/helpers/ledger-fixtures.ts';
import { genesisBlock } from './block.ts';
import { createMempool } from './mempool.ts';
import { MINFEE2, withoutDeployments, type ChainParams, type Deployment } from './params.ts';
import type { Block } from './types.ts';

/** minfee2 from height 0 in windows of 8: STARTED at 8, LOCKED_IN at 16, ACTIVE at 24 when miners signal. */
const EARLY: Deployment = { name: MINFEE2, bit: 0, startHeight: 0, timeoutHeight: 800, window: 8, threshold: 6 };
const NEW_BUILD: Partial<ChainParams> = { deployments: [EARLY] };
const OLD_BUILD: Partial<ChainParams> = { deployments: withoutDeployments([EARLY]) };

let alice: Signer;
let bob: Signer;
beforeAll(async () => {
  [alice, bob] = (await signers(1, 2)) as [Signer, Signer];
});

const stateOf = (fixture: Fixture) => fixture.ledger.deployments()[0]!.state;

/** A new-build ledger mined to `height` by its own templates. */
async function minedTo(height: number): Promise<{ fixture: Fixture; blocks: Block[] }> {
  const fixture = await setup({ params: NEW_BUILD });
  const blocks = await mineBlocks(fixture, alice.peerId, height);
  return { fixture, blocks };
}

describe('minfee2 on a ledger', () => {
  it('templates signal while STARTED and LOCKED_IN; the deployment activates at 24 and raises the next block minimum fee', async () => {
    const { fixture, blocks } = await minedTo(22);
    expect(blocks.map((block) => block.header.version)).toEqual([...Array(7).fill(0x20), ...Array(15).fill(0x21)]);
    expect(fixture.ledger.deployments()).toEqual([{ ...EARLY, state: 'LOCKED_IN', elapsed: 7, count: 7, share: 1, possible: true }]);
    expect(fixture.ledger.nextBlockParams().minFee).toBe(1);
    const [active] = await mineBlocks(fixture, alice.peerId, 1);
    expect(active!.header.version).toBe(0x21); // the last LOCKED_IN block still signals
    expect(stateOf(fixture)).toBe('ACTIVE');
    expect(fixture.ledger.nextBlockParams().minFee).toBe(2);
    expect(fixture.ledger.params.minFee).toBe(1); // the network's own parameters do not move
    const [after] = await mineBlocks(fixture, alice.peerId, 1);
    expect(after!.header.version).toBe(0x20);
  });

  it('refuses, once ACTIVE, a block with a transfer paying 1, and keeps refusing it; a fee of 2 passes', async () => {
    const { fixture } = await minedTo(23);
    const cheap = await send(alice, bob.peerId, 10, 0, 1);
    expect(fixture.ledger.checkTx(cheap)).toMatchObject({ ok: false, reason: 'fee-too-low' });
    const bad = nextBlock(fixture, alice.peerId, [cheap]);
    expect(await fixture.ledger.acceptBlock(bad)).toMatchObject({ ok: false, reason: 'deployment-rule', detail: expect.stringContaining('fee-too-low'), txIndex: 0 });
    expect(await fixture.ledger.acceptBlock(bad)).toMatchObject({ ok: false, reason: 'deployment-rule', detail: expect.stringContaining('previously rejected') });
    expect(fixture.ledger.tip().height).toBe(23);
    // Below the network's own minimum is no deployment's business: plain 'fee-too-low', as any build says.
    const free = nextBlock(fixture, alice.peerId, [await send(alice, bob.peerId, 10, 0, 0)]);
    expect(await fixture.ledger.acceptBlock(free)).toMatchObject({ ok: false, reason: 'fee-too-low' });
    const good = nextBlock(fixture, alice.peerId, [await send(alice, bob.peerId, 10, 0, 2)]);
    expect(await fixture.ledger.acceptBlock(good)).toMatchObject({ ok: true, value: { status: 'connected' } });
  });

  it('a build without the deployment follows the signalling chain, and accepts what only the new rule refuses', async () => {
    const { fixture, blocks } = await minedTo(30);
    const old = await setup({ clock: fixture.clock, params: OLD_BUILD });
    for (const block of blocks) expect(await old.ledger.acceptBlock(block)).toMatchObject({ ok: true });
    expect(old.ledger.tip()).toEqual(fixture.ledger.tip());
    expect(old.ledger.deployments()).toEqual([]);
    expect(old.ledger.nextBlockParams().minFee).toBe(1);
    const oldTemplate = nextBlock(old, bob.peerId, [await send(alice, bob.peerId, 10, 0, 1)]);
    expect(oldTemplate.header.version).toBe(0x20);
    expect(await old.ledger.acceptBlock(oldTemplate)).toMatchObject({ ok: true, value: { status: 'connected' } });
    expect(await fixture.ledger.acceptBlock(oldTemplate)).toMatchObject({ ok: false, reason: 'deployment-rule' });
  });

  it('recomputes the states from stored headers after a restart', async () => {
    const { fixture } = await minedTo(26);
    const before = fixture.ledger.deployments();
    const restarted = await setup({ store: fixture.store, clock: fixture.clock, params: NEW_BUILD });
    expect(restarted.ledger.tip()).toEqual(fixture.ledger.tip());
    expect(restarted.ledger.deployments()).toEqual(before);
    expect(restarted.ledger.nextBlockParams().minFee).toBe(2);
    const bad = nextBlock(restarted, alice.peerId, [await send(alice, bob.peerId, 10, 0, 1)]);
    expect(await restarted.ledger.acceptBlock(bad)).toMatchObject({ ok: false, reason: 'deployment-rule' });
  });

  it('a reorg at a window edge to a branch that did not signal takes the deployment back to STARTED', async () => {
    const { fixture, blocks } = await minedTo(23);
    expect(stateOf(fixture)).toBe('ACTIVE');
    // Fork after height 7, the last block of window 0: window 1 of this branch signals nothing (version 1).
    const side = branch(blocks[6]!, bob.peerId, 18, [], 500);
    for (const block of side) await fixture.ledger.acceptBlock(block);
    expect(fixture.ledger.tip().height).toBe(25);
    expect(fixture.ledger.deployments()[0]).toMatchObject({ state: 'STARTED', elapsed: 2, count: 0 });
    expect(fixture.ledger.nextBlockParams().minFee).toBe(1);
    // Back to the first branch once it is heavier again: ACTIVE from the cache, under the same hashes.
    const again = branch(blocks[22]!, alice.peerId, 3, [], 500);
    for (const block of again) await fixture.ledger.acceptBlock(block);
    expect(fixture.ledger.tip().height).toBe(26);
    expect(stateOf(fixture)).toBe('ACTIVE');
  });
});

describe('mempool and minfee2', () => {
  it('drops transfers paying less than the new minimum when the deployment activates, and refuses new ones', async () => {
    const { fixture } = await minedTo(22);
    const mempool = createMempool({ params: fixture.ledger.params, clock: fixture.clock, nextBlockParams: () => fixture.ledger.nextBlockParams() });
    const cheap = await send(alice, bob.peerId, 10, 0, 1);
    const dependant = await send(alice, bob.peerId, 10, 1, 5);
    expect(mempool.add(cheap, txId(cheap), fixture.ledger.account).ok).toBe(true);
    expect(mempool.add(dependant, txId(dependant), fixture.ledger.account).ok).toBe(true);
    const [block] = await mineBlocks(fixture, alice.peerId, 1);
    // Before onTip runs, a template already leaves the cheap one (and the nonce after it) out.
    expect(mempool.selectForBlock(10, fixture.ledger.account)).toEqual([]);
    const update = mempool.onTip({ connected: [block!], disconnected: [] }, fixture.ledger.account);
    expect(update.dropped.sort()).toEqual([txId(cheap), txId(dependant)].sort());
    expect(mempool.add(cheap, txId(cheap), fixture.ledger.account)).toMatchObject({ ok: false, reason: 'fee-too-low' });
    const fine = await send(alice, bob.peerId, 10, 0, 2);
    expect(mempool.add(fine, txId(fine), fixture.ledger.account).ok).toBe(true);
    expect(genesisBlock(NETWORK, fixture.ledger.params).header.version).toBe(1);
  });
});
